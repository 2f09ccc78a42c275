#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-bench.sh: frames per second of our libspice-server and Debian's under
# the same full-screen update loop (bench-display.c), and the ratios
# ours/Debian.  Not a test: it never fails on a figure, only when a run does
# not complete.
#
# Numbers come from an unsanitized build tree (ASan/UBSan would measure the
# sanitizers): by default ../../build-plain next to the source tree, a second
# tree configured without --enable-sanitizers.  The script builds our library
# and both bench programs there with that tree's own Makefiles (automake
# regenerates them if local.mk changed), so the flags are the tree's -O2 and
# the two programs differ only in the library they link: libspice-server.la
# of that tree (run through libtool's wrapper, which points the loader at
# it) or Debian's (pkg-config spice-server).  Each program prints the library
# it really mapped; the script checks it.
#
# Each configuration is run RUNS times, ours and Debian's alternating so
# that drift in machine load hits both; the median fps is reported.
#
# Usage: run-bench.sh [--build DIR] [--frames N] [--size WxH] [--runs N]
# Environment: S3D_PLAIN_BUILD (default for --build).

set -u

RUN_TIMEOUT_S=600       # one bench run, including start-up and teardown

here=$(cd "$(dirname "$0")" && pwd)
plain=${S3D_PLAIN_BUILD:-$here/../../build-plain}
frames=300
size=1024x768
runs=3

while [ $# -gt 0 ]; do
    case $1 in
    --build) plain=$2; shift 2 ;;
    --frames) frames=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: $0 [--build DIR] [--frames N] [--size WxH] [--runs N]" >&2; exit 2 ;;
    esac
done

fail() { echo "run-bench: $*" >&2; exit 1; }

[ -f "$plain/config.status" ] || fail "$plain is not a configured build tree (see --build)"
plain=$(cd "$plain" && pwd)

echo "building in $plain ..."
make -C "$plain/server" >"$plain/run-bench-build.log" 2>&1 &&
    make -C "$plain/tests" bench/bench-display bench/bench-display-debian \
        >>"$plain/run-bench-build.log" 2>&1 ||
    { tail -20 "$plain/run-bench-build.log"; fail "build failed (log: $plain/run-bench-build.log)"; }

# The figures are meaningless under the sanitizers.
san=$(sed -n 's/^SANITIZER_CFLAGS = *//p' "$plain/tests/Makefile")
[ -z "$san" ] || fail "$plain is built with sanitizers ($san); use an unsanitized tree"
echo "flags: $(sed -n 's/^CFLAGS = //p' "$plain/tests/Makefile")"

ours_prog=$plain/tests/bench/bench-display
debian_prog=$plain/tests/bench/bench-display-debian
ours_lib=$plain/server/.libs

# One run: $1 = program, $2 = client mode, $3 = expected library (prefix).
# Prints the "bench ..." line.
run_one() {
    out=$(timeout "$RUN_TIMEOUT_S" "$1" --client "$2" --frames "$frames" --size "$size" 2>/dev/null |
          grep '^bench ')
    [ -n "$out" ] || fail "$1 --client $2 did not complete"
    lib=$(echo "$out" | sed 's/.* lib=\([^ ]*\) .*/\1/')
    case $lib in
    "$3"*) ;;
    *) fail "$1 mapped $lib, expected $3*" ;;
    esac
    echo "$out"
}

field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# Median of the numbers on stdin.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "loop: $frames frames of $size after a warm-up, each a full-screen copy + flush; $runs runs each"
printf '%-8s %12s %12s %8s   %s\n' client "ours fps" "debian fps" ratio "client fps / MB/s (ours | debian)"
for client in none plain lz4; do
    o_fps=; d_fps=; o_cli=; d_cli=
    i=0
    while [ "$i" -lt "$runs" ]; do
        o=$(run_one "$ours_prog" "$client" "$ours_lib") || exit 1
        d=$(run_one "$debian_prog" "$client" /usr/lib) || exit 1
        o_fps="$o_fps $(field "$o" fps)"
        d_fps="$d_fps $(field "$d" fps)"
        o_cli="$(field "$o" client_fps)/$(field "$o" client_MBps)"
        d_cli="$(field "$d" client_fps)/$(field "$d" client_MBps)"
        i=$((i + 1))
    done
    om=$(echo "$o_fps" | tr ' ' '\n' | grep . | median)
    dm=$(echo "$d_fps" | tr ' ' '\n' | grep . | median)
    ratio=$(awk -v o="$om" -v d="$dm" 'BEGIN { printf "%.2f", (d > 0 ? o / d : 0) }')
    extra=
    [ "$client" = none ] || extra="$o_cli | $d_cli (last run)"
    printf '%-8s %12s %12s %8s   %s\n' "$client" "$om" "$dm" "$ratio" "$extra"
    echo "  runs ours:$o_fps  debian:$d_fps"
done
