#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""linux-agent.py: the real spice-vdagent in a Debian guest shares the
clipboard both ways with a real SPICE client, through our library's agent
channel under Debian's QEMU 7.2 (or Debian's library, to check the test).

1. builds (or reuses) the guest image in CACHE (guest-image.sh: it carries
   spice-vdagent, xvfb and xclip, with the daemon's units masked);
2. boots it with QEMU's usual agent port: -device virtio-serial-pci,
   -chardev spicevmc,name=vdagent, -device virtserialport named
   com.redhat.spice.0;
3. connects spice-gtk's GLib client (tests/client/spice_agent_client.py);
4. in the guest, starts an X server (Xvfb: the guest has no desktop), the
   system daemon spice-vdagentd (in the foreground, without logind session
   tracking, -X, since the serial console's session is not on a seat, and
   with a fake uinput device, a file that gets the input events), then the
   session agent spice-vdagent on that X display; spice-gtk must then see
   the agent connect, with the by-demand clipboard capability;
5. guest -> client: xclip takes the X clipboard with 8.9 KB of text (more
   than one 2 KiB agent chunk); spice-gtk must get the agent's grab, request
   the text and receive it byte for byte;
6. client -> guest: spice-gtk grabs the clipboard with 6 KB of its own
   text; xclip -o in the guest must read it byte for byte (the agent asks
   the client through the server, the client answers);
7. the client mouse: this VM has no tablet, so client mouse mode comes
   only through the agent (QEMU's agent-mouse=on); spice-gtk must reach it,
   and a pointer position must show in the input events spice-vdagentd
   writes to its fake uinput device;
8. the viewer's window size: spice-gtk sends a monitors config; the guest's
   qxl driver listens for the device's client monitors config interrupt,
   so the server must hand the config to QEMU's qxl (QXLInterface
   client_monitors_config), not to the agent (spice-vdagentd 0.22 would
   refuse spice-gtk's config: "invalid message size"); the driver must then
   offer 1280x720 as its first mode;
9. the client goes; the agent must stay up and serve a second client, whose
   clipboard request is served again.

Usage: linux-agent.py --cache C --work W [--lib ours|debian]
Exit: 0 pass, 1 fail, 77 skip (not root, a peer missing, no plain build of
our library for --lib ours); S3D_REQUIRE_PEERS=1 or CI=true turns a skip
into a failure.  Artifacts in W: serial.log, qemu.stderr, and the guest's
xvfb.log, vdagentd.log and vdagent.log copied out at the end.
"""
import hashlib
import importlib.util
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.dont_write_bytecode = True

spec = importlib.util.spec_from_file_location("linux_vm", os.path.join(HERE, "linux-vm.py"))
linux_vm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(linux_vm)
say, skip = linux_vm.say, linux_vm.skip

sys.path.insert(0, os.path.join(TESTS, "client"))
try:
    import spice_agent_client as sac
except ImportError as e:
    skip("no SpiceClientGLib bindings (gir1.2-spiceclientglib-2.0): %s" % e)

AGENT_ARGS = ["-device", "virtio-serial-pci",
              "-chardev", "spicevmc,id=vdagent,name=vdagent",
              "-device", "virtserialport,chardev=vdagent,name=com.redhat.spice.0"]
STEP_S = 60             # one client step under TCG on a loaded machine
# The guest's text: made in the guest by seq, so the command line stays short.
GUEST_TEXT = "".join("%d " % i for i in range(1, 2001)).encode()
GUEST_TEXT_CMD = "seq 1 2000 | tr '\\n' ' '"
CLIENT_TEXT = ("client:" + "".join(chr(ord("A") + i % 26) for i in range(6000))).encode()
LOGS = ("xvfb.log", "vdagentd.log", "vdagent.log")

START_AGENT = """
for i in $(seq 150); do [ -e /dev/virtio-ports/com.redhat.spice.0 ] && break; sleep 0.2; done
[ -e /dev/virtio-ports/com.redhat.spice.0 ] || { echo 'no agent port'; exit 1; }
(Xvfb :0 -screen 0 1024x768x24 -nolisten tcp >/tmp/xvfb.log 2>&1 &)
for i in $(seq 300); do [ -S /tmp/.X11-unix/X0 ] && break; sleep 0.2; done
[ -S /tmp/.X11-unix/X0 ] || { echo 'Xvfb did not start'; cat /tmp/xvfb.log; exit 1; }
mkdir -p /run/spice-vdagentd
: >/tmp/uinput
(spice-vdagentd -x -X -d -f -u /tmp/uinput >/tmp/vdagentd.log 2>&1 &)
for i in $(seq 150); do [ -S /run/spice-vdagentd/spice-vdagent-sock ] && break; sleep 0.2; done
[ -S /run/spice-vdagentd/spice-vdagent-sock ] || { echo 'no vdagentd'; cat /tmp/vdagentd.log; exit 1; }
(DISPLAY=:0 XDG_RUNTIME_DIR=/run/user/0 spice-vdagent -x -d >/tmp/vdagent.log 2>&1 &)
echo started
"""


def guest_logs(vm, work):
    """Copies the agent's logs out of the guest (best effort)."""
    for name in LOGS:
        try:
            rc, out = vm.run("tail -c 20000 /tmp/%s" % name, timeout=30)
        except linux_vm.VMError:
            return
        with open(os.path.join(work, name), "w") as f:
            f.write(out)


def uinput_events(vm):
    """(type, code, value) of the input_events spice-vdagentd wrote to its
    fake uinput device (struct input_event on x86-64: a 16-byte time, u16
    type, u16 code, s32 value)."""
    out = vm.check("od -An -v -t u2 -w24 /tmp/uinput | tail -n 64", timeout=30)
    events = []
    for line in out.splitlines():
        w = [int(x) for x in line.split()]
        if len(w) == 12:
            value = w[10] | (w[11] << 16)
            events.append((w[8], w[9], value - (1 << 32) if value >= 1 << 31 else value))
    return events


def guest_reads_clipboard(vm, client, want):
    """xclip -o in the guest, in the background: it waits on the agent, which
    asks the client, which only answers while GLib runs here."""
    vm.check("rm -f /tmp/cb.out /tmp/cb.rc; (DISPLAY=:0 timeout 60 xclip -o -selection clipboard"
             " >/tmp/cb.out 2>/tmp/cb.err; echo $? >/tmp/cb.rc) >/dev/null 2>&1 &", timeout=30)
    n = len(client.requests)
    client.wait("the agent asked the client for its text", lambda: len(client.requests) > n,
                STEP_S)
    deadline = time.monotonic() + STEP_S
    while True:
        rc, out = vm.run("[ -s /tmp/cb.rc ] && printf 'xclip=%s size=%s sha256=%s\\n' "
                         "\"$(cat /tmp/cb.rc)\" \"$(wc -c </tmp/cb.out)\" "
                         "\"$(sha256sum </tmp/cb.out | cut -d' ' -f1)\"", timeout=30)
        m = re.search(r"xclip=(\d+) size=(\d+) sha256=([0-9a-f]+)", out)
        if rc == 0 and m:
            break
        if time.monotonic() > deadline:
            raise linux_vm.VMError("xclip -o did not end within %d s" % STEP_S)
        sac.pump(0.5)
    status, size, digest = m.groups()
    if status != "0":
        raise linux_vm.VMError("xclip -o failed (%s): %s" % (status, vm.check("cat /tmp/cb.err")))
    if int(size) != len(want) or digest != hashlib.sha256(want).hexdigest():
        raise linux_vm.VMError("the guest read %s bytes (sha256 %s), want %d (%s)"
                               % (size, digest, len(want), hashlib.sha256(want).hexdigest()))
    say("ok: the guest's xclip read the client's %d bytes" % len(want))


def main():
    a = linux_vm.guest_test_setup()

    vm = linux_vm.LinuxVM(a.cache, a.work, driver="qxl", lib=a.lib, qemu_args=AGENT_ARGS)
    try:
        with vm:
            tb = vm.boot(timeout=600)  # TCG under a loaded machine: slow
            say("boot: %.1f s; QEMU %d maps %s (--lib %s)" % (tb, vm.proc.pid, vm.libspice, a.lib))
            try:
                run_steps(vm)
            finally:
                if vm.alive() and vm.shell_ready:
                    guest_logs(vm, a.work)
    except (linux_vm.VMError, sac.Fail, subprocess.TimeoutExpired) as e:
        say("FAIL: %s" % e)
        for f in LOGS + ("qemu.stderr",):
            p = os.path.join(a.work, f)
            if os.path.exists(p):
                with open(p) as fh:
                    say("--- %s\n%s" % (f, fh.read()[-3000:]))
        return 1
    say("PASS: spice-vdagent shared the clipboard both ways with spice-gtk (--lib %s)" % a.lib)
    return 0


def run_steps(vm):
    client = sac.AgentClient(vm.port, log=say)
    client.wait("spice-gtk's main channel", lambda: client.main is not None, STEP_S)
    if client.agent_connected():
        raise linux_vm.VMError("an agent is announced before spice-vdagent runs")
    out = vm.check(START_AGENT, timeout=180)
    say("guest: %s" % out.strip())
    client.wait("spice-vdagent connected (AGENT_CONNECTED)", client.agent_connected, STEP_S)
    client.wait("the agent's by-demand clipboard capability",
                lambda: client.main.agent_test_capability(sac.CAP_CLIPBOARD_BY_DEMAND), STEP_S)

    # guest -> client
    vm.check("%s | DISPLAY=:0 xclip -selection clipboard -i >/dev/null 2>&1" % GUEST_TEXT_CMD,
             timeout=30)
    client.wait("the agent's clipboard grab", lambda: client.grabs, STEP_S)
    sel, types = client.grabs[-1]
    if sel != sac.SELECTION or sac.UTF8_TEXT not in types:
        raise linux_vm.VMError("grab %r: want the clipboard selection with UTF-8 text" %
                               (client.grabs[-1],))
    client.request_text()
    client.wait("the guest's text", lambda: client.selections, STEP_S)
    got = client.selections[-1][2].rstrip(b"\0")
    if got != GUEST_TEXT:
        raise linux_vm.VMError("guest text: got %d bytes %r..., want %d" %
                               (len(got), got[:40], len(GUEST_TEXT)))
    say("ok: spice-gtk got the guest's %d bytes" % len(got))

    # client -> guest
    client.grab_text(CLIENT_TEXT)
    guest_reads_clipboard(vm, client, CLIENT_TEXT)

    # the client mouse through the agent (QEMU's agent-mouse=on; this VM has
    # no tablet): spice-vdagentd turns VD_AGENT_MOUSE_STATE into uinput
    # events, written to its fake device /tmp/uinput
    client.wait("client mouse mode (through the agent)", client.client_mouse, STEP_S)
    deadline = time.monotonic() + STEP_S
    while True:
        if client.inputs is not None:
            client.mouse_position(321, 234)
        sac.pump(0.5)
        events = uinput_events(vm)
        if (3, 0, 321) in events and (3, 1, 234) in events:
            break
        if time.monotonic() > deadline:
            raise linux_vm.VMError("the pointer never reached the guest's uinput; its last "
                                   "events: %r" % events[-8:])
    say("ok: the client's pointer (321, 234) reached spice-vdagentd's uinput device")

    # the viewer's window: the config goes to QEMU's qxl (the guest's qxl
    # driver listens), whose interrupt makes the driver offer that size
    client.send_monitor(1280, 720)
    deadline = time.monotonic() + STEP_S
    while True:
        sac.pump(0.5)
        # The driver reads the ROM in a work item; "detect" makes it list
        # its modes again (nothing else in this guest asks, no compositor).
        modes = vm.check("for c in /sys/class/drm/card*-Virtual-1; do echo detect > $c/status; "
                         "head -n 3 $c/modes; done", timeout=30)
        if modes.split()[:1] == ["1280x720"]:
            break
        if time.monotonic() > deadline:
            raise linux_vm.VMError("the guest's driver never offered 1280x720; its modes: %r"
                                   % modes)
    say("ok: the guest's qxl driver offers the viewer's 1280x720 first")
    rc, out = vm.run("grep -c 'invalid message' /tmp/vdagentd.log")
    if out.strip() != "0":
        raise linux_vm.VMError("spice-vdagentd refused a message: %s" %
                               vm.check("grep 'invalid message' /tmp/vdagentd.log"))

    # a second client, after the first left: the agent serves it
    client.disconnect()
    sac.pump(1)
    second = sac.AgentClient(vm.port, log=say)
    second.wait("the second client sees the agent", second.agent_connected, STEP_S)
    # The agent's answer to the client's capabilities: spice-vdagentd
    # forwards a grab only once it has them (a grab before is dropped, by
    # design, as it is with any server).
    second.wait("the agent's capabilities, at the second client",
                lambda: second.main.agent_test_capability(sac.CAP_CLIPBOARD_BY_DEMAND), STEP_S)
    vm.check("printf second | DISPLAY=:0 xclip -selection clipboard -i >/dev/null 2>&1",
             timeout=30)
    second.wait("the agent's grab, at the second client", lambda: second.grabs, STEP_S)
    second.request_text()
    second.wait("the guest's text, at the second client", lambda: second.selections, STEP_S)
    got = second.selections[-1][2].rstrip(b"\0")
    if got != b"second":
        raise linux_vm.VMError("second client got %r, want b'second'" % got[:40])
    second.disconnect()


if __name__ == "__main__":
    sys.exit(main())
