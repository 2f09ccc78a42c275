#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-agent-clipboard.sh: a real spice-gtk client (SpiceClientGLib) against
# our server with a scripted guest agent: clipboard grab/request/data both
# ways and a monitors config (test-agent-clipboard.py says how).
# Environment: S3D_SPICE_PYTHON (default /usr/bin/python3); S3D_REQUIRE_PEERS=1
# or CI=true make missing bindings a failure.  Exit: 0, 1, 77 (skip).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${S3D_SPICE_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
HELPER=${1:-./server/agent-server}
[ -x "$HELPER" ] || { echo "FAIL: no $HELPER (make check builds it)"; exit 1; }
exec timeout -k 5 150 "$PY" "$HERE/test-agent-clipboard.py" "$HELPER"
