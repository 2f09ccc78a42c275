#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""spice-audio-watch.py: does a real SPICE client hear the server's sound?

Connects spice-gtk's GLib client (SpiceClientGLib, no Gtk, no sound card)
to spice://127.0.0.1:PORT with audio enabled, and listens on the playback
channel: spice-gtk emits "playback-start" (format, channels, rate) on
PLAYBACK_START and "playback-data" with the PCM it decoded (it decodes Opus
itself) for each PLAYBACK_DATA.  Exits 0 once it saw a start and PACKETS
data packets whose peak |sample| is at least --min-peak (non-silent);
exits 1 when --timeout seconds pass first or the connection fails (the
reason on stdout); 77 when the spice-gtk GObject bindings are missing.

Prints one JSON line at the end: {"ok":bool,"starts":N,"packets":N,
"loud_packets":N,"peak":N,"rate":R,"channels":C,"format":F,"reason":"..."}.

Usage: spice-audio-watch.py --port P [--packets N] [--min-peak A] [--timeout S]
"""
import argparse
import ctypes
import json
import sys

try:
    import gi
    gi.require_version("SpiceClientGLib", "2.0")
    from gi.repository import GLib, GObject, SpiceClientGLib
except (ImportError, ValueError) as e:
    print("spice-audio-watch: spice-gtk bindings missing: %s" % e, file=sys.stderr)
    sys.exit(77)

MAX_TIMEOUT_S = 600


def peak_of(addr, size):
    """The largest |sample| of size bytes of S16 PCM at addr."""
    n = size // 2
    if n <= 0 or not addr:
        return 0
    samples = (ctypes.c_int16 * n).from_address(addr)
    return max(abs(s) for s in samples)


class Watch:
    def __init__(self, port, packets, min_peak, timeout):
        self.want = packets
        self.min_peak = min_peak
        self.loop = GLib.MainLoop()
        self.result = {"ok": False, "starts": 0, "packets": 0, "loud_packets": 0, "peak": 0,
                       "rate": None, "channels": None, "format": None, "reason": "timeout"}
        self.session = SpiceClientGLib.Session()
        self.session.set_property("uri", "spice://127.0.0.1:%d" % port)
        self.session.set_property("enable-audio", True)
        # Session.connect and Channel.connect open connections: signals go
        # through GObject.Object.connect.
        GObject.Object.connect(self.session, "channel-new", self.on_channel_new)
        GLib.timeout_add_seconds(timeout, self.on_timeout)

    def finish(self, ok, reason):
        self.result["ok"] = ok
        self.result["reason"] = reason
        self.loop.quit()
        return False

    def on_timeout(self):
        return self.finish(False, "timeout")

    def on_channel_new(self, session, chan):
        GObject.Object.connect(chan, "channel-event", self.on_channel_event)
        if isinstance(chan, SpiceClientGLib.PlaybackChannel):
            GObject.Object.connect(chan, "playback-start", self.on_start)
            GObject.Object.connect(chan, "playback-data", self.on_data)
            chan.connect()
        # The main channel is opened by the session; the others are not needed.

    def on_channel_event(self, chan, ev):
        if ev in (SpiceClientGLib.ChannelEvent.ERROR_CONNECT,
                  SpiceClientGLib.ChannelEvent.ERROR_IO,
                  SpiceClientGLib.ChannelEvent.ERROR_LINK,
                  SpiceClientGLib.ChannelEvent.ERROR_AUTH):
            self.finish(False, "channel %s: %s" % (type(chan).__name__, ev.value_nick))

    def on_start(self, chan, fmt, channels, rate):
        self.result["starts"] += 1
        self.result.update(format=fmt, channels=channels, rate=rate)

    def on_data(self, chan, data, size):
        self.result["packets"] += 1
        p = peak_of(data, size)
        self.result["peak"] = max(self.result["peak"], p)
        if p >= self.min_peak:
            self.result["loud_packets"] += 1
        if self.result["starts"] and self.result["loud_packets"] >= self.want:
            self.finish(True, "heard")

    def run(self):
        if not self.session.connect():
            self.result["reason"] = "connect failed"
            return self.result
        self.loop.run()
        self.session.disconnect()
        return self.result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--packets", type=int, default=20)
    ap.add_argument("--min-peak", type=int, default=1000)
    ap.add_argument("--timeout", type=int, default=60)
    a = ap.parse_args()
    if not 0 < a.timeout <= MAX_TIMEOUT_S:
        print("spice-audio-watch: --timeout must be 1..%d" % MAX_TIMEOUT_S, file=sys.stderr)
        return 2
    r = Watch(a.port, a.packets, a.min_peak, a.timeout).run()
    print(json.dumps(r), flush=True)
    return 0 if r["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
