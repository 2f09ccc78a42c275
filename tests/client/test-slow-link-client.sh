#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-slow-link-client.sh: spice-gtk on a 1 Mbit/s link (bench/link-shaper)
# stays connected while our server is blocked on it for longer than its
# stall limit (test-slow-link-client.py says why).
# Environment: S3D_REQUIRE_PEERS=1 or CI=true make missing bindings a
# failure.  Exit: 0, 1, 77 (skip).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SERVER=./server/video-server
SHAPER=./bench/link-shaper
for p in "$SERVER" "$SHAPER"; do
    [ -x "$p" ] || { echo "FAIL: no $p (make check builds it)"; exit 1; }
done
exec timeout -k 5 170 /usr/bin/python3 "$HERE/test-slow-link-client.py" "$SERVER" "$SHAPER" \
    "$HERE/spice-watch.py"
