#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-glz-images-client.sh: spice-gtk decodes our GLZ images with its own
# window: `test-glz-images --serve` (image-compression=glz) draws icons, then
# the same icons twice more elsewhere (GLZ copies from the earlier images),
# and spice-gtk's canvas must equal the server's surface pixel for pixel
# (reply SAME), through test-draw-commands-client.sh.  Then the same with
# zlib over GLZ always (S3D_TEST_ZLIB_GLZ=1: ZLIB_GLZ_RGB images, which
# spice-gtk inflates before its GLZ decoder).
HERE=$(cd "$(dirname "$0")" && pwd)
prog=
for p in ./server/test-glz-images "$HERE/../server/test-glz-images"; do
    if [ -x "$p" ]; then prog=$p; break; fi
done
prog=${prog:-./server/test-glz-images}
"$HERE/test-draw-commands-client.sh" "$prog" SAME || exit $?
echo "zlib over GLZ:"
export S3D_TEST_ZLIB_GLZ=1
exec "$HERE/test-draw-commands-client.sh" "$prog" SAME
