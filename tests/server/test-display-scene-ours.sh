#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The scene through OUR libspice-server.so.1 (the one in the build tree).
S3D_EXPECT_LIB=${abs_top_builddir:?}/server/.libs/libspice-server.so.1
export S3D_EXPECT_LIB
exec sh "${srcdir:-.}/server/test-display-scene.sh" ./server/test-display-scene
