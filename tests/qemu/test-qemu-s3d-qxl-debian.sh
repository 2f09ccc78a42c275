#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Our Linux driver (guest-kms/linux/s3d_qxl.ko, the in-kernel qxl left out of
# the guest) under Debian's QEMU on Debian's libspice-server:
# boots, S3 cycles with a client connected, the seed-004 I/Os in QEMU's
# trace, the fault parameter. --peer: the console picture must equal the
# in-kernel qxl driver's from test-qemu-s3-debian.sh (local.mk orders them).
b=${abs_top_builddir:-$(cd .. && pwd)}/tests/qemu
S3D_GUEST_CACHE=${S3D_GUEST_CACHE_S3D:-$b/guest-s3d}
S3D_QXL_KO=${S3D_QXL_KO:-${abs_top_builddir:-$(cd .. && pwd)}/guest-kms/linux/s3d_qxl.ko}
export S3D_GUEST_CACHE S3D_QXL_KO
exec bash "$(dirname "$0")/qemu-s3-run.sh" --lib debian --driver ours --work "$b/work-s3d-debian" \
    --peer "$b/work-debian"
