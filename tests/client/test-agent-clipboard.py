#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""test-agent-clipboard.py: spice-gtk's clipboard and monitors config through
our server's agent, against a scripted guest agent.

Starts AGENT_SERVER (tests/server/agent-server: our server with a scripted
vdagent), connects spice-gtk's GLib client (SpiceClientGLib) and checks:
- the agent is announced and its capabilities reach the client;
- guest -> client: the agent grabs the clipboard, spice-gtk emits
  main-clipboard-selection-grab, requests the text
  (clipboard_selection_request) and gets it (main-clipboard-selection), text
  longer than one 2 KiB chunk;
- client -> guest: clipboard_selection_grab, the agent requests, spice-gtk
  emits main-clipboard-selection-request and answers with
  clipboard_selection_notify; the agent gets the text;
- a monitors config (update_display + send_monitor_config) reaches the agent;
- the client goes: the agent hears VD_AGENT_CLIENT_DISCONNECTED.
Every wait is bounded; the helper is killed by its PID at the end.

Usage: test-agent-clipboard.py AGENT_SERVER
Exit: 0 pass, 1 fail, 77 when the spice-gtk bindings are missing (and
S3D_REQUIRE_PEERS / CI do not ask for them).
"""
import os
import subprocess
import sys
import ctypes

STEP_TIMEOUT_S = 20
UTF8_TEXT = 1  # VD_AGENT_CLIPBOARD_UTF8_TEXT
SELECTION = 0  # VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD

try:
    import gi
    gi.require_version("SpiceClientGLib", "2.0")
    from gi.repository import GLib, GObject, SpiceClientGLib as Spice
except (ImportError, ValueError) as e:
    required = os.environ.get("S3D_REQUIRE_PEERS") == "1" or os.environ.get("CI") == "true"
    print("no SpiceClientGLib bindings: %s" % e)
    sys.exit(1 if required else 77)


class Fail(Exception):
    pass


class Test:
    def __init__(self, helper):
        self.proc = subprocess.Popen([helper, "--lifetime", "120"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, bufsize=0)
        self.lines = []
        self.partial = b""
        GLib.io_add_watch(self.proc.stdout.fileno(), GLib.PRIORITY_DEFAULT,
                          GLib.IO_IN | GLib.IO_HUP, self.on_helper)
        self.main = None
        self.grabs = []          # (selection, types) from the guest
        self.selections = []     # (selection, type, bytes) received
        self.requests = []       # (selection, type) the guest asked for
        self.client_text = b""
        self.agent_updates = 0
        self.closed = False

    # ---- plumbing ----
    def on_helper(self, fd, cond):
        data = os.read(fd, 65536)
        if not data:
            self.closed = True
            return False
        self.partial += data
        while b"\n" in self.partial:
            line, self.partial = self.partial.split(b"\n", 1)
            self.lines.append(line.decode("utf-8", "replace"))
        return True

    def wait(self, what, cond, timeout=STEP_TIMEOUT_S):
        ctx = GLib.MainContext.default()
        deadline = GLib.get_monotonic_time() + timeout * 1000000
        tick = GLib.timeout_add(100, lambda: True)  # bounds each blocking iteration
        try:
            while not cond():
                if GLib.get_monotonic_time() > deadline:
                    raise Fail("timed out waiting for " + what)
                ctx.iteration(True)
        finally:
            GLib.source_remove(tick)
        print("ok: " + what)

    def helper_said(self, prefix):
        return lambda: any(l.startswith(prefix) for l in self.lines)

    def helper_line(self, prefix):
        return next(l for l in self.lines if l.startswith(prefix))

    def tell(self, line):
        self.proc.stdin.write((line + "\n").encode())

    # ---- spice-gtk ----
    def on_channel_new(self, session, chan):
        if isinstance(chan, Spice.MainChannel):
            self.main = chan
            GObject.Object.connect(chan, "main-clipboard-selection-grab", self.on_grab)
            GObject.Object.connect(chan, "main-clipboard-selection", self.on_selection)
            GObject.Object.connect(chan, "main-clipboard-selection-request", self.on_request)
            GObject.Object.connect(chan, "main-agent-update", self.on_agent_update)

    def on_grab(self, chan, selection, types, ntypes):
        # gi hands the guint32 array as a list (annotated) or as a pointer.
        if isinstance(types, int):
            types = list((ctypes.c_uint32 * ntypes).from_address(types)) if types else []
        self.grabs.append((selection, list(types)[:ntypes]))
        return True

    def on_selection(self, chan, selection, type_, data, size):
        self.selections.append((selection, type_, ctypes.string_at(data, size)))

    def on_request(self, chan, selection, type_):
        self.requests.append((selection, type_))
        chan.clipboard_selection_notify(selection, type_, self.client_text)
        return True

    def on_agent_update(self, chan):
        self.agent_updates += 1

    def run(self):
        self.wait("helper listening", self.helper_said("listening "))
        port = int(self.helper_line("listening ").split()[1])
        session = Spice.Session()
        session.set_property("host", "127.0.0.1")
        session.set_property("port", str(port))
        GObject.Object.connect(session, "channel-new", self.on_channel_new)
        if not session.connect():
            raise Fail("spice-gtk could not start connecting")
        self.wait("agent connected in spice-gtk",
                  lambda: self.main is not None and self.main.get_property("agent-connected"))
        self.wait("capabilities exchanged", self.helper_said("caps"))
        self.wait("agent caps reached spice-gtk",
                  lambda: self.main.agent_test_capability(5))  # VD_AGENT_CAP_CLIPBOARD_BY_DEMAND

        guest_text = "guest:" + "".join(chr(ord("a") + i % 26) for i in range(5000))
        self.tell("grab " + guest_text)
        self.wait("guest grab reached spice-gtk", lambda: self.grabs)
        sel, types = self.grabs[0]
        if sel != SELECTION or UTF8_TEXT not in types:
            raise Fail("grab %r" % (self.grabs[0],))
        self.main.clipboard_selection_request(SELECTION, UTF8_TEXT)
        self.wait("guest text reached spice-gtk", lambda: self.selections)
        got = self.selections[0][2].rstrip(b"\0")
        if got != guest_text.encode():
            raise Fail("guest text: got %d bytes, want %d" % (len(got), len(guest_text)))
        self.wait("agent served the request", self.helper_said("request"))

        self.client_text = ("client:" + "".join(chr(ord("A") + i % 26) for i in range(4500))).encode()
        self.main.clipboard_selection_grab(SELECTION, [UTF8_TEXT])
        self.wait("client grab reached the agent", self.helper_said("client-grab"))
        self.wait("agent's request reached spice-gtk", lambda: self.requests)
        self.wait("client text reached the agent", self.helper_said("clipboard "))
        got = self.helper_line("clipboard ")[len("clipboard "):]
        if got.encode() != self.client_text:
            raise Fail("client text: got %d bytes, want %d" % (len(got), len(self.client_text)))

        self.main.update_display_enabled(0, True, False)
        self.main.update_display(0, 0, 0, 1280, 720, False)
        if not self.main.send_monitor_config():
            raise Fail("spice-gtk refused to send the monitors config")
        self.wait("monitors config reached the agent", self.helper_said("monitors "))
        if self.helper_line("monitors ") != "monitors 1 1280 720":
            raise Fail(self.helper_line("monitors "))

        session.disconnect()
        self.wait("agent told the client went", self.helper_said("disconnected"))

    def stop(self):
        try:
            self.tell("quit")
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return 1
        return self.proc.returncode


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    t = Test(sys.argv[1])
    try:
        t.run()
        ok = True
    except Fail as e:
        print("FAIL: %s" % e)
        print("helper said: %s" % [l[:80] for l in t.lines])
        ok = False
    rc = t.stop()
    if rc != 0:
        print("FAIL: agent-server exited %s" % rc)
        ok = False
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
