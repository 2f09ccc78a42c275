#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-guest-test.sh PROGRAM NAME: the make check wrapper of a one-guest test
# (linux-audio.py, linux-agent.py): runs /usr/bin/python3 PROGRAM with the
# image cache in the build tree (S3D_LINUX_GUEST_CACHE overrides) and its
# artifacts in tests/linux/work-NAME-LIB, on our plain library
# (S3D_SPICE_LIBDIR, as ./stack.sh test sets it) or, with
# S3D_LINUX_LIB=debian, on Debian's.  Skips as test-linux-boot.sh does.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
b=${abs_top_builddir:-$(cd .. && pwd)}/tests/linux
lib=${S3D_LINUX_LIB:-ours}
if [ ! -x /usr/bin/python3 ]; then
    if [ "${S3D_REQUIRE_PEERS:-0}" = 1 ] || [ "${CI:-}" = true ]; then
        echo "FAIL: /usr/bin/python3 missing (peers required)"; exit 1
    fi
    echo "SKIP: /usr/bin/python3 missing"; exit 77
fi
exec /usr/bin/python3 "$here/$1" --cache "${S3D_LINUX_GUEST_CACHE:-$b/guest}" \
    --work "$b/work-$2-$lib" --lib "$lib"
