#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""test-video-client.py: spice-gtk plays our server's MJPEG video stream.

Starts VIDEO_SERVER (tests/server/video-server: our server, a fake QXL
device playing a video into one rectangle, streaming-video=filter) and a
spice-gtk client (spice-watch.py with SPICE_DEBUG on), then:
- plays 60 frames at ~25 fps: spice-gtk must create stream 0 and, when the
  stream ends, report (its own stream statistics) that it took frames in
  and showed at least one of them (out/in above 0): the frames were
  decoded and drawn, not dropped as late;
- once the guest stops, the server ends the stream and sends the area
  again lossless: the client's picture must then equal the guest's, pixel
  for pixel (bounded wait);
- a second burst: a new stream, and again an exact picture at the end.
Every wait is bounded; both processes are stopped by PID.

Usage: test-video-client.py VIDEO_SERVER SPICE_WATCH
Exit: 0 pass, 1 fail, 77 when the spice-gtk bindings are missing (and
S3D_REQUIRE_PEERS / CI do not ask for them).
"""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "s3"))
import s3lib  # noqa: E402  (tests/s3: the watcher driver and the PPM compare)

READY_TIMEOUT_S = 30
PLAY_TIMEOUT_S = 60
EXACT_TIMEOUT_S = 20


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def stream_stats(log_path):
    """spice-gtk's display_stream_stats_debug lines: (id, in, out/in)."""
    pat = re.compile(r"display_stream_stats_debug: id=(\d+) #in-frames=(\d+) out/in=([0-9.]+)")
    with open(log_path, errors="replace") as f:
        return [(int(m.group(1)), int(m.group(2)), float(m.group(3)))
                for m in pat.finditer(f.read())]


def creates(log_path):
    with open(log_path, errors="replace") as f:
        return len(re.findall(r"display_handle_stream_create: id 0", f.read()))


def main():
    server_bin, watch_script = sys.argv[1], sys.argv[2]
    s3lib.require_spice_gtk()
    work = tempfile.mkdtemp(prefix="test-video-client.")
    server = subprocess.Popen([server_bin, "--lifetime", "150"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, bufsize=0)
    reader = s3lib.LineReader(server.stdout.fileno())
    watch = None
    try:
        line = reader.readline(READY_TIMEOUT_S)
        m = re.match(r"SERVER-READY port=(\d+)", line)
        if not m:
            fail("video-server did not start: %r" % line)
        os.environ["SPICE_DEBUG"] = "1"  # spice-gtk's stream statistics
        log = os.path.join(work, "watch.log")
        watch = s3lib.Watcher(watch_script, int(m.group(1)), log)
        r = watch.cmd("wait-primary", creates=1, timeout=30)
        if not r.get("ok"):
            fail("the client never got the primary: %s" % r)
        for burst in (1, 2):
            expect = os.path.join(work, "expected-%d.ppm" % burst)
            server.stdin.write(("play 60 25 %s\n" % expect).encode())
            line = reader.readline(PLAY_TIMEOUT_S)
            if line.strip() != "PLAYED":
                fail("burst %d: video-server said %r" % (burst, line))
            got = os.path.join(work, "client-%d.ppm" % burst)
            deadline = time.monotonic() + EXACT_TIMEOUT_S
            while True:
                r = watch.cmd("snapshot", path=got)
                bad, first = s3lib.compare_ppm(got, expect) if r.get("ok") else (-1, r)
                stats = stream_stats(log)
                if (bad == 0 and len(stats) >= burst) or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            if bad != 0:
                fail("burst %d: the client's picture is not the guest's: %s pixels differ, "
                     "first at %s" % (burst, bad, first))
            if creates(log) < burst or len(stats) < burst:
                fail("burst %d: spice-gtk created %d streams and ended %d (want %d)"
                     % (burst, creates(log), len(stats), burst))
            sid, n_in, out_ratio = stats[burst - 1]
            print("burst %d: stream %d, %d frames in, out/in %.2f; picture exact"
                  % (burst, sid, n_in, out_ratio), flush=True)
            if n_in < 1 or out_ratio <= 0.0:
                fail("burst %d: spice-gtk showed none of the stream's frames" % burst)
        st = watch.cmd("status")
        if not st.get("connected") or st.get("channel_closes"):
            fail("the client was disconnected: %s" % st)
        server.stdin.write(b"quit\n")
        code = server.wait(timeout=30)
        if code != 0:
            fail("video-server exited %d" % code)
        print("PASS")
    finally:
        if watch:
            watch.stop()
        if server.poll() is None:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
