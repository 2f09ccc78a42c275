#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The last picture while the QXL guest sleeps, with real spice-gtk clients,
# our server (s3-suite.py --case sleep_picture).
exec sh "${srcdir:-.}/s3/test-s3.sh" "$abs_top_builddir/qemu-hw-qxl/s3d-stack" sleep_picture \
    sleep-picture
