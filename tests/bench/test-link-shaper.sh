#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-link-shaper.sh: the benchmark's link shaper relays every byte both
# ways (test-link-shaper.py says how); bounded by timeout.  Exit 0 or 1.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SHAPER=${1:-./bench/link-shaper}
[ -x "$SHAPER" ] || { echo "FAIL: no $SHAPER (make check builds it)"; exit 1; }
exec timeout -k 5 300 python3 "$HERE/test-link-shaper.py" "$SHAPER"
