#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-lossy-images-client.sh: spice-gtk decodes the JPEG our server sends
# for a photograph (jpeg-wan-compression=always, image compression
# auto_glz) and shows it within the bounds test-lossy-images checks on its
# own model (mean error per channel, largest error), not exactly (it did go
# lossy), while the text beside it and the rest of the screen are exact.
# The run is test-draw-commands-client.sh's, with test-lossy-images --serve
# and its comparison (reply CLOSE).
#
# Usage: test-lossy-images-client.sh [PROGRAM]  (default ./server/test-lossy-images)
# Exit: 0 pass, 1 fail, 77 skip (automake).
HERE=$(cd "$(dirname "$0")" && pwd)
prog=${1:-}
if [ -z "$prog" ]; then
    for p in ./server/test-lossy-images "$HERE/../server/test-lossy-images"; do
        if [ -x "$p" ]; then prog=$p; break; fi
    done
fi
exec "$HERE/test-draw-commands-client.sh" "${prog:-./server/test-lossy-images}" CLOSE
