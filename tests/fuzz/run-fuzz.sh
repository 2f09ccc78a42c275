#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-fuzz.sh: builds a libFuzzer target with clang (ASan + UBSan) from the
# sources it names and runs it for a bounded number of executions.
#   run-fuzz.sh NAME RUNS SOURCES...     (environment: CLANG, CPPFLAGS_FUZZ)
# The corpus: the checked-in seeds (corpus/NAME, read only) and what runs in
# this build tree found (fuzz-build/NAME-corpus, where new inputs go).
# FUZZ_SECONDS: run for that long instead of RUNS executions (./stack.sh fuzz).
# Exits 77 (skip) when clang or its libFuzzer is missing, unless
# S3D_REQUIRE_PEERS=1 (CI).  FUZZ_TIMEOUT: seconds one input may take (10).
# FUZZ_OPTIONS: more libFuzzer options, set by a target's script.
set -eu
name=$1; runs=$2; shift 2
if [ -z "${CLANG:-}" ] || ! command -v "$CLANG" >/dev/null 2>&1; then
    echo "clang not found (apt-get install clang)"
    [ "${S3D_REQUIRE_PEERS:-0}" = 1 ] && exit 1
    exit 77
fi
out=fuzz-build
mkdir -p "$out" "$out/$name-corpus"
# clang without compiler-rt's libFuzzer (or the sanitizers) is a missing
# peer too, not a failure of the code under test.
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' \
    >"$out/probe.c"
if ! "$CLANG" -fsanitize=fuzzer,address,undefined "$out/probe.c" -o "$out/probe" >/dev/null 2>&1; then
    echo "clang cannot link -fsanitize=fuzzer,address,undefined (apt-get install libclang-rt-dev, or libclang-rt-NN-dev)"
    [ "${S3D_REQUIRE_PEERS:-0}" = 1 ] && exit 1
    exit 77
fi
"$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    ${CPPFLAGS_FUZZ:-} "$@" -o "$out/$name" ${LIBS_FUZZ:-}
# -seed fixes the run so a failure reproduces; the corpus stays in the build tree.
# -timeout: a unit that blocks (a deadlock, an unbounded wait) is reported
# with its input instead of hanging the suite.  The status is the fuzzer's:
# piping it straight into tail would report every crash as a pass.
# -error_exitcode: libFuzzer's default, 77, is automake's "skip", so a
# crash or a leak the fuzzer found would read as a skipped test.
seeds=$(dirname "$0")/corpus/$name
[ -d "$seeds" ] || seeds=
if [ -n "${FUZZ_SECONDS:-}" ]; then
    limit="-runs=-1 -max_total_time=$FUZZ_SECONDS"
else
    limit="-runs=$runs"
fi
status=0
"$out/$name" $limit ${FUZZ_OPTIONS:-} -seed=1 -max_len=4096 -timeout="${FUZZ_TIMEOUT:-10}" -error_exitcode=1 \
    -artifact_prefix="$out/$name-" -print_final_stats=1 \
    "$out/$name-corpus" ${seeds:+"$seeds"} >"$out/$name.log" 2>&1 || status=$?
tail -n 15 "$out/$name.log"
exit $status
