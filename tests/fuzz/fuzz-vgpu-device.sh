#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the virtio-gpu device fuzzer (the stack of qemu-hw-qxl/stack with the
# virtio-gpu device on our server, driven through guest-kms's transport
# driver, built from source with clang) for a bounded number of executions:
# 30,000 take about half a minute on two cores (FUZZ_RUNS overrides).
. "${srcdir:-.}/fuzz/fuzz-stack-flags.sh"
CPPFLAGS_FUZZ="$CPPFLAGS_FUZZ -I$s/guest-kms -I$s/guest-kms/virtio -I$s/guest-kms/qxl -I$s/spice"
# shellcheck disable=SC2086 # STACK_SOURCES is a list of paths without spaces
exec "${srcdir:-.}/fuzz/run-fuzz.sh" fuzz-vgpu-device "${FUZZ_RUNS:-30000}" \
    "${srcdir:-.}/fuzz/fuzz-vgpu-device.c" $STACK_SOURCES \
    "$s/guest-kms/virtio/gvgpu-hw.c" "$s/guest-kms/qxl/gqxl-alloc.c"
