#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A client connected through S3D_S3_CYCLES (default 50) cycles, our server.
exec sh "${srcdir:-.}/s3/test-s3.sh" "$abs_top_builddir/qemu-hw-qxl/s3d-stack" cycles cycles-ours
