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

STEP_TIMEOUT_S = 20

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
try:
    import spice_agent_client as sac
except ImportError as e:  # spice_agent_client.MissingBindings is one
    required = os.environ.get("S3D_REQUIRE_PEERS") == "1" or os.environ.get("CI") == "true"
    print("no SpiceClientGLib bindings: %s" % e)
    sys.exit(1 if required else 77)
Fail = sac.Fail


class Test:
    def __init__(self, helper):
        self.proc = subprocess.Popen([helper, "--lifetime", "120"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, bufsize=0)
        self.lines = []
        self.partial = b""
        sac.GLib.io_add_watch(self.proc.stdout.fileno(), sac.GLib.PRIORITY_DEFAULT,
                              sac.GLib.IO_IN | sac.GLib.IO_HUP, self.on_helper)
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
        sac.wait(what, cond, timeout)

    def helper_said(self, prefix):
        return lambda: any(l.startswith(prefix) for l in self.lines)

    def helper_line(self, prefix):
        return next(l for l in self.lines if l.startswith(prefix))

    def tell(self, line):
        self.proc.stdin.write((line + "\n").encode())

    def run(self):
        self.wait("helper listening", self.helper_said("listening "))
        port = int(self.helper_line("listening ").split()[1])
        c = sac.AgentClient(port)
        self.wait("agent connected in spice-gtk", c.agent_connected)
        self.wait("capabilities exchanged", self.helper_said("caps"))
        self.wait("agent caps reached spice-gtk",
                  lambda: c.main.agent_test_capability(sac.CAP_CLIPBOARD_BY_DEMAND))

        guest_text = "guest:" + "".join(chr(ord("a") + i % 26) for i in range(5000))
        self.tell("grab " + guest_text)
        self.wait("guest grab reached spice-gtk", lambda: c.grabs)
        sel, types = c.grabs[0]
        if sel != sac.SELECTION or sac.UTF8_TEXT not in types:
            raise Fail("grab %r" % (c.grabs[0],))
        c.request_text()
        self.wait("guest text reached spice-gtk", lambda: c.selections)
        got = c.selections[0][2].rstrip(b"\0")
        if got != guest_text.encode():
            raise Fail("guest text: got %d bytes, want %d" % (len(got), len(guest_text)))
        self.wait("agent served the request", self.helper_said("request"))

        c.grab_text(("client:" + "".join(chr(ord("A") + i % 26) for i in range(4500))).encode())
        self.wait("client grab reached the agent", self.helper_said("client-grab"))
        self.wait("agent's request reached spice-gtk", lambda: c.requests)
        self.wait("client text reached the agent", self.helper_said("clipboard "))
        got = self.helper_line("clipboard ")[len("clipboard "):]
        if got.encode() != c.client_text:
            raise Fail("client text: got %d bytes, want %d" % (len(got), len(c.client_text)))

        c.send_monitor(1280, 720)
        self.wait("monitors config reached the agent", self.helper_said("monitors "))
        if self.helper_line("monitors ") != "monitors 1 1280 720":
            raise Fail(self.helper_line("monitors "))

        c.disconnect()
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
