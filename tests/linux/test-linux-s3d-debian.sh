#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Our driver (guest-kms/linux/s3d_qxl.ko; the in-kernel qxl blacklisted) in
# the Debian 12 systemd guest on Debian's QEMU, on Debian's libspice-server:
# 3 systemctl suspend cycles with a client connected, the seed-004 I/Os in
# QEMU's trace, the libdrm demo (guest-kms/drm/s3d-drm-demo), the fault
# parameter, and hibernate with a restore in a new QEMU. See linux-boot.py.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=${abs_top_builddir:-$(cd .. && pwd)}
b=$top/tests/linux
if [ ! -x /usr/bin/python3 ]; then
    if [ "${S3D_REQUIRE_PEERS:-0}" = 1 ] || [ "${CI:-}" = true ]; then
        echo "FAIL: /usr/bin/python3 missing (peers required)"; exit 1
    fi
    echo "SKIP: /usr/bin/python3 missing"; exit 77
fi
exec /usr/bin/python3 "$here/linux-boot.py" --cache "${S3D_LINUX_GUEST_CACHE:-$b/guest}" \
    --work "$b/work-s3d-debian" --driver ours --lib debian --cycles "${S3D_LINUX_CYCLES:-3}" \
    --ko "${S3D_QXL_KO:-$top/guest-kms/linux/s3d_qxl.ko}" \
    --demo "${S3D_DRM_DEMO:-$top/guest-kms/drm/s3d-drm-demo}" --faults --hibernate
