#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-abi-symbols: our libspice-server.so.1 exports exactly the symbols of
# Debian's libspice-server1, each in the same version node, with the same
# SONAME and the same chain of version-node parents.  QEMU's modules bind
# every import at load time, so one difference means QEMU does not start.
set -u
ours=${abs_top_builddir:?}/server/.libs/libspice-server.so.1
theirs=$(for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
    [ -e "$d/libspice-server.so.1" ] && echo "$d/libspice-server.so.1" && break; done)
if [ -z "$theirs" ]; then
    echo "Debian's libspice-server1 is not installed"
    [ "${S3D_REQUIRE_PEERS:-0}" = 1 ] && exit 1
    exit 77
fi
[ -e "$ours" ] || { echo "missing $ours"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

symbols() { nm -D --defined-only --with-symbol-versions "$1" | awk '{print $3}' | sort; }
# Version definitions: "name parent" per node, in file order.
nodes() { readelf -V "$1" | awk '/Version definition/ {d=1} /Version needs/ {d=0}
    d && /Name:/ {if (n) print n, p; n=$NF; p="-"} d && /Parent 1:/ {p=$NF} END {print n, p}'; }
soname() { readelf -d "$1" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p'; }

status=0
symbols "$ours" > "$tmp/ours"; symbols "$theirs" > "$tmp/theirs"
if ! diff -u "$tmp/theirs" "$tmp/ours"; then
    echo "FAIL: exported symbols differ (- Debian, + ours)"; status=1
fi
nodes "$ours" > "$tmp/nodes-ours"; nodes "$theirs" > "$tmp/nodes-theirs"
if ! diff -u "$tmp/nodes-theirs" "$tmp/nodes-ours"; then
    echo "FAIL: version nodes or their parents differ"; status=1
fi
[ "$(soname "$ours")" = "$(soname "$theirs")" ] || { echo "FAIL: SONAME differs"; status=1; }
count=$(grep -c '@@SPICE_SERVER' "$tmp/ours")
echo "ours: $count versioned functions in $(wc -l < "$tmp/nodes-ours") nodes, SONAME $(soname "$ours")"
[ "$count" -ge 97 ] || { echo "FAIL: fewer than the 97 functions of 0.15.1"; status=1; }
exit $status
