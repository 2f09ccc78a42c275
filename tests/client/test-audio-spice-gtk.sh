#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-audio-spice-gtk.sh: a real client (spice-gtk, through
# spice-audio-watch.py) hears what a host plays through our library's
# playback API: server/audio-sine-server feeds a 440 Hz sine with
# spice_server_playback_get_buffer/put_samples as QEMU does; the client must
# get PLAYBACK_START (S16, 2 channels, 48000 Hz) and 20 packets whose peak
# is at least 1000 (spice-gtk announces Opus, so this is the Opus path:
# spice-gtk decodes what we encoded).  Then, the same with a second client
# connected at the same time: both hear it.
#
# Usage: test-audio-spice-gtk.sh [PROGRAM]   (default ./server/audio-sine-server)
# Environment: S3D_SPICE_PYTHON, S3D_REQUIRE_PEERS (as test-spice-watch.sh).
# Exit: 0 pass, 1 fail, 77 skip (automake).
set -u

READY_TIMEOUT_S=30
LISTEN_TIMEOUT_S=60     # spice-audio-watch.py's own bound
SERVER_TIMEOUT_S=240    # the server's failsafe if this script dies

HERE=$(cd "$(dirname "$0")" && pwd)
WATCH=$HERE/spice-audio-watch.py
PY=${S3D_SPICE_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3

. "$HERE/../lib/peers.sh"
. "$HERE/../lib/procs.sh"

prog=${1:-}
if [ -z "$prog" ]; then
    for p in ./server/audio-sine-server "$HERE/../server/audio-sine-server"; do
        if [ -x "$p" ]; then prog=$p; break; fi
    done
fi
[ -n "$prog" ] && [ -x "$prog" ] || fail "audio-sine-server not found (argument)"

need_spice_gtk_python "$PY"

work=$(mktemp -d "${TMPDIR:-/tmp}/test-audio-spice-gtk.XXXXXX") || fail "mktemp"
server_pid=
w1=
w2=
cleanup() {
    for p in $w1 $w2 $server_pid; do kill -KILL "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

die() {
    for f in "$work"/*.out "$work"/*.err; do
        [ -s "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }
    done
    fail "$*"
}

"$prog" --timeout "$SERVER_TIMEOUT_S" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
port=$(wait_ready_port "$work/server.out" "$server_pid" "$READY_TIMEOUT_S") ||
    die "no SERVER-READY within ${READY_TIMEOUT_S}s (or the server exited before it)"
echo "server pid $server_pid port $port maps:" \
    "$(awk '$6 ~ /libspice-server/ { print $6 }' "/proc/$server_pid/maps" | sort -u)"

check() { # check NAME: the watcher's JSON says it heard the sine
    local out=$work/$1.out
    grep -q '"ok": true' "$out" || die "$1 did not hear the sine: $(cat "$out")"
    grep -q '"rate": 48000' "$out" || die "$1: start not at 48000 Hz: $(cat "$out")"
    grep -q '"channels": 2' "$out" || die "$1: start not stereo: $(cat "$out")"
    echo "$1: $(cat "$out")"
}

# One client.
env -u DISPLAY -u WAYLAND_DISPLAY "$PY" "$WATCH" --port "$port" --timeout "$LISTEN_TIMEOUT_S" \
    >"$work/one.out" 2>"$work/one.err"
check one

# Two at once: a new client does not take the sound from the other.
env -u DISPLAY -u WAYLAND_DISPLAY "$PY" "$WATCH" --port "$port" --timeout "$LISTEN_TIMEOUT_S" \
    >"$work/two-a.out" 2>"$work/two-a.err" &
w1=$!
env -u DISPLAY -u WAYLAND_DISPLAY "$PY" "$WATCH" --port "$port" --timeout "$LISTEN_TIMEOUT_S" \
    >"$work/two-b.out" 2>"$work/two-b.err" &
w2=$!
wait "$w1"; wait "$w2"
w1=; w2=
check two-a
check two-b

kill -TERM "$server_pid"
wait "$server_pid" || die "server exit status $?"
server_pid=
grep -q '^PACKETS [1-9]' "$work/server.out" || die "server fed nothing: $(cat "$work/server.out")"
echo "PASS: spice-gtk heard the sine ($(grep '^PACKETS' "$work/server.out"))"
