#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-red-lz-upstream.sh: our LZ_RGB encoder's output through the decoder
# the real client runs: spice-common's lz.c as shipped in Debian's
# spice-gtk source package (fetched with apt-get source into a cache, never
# committed).  Compiles lz-upstream-check.c with that lz.c (and the log.c and
# backtrace.c it needs), our server/codecs/red-lz.c and lz-cases.c, with
# ASan and UBSan, and runs it over seeded images.
#
# Environment: abs_top_builddir, abs_top_srcdir (set by make check),
#   S3D_SPICE_GTK_SRC_DIR  where the source is cached
#                          (default $abs_top_builddir/tests/codecs/cache)
#   S3D_REQUIRE_PEERS      1 (or CI=true): no source fails instead of skipping
# Exit: 0 pass, 1 fail, 77 skip (automake).
set -u

DEB_VERSION=0.42-1
RUN_TIMEOUT_S=600       # the check under ASan on a loaded machine
SEED=${S3D_LZ_SEED:-1}

top_build=${abs_top_builddir:?run from make check}
top_src=${abs_top_srcdir:?run from make check}
cache=${S3D_SPICE_GTK_SRC_DIR:-$top_build/tests/codecs/cache}

. "$top_src/tests/lib/peers.sh"
. "$top_src/tests/lib/apt-source.sh"
mkdir -p "$cache" || fail "mkdir $cache"
apt_source_need spice-gtk "$DEB_VERSION" "$cache"
tree=$apt_source_tree
common=$tree/subprojects/spice-common
[ -f "$common/common/lz.c" ] || fail "no spice-common lz.c in $tree"

prog=$top_build/tests/codecs/lz-upstream-check
mkdir -p "$(dirname "$prog")" || fail "mkdir"
# spice-common's files are built as they are: their own warnings are not ours.
# shellcheck disable=SC2046
${CC:-cc} -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
    -I"$top_build" -I"$common" -I"$common/common" -I"$top_src/server/codecs" \
    -I"$top_src/tests/codecs" $(pkg-config --cflags glib-2.0 spice-protocol) \
    -o "$prog" "$top_src/tests/codecs/lz-upstream-check.c" "$top_src/tests/codecs/lz-cases.c" \
    "$top_src/server/codecs/red-lz.c" \
    "$common/common/lz.c" "$common/common/log.c" "$common/common/backtrace.c" \
    $(pkg-config --libs glib-2.0) >"$prog.log" 2>&1 || { cat "$prog.log"; fail "compiling the check"; }

ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 timeout -s KILL "$RUN_TIMEOUT_S" "$prog" "$SEED"
rc=$?
[ $rc -eq 0 ] || fail "lz-upstream-check exited $rc"
echo "PASS: spice-gtk $DEB_VERSION's spice-common decodes our LZ_RGB"
