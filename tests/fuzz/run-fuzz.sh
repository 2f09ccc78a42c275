#!/bin/sh
# run-fuzz.sh: builds a libFuzzer target with clang (ASan + UBSan) from the
# sources it names and runs it for a bounded number of executions.
#   run-fuzz.sh NAME RUNS SOURCES...     (environment: CLANG, CPPFLAGS_FUZZ)
# Exits 77 (skip) when clang is missing, unless S3D_REQUIRE_PEERS=1 (CI).
set -eu
name=$1; runs=$2; shift 2
if [ -z "${CLANG:-}" ] || ! command -v "$CLANG" >/dev/null 2>&1; then
    echo "clang not found (apt-get install clang)"
    [ "${S3D_REQUIRE_PEERS:-0}" = 1 ] && exit 1
    exit 77
fi
out=fuzz-build
mkdir -p "$out" "$out/$name-corpus"
"$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    ${CPPFLAGS_FUZZ:-} "$@" -o "$out/$name" ${LIBS_FUZZ:-}
# -seed fixes the run so a failure reproduces; the corpus stays in the build tree.
"$out/$name" -runs="$runs" -seed=1 -max_len=4096 -print_final_stats=1 \
    "$out/$name-corpus" 2>&1 | tail -n 15
