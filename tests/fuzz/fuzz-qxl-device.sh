#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the QXL device fuzzer (the stack of qemu-hw-qxl/stack with the QXL
# device on our server, built from source with clang) for a bounded number of executions: 60,000 take
# about a minute on two cores (FUZZ_RUNS overrides).
. "${srcdir:-.}/fuzz/fuzz-stack-flags.sh"
# shellcheck disable=SC2086 # STACK_SOURCES is a list of paths without spaces
exec "${srcdir:-.}/fuzz/run-fuzz.sh" fuzz-qxl-device "${FUZZ_RUNS:-60000}" \
    "${srcdir:-.}/fuzz/fuzz-qxl-device.c" $STACK_SOURCES
