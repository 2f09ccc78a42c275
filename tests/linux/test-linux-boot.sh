#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian 12 systemd guest (guest-image.sh) on Debian's QEMU with the
# in-kernel qxl driver: boot, 3 S3 cycles through systemctl suspend and QMP
# system_wakeup with a spice-gtk client connected throughout (linux-boot.py).
# The guest image is cached in the build tree (tests/linux/guest, removed by
# `make distclean`); artifacts in tests/linux/work-qxl (`make clean`).
# S3D_LINUX_DRIVER=ours S3D_QXL_KO=path/to/s3d_qxl.ko runs our module instead;
# S3D_LINUX_LIB=ours (with S3D_SPICE_LIBDIR) runs QEMU on our libspice-server.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
b=${abs_top_builddir:-$(cd .. && pwd)}/tests/linux
drv=${S3D_LINUX_DRIVER:-qxl}
lib=${S3D_LINUX_LIB:-debian}
if [ ! -x /usr/bin/python3 ]; then
    if [ "${S3D_REQUIRE_PEERS:-0}" = 1 ] || [ "${CI:-}" = true ]; then
        echo "FAIL: /usr/bin/python3 missing (peers required)"; exit 1
    fi
    echo "SKIP: /usr/bin/python3 missing"; exit 77
fi
exec /usr/bin/python3 "$here/linux-boot.py" --cache "${S3D_LINUX_GUEST_CACHE:-$b/guest}" \
    --work "$b/work-$drv-$lib" --driver "$drv" --lib "$lib" --cycles "${S3D_LINUX_CYCLES:-3}"
