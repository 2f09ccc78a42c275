#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""spice-watch.py: a persistent real SPICE client, driven by JSON lines.

Connects spice-gtk's GLib client (no Gtk, no display needed) to
spice://HOST:PORT, stays connected, and answers one JSON line on stdout for
each JSON line read on stdin.  Events are printed as JSON lines too, without
being asked; a reply always has "cmd" and "ok", an event always has "event".

Usage: spice-watch.py [--host H] [--port P] [--tls-port T --ca-file CA]
                      [--username U --password P]
                      [--channels display[,inputs,cursor]] [--no-connect] [--lifetime S]

With --tls-port the session may use TLS, verifying the server with the CA
file; with --tls-port alone every channel goes over TLS.  --username and
--password are what spice-gtk gives SASL (and the password a ticket).

Commands (stdin, one JSON object per line; an optional "id" is echoed back):
  {"cmd":"status"}
      -> {"cmd":"status","ok":true,"connected":bool,"channels":["main","display"],
          "primary":{"width":W,"height":H,"stride":S,"format":F} or null,
          "primary_creates":N,"primary_destroys":N,"invalidates":N,"mark":bool,
          "connects":N,"channel_closes":N,"ms_since_invalidate":N or null,
          "display_read_bytes":N or null}    (bytes the display channel read)
  {"cmd":"snapshot","path":"x.ppm"}      ("path" optional)
      -> {"cmd":"snapshot","ok":true,"width":W,"height":H,"sha256":"...","path":...}
      The pixels are read again from the primary surface's memory on every
      snapshot (xRGB 32-bit: B,G,R,X bytes in memory) and written as a P6 PPM;
      sha256 is over the PPM's RGB bytes.  ok=false when there is no primary.
  {"cmd":"wait-idle","ms":N,"timeout":T}
      Waits until no invalidate (or primary create) arrived for N ms, at most
      T seconds.  -> {"ok":true,"waited_ms":..} or {"ok":false,"error":"timeout",..}
  {"cmd":"wait-primary","creates":N,"width":W,"height":H,"timeout":T}
      Waits until a primary surface exists, at least N primary-create
      events were seen in total (default N=1) and, if given, the primary is
      W x H (a resume goes through 720x400 VGA and 64x64 primaries first),
      at most T seconds.
  {"cmd":"connect","timeout":T}
      Connects (if not connected) and waits until the main channel and the
      channels asked for by --channels are open, at most T seconds; ok=false
      at once if the connection fails or is closed.
Defaults: "timeout" 10 s, "ms" 500.  Debian's SPICE server takes one client:
any other client (spicy-screenshot...) connecting kicks this one off
(channel-closed + disconnected events; "connect" again).  Ours takes several
(README, "Several clients at once").
  {"cmd":"disconnect"}                   closes the session (replies at once)
  {"cmd":"quit"}                         replies, then exits 0

Events (stdout):
  {"event":"channel-open","channel":"display"}
  {"event":"primary-create","width":W,"height":H,"stride":S,"format":F,"count":N}
  {"event":"primary-destroy","count":N}
  {"event":"mark","mark":bool}
  {"event":"channel-closed","channel":"display","reason":"CLOSED|ERROR_IO|..."}
  {"event":"disconnected"}
  {"event":"exit","reason":"quit|stdin-eof|lifetime"}

