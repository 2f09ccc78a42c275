#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-video-client.sh: spice-gtk plays our server's MJPEG video stream and
# ends with the guest's exact picture (test-video-client.py says how).
# Environment: S3D_REQUIRE_PEERS=1 or CI=true make missing bindings a
# failure.  Exit: 0, 1, 77 (skip).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
HELPER=${1:-./server/video-server}
[ -x "$HELPER" ] || { echo "FAIL: no $HELPER (make check builds it)"; exit 1; }
exec timeout -k 5 170 /usr/bin/python3 "$HERE/test-video-client.py" "$HELPER" "$HERE/spice-watch.py"
