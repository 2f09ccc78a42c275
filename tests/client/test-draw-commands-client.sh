#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-draw-commands-client.sh: spice-gtk's canvas equals our server's
# surface after fills (solid, clipped) and scrolls (copy-bits, clipped) that
# our server sends as DRAW_FILL and COPY_BITS commands, drawn while the
# client is connected.
#
# Starts `test-draw-commands --serve` (our library, a fake QXL device; it
# reads commands on a FIFO), connects spice-watch.py (spice-gtk's GLib
# client), waits for the primary, asks the server to draw the scene
# (background bitmap, fills, scrolls, fills, repeated icons that spice-gtk
# draws from its pixmap cache; flushed), then snapshots the
# client's canvas and asks the server to compare it with its surface, pixel
# for pixel.  The client may still be applying the last messages when a
# snapshot is taken: the snapshot is retried after the client was idle
# again, at most SNAP_TRIES times; only a picture that never matches fails.
# test-draw-commands (in-process) proves these draws go as commands; this
# proves a real client renders those commands as the server did.
#
# Another display-fixture program's --serve scene is checked the same way
# with its own comparison: test-lossy-images-client.sh passes
# `./server/test-lossy-images CLOSE` (JPEG within bounds).
#
# Usage: test-draw-commands-client.sh [PROGRAM [REPLY]]
#   PROGRAM  default ./server/test-draw-commands
#   REPLY    the first word of the server's comparison that passes (SAME)
# Environment: S3D_SPICE_PYTHON, S3D_REQUIRE_PEERS (as test-spice-watch.sh)
# Exit: 0 pass, 1 fail, 77 skip (automake).
set -u

READY_TIMEOUT_S=30      # server start-up under ASan
REPLY_TIMEOUT_S=60      # one reply of the server or spice-watch.py
WAIT_S=15               # timeouts passed to spice-watch.py's waits
SNAP_TRIES=10           # snapshots before the picture counts as wrong
WATCH_LIFETIME_S=300    # spice-watch.py's failsafe
STOP_TIMEOUT_S=20

HERE=$(cd "$(dirname "$0")" && pwd)
WATCH=$HERE/spice-watch.py
PY=${S3D_SPICE_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3

. "$HERE/../lib/peers.sh"
. "$HERE/../lib/procs.sh"
. "$HERE/spice-watch-lib.sh"

prog=${1:-}
want_reply=${2:-SAME}
if [ -z "$prog" ]; then
    for p in ./server/test-draw-commands "$HERE/../server/test-draw-commands"; do
        if [ -x "$p" ]; then prog=$p; break; fi
    done
fi
[ -n "$prog" ] && [ -x "$prog" ] || fail "test-draw-commands not found (argument)"

need_spice_gtk_python "$PY"

dir=$(mktemp -d "${TMPDIR:-/tmp}/test-draw-commands-client.XXXXXX") || fail "mktemp"
server_pid=
watch_pid=
cleanup() {
    for p in $watch_pid $server_pid; do kill -KILL "$p" 2>/dev/null; done
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

die() { dump_logs 40; fail "$*"; }

# server_ask LINE: sends one command line, sets SERVER_REPLY to the next
# line the server prints (bounded).
server_ask() {
    local before i=0
    before=$(wc -l < "$dir/server.out")
    printf '%s\n' "$1" >&7 || die "server gone (sending $1)"
    while [ "$(wc -l < "$dir/server.out")" -le "$before" ]; do
        alive "$server_pid" || die "server exited (after $1)"
        [ "$i" -ge $((REPLY_TIMEOUT_S * 10)) ] && die "no reply to $1 within ${REPLY_TIMEOUT_S}s"
        sleep 0.1
        i=$((i + 1))
    done
    SERVER_REPLY=$(sed -n "$((before + 1))p" "$dir/server.out")
}

mkfifo "$dir/in" || fail "mkfifo"
"$prog" --serve <"$dir/in" >"$dir/server.out" 2>"$dir/server.err" &
server_pid=$!
exec 7>"$dir/in"
port=$(wait_ready_port "$dir/server.out" "$server_pid" "$READY_TIMEOUT_S") ||
    die "no SERVER-READY within ${READY_TIMEOUT_S}s (or the server exited before it)"
maps=$(awk '$6 ~ /libspice-server/ { print $6 }' "/proc/$server_pid/maps" | sort -u)
case $maps in
*/server/.libs/libspice-server.so*) ;;
*) die "our libspice-server is not the one mapped: $maps" ;;
esac

watch_start

ask_ok "{\"cmd\":\"wait-primary\",\"timeout\":$WAIT_S}"
ask_ok "{\"cmd\":\"wait-idle\",\"ms\":300,\"timeout\":$WAIT_S}"
server_ask draw
[ "$SERVER_REPLY" = DRAWN ] || die "draw: $SERVER_REPLY"

try=1
while :; do
    ask_ok "{\"cmd\":\"wait-idle\",\"ms\":300,\"timeout\":$WAIT_S}"
    ask_ok "{\"cmd\":\"snapshot\",\"path\":\"$dir/shot.ppm\"}"
    server_ask "compare $dir/shot.ppm"
    [ "${SERVER_REPLY%% *}" = "$want_reply" ] && break
    [ "$try" -ge "$SNAP_TRIES" ] && die "client canvas vs server surface: $SERVER_REPLY"
    try=$((try + 1))
done
echo "client canvas against the server's surface: $SERVER_REPLY (snapshot $try)"

ask_ok '{"cmd":"status"}'
expect connected "$(field "$REPLY_LINE" connected)" true
expect primary_creates "$(field "$REPLY_LINE" primary_creates)" 1
ask_ok '{"cmd":"quit"}'
wait_gone "$watch_pid" 10 || die "spice-watch.py still running after quit"
watch_pid=
printf 'quit\n' >&7
exec 7>&-
wait_gone "$server_pid" "$STOP_TIMEOUT_S" || die "server still running after quit"
wait "$server_pid"
status=$?
server_pid=
[ "$status" -eq 0 ] || die "server checks failed (exit $status)"
echo "PASS: test-draw-commands-client"
exit 0
