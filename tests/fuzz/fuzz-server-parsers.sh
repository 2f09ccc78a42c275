#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the fuzzer of the server's QXL command parsers (display renderer and
# cursor parser, no VM) for a bounded number of executions: 100,000 take
# well under a minute on two cores (FUZZ_RUNS overrides).
s=${abs_top_srcdir:-${srcdir:-.}/..}
CPPFLAGS_FUZZ="${CPPFLAGS_FUZZ:-} -I$s -I$s/server -I$s/server/display -I$s/server/codecs \
 -I$s/tests/regress $(pkg-config --cflags glib-2.0 pixman-1 spice-protocol spice-server libjpeg)"
LIBS_FUZZ="$(pkg-config --libs glib-2.0 pixman-1 libjpeg)"
export CPPFLAGS_FUZZ LIBS_FUZZ
exec "${srcdir:-.}/fuzz/run-fuzz.sh" fuzz-server-parsers "${FUZZ_RUNS:-100000}" \
    "${srcdir:-.}/fuzz/fuzz-server-parsers.c" "$s/tests/regress/regress-guest-mem.c" \
    "$s/server/display/red-render.c" "$s/server/display/red-image.c" \
    "$s/server/display/red-chunks.c" "$s/server/display/red-cursor-parse.c" \
    "$s/server/display/red-memslot.c" "$s/server/display/red-surfaces.c" \
    "$s/server/display/red-row-ring.c" "$s/server/display/red-cull.c" \
    "$s/server/codecs/red-image-lossy.c" "$s/server/codecs/red-mjpeg.c"
