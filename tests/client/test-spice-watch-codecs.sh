#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-spice-watch-codecs.sh: spice-gtk (spice-watch.py) shows the desktop
# scene pixel for pixel under each lossless image setting, and LZ_RGB
# really is what it decoded.
#
# For each setting (lz, auto_glz, lz4, off): start the scene server on our
# library with --desktop --image-compression SETTING (a desktop-like
# picture, a fill and a copy-bits over it; test-display-scene.c), connect
# spice-watch.py, wait for the primary and for the picture to settle, take
# a snapshot and compare it with the server's expected.ppm, read the bytes
# the display channel received (status: display_read_bytes), stop both.
# Then the byte counts must rank as the encoders do on this picture:
# lz < lz4 < off, and auto_glz (LZ, LZ4 only where LZ does poorly) no more
# than lz4.  A server that ignored the setting, or sent LZ4 for lz, would
# give equal counts and fail.
#
# Usage: test-spice-watch-codecs.sh [PROGRAM]   (default ./server/test-display-scene)
# Environment: S3D_SPICE_PYTHON, S3D_REQUIRE_PEERS as test-spice-watch.sh.
# Exit: 0 pass, 1 fail, 77 skip (automake).
set -u

READY_TIMEOUT_S=30      # scene server start-up under ASan
REPLY_TIMEOUT_S=30      # one spice-watch.py reply
WAIT_S=15               # timeouts passed to spice-watch.py's waits
STOP_TIMEOUT_S=20       # server exit after SIGTERM, with its teardown checks
SERVER_TIMEOUT_S=180    # the server's failsafe if this script dies
WATCH_LIFETIME_S=300    # spice-watch.py's failsafe

HERE=$(cd "$(dirname "$0")" && pwd)
WATCH=$HERE/spice-watch.py
PY=${S3D_SPICE_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3

. "$HERE/../lib/peers.sh"
. "$HERE/../lib/procs.sh"
. "$HERE/spice-watch-lib.sh"
need_spice_gtk_python "$PY"
prog=${1:-./server/test-display-scene}
[ -x "$prog" ] || fail "scene server $prog not found"

work=$(mktemp -d "${TMPDIR:-/tmp}/test-spice-watch-codecs.XXXXXX") || fail "mktemp"
server_pid=
watch_pid=
cleanup() {
    for p in $watch_pid $server_pid; do kill -KILL "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

die() { dump_logs; fail "$label: $*"; }

declare -A bytes
run_setting() {
    label=$1
    dir=$work/$label
    mkdir -p "$dir"
    local port
    scene_start --timeout "$SERVER_TIMEOUT_S" --expected "$dir/expected.ppm" --desktop \
        --image-compression "$label"
    watch_start
    ask_ok "{\"cmd\":\"wait-primary\",\"timeout\":$WAIT_S}"
    ask_ok "{\"cmd\":\"wait-idle\",\"ms\":300,\"timeout\":$WAIT_S}"
    ask_ok "{\"cmd\":\"snapshot\",\"path\":\"$dir/shot.ppm\"}"
    "$prog" --compare-ppm "$dir/shot.ppm" "$dir/expected.ppm" >/dev/null ||
        die "snapshot differs from the expected image"
    ask_ok '{"cmd":"status"}'
    bytes[$label]=$(field "$REPLY_LINE" display_read_bytes)
    ask_ok '{"cmd":"quit"}'
    wait_gone "$watch_pid" 10 || die "spice-watch.py still running after quit"
    wait "$watch_pid"
    watch_pid=
    kill -TERM "$server_pid" 2>/dev/null
    wait_gone "$server_pid" "$STOP_TIMEOUT_S" || die "server still running after SIGTERM"
    wait "$server_pid"
    local status=$?
    server_pid=
    [ "$status" -eq 0 ] || die "server checks failed (exit $status)"
    echo "ok   $label: picture equal, display channel read ${bytes[$label]} bytes"
}

for s in lz auto_glz lz4 off; do
    run_setting "$s"
done
label=ranking
dir=$work
[ "${bytes[lz]}" -lt "${bytes[lz4]}" ] || die "lz (${bytes[lz]} B) not below lz4 (${bytes[lz4]} B)"
[ "${bytes[lz4]}" -lt "${bytes[off]}" ] || die "lz4 (${bytes[lz4]} B) not below off (${bytes[off]} B)"
[ "${bytes[auto_glz]}" -le "${bytes[lz4]}" ] ||
    die "auto_glz (${bytes[auto_glz]} B) above lz4 (${bytes[lz4]} B)"
echo "PASS: test-spice-watch-codecs"
exit 0
