#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-linux-audio.sh: the make check test of linux-audio.py: the Debian
# guest's sound (snd-intel8x0 on QEMU's AC97; S3D_AUDIO_CARD=hda: snd-hda-intel
# on intel-hda + hda-duplex, on -audiodev spice) reaches spice-gtk through our
# plain library
# (S3D_SPICE_LIBDIR, as ./stack.sh test sets it).  S3D_LINUX_LIB=debian
# runs it on Debian's library instead.  Skips as test-linux-boot.sh does.
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
exec /usr/bin/python3 "$here/linux-audio.py" --cache "${S3D_LINUX_GUEST_CACHE:-$b/guest}" \
    --work "$b/work-audio-$lib" --lib "$lib"
