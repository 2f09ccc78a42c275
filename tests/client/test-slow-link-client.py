#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""test-slow-link-client.py: a client on a slow link is slow, not stalled.

Our server closes a client that keeps it blocked without progress for the
stall limit (RED_CLIENT_STALL_MS; S3D_CLIENT_STALL_MS here, 3 s).  Blocked
on the ack window, with its own queue empty, the server's only sign of
progress on a slow link is its socket's unsent bytes going down: the
client acks once per window of messages, and a window of big messages
takes longer than the limit to cross a link of a few Mbit/s.

VIDEO_SERVER (tests/server/video-server: our server, raw images, a film in
one rectangle) is reached by spice-gtk (spice-watch.py) through LINK_SHAPER
at 1 Mbit/s and 20 ms.  The guest plays 150 frames (196 KiB each, raw) at
25 fps: far more than the link carries, so the server stays blocked for
the whole film and well after.  The client must stay connected, with no
channel closed, for the film and STAY_S after it, while the link keeps
delivering (its byte count goes up).  Without the unsent-bytes rule the
server closed the display channel after about 10 s of such a film
(measured at 1 Mbit/s: the server closed it, and the run stopped at 2 MB).

Every wait is bounded; every process is stopped by PID.
Usage: test-slow-link-client.py VIDEO_SERVER LINK_SHAPER SPICE_WATCH
Exit: 0 pass, 1 fail, 77 without the spice-gtk bindings (unless
S3D_REQUIRE_PEERS / CI ask for them).
"""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "s3"))
import s3lib  # noqa: E402  (tests/s3: the watcher driver)

READY_TIMEOUT_S = 30
PLAY_TIMEOUT_S = 60
STALL_MS = 3000         # the server's stall limit in this test
STAY_S = 3 * STALL_MS // 1000


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def main():
    server_bin, shaper_bin, watch_script = sys.argv[1], sys.argv[2], sys.argv[3]
    s3lib.require_spice_gtk()
    work = tempfile.mkdtemp(prefix="test-slow-link-client.")
    env = dict(os.environ, S3D_CLIENT_STALL_MS=str(STALL_MS))
    server = subprocess.Popen([server_bin, "--lifetime", "150"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, bufsize=0, env=env)
    shaper = watch = None
    try:
        reader = s3lib.LineReader(server.stdout.fileno())
        m = re.match(r"SERVER-READY port=(\d+)", reader.readline(READY_TIMEOUT_S))
        if not m:
            fail("video-server did not start")
        shaper = subprocess.Popen([shaper_bin, "--target", m.group(1), "--rate", "1",
                                   "--delay", "20", "--lifetime", "150"],
                                  stdout=subprocess.PIPE)
        sm = re.match(r"link-shaper port=(\d+)",
                      s3lib.LineReader(shaper.stdout.fileno()).readline(READY_TIMEOUT_S))
        if not sm:
            fail("link-shaper did not start")
        watch = s3lib.Watcher(watch_script, int(sm.group(1)), os.path.join(work, "watch.log"))
        r = watch.cmd("wait-primary", creates=1, timeout=60)
        if not r.get("ok"):
            fail("the client never got the primary: %s" % r)
        server.stdin.write(("play 150 25 %s\n" % os.path.join(work, "expected.ppm")).encode())
        line = reader.readline(PLAY_TIMEOUT_S)
        if line.strip() != "PLAYED":
            fail("video-server said %r" % line)
        before = watch.cmd("status")
        time.sleep(STAY_S)  # the time the server would need to close a stalled client
        after = watch.cmd("status")
        print("after the film: %s; %d s later: %s" % (before, STAY_S, after), flush=True)
        for st in (before, after):
            if not st.get("connected") or st.get("channel_closes"):
                fail("the server closed the slow client: %s" % st)
        if (after.get("display_read_bytes") or 0) <= (before.get("display_read_bytes") or 0):
            fail("the link delivered nothing in %d s: the test did not test a slow link" % STAY_S)
        server.stdin.write(b"quit\n")
        if server.wait(timeout=30) != 0:
            fail("video-server exited %d" % server.returncode)
        print("PASS")
    finally:
        if watch:
            watch.stop()
        for p in (shaper, server):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()


if __name__ == "__main__":
    main()
