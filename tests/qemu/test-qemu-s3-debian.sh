#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Debian's QEMU 7.2 + Linux guest on Debian's libspice-server1: the reference
# run of qemu-s3-run.sh (two boots, S3 cycles, SPICE input), and the proof
# that the rig itself works when test-qemu-s3-ours.sh fails.
# Guest kernel/initramfs cache and artifacts stay in the build tree.
b=${abs_top_builddir:-$(cd .. && pwd)}/tests/qemu
S3D_GUEST_CACHE=${S3D_GUEST_CACHE:-$b/guest}
export S3D_GUEST_CACHE
exec bash "$(dirname "$0")/qemu-s3-run.sh" --lib debian --work "$b/work-debian"
