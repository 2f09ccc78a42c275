# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz-stack-flags.sh: sourced by the fuzzers that build the whole stack
# (machine, devices, server, protocol) from source: sets s (the source
# tree), CPPFLAGS_FUZZ, LIBS_FUZZ and STACK_SOURCES.
s=${abs_top_srcdir:-${srcdir:-.}/..}
CPPFLAGS_FUZZ="${CPPFLAGS_FUZZ:-} -I$s/guest-bus -I$s/qemu-hw-qxl/stack -I$s/qemu-hw-qxl/machine -I$s/qemu-hw-qxl/qxl \
 -I$s/qemu-hw-qxl/virtio-gpu -I$s/server -I$s/server/core \
 -I$s/server/display -I$s/server/api -I$s/server/channels -I$s/server/net -I$s/server/codecs \
 $(pkg-config --cflags glib-2.0 pixman-1 spice-protocol spice-server)"
LIBS_FUZZ="$(pkg-config --libs glib-2.0 pixman-1) -llz4 -lcrypto -latomic -lpthread"
export CPPFLAGS_FUZZ LIBS_FUZZ
STACK_SOURCES=$(echo "$s"/qemu-hw-qxl/stack/*.c "$s"/qemu-hw-qxl/machine/*.c "$s"/qemu-hw-qxl/qxl/*.c \
    "$s"/qemu-hw-qxl/virtio-gpu/*.c "$s"/server/*/*.c "$s"/spice/*.c)
