#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-multi-viewer.sh: real clients share our server (issue 14).
#
# The scene server (test-display-scene on our library, which must be the
# one mapped) serves its picture; at once:
#   - remote-viewer (virt-viewer) on a private Xvfb,
#   - spice-watch.py (spice-gtk's GLib client) with display, inputs, cursor,
#   - spicy-screenshot, run SHOTS times one after the other: a third client
#     that comes and goes.
# Pass when no one is disconnected (remote-viewer's process still alive and
# its picture still on the screen; the watcher never saw a channel close and
# connected once) and every picture equals the server's surface
# (expected.ppm): the watcher's and every screenshot pixel for pixel, and
# remote-viewer's found unchanged on the X screen (virt-viewer shows a
# guest smaller than its window at 100 %).  Every wait is bounded;
# processes are stopped by PID.
#
# Usage: test-multi-viewer.sh [PROGRAM]   (default ./server/test-display-scene)
# Environment: S3D_EXPECT_LIB (the libspice-server that must be mapped;
#   default the build's, from abs_top_builddir, else anything but Debian's),
#   S3D_REQUIRE_PEERS=1 or CI=true: a missing peer fails instead of skipping.
# Exit: 0 pass, 1 fail, 77 skip.

set -u

READY_TIMEOUT_S=30      # scene server start-up under ASan
XVFB_TIMEOUT_S=10       # Xvfb creates its socket
VIEWER_TIMEOUT_S=60     # remote-viewer starts GTK, connects and draws
REPLY_TIMEOUT_S=30      # one spice-watch.py reply (its own waits are shorter)
WAIT_S=15               # timeouts passed to spice-watch.py's waits
SHOT_TIMEOUT_S=30       # one spicy-screenshot run
STOP_TIMEOUT_S=20       # each process exits after SIGTERM
SERVER_TIMEOUT_S=300    # the server's failsafe if this script dies
WATCH_LIFETIME_S=300    # spice-watch.py's failsafe
SHOTS=3                 # the third client comes and goes this many times
SCREEN=1024x768x24

