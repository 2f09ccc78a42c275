#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the network fuzzer of our server (links, tickets and the data-phase
# streams of every channel, through real connections on 127.0.0.1), built
# from source with clang, for a bounded number of executions (FUZZ_RUNS
# overrides; each input costs two RSA key pairs, as every link does, so a few
# hundred executions are what fits in the suite).
. "${srcdir:-.}/fuzz/fuzz-stack-flags.sh"
t=$s/tests
CPPFLAGS_FUZZ="$CPPFLAGS_FUZZ -I$t/server -I$t/lib -I$s/spice"
# shellcheck disable=SC2086 # STACK_SOURCES is a list of paths without spaces
exec "${srcdir:-.}/fuzz/run-fuzz.sh" fuzz-spice-server "${FUZZ_RUNS:-500}" \
    "${srcdir:-.}/fuzz/fuzz-spice-server.c" $STACK_SOURCES \
    "$t/server/test-client.c" "$t/server/test-qxl-server.c" "$t/server/fake-qxl.c" \
    "$t/server/test-core.c" "$t/lib/test-util.c"
