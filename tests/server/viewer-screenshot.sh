#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# viewer-screenshot.sh: shows the test-display-scene picture in the real
# remote-viewer (virt-viewer) on a private Xvfb and saves a screenshot, for a
# person to look at.  Not a CI test: a window manager-less X server, GTK's
# start-up and the viewer's scaling make the exact picture vary.  It reports
# whether the scene's four fill colours are on the screen, which is a useful
# hint, and exits 0 once a screenshot is saved.
#
# Steps: start the server program (ours by default) and wait for
# "SERVER-READY port=N"; start Xvfb on a free display; run remote-viewer
# spice://127.0.0.1:N; take `xwd -root` dumps once a second until the scene
# colours show up (or SHOT_TIMEOUT_S passed); convert the last dump to PNG
# with xwd-to-png.py (python3 standard library); stop everything by PID.
#
# Usage: viewer-screenshot.sh [OUT.png] [PROGRAM]
#   OUT.png   default ./viewer-screenshot.png
#   PROGRAM   default ./server/test-display-scene (run from the build's tests/)
# Needs: Xvfb (xvfb), remote-viewer (virt-viewer), xwd (x11-apps), python3.

set -u

READY_TIMEOUT_S=30      # server start-up under ASan
XVFB_TIMEOUT_S=10       # Xvfb creates its socket
SHOT_TIMEOUT_S=30       # remote-viewer connects and draws the scene
STOP_TIMEOUT_S=20       # each process exits after SIGTERM
SERVER_TIMEOUT_S=180    # the server's own failsafe if this script dies
SCREEN=1024x768x24
# The scene's fills (test-display-scene.c scene_ops): background and three
# rectangles; each is large enough to survive scaling.
SCENE_COLOURS="203040 e03020 30c050 3050e0"

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-./viewer-screenshot.png}
prog=${2:-./server/test-display-scene}

fail() { echo "viewer-screenshot: $*" >&2; exit 1; }

for tool in Xvfb remote-viewer xwd python3; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool not installed (packages: xvfb virt-viewer x11-apps python3)"
done
[ -x "$prog" ] || fail "server program $prog not found"

work=$(mktemp -d "${TMPDIR:-/tmp}/viewer-screenshot.XXXXXX") || fail "mktemp"
server_pid=
xvfb_pid=
viewer_pid=

. "$here/../lib/procs.sh"

cleanup() {
    stop_pid "$viewer_pid"
    stop_pid "$xvfb_pid"
    stop_pid "$server_pid"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

"$prog" --timeout "$SERVER_TIMEOUT_S" --expected "$work/expected.ppm" \
    >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
port=$(wait_ready_port "$work/server.out" "$server_pid" "$READY_TIMEOUT_S") ||
    { cat "$work/server.err"; fail "no SERVER-READY within ${READY_TIMEOUT_S}s (or the server exited)"; }
echo "server pid $server_pid on port $port"

start_xvfb 90 130 "$SCREEN" "$work/xvfb.log" "$XVFB_TIMEOUT_S" ||
    { cat "$work/xvfb.log"; fail "$xvfb_error"; }
display=$xvfb_display
echo "Xvfb pid $xvfb_pid on :$display"

DISPLAY=:$display remote-viewer "spice://127.0.0.1:$port" >"$work/viewer.log" 2>&1 &
viewer_pid=$!
echo "remote-viewer pid $viewer_pid"

# Dumps until every scene colour is on the screen, at most SHOT_TIMEOUT_S.
visible=no
i=0
while [ "$i" -lt "$SHOT_TIMEOUT_S" ]; do
    sleep 1
    i=$((i + 1))
    DISPLAY=:$display xwd -root -silent >"$work/screen.xwd" 2>"$work/xwd.log" || continue
    python3 "$here/xwd-to-png.py" "$work/screen.xwd" "$out" $SCENE_COLOURS \
        >"$work/colours.txt" 2>&1 || continue
    missing=$(sed -n 's/^\([0-9a-f]\{6\}\)=0$/\1/p' "$work/colours.txt")
    if [ -z "$missing" ]; then
        visible=yes
        break
    fi
done
[ -s "$out" ] || { cat "$work/viewer.log"; fail "no screenshot taken"; }
if ! kill -0 "$viewer_pid" 2>/dev/null; then
    echo "note: remote-viewer had exited; its log:"
    sed 's/^/  /' "$work/viewer.log" | head -20
fi
echo "screenshot: $out ($(head -1 "$work/colours.txt")) after ${i}s"
echo "scene colour pixels: $(tail -n +2 "$work/colours.txt" | tr '\n' ' ')"
echo "scene visible: $visible"
exit 0
