#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-install-qemu: `make install` of server/ (DESTDIR, a temporary tree)
# gives libspice-server.so.1 and a spice-server.pc that points at it, and
# Debian's QEMU runs on the installed library: LD_LIBRARY_PATH=<libdir>,
# /proc/PID/maps must show that file, and a SPICE link to QEMU's port must
# get REDQ 2.2 and no error back.  QEMU is stopped by PID.  About 5-10 s.
#
# Debian's QEMU cannot load an ASan build: with a sanitized build tree the
# plain build of ../stack.sh test is installed ($S3D_SPICE_LIBDIR, its
# server/.libs); without one the test skips (77), or fails with
# S3D_REQUIRE_PEERS=1 or CI=true, as does a missing QEMU.
set -u
QEMU=${QEMU:-qemu-system-x86_64}
MAKE=${MAKE:-make}
require=0
if [ "${S3D_REQUIRE_PEERS:-0}" = 1 ] || [ "${CI:-}" = true ]; then require=1; fi
skip() { echo "SKIP: $*"; [ $require = 1 ] && { echo "(a failure: S3D_REQUIRE_PEERS=1 or CI=true)"; exit 1; }; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

command -v "$QEMU" >/dev/null 2>&1 || skip "$QEMU is not installed (Debian: qemu-system-x86)"
command -v pkg-config >/dev/null 2>&1 || skip "pkg-config is not installed"

sanitized() { readelf -d "$1" 2>/dev/null | grep -q 'NEEDED.*lib[atu]san'; }
server=${abs_top_builddir:?}/server
[ -e "$server/.libs/libspice-server.so.1" ] || fail "$server/.libs/libspice-server.so.1 is not built"
if sanitized "$server/.libs/libspice-server.so.1"; then
    [ -n "${S3D_SPICE_LIBDIR:-}" ] ||
        skip "this build is sanitized and S3D_SPICE_LIBDIR is unset (../stack.sh test sets it to a plain build)"
    server=$(cd "$S3D_SPICE_LIBDIR/.." && pwd) || fail "no build at S3D_SPICE_LIBDIR=$S3D_SPICE_LIBDIR"
    [ -f "$server/Makefile" ] || fail "$server is not the server/ folder of a build tree"
    sanitized "$server/.libs/libspice-server.so.1" && fail "$server is a sanitized build too"
fi

tmp=$(mktemp -d)
pid=""
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# The install, as a packager makes it (the make that runs the tests must not
# hand its jobserver to this one).
dest=$tmp/dest
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $MAKE -s -C "$server" install DESTDIR="$dest" \
    >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "make install DESTDIR=$dest"; }
echo "installed under DESTDIR=$dest:"
(cd "$dest" && find . ! -type d | sed 's|^\.||' | sort) | tee "$tmp/files"

pc=$(grep '/pkgconfig/spice-server\.pc$' "$tmp/files") || fail "no spice-server.pc installed"
libdir=$(PKG_CONFIG_SYSROOT_DIR='' PKG_CONFIG_PATH="$dest$(dirname "$pc")" \
    pkg-config --variable=libdir spice-server) || fail "pkg-config cannot read $pc"
[ "$libdir/pkgconfig/spice-server.pc" = "$pc" ] || fail "spice-server.pc says libdir=$libdir, but it is in $(dirname "$pc")"
grep -qx "$libdir/libspice-server.so.1" "$tmp/files" || fail "no $libdir/libspice-server.so.1"
grep -qx "$libdir/libspice-server.so" "$tmp/files" || fail "no $libdir/libspice-server.so (for -lspice-server)"
version=$(PKG_CONFIG_PATH="$dest$libdir/pkgconfig" pkg-config --modversion spice-server)
libs=$(PKG_CONFIG_PATH="$dest$libdir/pkgconfig" pkg-config --libs spice-server)
echo "spice-server.pc: Version $version, Libs $libs"
case " $libs " in *" -L$libdir "*) ;; *) fail "Libs do not name -L$libdir" ;; esac
case " $libs " in *" -lspice-server "*) ;; *) fail "Libs do not name -lspice-server" ;; esac
lib=$(readlink -f "$dest$libdir/libspice-server.so.1")

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LD_LIBRARY_PATH=$dest$libdir "$QEMU" -nodefaults -machine pc,accel=tcg -vga qxl \
    -spice "port=$port,addr=127.0.0.1,disable-ticketing=on" -display none -monitor none -S \
    >"$tmp/qemu.log" 2>&1 &
pid=$!
mapped=""
for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/qemu.log"; fail "QEMU exited"; }
    mapped=$(grep 'libspice-server' "/proc/$pid/maps" 2>/dev/null | awk '{print $6}' | sort -u)
    [ -n "$mapped" ] && break
    sleep 0.1
done
echo "QEMU (PID $pid) /proc/$pid/maps:"
grep 'libspice-server' "/proc/$pid/maps"
[ "$mapped" = "$lib" ] || fail "QEMU mapped '$mapped', not the installed $lib"

# A SPICE link to the main channel through QEMU: REDQ 2.2 and error 0.
python3 - "$port" <<'PY' || fail "no SPICE link through QEMU"
import socket, struct, sys, time
port = int(sys.argv[1])
for _ in range(100):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("SPICE port %d never opened" % port)
# Main channel; common caps: auth selection, SPICE auth, mini header.
body = struct.pack("<IBBIIII", 0, 1, 0, 1, 0, 18, (1 << 0) | (1 << 1) | (1 << 3))
s.sendall(b"REDQ" + struct.pack("<III", 2, 2, len(body)) + body)
reply = b""
while len(reply) < 20:
    chunk = s.recv(20 - len(reply))
    if not chunk:
        sys.exit("connection closed after %d bytes" % len(reply))
    reply += chunk
magic, major, minor, size, error = struct.unpack("<4sIIII", reply)
print("SPICE link reply: magic %s, version %d.%d, %d bytes, error %d" % (magic.decode(), major, minor, size, error))
sys.exit(0 if (magic, major, error) == (b"REDQ", 2, 0) else 1)
PY
echo "PASS: Debian's $("$QEMU" --version | head -n 1) ran on $lib"
