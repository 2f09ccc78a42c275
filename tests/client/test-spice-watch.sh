#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-spice-watch.sh: spice-watch.py, the persistent spice-gtk client the
# S3 tests drive, sees exactly the scene test-display-scene drew, and reports
# the connection's life (connect, reconnect, server gone) as it happens.
#
# For each primary-surface stride sign: start the scene server (our library,
# as test-display-scene-ours.sh does), wait for "SERVER-READY port=N", start
# spice-watch.py on that port and ask, one JSON line at a time:
#   wait-primary, wait-idle  -> the picture arrived and settled;
#   snapshot                 -> PPM equal pixel for pixel to the server's
#                               expected.ppm (test-display-scene --compare-ppm);
#   status                   -> connected, main+display open, 320x240 xRGB,
#                               1 primary-create, 0 destroys;
#   disconnect, connect      -> a second primary-create, the same picture;
# then stop the server: channel-closed and disconnected events must arrive
# unasked (no primary-destroy: our server keeps the last picture over the
# primary's destroy, README "The last picture while the guest sleeps", so the
# picture goes with the channel), status says not connected and has no
# primary, a snapshot is refused
# (no read of freed memory); quit exits 0. The server's own checks must pass.
#
# Usage: test-spice-watch.sh [PROGRAM]   (default ./server/test-display-scene)
# Environment:
#   S3D_SPICE_PYTHON   python with the spice-gtk bindings (default /usr/bin/python3)
#   S3D_REQUIRE_PEERS  1 (or CI=true): missing bindings fail instead of skipping
# Exit: 0 pass, 1 fail, 77 skip (automake).
set -u

READY_TIMEOUT_S=30      # scene server start-up under ASan
REPLY_TIMEOUT_S=30      # one spice-watch.py reply (its own waits are shorter)
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

prog=${1:-${S3D_SCENE_PROG:-}}
if [ -z "$prog" ]; then
    for p in ./server/test-display-scene "$HERE/../server/test-display-scene"; do
        if [ -x "$p" ]; then prog=$p; break; fi
    done
fi
[ -n "$prog" ] && [ -x "$prog" ] || fail "scene server not found (argument or S3D_SCENE_PROG)"

need_spice_gtk_python "$PY"

work=$(mktemp -d "${TMPDIR:-/tmp}/test-spice-watch.XXXXXX") || fail "mktemp"
server_pid=
watch_pid=
cleanup() {
    for p in $watch_pid $server_pid; do kill -KILL "$p" 2>/dev/null; done
    rm -rf "$work"    # the logs of a failed run were printed already
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

die() { dump_logs; fail "$label: $*"; }

run_case() {
    label=$1; shift
    dir=$work/$label
    mkdir -p "$dir"
    local t0=$SECONDS port sha1 sha2
    "$prog" --timeout "$SERVER_TIMEOUT_S" --expected "$dir/expected.ppm" "$@" \
        >"$dir/server.out" 2>"$dir/server.err" &
    server_pid=$!
    port=$(wait_ready_port "$dir/server.out" "$server_pid" "$READY_TIMEOUT_S") ||
        die "no SERVER-READY within ${READY_TIMEOUT_S}s (or the server exited before it)"
    echo "$label: server pid $server_pid port $port maps:" \
        "$(awk '$6 ~ /libspice-server/ { print $6 }' "/proc/$server_pid/maps" | sort -u)"

    # DISPLAY dropped: the client must need no display at all.
    watch_start

    ask_ok "{\"cmd\":\"wait-primary\",\"timeout\":$WAIT_S}"
    ask_ok "{\"cmd\":\"wait-idle\",\"ms\":300,\"timeout\":$WAIT_S}"
    ask_ok "{\"cmd\":\"snapshot\",\"path\":\"$dir/shot1.ppm\"}"
    sha1=$(field "$REPLY_LINE" sha256)
    "$prog" --compare-ppm "$dir/shot1.ppm" "$dir/expected.ppm" >/dev/null ||
        die "snapshot differs from the expected image"
    ask_ok '{"cmd":"status"}'
    expect connected "$(field "$REPLY_LINE" connected)" true
    expect channels "$(field "$REPLY_LINE" channels)" '["display", "main"]'
    expect primary "$(field "$REPLY_LINE" primary)" \
        '{"width": 320, "height": 240, "stride": 1280, "format": 32}'
    expect primary_creates "$(field "$REPLY_LINE" primary_creates)" 1
    expect primary_destroys "$(field "$REPLY_LINE" primary_destroys)" 0
    [ "$(field "$REPLY_LINE" invalidates)" -ge 1 ] || die "no invalidate seen: $REPLY_LINE"
    echo "$label: snapshot equals expected.ppm; $REPLY_LINE"

    # Reconnect: a new session, a new primary, the same picture.
    ask_ok '{"cmd":"disconnect"}'
    ask_ok '{"cmd":"status"}'
    expect "connected after disconnect" "$(field "$REPLY_LINE" connected)" false
    ask '{"cmd":"snapshot"}'
    expect "snapshot while disconnected" "$(field "$REPLY_LINE" ok)" false
    ask_ok "{\"cmd\":\"connect\",\"timeout\":$WAIT_S}"
    ask_ok "{\"cmd\":\"wait-primary\",\"creates\":2,\"timeout\":$WAIT_S}"
    ask_ok "{\"cmd\":\"wait-idle\",\"ms\":300,\"timeout\":$WAIT_S}"
    ask_ok "{\"cmd\":\"snapshot\",\"path\":\"$dir/shot2.ppm\"}"
    sha2=$(field "$REPLY_LINE" sha256)
    "$prog" --compare-ppm "$dir/shot2.ppm" "$dir/expected.ppm" >/dev/null ||
        die "snapshot after reconnect differs from the expected image"
    expect "sha256 after reconnect" "$sha2" "$sha1"
    echo "$label: reconnected, second primary-create, same picture"

    # The server goes away: the client says so by itself.
    kill -TERM "$server_pid" 2>/dev/null
    wait_event '"event": "channel-closed", "channel": "main"' "$STOP_TIMEOUT_S"
    wait_event '"event": "disconnected"' 5
    ask_ok '{"cmd":"status"}'
    expect "connected after server exit" "$(field "$REPLY_LINE" connected)" false
    expect "primary after server exit" "$(field "$REPLY_LINE" primary)" null
    ask '{"cmd":"snapshot"}'
    expect "snapshot after server exit" "$(field "$REPLY_LINE" ok)" false
    ask_ok '{"cmd":"quit"}'
    wait_gone "$watch_pid" 10 || die "spice-watch.py still running after quit"
    wait "$watch_pid"
    expect "spice-watch.py exit status" $? 0
    watch_pid=

    wait_gone "$server_pid" "$STOP_TIMEOUT_S" || die "server still running after SIGTERM"
    wait "$server_pid"
    local status=$?
    server_pid=
    [ "$status" -eq 0 ] || die "server checks failed (exit $status)"
    echo "ok   $label ($((SECONDS - t0)) s)"
}

run_case positive-stride
run_case negative-stride --negative-stride
echo "PASS: test-spice-watch"
exit 0
