#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-bench-scenes.sh: every benchmark scene runs (5 frames) on our library
# and on Debian's with our test client, two with the ring barrier (never
# more than the QXL ring's 32 commands queued), one paced (--fps), and one
# through link-shaper with a spice-gtk client (bench-client.py), so
# run-bench.sh cannot rot.  Checks
# exit status, the result line and which library was mapped; never a figure.
# Environment: S3D_SPICE_PYTHON (default /usr/bin/python3); S3D_REQUIRE_PEERS=1
# or CI=true make missing spice-gtk bindings a failure instead of a skipped
# part.  Exit 0 or 1.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
RUN_TIMEOUT_S=120
OURS=./bench/bench-display
DEBIAN=./bench/bench-display-debian
SHAPER=./bench/link-shaper
PY=${S3D_SPICE_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

for p in "$OURS" "$DEBIAN" "$SHAPER"; do
    [ -x "$p" ] || { echo "FAIL: no $p (make check builds it)"; exit 1; }
done

# check_line LABEL LINE LIB-PATTERN: a result line from the wanted library.
check_line() {
    case $2 in
    "bench lib="$3*" drawables_per_s="*) echo "ok: $1" ;;
    *) fail "$1: result line ${2:-missing}" ;;
    esac
}

for scene in fullscreen tiles fills scroll typing reused; do
    for which in ours debian; do
        if [ $which = ours ]; then prog=$OURS; lib='*/server/.libs/'; else prog=$DEBIAN; lib=/usr/lib; fi
        out=$(timeout -k 5 $RUN_TIMEOUT_S "$prog" --scene $scene --client lz4 --frames 5 \
              --warmup 2 --size 512x384) || fail "$scene on $which: exit $?"
        check_line "$scene on $which" "$(echo "$out" | grep '^bench ')" "$lib"
    done
done

# The ring barrier: 40 frames, more drawables than the 32-entry ring holds,
# and the fake guest never had more than 32 queued (it waited for room).
for scene in typing tiles; do
    for which in ours debian; do
        if [ $which = ours ]; then prog=$OURS; lib='*/server/.libs/'; else prog=$DEBIAN; lib=/usr/lib; fi
        out=$(timeout -k 5 $RUN_TIMEOUT_S "$prog" --scene $scene --client lz4 --frames 40 \
              --warmup 2 --size 512x384 --barrier ring) || fail "$scene ring on $which: exit $?"
        line=$(echo "$out" | grep '^bench ')
        check_line "$scene ring on $which" "$line" "$lib"
        q=$(echo "$line" | tr ' ' '\n' | sed -n 's/^queued_max=//p')
        case $line in
        *" barrier=ring "*) [ -n "$q" ] && [ "$q" -le 32 ] && [ "$q" -ge 1 ] &&
                            echo "ok: $scene ring on $which queued at most $q" ||
                            fail "$scene ring on $which: queued_max=${q:-missing}" ;;
        *) fail "$scene ring on $which: not a ring run" ;;
        esac
    done
done

# --fps: the guest keeps to the pace, so 6 frames at 20 a second take at
# least 0.25 s (frame k goes k/20 s after the first; a lower bound, which
# sleeping guarantees, never an upper one).
line=$(timeout -k 5 $RUN_TIMEOUT_S "$OURS" --scene fullscreen --client lz4 --frames 6 \
       --warmup 1 --size 512x384 --fps 20 | grep '^bench ')
check_line "fullscreen at 20 fps" "$line" '*/server/.libs/'
secs=$(echo "$line" | tr ' ' '\n' | sed -n 's/^seconds=//p')
case $line in
*" pace_fps=20"*) awk -v s="${secs:-0}" 'BEGIN { exit !(s >= 0.25) }' &&
                  echo "ok: 6 frames at 20 fps took ${secs} s" ||
                  fail "6 frames at 20 fps took ${secs:-?} s, less than 0.25" ;;
*) fail "--fps 20: no pace_fps=20 in ${line:-nothing}" ;;
esac
# The guest's CPU time (the ceiling run-bench.sh prints) counts only what
# its thread ran, not its sleeps: six small frames take milliseconds of the
# quarter second.  Half of it is a bound no load on the machine reaches.
cpu=$(echo "$line" | tr ' ' '\n' | sed -n 's/^guest_cpu_s=//p')
awk -v c="${cpu:-x}" -v s="${secs:-0}" 'BEGIN { exit !(c ~ /^[0-9.]+$/ && c > 0 && c < s / 2) }' &&
    echo "ok: the paced guest ran ${cpu} s of ${secs} s" ||
    fail "paced guest: guest_cpu_s=${cpu:-missing} for ${secs:-?} s"

# One run with the real client through the shaper (bounded by --timeout).
out=$(timeout -k 5 $RUN_TIMEOUT_S "$PY" "$HERE/bench-client.py" --bench "$OURS" \
      --shaper "$SHAPER" --rate 100 --delay 2 --quiet-ms 500 --timeout 60 -- \
      --scene scroll --frames 5 --warmup 2 --size 512x384)
st=$?
if [ $st = 77 ] && [ "${S3D_REQUIRE_PEERS:-0}" != 1 ] && [ "${CI:-}" != true ]; then
    echo "skipped: spice-gtk run (no SpiceClientGLib bindings)"
else
    [ $st = 0 ] || fail "spice-gtk run through link-shaper: exit $st"
    case $out in
    *"bench lib="*" gtk_frames="*" link_down_bytes="[0-9]*) echo "ok: spice-gtk run through link-shaper" ;;
    *) fail "spice-gtk run: result line ${out:-missing}" ;;
    esac
fi
[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all scenes ran"
