#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Clients that leave during sleep and come back, or first come after wake.
exec sh "${srcdir:-.}/s3/test-s3.sh" "$abs_top_builddir/qemu-hw-qxl/s3d-stack" reconnect reconnect
