#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The same scene through Debian's libspice-server1: the reference behaviour.
for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
    if [ -e "$d/libspice-server.so.1" ]; then S3D_EXPECT_LIB=$d/libspice-server.so.1; break; fi
done
export S3D_EXPECT_LIB
exec sh "${srcdir:-.}/server/test-display-scene.sh" ./server/test-display-scene-debian