Commands are handled one at a time, in order: a command sent while a wait is
running is answered after it.  Every wait is bounded (timeouts above
MAX_TIMEOUT_S are refused), and the process exits by itself after --lifetime
seconds (default 1800) or when stdin is closed.  Exit 0 normally, 1 on a bad
start, 2 on bad usage, 77 when the spice-gtk GObject bindings are missing
(Debian: python3-gi, gir1.2-spiceclientglib-2.0; use the system python3).
"""
import argparse
import ctypes
import hashlib
import json
import os
import sys
import time

try:
    import gi
    gi.require_version("SpiceClientGLib", "2.0")
    from gi.repository import GLib, GObject, SpiceClientGLib as Spice
except (ImportError, ValueError) as e:
    print("spice-watch: no SpiceClientGLib bindings: %s" % e, file=sys.stderr)
    sys.exit(77)

# stdout carries only the JSON lines: GLib's debug and info messages (spice-gtk
# prints them with SPICE_DEBUG=1) go to stderr, the log, instead.
GLib.log_writer_default_set_use_stderr(True)

MAX_TIMEOUT_S = 600          # no single wait may hold the caller longer
DEFAULT_TIMEOUT_S = 10
MAX_LINE = 64 * 1024         # a longer command line is refused, not buffered forever
MAX_SIDE = 16384             # largest primary we agree to read (as the server's limit)

# SpiceSurfaceFmt values (spice-protocol enums.h).
FMT_32_xRGB, FMT_32_ARGB = 32, 96


def chan_name(chan):
    return Spice.Channel.type_to_string(chan.get_property("channel-type"))


def to_rgb(w, h, stride, addr):
    """Copies a 32-bit xRGB primary at addr (B,G,R,X bytes) into packed RGB."""
    out = bytearray(w * h * 3)
    for y in range(h):
        row = ctypes.string_at(addr + y * stride, w * 4)
        o = y * w * 3
        out[o:o + w * 3:3] = row[2::4]
        out[o + 1:o + w * 3:3] = row[1::4]
        out[o + 2:o + w * 3:3] = row[0::4]
    return bytes(out)


class Watch:
    def __init__(self, host, port, channels, lifetime, tls_port=None, ca_file=None, auth=None):
        self.host, self.port = host, str(port) if port else None
        self.tls_port, self.ca_file = (str(tls_port) if tls_port else None), ca_file
        self.auth = auth             # (username, password) or None
        self.want = set(channels)
        self.loop = GLib.MainLoop()
        self.session = None
        self.open = {}               # channel name -> SpiceChannel, open ones
        self.display = None
        self.primary = None          # dict(format,width,height,stride,addr)
        self.mark = False
        self.counts = {"cursor_sets": 0, "cursor_moves": 0,
                       "primary_creates": 0, "primary_destroys": 0, "invalidates": 0,
                       "connects": 0, "channel_closes": 0}
        self.last_activity = None    # monotonic time of the last invalidate/create
        self.queue = []              # pending commands
        self.busy = None             # the command being waited on: (req, check, deadline)
        self.inbuf = b""
        self.exit_reason = None
        self.eof = False
        GLib.io_add_watch(GLib.IOChannel.unix_new(0), GLib.PRIORITY_DEFAULT,
                          GLib.IOCondition.IN | GLib.IOCondition.HUP | GLib.IOCondition.ERR,
                          self.on_stdin)
        GLib.timeout_add_seconds(lifetime, self.quit, "lifetime")
        GLib.timeout_add(20, self.poll_wait)

    # ---- output -----------------------------------------------------------
    def emit(self, obj):
        try:
            sys.stdout.write(json.dumps(obj) + "\n")
            sys.stdout.flush()
        except (BrokenPipeError, OSError):
            self.quit("stdout-closed")

    def event(self, name, **kw):
        d = {"event": name}
        d.update(kw)
        self.emit(d)

    def reply(self, req, ok, **kw):
        d = {"cmd": req.get("cmd"), "ok": ok}
        if "id" in req:
            d["id"] = req["id"]
        d.update(kw)
        self.emit(d)

    def quit(self, reason):
        if self.exit_reason is None:
            self.exit_reason = reason
            self.event("exit", reason=reason)
            self.disconnect()
            self.loop.quit()
        return False

    # ---- session ----------------------------------------------------------
    def connect(self):
        if self.session is not None:
            return True
        s = Spice.Session()
        s.set_property("host", self.host)
        if self.port:
            s.set_property("port", self.port)
        if self.tls_port:
            s.set_property("tls-port", self.tls_port)
            s.set_property("ca-file", self.ca_file)
        if self.auth:
            s.set_property("username", self.auth[0])
            s.set_property("password", self.auth[1])
        GObject.Object.connect(s, "channel-new", self.on_channel_new)
        GObject.Object.connect(s, "disconnected", self.on_disconnected)
        self.session = s
        self.counts["connects"] += 1
        if not s.connect():
            self.session = None
            return False
        return True

    def disconnect(self, hang_up=True):
        # The primary's memory belongs to the channel; never read it again.
        self.primary = None
        self.display = None
        self.mark = False
        self.open.clear()
        s, self.session = self.session, None
        if s is not None and hang_up:
            s.disconnect()

    def on_disconnected(self, session):
        if session is self.session:
            self.session = None
            self.primary = None
            self.display = None
            self.open.clear()
            self.event("disconnected")

    def on_channel_new(self, session, chan):
        name = chan_name(chan)
        GObject.Object.connect(chan, "channel-event", self.on_channel_event, session)
        if isinstance(chan, Spice.DisplayChannel):
            if "display" not in self.want:
                return
            GObject.Object.connect(chan, "display-primary-create", self.on_primary_create, session)
            GObject.Object.connect(chan, "display-primary-destroy", self.on_primary_destroy, session)
            GObject.Object.connect(chan, "display-invalidate", self.on_invalidate, session)
            GObject.Object.connect(chan, "display-mark", self.on_mark, session)
            chan.connect()
        elif isinstance(chan, Spice.MainChannel):
            pass  # opened by the session itself
        elif isinstance(chan, Spice.CursorChannel):
            if "cursor" not in self.want:
                return
            # spice-gtk emits these only for a channel that got CURSOR_INIT
            # (after a CURSOR_RESET it drops SET/MOVE until the next INIT).
            GObject.Object.connect(chan, "cursor-set", self.on_cursor, "cursor_sets")
            GObject.Object.connect(chan, "cursor-move", self.on_cursor, "cursor_moves")
            chan.connect()
        elif name in self.want:
            chan.connect()

    def on_cursor(self, chan, *args):
        self.counts[args[-1]] += 1

    def on_channel_event(self, chan, ev, session):
        if session is not self.session:
            return
        name = chan_name(chan)
        if ev == Spice.ChannelEvent.OPENED:
            self.open[name] = chan
            if isinstance(chan, Spice.DisplayChannel):
                self.display = chan
            self.event("channel-open", channel=name)
        elif ev in (Spice.ChannelEvent.CLOSED, Spice.ChannelEvent.ERROR_CONNECT,
                    Spice.ChannelEvent.ERROR_TLS, Spice.ChannelEvent.ERROR_LINK,
                    Spice.ChannelEvent.ERROR_AUTH, Spice.ChannelEvent.ERROR_IO):
            self.open.pop(name, None)
            if chan is self.display:
                self.display = None
                self.primary = None
            self.counts["channel_closes"] += 1
            self.event("channel-closed", channel=name, reason=ev.value_nick.upper().replace("-", "_"))
            if isinstance(chan, Spice.MainChannel):
                # Without main the session is over; a later connect starts
                # a new one.  Not from inside spice-gtk's own callback.
                s = self.session
                self.disconnect(hang_up=False)
                GLib.idle_add(lambda: s.disconnect() and False)
                self.event("disconnected")

    def on_primary_create(self, chan, fmt, w, h, stride, shmid, imgdata, session):
        if session is not self.session:
            return
        self.counts["primary_creates"] += 1
        self.last_activity = time.monotonic()
        self.primary = {"format": fmt, "width": w, "height": h, "stride": stride,
                        "addr": imgdata}
        self.event("primary-create", width=w, height=h, stride=stride, format=fmt,
                   count=self.counts["primary_creates"])

    def on_primary_destroy(self, chan, session):
        if session is not self.session:
            return
        self.counts["primary_destroys"] += 1
        self.primary = None
        self.mark = False
        self.event("primary-destroy", count=self.counts["primary_destroys"])

    def on_invalidate(self, chan, x, y, w, h, session):
        if session is self.session:
            self.counts["invalidates"] += 1
            self.last_activity = time.monotonic()

    def on_mark(self, chan, mark, session):
        if session is self.session:
            self.mark = bool(mark)
            self.event("mark", mark=self.mark)

    def connected(self):
        return self.session is not None and "main" in self.open

    # ---- commands ---------------------------------------------------------
    def on_stdin(self, source, cond):
        try:
            data = os.read(0, 65536)
        except OSError:
            data = b""
        if not data:
            # Commands already read still run (e.g. a here-document).
            self.eof = True
            self.run_queue()
            return False
        self.inbuf += data
        while b"\n" in self.inbuf:
            line, self.inbuf = self.inbuf.split(b"\n", 1)
            if line.strip():
                self.queue.append(line)
        if len(self.inbuf) > MAX_LINE:
            self.inbuf = b""
            self.queue.append(b"!too-long")
        self.run_queue()
        return True

    def run_queue(self):
        while self.busy is None and self.queue and self.exit_reason is None:
            line = self.queue.pop(0)
            try:
                req = json.loads(line)
                if not isinstance(req, dict) or not isinstance(req.get("cmd"), str):
                    raise ValueError("not an object with a string \"cmd\"")
            except ValueError as e:
                self.emit({"cmd": None, "ok": False, "error": "bad request: %s" % e})
                continue
            handler = getattr(self, "cmd_" + req["cmd"].replace("-", "_"), None)
            if handler is None:
                self.reply(req, False, error="unknown command %r" % req["cmd"])
                continue
            try:
                handler(req)
            except (ValueError, TypeError, OSError) as e:
                self.reply(req, False, error=str(e))
        if self.eof and self.busy is None and not self.queue:
            self.quit("stdin-eof")

    def timeout_of(self, req):
        t = req.get("timeout", DEFAULT_TIMEOUT_S)
        if not isinstance(t, (int, float)) or not 0 <= t <= MAX_TIMEOUT_S:
            raise ValueError("timeout must be 0..%d seconds, got %r" % (MAX_TIMEOUT_S, t))
        return t

    def start_wait(self, req, check):
        """check() -> None to keep waiting, or (ok, reply fields) when done."""
        start = time.monotonic()
        self.busy = (req, check, start, start + self.timeout_of(req))
        self.poll_wait()

    def poll_wait(self):
        if self.busy is not None:
            req, check, start, deadline = self.busy
            now = time.monotonic()
            done = check()
            if done is None and now >= deadline:
                done = (False, {"error": "timeout"})
            if done is not None:
                self.busy = None
                ok, fields = done
                fields["waited_ms"] = int((now - start) * 1000)
                self.reply(req, ok, **fields)
                self.run_queue()
        return True

    def status_fields(self):
        p = self.primary
        since = None
        if self.last_activity is not None:
            since = int((time.monotonic() - self.last_activity) * 1000)
        d = {"connected": self.connected(), "channels": sorted(self.open),
             "primary": None if p is None else {k: p[k] for k in
                                                ("width", "height", "stride", "format")},
             "mark": self.mark, "ms_since_invalidate": since,
             "display_read_bytes": (None if self.display is None
                                    else self.display.get_property("total-read-bytes"))}
        d.update(self.counts)
        return d

    def cmd_status(self, req):
        self.reply(req, True, **self.status_fields())

    def cmd_snapshot(self, req):
        p = self.primary
        if p is None:
            self.reply(req, False, error="no primary surface")
            return
        fmt, w, h, stride, addr = p["format"], p["width"], p["height"], p["stride"], p["addr"]
        if fmt not in (FMT_32_xRGB, FMT_32_ARGB):
            # spice-gtk keeps the primary in 32 bits; anything else is news.
            self.reply(req, False, error="unsupported surface format %d" % fmt)
            return
        if not (0 < w <= MAX_SIDE and 0 < h <= MAX_SIDE) or abs(stride) < w * 4 or not addr:
            self.reply(req, False, error="bad primary %dx%d stride %d" % (w, h, stride))
            return
        rgb = to_rgb(w, h, stride, addr)
        fields = {"width": w, "height": h, "sha256": hashlib.sha256(rgb).hexdigest()}
        path = req.get("path")
        if path is not None:
            if not isinstance(path, str):
                raise ValueError("path must be a string")
            tmp = path + ".tmp"
            with open(tmp, "wb") as f:
                f.write(b"P6\n%d %d\n255\n" % (w, h))
                f.write(rgb)
            os.replace(tmp, path)
            fields["path"] = path
        self.reply(req, True, **fields)

    def cmd_wait_idle(self, req):
        ms = req.get("ms", 500)
        if not isinstance(ms, int) or not 0 <= ms <= MAX_TIMEOUT_S * 1000:
            raise ValueError("ms must be an integer 0..%d" % (MAX_TIMEOUT_S * 1000))
        start = time.monotonic()

        def check():
            last = max(self.last_activity or 0, start)
            if (time.monotonic() - last) * 1000 >= ms:
                return True, {"invalidates": self.counts["invalidates"]}
            return None
        self.start_wait(req, check)

    def cmd_wait_primary(self, req):
        n = req.get("creates", 1)
        w, h = req.get("width"), req.get("height")
        if not all(isinstance(v, int) for v in (n, w or 0, h or 0)):
            raise ValueError("creates, width and height must be integers")

        def check():
            p = self.primary
            if (p is not None and self.counts["primary_creates"] >= n and
                    w in (None, p["width"]) and h in (None, p["height"])):
                return True, {"primary_creates": self.counts["primary_creates"],
                        "width": self.primary["width"], "height": self.primary["height"]}
            return None
        self.start_wait(req, check)

    def cmd_connect(self, req):
        self.timeout_of(req)
        if not self.connect():
            self.reply(req, False, error="spice_session_connect failed")
            return

        session = self.session

        def check():
            if self.session is not session:
                return False, {"error": "connection failed or closed"}
            if self.connected() and all(c in self.open for c in self.want):
                return True, {"channels": sorted(self.open)}
            return None
        self.start_wait(req, check)

    def cmd_disconnect(self, req):
        was = self.session is not None
        self.disconnect()
        self.reply(req, True, was_connected=was)

    def cmd_quit(self, req):
        self.reply(req, True)
        self.quit("quit")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int)
    ap.add_argument("--tls-port", type=int)
    ap.add_argument("--ca-file", help="CA certificates (PEM) for --tls-port")
    ap.add_argument("--username", help="SASL user name")
    ap.add_argument("--password", help="SASL password (or ticket)")
    ap.add_argument("--channels", default="display",
                    help="comma-separated channels to open besides main (display,inputs,cursor)")
    ap.add_argument("--no-connect", action="store_true", help="wait for a connect command")
    ap.add_argument("--lifetime", type=int, default=1800, help="exit after this many seconds")
    args = ap.parse_args()
    ports = [p for p in (args.port, args.tls_port) if p is not None]
    if not ports or not all(0 < p < 65536 for p in ports) or not 0 < args.lifetime <= 86400:
        ap.error("bad or missing --port/--tls-port, or bad --lifetime")
    if args.tls_port and not args.ca_file:
        ap.error("--tls-port needs --ca-file")
    channels = [c for c in args.channels.split(",") if c]
    auth = (args.username or "", args.password or "") if args.username or args.password else None
    w = Watch(args.host, args.port, channels, args.lifetime, args.tls_port, args.ca_file, auth)
    if not args.no_connect and not w.connect():
        print("spice-watch: spice_session_connect failed", file=sys.stderr)
        return 1
    w.loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
