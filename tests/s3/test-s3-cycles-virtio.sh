#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The demo on virtio-gpu with freeze_mode: a client connected through
# S3D_S3_VIRTIO_CYCLES (default 20) cycles keeps its surface, pixel-exact.
exec sh "${srcdir:-.}/s3/test-s3.sh" "$abs_top_builddir/qemu-hw-qxl/s3d-stack" cycles \
    cycles-virtio-gpu --device virtio-gpu --cycles "${S3D_S3_VIRTIO_CYCLES:-20}"
