# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz-stack-flags.sh: sourced by the fuzzers that build the whole stack
# (machine, devices, server, protocol) from source: sets s (the source
# tree), CPPFLAGS_FUZZ, LIBS_FUZZ and STACK_SOURCES.
# FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION (libFuzzer's convention; only
# these builds define it): the server shares one ticket key pair per process
# instead of generating one per link (server/net/red-ticket.c), which is
# what lets the network fuzzer link thousands of times a second; and the
# link test's third PING carries 1 KiB instead of 250 KiB
# (server/channels/red-net-test.h), which halved its executions per second.
s=${abs_top_srcdir:-${srcdir:-.}/..}
# The server's libraries are the ones configure.ac requires (libjpeg for
# video streams, opus for audio, zlib over GLZ).  Every folder of server/ is on the
# include path, as server/Makefile.am puts
# them, so a new folder needs no change here.  Every source is compiled once
# with the same flags, so the image digest's AVX2 build (made apart, with
# -mavx2, in server/display/local.mk) is left out: RED_DIGEST_PLAIN_ONLY.
server_dirs=$(for d in "$s"/server/*/; do printf ' -I%s' "${d%/}"; done)
CPPFLAGS_FUZZ="${CPPFLAGS_FUZZ:-} -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -DRED_DIGEST_PLAIN_ONLY -I$s/guest-bus -I$s/qemu-hw-qxl/stack -I$s/qemu-hw-qxl/machine -I$s/qemu-hw-qxl/qxl \
 -I$s/qemu-hw-qxl/virtio-gpu -I$s/server$server_dirs \
 $(pkg-config --cflags glib-2.0 pixman-1 spice-protocol spice-server openssl libsasl2 libjpeg opus libxxhash zlib)"
LIBS_FUZZ="$(pkg-config --libs glib-2.0 pixman-1 openssl libsasl2 libjpeg opus libxxhash zlib) -llz4 -latomic -lpthread -lm"
export CPPFLAGS_FUZZ LIBS_FUZZ
STACK_SOURCES=$(echo "$s"/qemu-hw-qxl/stack/*.c "$s"/qemu-hw-qxl/machine/*.c "$s"/qemu-hw-qxl/qxl/*.c \
    "$s"/qemu-hw-qxl/virtio-gpu/*.c "$s"/server/*/*.c "$s"/spice/*.c)
