#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# One scene drawn through the QXL device (the demo guest at frame 0, paused)
# gives the same spicy-screenshot image on our libspice-server and on
# Debian's libspice-server1, pixel for pixel.  Each runner is started on
# 127.0.0.1 and stopped by its PID; every wait is bounded.
set -u
top=${abs_top_builddir:?}
dir=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do
        i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$p" 2>/dev/null
    done
}
trap 'cleanup; rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM

if ! command -v spicy-screenshot >/dev/null 2>&1; then
    [ "${S3D_REQUIRE_PEERS:-0}" = 1 ] && { echo "FAIL: spicy-screenshot missing (spice-client-gtk)"; exit 1; }
    echo "SKIP: spicy-screenshot missing (spice-client-gtk)"; exit 77
fi
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

shoot() { # label runner
    port=$(free_port)
    "$2" --paused --port "$port" --size 800x600 >"$dir/$1.log" 2>&1 &
    pids="$pids $!"
    i=0
    until grep -q '^viewer:' "$dir/$1.log"; do
        i=$((i + 1)); [ $i -gt 300 ] && { cat "$dir/$1.log"; echo "FAIL: $1 runner did not start"; exit 1; }
        sleep 0.1
    done
    lib=$(grep -o '/[^ ]*libspice-server\.so[^ ]*' "/proc/$!/maps" | head -1)
    echo "$1: libspice-server $lib"
    case "$1:$lib" in
        ours:*/server/.libs/*|debian:/usr/lib/*) ;;
        *) echo "FAIL: $1 runner has the wrong library mapped: $lib"; exit 1 ;;
    esac
    env -u DISPLAY -u WAYLAND_DISPLAY timeout 30 spicy-screenshot -h 127.0.0.1 -p "$port" \
        -o "$dir/$1.ppm" >"$dir/$1-shot.log" 2>&1 || { cat "$dir/$1-shot.log"; echo "FAIL: $1 screenshot"; exit 1; }
}
shoot ours "$top/qemu-hw-qxl/s3d-stack"
shoot debian "$top/qemu-hw-qxl/s3d-stack-debian"
/usr/bin/python3 - "$dir/ours.ppm" "$dir/debian.ppm" "${abs_top_srcdir:?}/tests/s3" <<'PY'
import sys
sys.path.insert(0, sys.argv[3])
import s3lib
bad, first = s3lib.compare_ppm(sys.argv[1], sys.argv[2])
w, h, _ = s3lib.read_ppm(sys.argv[1])
print("ours vs Debian's: %dx%d, %d pixels differ%s" % (w, h, bad, "" if not bad else ", first at %s" % (first,)))
sys.exit(1 if bad or (w, h) != (800, 600) else 0)
PY
