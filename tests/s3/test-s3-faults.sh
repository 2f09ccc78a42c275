#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Drivers that break the seed-004 sequence are reported, not hung.
exec sh "${srcdir:-.}/s3/test-s3.sh" "$abs_top_builddir/qemu-hw-qxl/s3d-stack" faults faults
