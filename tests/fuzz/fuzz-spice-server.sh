#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the network fuzzer of our server (links, tickets and the data-phase
# streams of every channel, through real connections on 127.0.0.1), built
# from source with clang, for a bounded number of executions (FUZZ_RUNS
# overrides).  An input costs a few milliseconds of CPU: one or two links
# (the ticket key pair is generated once per process in fuzzing builds,
# fuzz-stack-flags.sh, and the harness parses its public key once) and the
# server's threads answering them.
. "${srcdir:-.}/fuzz/fuzz-stack-flags.sh"
# -detect_leaks=0: the server keeps state across inputs on its own threads
# (sessions closing, the worker's queues), so libFuzzer's per-input check
# (mallocs == frees within one input) never holds and it ran a full
# LeakSanitizer scan after nearly every input: two thirds of the time.
# Leaks are still caught: LeakSanitizer checks the whole run at exit.
FUZZ_OPTIONS="${FUZZ_OPTIONS:-} -detect_leaks=0"
export FUZZ_OPTIONS
t=$s/tests
CPPFLAGS_FUZZ="$CPPFLAGS_FUZZ -I$t/server -I$t/lib -I$s/spice"
# shellcheck disable=SC2086 # STACK_SOURCES is a list of paths without spaces
exec "${srcdir:-.}/fuzz/run-fuzz.sh" fuzz-spice-server "${FUZZ_RUNS:-2000}" \
    "${srcdir:-.}/fuzz/fuzz-spice-server.c" $STACK_SOURCES \
    "$t/server/test-client.c" "$t/server/test-qxl-server.c" "$t/server/fake-qxl.c" \
    "$t/server/fake-qxl-draw.c" \
    "$t/server/test-core.c" "$t/lib/test-util.c"
