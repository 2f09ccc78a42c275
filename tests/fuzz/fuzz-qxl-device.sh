#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the QXL device fuzzer (the stack of qemu-hw-qxl/stack with the QXL
# device on our server, built from source with clang) for a bounded number of executions: 60,000 take
# about a minute on two cores (FUZZ_RUNS overrides).
s=${abs_top_srcdir:-${srcdir:-.}/..}
CPPFLAGS_FUZZ="${CPPFLAGS_FUZZ:-} -I$s/guest-bus -I$s/qemu-hw-qxl/stack -I$s/qemu-hw-qxl/machine -I$s/qemu-hw-qxl/qxl \
 -I$s/qemu-hw-qxl/virtio-gpu -I$s/server -I$s/server/core \
 -I$s/server/display -I$s/server/api -I$s/server/channels -I$s/server/net -I$s/server/codecs \
 $(pkg-config --cflags glib-2.0 pixman-1 spice-protocol spice-server)"
LIBS_FUZZ="$(pkg-config --libs glib-2.0 pixman-1) -llz4 -lcrypto -latomic -lpthread"
export CPPFLAGS_FUZZ LIBS_FUZZ
exec "${srcdir:-.}/fuzz/run-fuzz.sh" fuzz-qxl-device "${FUZZ_RUNS:-60000}" \
    "${srcdir:-.}/fuzz/fuzz-qxl-device.c" \
    "$s"/qemu-hw-qxl/stack/*.c "$s"/qemu-hw-qxl/machine/*.c "$s"/qemu-hw-qxl/qxl/*.c \
    "$s"/qemu-hw-qxl/virtio-gpu/*.c \
    "$s"/server/*/*.c "$s"/spice/*.c
