#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-display-scene.sh: the real SPICE client sees exactly the scene that
# test-display-scene drew through <spice.h> with its fake QXL device.
#
# For each primary-surface stride sign: start the server program, wait for
# "SERVER-READY port=N", show which libspice-server it mapped, take a
# screenshot with spice-gtk's spicy-screenshot, compare it with the
# program's expected.ppm pixel for pixel, stop the server with SIGTERM and
# require its own checks (flush test, all commands released) to pass.
#
# Usage: test-display-scene.sh [PROGRAM]
#   PROGRAM            default $S3D_SCENE_PROG, else ./server/test-display-scene
#                      or test-display-scene next to this script
# Environment:
#   S3D_EXPECT_LIB     path of the libspice-server that must be mapped
#                      (symlinks resolved); another one is a failure
#   S3D_REQUIRE_PEERS  1: a missing spicy-screenshot fails instead of skipping
#                      (CI=true means the same)
# Exit: 0 pass, 1 fail, 77 skip (automake).

set -u

READY_TIMEOUT_S=30      # server start-up under ASan on a slow machine
SHOT_TIMEOUT_S=30       # spicy-screenshot connects, gets one frame, exits
STOP_TIMEOUT_S=20       # SIGTERM to exit, including the teardown checks
SERVER_TIMEOUT_S=180    # the server's own failsafe if this script dies

fail() { echo "FAIL: $*"; exit 1; }

require_peers=0
if [ "${S3D_REQUIRE_PEERS:-0}" = 1 ] || [ "${CI:-}" = true ]; then
    require_peers=1
fi

prog=${1:-${S3D_SCENE_PROG:-}}
if [ -z "$prog" ]; then
    for p in ./server/test-display-scene "$(dirname "$0")/test-display-scene"; do
        if [ -x "$p" ]; then prog=$p; break; fi
    done
fi
[ -n "$prog" ] && [ -x "$prog" ] || fail "test program not found (argument or S3D_SCENE_PROG)"

if ! command -v spicy-screenshot >/dev/null 2>&1; then
    if [ "$require_peers" = 1 ]; then
        fail "spicy-screenshot not installed (Debian package spice-client-gtk)"
    fi
    echo "SKIP: spicy-screenshot not installed (Debian package spice-client-gtk)"
    exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/test-display-scene.XXXXXX") || fail "mktemp"
server_pid=
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -KILL "$server_pid" 2>/dev/null
    fi
    rm -rf "$work"    # the logs of a failed run were printed already
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

# Prints the server's logs, for the test log of a failed run.
dump_logs() {
    for f in "$1"/server.out "$1"/server.err "$1"/shot.log; do
        [ -s "$f" ] && { echo "--- $f"; cat "$f"; }
    done
}

. "$(dirname "$0")/../lib/procs.sh"

# One full run: $1 = label, remaining arguments go to the program.
run_case() {
    label=$1; shift
    dir=$work/$label
    mkdir -p "$dir"
    "$prog" --timeout "$SERVER_TIMEOUT_S" --expected "$dir/expected.ppm" "$@" \
        >"$dir/server.out" 2>"$dir/server.err" &
    server_pid=$!

    if ! port=$(wait_ready_port "$dir/server.out" "$server_pid" "$READY_TIMEOUT_S"); then
        dump_logs "$dir"
        fail "$label: no SERVER-READY within ${READY_TIMEOUT_S}s (or the server exited before it)"
    fi

    # Which libspice-server this process really runs: LD_LIBRARY_PATH,
    # rpath or a libtool wrapper could each pick another one.
    libs=$(awk '$6 ~ /libspice-server/ { print $6 }' "/proc/$server_pid/maps" | sort -u)
    echo "$label: server pid $server_pid port $port maps: ${libs:-no libspice-server (static?)}"
    if [ -n "${S3D_EXPECT_LIB:-}" ]; then
        want=$(readlink -f "$S3D_EXPECT_LIB")
        [ -n "$libs" ] || fail "$label: expected $want, but no libspice-server is mapped"
        for l in $libs; do
            [ "$(readlink -f "$l")" = "$want" ] || fail "$label: mapped $l, expected $want"
        done
    fi

    # No display needed: spicy-screenshot uses spice-client-glib only.
    # DISPLAY is dropped so that a developer's X session cannot matter.
    if ! env -u DISPLAY -u WAYLAND_DISPLAY timeout "$SHOT_TIMEOUT_S" \
            spicy-screenshot -h 127.0.0.1 -p "$port" -o "$dir/shot.ppm" >"$dir/shot.log" 2>&1; then
        dump_logs "$dir"; fail "$label: spicy-screenshot failed or timed out"
    fi
    if ! "$prog" --compare-ppm "$dir/shot.ppm" "$dir/expected.ppm"; then
        dump_logs "$dir"; fail "$label: screenshot differs from the expected image"
    fi

    kill -TERM "$server_pid" 2>/dev/null
    if ! wait_gone "$server_pid" "$STOP_TIMEOUT_S"; then
        dump_logs "$dir"; fail "$label: server still running ${STOP_TIMEOUT_S}s after SIGTERM"
    fi
    wait "$server_pid"
    status=$?
    server_pid=
    grep -E '^(stats|flush test|stopped|ok|FAIL)' "$dir/server.out" | sed "s/^/$label: /"
    if [ "$status" -ne 0 ]; then
        dump_logs "$dir"; fail "$label: server checks failed (exit $status)"
    fi
    echo "ok   $label"
}

run_case positive-stride
run_case negative-stride --negative-stride
echo "PASS: test-display-scene"
exit 0