HERE=$(cd "$(dirname "$0")" && pwd)
WATCH=$HERE/../client/spice-watch.py
FIND=$HERE/xwd-find-image.py
PY=${S3D_SPICE_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3

. "$HERE/../lib/peers.sh"
. "$HERE/../lib/procs.sh"
. "$HERE/../client/spice-watch-lib.sh"

prog=${1:-${S3D_SCENE_PROG:-}}
if [ -z "$prog" ]; then
    for p in ./server/test-display-scene "$HERE/test-display-scene"; do
        if [ -x "$p" ]; then prog=$p; break; fi
    done
fi
[ -n "$prog" ] && [ -x "$prog" ] || fail "scene server not found (argument or S3D_SCENE_PROG)"
need_tools Xvfb:xvfb remote-viewer:virt-viewer xwd:x11-apps spicy-screenshot:spice-client-gtk
need_spice_gtk_python "$PY"

dir=$(mktemp -d "${TMPDIR:-/tmp}/test-multi-viewer.XXXXXX") || fail "mktemp"
server_pid=
xvfb_pid=
viewer_pid=
watch_pid=

cleanup() {
    stop_pid "$watch_pid"
    stop_pid "$viewer_pid"
    stop_pid "$xvfb_pid"
    stop_pid "$server_pid"
    rm -rf "$dir"     # the logs of a failed run were printed already
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

dump_logs() {
    for f in "$dir"/server.out "$dir"/server.err "$dir"/viewer.log "$dir"/watch.log \
             "$dir"/watch.err "$dir"/shot*.log "$dir"/find.log; do
        [ -s "$f" ] && { echo "--- $f"; tail -40 "$f"; }
    done
}
die() { dump_logs; fail "$*"; }

# Dumps the X screen until remote-viewer's picture is on it, at most $1 s.
viewer_shows_scene() {
    local i=0
    while [ "$i" -lt $(($1 * 2)) ]; do
        alive "$viewer_pid" || return 1
        if DISPLAY=:$display xwd -root -silent >"$dir/screen.xwd" 2>/dev/null &&
           "$PY" "$FIND" "$dir/screen.xwd" "$dir/expected.ppm" >"$dir/find.log" 2>&1; then
            return 0
        fi
        sleep 0.5
        i=$((i + 1))
    done
    return 1
}

# ---- the server ----------------------------------------------------------------
"$prog" --timeout "$SERVER_TIMEOUT_S" --expected "$dir/expected.ppm" \
    >"$dir/server.out" 2>"$dir/server.err" &
server_pid=$!
port=$(wait_ready_port "$dir/server.out" "$server_pid" "$READY_TIMEOUT_S") ||
    die "no SERVER-READY within ${READY_TIMEOUT_S}s (or the server exited before it)"
libs=$(awk '$6 ~ /libspice-server/ { print $6 }' "/proc/$server_pid/maps" | sort -u)
echo "server pid $server_pid port $port maps: ${libs:-no libspice-server}"
# Ours must be the one mapped: the build's (make check), or at least not
# Debian's.
want=${S3D_EXPECT_LIB:-${abs_top_builddir:+$abs_top_builddir/server/.libs/libspice-server.so.1}}
[ -n "$libs" ] || die "no libspice-server is mapped"
for l in $libs; do
    if [ -n "$want" ]; then
        [ "$(readlink -f "$l")" = "$(readlink -f "$want")" ] || die "mapped $l, expected $want"
    else
        case $(readlink -f "$l") in /usr/lib/*) die "mapped Debian's $l, not ours" ;; esac
    fi
done

# ---- remote-viewer on a private X server ---------------------------------------
start_xvfb 140 199 "$SCREEN" "$dir/xvfb.log" "$XVFB_TIMEOUT_S" || die "$xvfb_error"
display=$xvfb_display
DISPLAY=:$display remote-viewer "spice://127.0.0.1:$port" >"$dir/viewer.log" 2>&1 &
viewer_pid=$!
viewer_shows_scene "$VIEWER_TIMEOUT_S" || die "remote-viewer did not show the picture"
echo "remote-viewer pid $viewer_pid shows the picture ($(cat "$dir/find.log"))"

# ---- the watcher, connected at the same time ---------------------------------
coproc W { exec env -u DISPLAY -u WAYLAND_DISPLAY "$PY" "$WATCH" --port "$port" \
    --channels display,inputs,cursor --lifetime "$WATCH_LIFETIME_S" 2>"$dir/watch.err"; }
watch_pid=$W_PID
ask_ok "{\"cmd\":\"connect\",\"timeout\":$WAIT_S}"
ask_ok "{\"cmd\":\"wait-primary\",\"timeout\":$WAIT_S}"
ask_ok "{\"cmd\":\"wait-idle\",\"ms\":300,\"timeout\":$WAIT_S}"
ask_ok "{\"cmd\":\"snapshot\",\"path\":\"$dir/watch1.ppm\"}"
"$prog" --compare-ppm "$dir/watch1.ppm" "$dir/expected.ppm" >/dev/null ||
    die "the watcher's picture differs from the server's"
alive "$viewer_pid" || die "remote-viewer exited when the watcher connected"
echo "watcher connected beside remote-viewer: its picture equals the server's"

# ---- a third client comes and goes ---------------------------------------------
for n in $(seq 1 "$SHOTS"); do
    env -u DISPLAY -u WAYLAND_DISPLAY timeout "$SHOT_TIMEOUT_S" \
        spicy-screenshot -h 127.0.0.1 -p "$port" -o "$dir/shot$n.ppm" >"$dir/shot$n.log" 2>&1 ||
        die "spicy-screenshot run $n failed or timed out"
    "$prog" --compare-ppm "$dir/shot$n.ppm" "$dir/expected.ppm" >/dev/null ||
        die "screenshot $n differs from the server's picture"
done
echo "spicy-screenshot came and went $SHOTS times: every screenshot equals the server's picture"

# ---- nobody was disconnected -----------------------------------------------------
ask_ok '{"cmd":"status"}'
expect "watcher connected" "$(field "$REPLY_LINE" connected)" true
expect "watcher channels" "$(field "$REPLY_LINE" channels)" '["cursor", "display", "inputs", "main"]'
expect "watcher connects" "$(field "$REPLY_LINE" connects)" 1
expect "watcher channel closes" "$(field "$REPLY_LINE" channel_closes)" 0
ask_ok "{\"cmd\":\"snapshot\",\"path\":\"$dir/watch2.ppm\"}"
"$prog" --compare-ppm "$dir/watch2.ppm" "$dir/expected.ppm" >/dev/null ||
    die "the watcher's picture changed"
alive "$viewer_pid" || die "remote-viewer was disconnected (its process exited)"
viewer_shows_scene 5 || die "remote-viewer no longer shows the picture"
echo "after them: remote-viewer alive and showing the picture, watcher still connected"

# ---- the server's own checks ---------------------------------------------------
ask_ok '{"cmd":"quit"}'
stop_pid "$watch_pid"; watch_pid=
stop_pid "$viewer_pid"; viewer_pid=
kill -TERM "$server_pid" 2>/dev/null
wait_gone "$server_pid" "$STOP_TIMEOUT_S" || die "server still running ${STOP_TIMEOUT_S}s after SIGTERM"
wait "$server_pid"
status=$?
server_pid=
[ "$status" -eq 0 ] || die "server checks failed (exit $status)"
echo "PASS: test-multi-viewer"
exit 0
