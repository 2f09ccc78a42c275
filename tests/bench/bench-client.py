#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench-client.py: the frames per second a real spice-gtk client shows.

Runs one bench-display (--client external) and a spice-gtk GLib client
(SpiceClientGLib, no Gtk, no display needed) connected to it, directly or
through link-shaper (a loopback link of RATE Mbit/s and DELAY ms), and steps
the bench through its phases on its stdin:

  1. the client connects and shows the first picture (it goes quiet);
  2. "go": the bench plays its warm-up frames and says "bench-warm"; the
     client shows them and goes quiet again;
  3. "go": the bench plays the timed frames and prints its result line; the
     client shows what it gets and goes quiet;
  4. "quit": the bench tears its server down.

spice-gtk decodes and renders every update into its canvas and emits
display-invalidate for the area it changed.  A frame counts as shown when an
invalidate after step 2 touches the scene's marker (marker=x,y,w,h,step
printed by the bench: the points (x, y + k * step) of that rectangle; every
frame's last drawable covers one and no other drawable of the frame does,
see bench-scenes.h), so frames the server merged or dropped count once or
not at all, and a frame sent in bands counts once.
gtk_fps = frames shown / (time of the last one - the bench's t0).

Prints the bench's "bench ..." line with fields added:
  gtk_frames, gtk_fps, gtk_invalidates (all invalidates after step 2),
  gtk_drain_ms (last marker update - the bench's t1), rate_mbit, delay_ms,
  link_down_bytes (bytes the shaper relayed to the client, whole session).

Usage: bench-client.py --bench PROG [--shaper PROG --rate MBIT --delay MS]
                       [--quiet-ms N] [--timeout S] -- BENCH-ARGS...
Exit 0, 1 when a step failed or timed out, 2 on bad usage, 77 when the
spice-gtk GObject bindings are missing (Debian: python3-gi,
gir1.2-spiceclientglib-2.0).  Every wait is bounded by --timeout; child
processes are stopped by PID.
"""
import argparse
import os
import re
import select
import subprocess
import sys
import time

try:
    import gi
    gi.require_version("SpiceClientGLib", "2.0")
    from gi.repository import GLib, GObject, SpiceClientGLib as Spice
except (ImportError, ValueError) as e:
    print("bench-client: no SpiceClientGLib bindings: %s" % e, file=sys.stderr)
    sys.exit(77)

FIRST_PICTURE_QUIET_MS = 300   # the initial picture is one small update
CHILD_EXIT_TIMEOUT_S = 30
TICK_MS = 50                   # wakes the loop to check deadlines (not a busy wait)


class Failed(Exception):
    pass


def read_line_from(proc, prefix, timeout):
    """Reads proc's stdout lines (bounded) until one starts with prefix."""
    deadline = time.monotonic() + timeout
    buf = b""
    fd = proc.stdout.fileno()
    while True:
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            text = line.decode(errors="replace")
            if text.startswith(prefix):
                return text, buf
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise Failed("no %r line within %d s" % (prefix, timeout))
        chunk = os.read(fd, 4096)
        if not chunk:
            raise Failed("no %r line (the program exited)" % prefix)
        buf += chunk


def fields(line):
    return dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)


class Client:
    def __init__(self, port, password):
        self.events = []           # (monotonic time, x, y, w, h) of each invalidate
        self.primary = False
        self.closed = None
        self.bench_lines = []
        self.bench_buf = b""
        self.session = Spice.Session()
        self.session.set_property("host", "127.0.0.1")
        self.session.set_property("port", str(port))
        self.session.set_property("password", password)
        GObject.Object.connect(self.session, "channel-new", self.on_channel_new)
        self.ctx = GLib.MainContext.default()
        GLib.timeout_add(TICK_MS, lambda: True)
        if not self.session.connect():
            raise Failed("spice_session_connect failed")

    def on_channel_new(self, session, chan):
        GObject.Object.connect(chan, "channel-event", self.on_channel_event)
        if isinstance(chan, Spice.DisplayChannel):
            GObject.Object.connect(chan, "display-primary-create", self.on_primary)
            GObject.Object.connect(chan, "display-invalidate", self.on_invalidate)
            chan.connect()

    def on_channel_event(self, chan, ev):
        if ev != Spice.ChannelEvent.OPENED and self.closed is None:
            self.closed = ev.value_nick

    def on_primary(self, chan, fmt, w, h, stride, shmid, imgdata):
        self.primary = True
        self.events.append((time.monotonic(), 0, 0, w, h))

    def on_invalidate(self, chan, x, y, w, h):
        self.events.append((time.monotonic(), x, y, w, h))

    def feed(self, data):
        self.bench_buf += data
        while b"\n" in self.bench_buf:
            line, self.bench_buf = self.bench_buf.split(b"\n", 1)
            self.bench_lines.append(line.decode(errors="replace"))

    def watch_bench(self, proc, already_read):
        self.feed(already_read)

        def on_data(fd, cond):
            data = os.read(fd, 4096) if cond & GLib.IOCondition.IN else b""
            if not data:
                return False
            self.feed(data)
            return True
        GLib.io_add_watch(proc.stdout.fileno(), GLib.PRIORITY_DEFAULT,
                          GLib.IOCondition.IN | GLib.IOCondition.HUP, on_data)

    def pump(self, done, timeout, what):
        deadline = time.monotonic() + timeout
        while not done():
            if self.closed is not None:
                raise Failed("a channel closed (%s) while waiting for %s" % (self.closed, what))
            if time.monotonic() > deadline:
                raise Failed("timeout (%d s) waiting for %s" % (timeout, what))
            self.ctx.iteration(True)

    def wait_quiet(self, ms, timeout, what):
        start = time.monotonic()

        def quiet():
            last = max(self.events[-1][0] if self.events else 0, start)
            return (time.monotonic() - last) * 1000 >= ms
        self.pump(quiet, timeout, what)

    def bench_line(self, prefix):
        for line in self.bench_lines:
            if line.startswith(prefix):
                return line
        return None


def on_marker(ev, m):
    """Does the invalidated area touch a marker point (x, my + k * step)?"""
    _, x, y, w, h = ev
    mx, my, mw, mh, step = m
    if not (x < mx + mw and mx < x + w):
        return False
    lo, hi = max(y, my), min(y + h, my + mh)
    first = my + -(-(lo - my) // step) * step   # the first point row >= lo
    return first < hi


def stop(proc, timeout):
    """Waits for proc (bounded), then stops it by PID."""
    if proc is None:
        return None
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait(timeout)


def run(args, bench_args):
    bench = subprocess.Popen([args.bench, "--client", "external"] + bench_args,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    shaper = None
    try:
        line, rest = read_line_from(bench, "bench-listening", args.timeout)
        port, password = int(fields(line)["port"]), fields(line)["password"]
        if args.shaper:
            shaper = subprocess.Popen([args.shaper, "--target", str(port), "--rate",
                                       str(args.rate), "--delay", str(args.delay),
                                       "--lifetime", str(4 * args.timeout)],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            port = int(fields(read_line_from(shaper, "link-shaper", args.timeout)[0])["port"])
        c = Client(port, password)
        c.watch_bench(bench, rest)
        c.pump(lambda: c.primary, args.timeout, "the primary surface")
        c.wait_quiet(FIRST_PICTURE_QUIET_MS, args.timeout, "the first picture")

        def say(word):
            bench.stdin.write(word.encode() + b"\n")
            bench.stdin.flush()
        say("go")
        c.pump(lambda: c.bench_line("bench-warm"), args.timeout, "the warm-up")
        c.wait_quiet(args.quiet_ms, args.timeout, "the warm-up frames")
        first = len(c.events)
        say("go")
        c.pump(lambda: c.bench_line("bench "), args.timeout, "the timed frames")
        c.wait_quiet(args.quiet_ms, args.timeout, "the timed frames to arrive")
        result = c.bench_line("bench ")
        f = fields(result)
        marker = tuple(int(v) for v in f["marker"].split(","))
        t0, t1 = int(f["t0_us"]) / 1e6, int(f["t1_us"]) / 1e6
        timed = c.events[first:]
        shown = [ev for ev in timed if on_marker(ev, marker)]
        last = shown[-1][0] if shown else t1
        fps = len(shown) / (last - t0) if shown and last > t0 else 0.0
        say("quit")
        bench.stdin.close()
        c.session.disconnect()
        if stop(bench, CHILD_EXIT_TIMEOUT_S) != 0:
            raise Failed("bench-display exited %s" % bench.returncode)
        bench = None
        down = "-"
        if shaper is not None:
            shaper.terminate()
            stop(shaper, CHILD_EXIT_TIMEOUT_S)
            m = re.search(rb"down=(\d+)", shaper.stderr.read())
            down = m.group(1).decode() if m else "?"
            shaper = None
        print("%s gtk_frames=%d gtk_fps=%.1f gtk_invalidates=%d gtk_drain_ms=%d rate_mbit=%s "
              "delay_ms=%s link_down_bytes=%s" %
              (result, len(shown), fps, len(timed), int((last - t1) * 1000),
               args.rate if args.shaper else "-", args.delay if args.shaper else "-", down))
        sys.stdout.flush()
        return 0
    finally:
        for p in (bench, shaper):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait(CHILD_EXIT_TIMEOUT_S)


def main():
    argv = sys.argv[1:]
    bench_args = []
    if "--" in argv:
        i = argv.index("--")
        argv, bench_args = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", required=True, help="bench-display or bench-display-debian")
    ap.add_argument("--shaper", help="link-shaper; without it the client connects directly")
    ap.add_argument("--rate", type=int, default=0, help="Mbit/s (0 = no limit)")
    ap.add_argument("--delay", type=int, default=0, help="one-way delay, ms")
    ap.add_argument("--quiet-ms", type=int, default=1000,
                    help="no update for this long = the client has shown everything")
    ap.add_argument("--timeout", type=int, default=300, help="bound of every step, s")
    args = ap.parse_args(argv)
    if not 0 < args.timeout <= 3600 or not 0 < args.quiet_ms <= 60000:
        ap.error("bad --timeout or --quiet-ms")
    try:
        return run(args, bench_args)
    except Failed as e:
        print("bench-client: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
