#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""spice-type.py HOST PORT TEXT [TIMEOUT]: type TEXT, then Enter, through a
SPICE inputs channel, the way a viewer's keyboard does.

Why: no command-line SPICE client sends keys, and QMP's send-key would bypass
the SPICE server, which is the part under test. Uses spice-gtk's GLib client
through GObject introspection (Debian: python3-gi, gir1.2-spiceclientglib-2.0),
so it must run with the system python3. Exit 0 when every key was sent,
1 on timeout or connection error, 77 when the bindings are missing.
"""
import sys

try:
    import gi
    gi.require_version("SpiceClientGLib", "2.0")
    from gi.repository import GLib, GObject, SpiceClientGLib as Spice
except (ImportError, ValueError) as e:
    print("spice-type: no SpiceClientGLib bindings: %s" % e, file=sys.stderr)
    sys.exit(77)

# PC XT (set 1) make codes, which is what the inputs channel carries.
ROWS = [("1234567890-=", 0x02), ("qwertyuiop", 0x10), ("asdfghjkl", 0x1E), ("zxcvbnm", 0x2C)]
SCAN = {" ": 0x39}
for chars, first in ROWS:
    for i, c in enumerate(chars):
        SCAN[c] = first + i
ENTER = 0x1C


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    host, port, text = sys.argv[1], sys.argv[2], sys.argv[3]
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 20
    bad = [c for c in text if c not in SCAN]
    if bad:
        print("spice-type: cannot type %r" % bad, file=sys.stderr)
        return 2
    codes = [SCAN[c] for c in text] + [ENTER]
    loop = GLib.MainLoop()
    result = {"rc": 1}
    session = Spice.Session()
    session.set_property("host", host)
    session.set_property("port", str(port))

    def send_next(chan):
        if not codes:
            # Let the last release leave the socket before we hang up.
            GLib.timeout_add(300, finish, 0)
            return False
        chan.key_press_and_release(codes.pop(0))
        return True

    def finish(rc):
        result["rc"] = rc
        session.disconnect()
        loop.quit()
        return False

    def on_event(chan, event):
        if event == Spice.ChannelEvent.OPENED:
            # Pace the keys (50 ms) like a person would; the guest's PS/2
            # emulation and the VT read them one by one.
            GLib.timeout_add(50, send_next, chan)
        elif event in (Spice.ChannelEvent.ERROR_CONNECT, Spice.ChannelEvent.ERROR_LINK,
                       Spice.ChannelEvent.ERROR_IO, Spice.ChannelEvent.CLOSED):
            print("spice-type: inputs channel event %s" % event, file=sys.stderr)
            finish(1)

    def on_channel(sess, chan):
        if isinstance(chan, Spice.InputsChannel):
            # Session and Channel define their own connect() (to the
            # server), hiding GObject's signal connect; call GObject's.
            # Only the main channel opens by itself; a client opens the
            # others it wants (spicy-screenshot does the same for display).
            GObject.Object.connect(chan, "channel-event", on_event)
            chan.connect()

    GObject.Object.connect(session, "channel-new", on_channel)
    GLib.timeout_add(int(timeout * 1000), finish, 1)
    if not session.connect():
        print("spice-type: connect failed", file=sys.stderr)
        return 1
    loop.run()
    return result["rc"]


if __name__ == "__main__":
    sys.exit(main())
