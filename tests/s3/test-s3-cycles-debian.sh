#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The same cycle with the device on Debian's libspice-server1 (10 cycles).
exec sh "${srcdir:-.}/s3/test-s3.sh" "$abs_top_builddir/qemu-hw-qxl/s3d-stack-debian" cycles \
    cycles-debian --expect-lib debian --cycles "${S3D_S3_DEBIAN_CYCLES:-10}"
