#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-red-glz-upstream.sh: our GLZ_RGB encoder (server/codecs/red-glz.c)
# through the decoder and window the real client runs: decode-glz.c of
# Debian's spice-gtk source package, fetched with apt-get source into a
# cache (never committed) and used as an oracle only.  It is compiled here,
# alone, into glz-upstream-check, with spice-common's canvas_utils.c (and
# the mem.c, log.c, backtrace.c that needs); the two spice-gtk headers it
# takes from the rest of spice-gtk come from glz-upstream-shim.h.
# decode-glz.c includes them with quotes, which looks beside the .c first,
# so the .c files are copied into a work folder next to the two stand-in
# headers.  Sanitized, as the rest of the suite.
#
# Environment: abs_top_builddir, abs_top_srcdir (set by make check),
#   S3D_SPICE_GTK_SRC_DIR  where the source is cached (default
#                          $abs_top_builddir/tests/codecs/cache-glz: not the
#                          LZ check's cache, which that test may be filling
#                          at the same moment under make -j)
#   S3D_REQUIRE_PEERS      1 (or CI=true): no source fails instead of skipping
# Exit: 0 pass, 1 fail, 77 skip (automake).
set -u

DEB_VERSION=0.42-1
CHECK_TIMEOUT_S=600     # about 10 s alone; generous for a loaded machine
SEED=${S3D_GLZ_SEED:-1}

top_build=${abs_top_builddir:?run from make check}
top_src=${abs_top_srcdir:?run from make check}
cache=${S3D_SPICE_GTK_SRC_DIR:-$top_build/tests/codecs/cache-glz}
work=$top_build/tests/codecs/glz-upstream

. "$top_src/tests/lib/peers.sh"
. "$top_src/tests/lib/apt-source.sh"
mkdir -p "$cache" || fail "mkdir $cache"
apt_source_need spice-gtk "$DEB_VERSION" "$cache"
gtk_src=$apt_source_tree/src
common=$apt_source_tree/subprojects/spice-common
for f in "$gtk_src/decode-glz.c" "$gtk_src/decode-glz-tmpl.c" "$common/common/canvas_utils.c"; do
    [ -f "$f" ] || fail "$f missing from the source"
done

rm -rf "$work" || fail "rm $work"
mkdir -p "$work" || fail "mkdir $work"
cp "$gtk_src/decode-glz.c" "$gtk_src/decode-glz-tmpl.c" "$work/" || fail "copying decode-glz.c"
for h in gio-coroutine.h spice-util.h; do
    echo "#include \"$top_src/tests/codecs/glz-upstream-shim.h\"" > "$work/$h"
done

# Upstream files are built as they are: their own warnings are not ours.
# shellcheck disable=SC2046
${CC:-cc} -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
    -I"$top_build" -I"$work" -I"$gtk_src" -I"$common" -I"$common/common" \
    -I"$top_src/server/codecs" -I"$top_src/tests/codecs" \
    $(pkg-config --cflags glib-2.0 pixman-1 spice-protocol libxxhash) \
    -o "$work/glz-upstream-check" "$top_src/tests/codecs/glz-upstream-check.c" \
    "$top_src/tests/codecs/lz-cases.c" "$top_src/server/codecs/red-glz.c" \
    "$top_src/server/codecs/red-lz.c" "$work/decode-glz.c" \
    "$common/common/canvas_utils.c" "$common/common/mem.c" "$common/common/log.c" \
    "$common/common/backtrace.c" $(pkg-config --libs glib-2.0 pixman-1 libxxhash) \
    >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "building glz-upstream-check"; }

ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    timeout -s KILL "$CHECK_TIMEOUT_S" "$work/glz-upstream-check" "$SEED"
status=$?
[ $status -eq 0 ] || fail "glz-upstream-check exited $status"
echo "PASS: spice-gtk $DEB_VERSION's decode-glz.c decodes our GLZ_RGB sequences"
