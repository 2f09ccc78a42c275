#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-qemu-sasl-ours.sh: Debian's QEMU 7.2 with -spice port=,sasl=on on OUR
# libspice-server (the plain build in $S3D_SPICE_LIBDIR), no TLS at all, and
# spice-gtk (spice-watch.py) logging in with a user name and password:
#   - the SASL configuration (QEMU's appname "qemu": qemu.conf and a sasldb
#     made with saslpasswd2 in a temporary folder, SASL_CONF_PATH) allows
#     DIGEST-MD5 and SCRAM-SHA-256; on a plain port only DIGEST-MD5, which
#     brings a security layer, may be used;
#   - the right password: main + display open through that layer and the
#     SeaBIOS screen arrives (not blank); our server logs the layer;
#   - a wrong password: the connection is refused.
# The same steps then run on Debian's library, the reference.
# Unset S3D_SPICE_LIBDIR -> skip (fail with S3D_REQUIRE_PEERS=1 / CI=true).
# Exit: 0 pass, 1 fail, 77 skip.
set -u

REPLY_TIMEOUT_S=90      # one spice-watch.py reply (its own waits are shorter)
WAIT_S=60               # waits passed to spice-watch.py (TCG, busy cores)
USER_NAME=alice
PASSWORD=wonderland

HERE=$(cd "$(dirname "$0")" && pwd)
RUN="$HERE/run-qemu.sh"
WATCH="$HERE/../client/spice-watch.py"
PY=${S3D_SPICE_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3

. "$HERE/../lib/peers.sh"
. "$HERE/../client/spice-watch-lib.sh"
. "$HERE/qemu-watch-lib.sh"
[ -n "${S3D_SPICE_LIBDIR:-}" ] || skip "S3D_SPICE_LIBDIR unset (the plain server build)"
command -v "${QEMU:-qemu-system-x86_64}" >/dev/null || skip "qemu-system-x86_64 missing"
[ -x /usr/sbin/saslpasswd2 ] || skip "saslpasswd2 missing (Debian sasl2-bin)"
[ -e /usr/lib/x86_64-linux-gnu/sasl2/libdigestmd5.so ] ||
    skip "no DIGEST-MD5 plugin (Debian libsasl2-modules)"
need_spice_gtk_python "$PY"

qemu_watch_begin test-qemu-sasl

# Cyrus SASL reads qemu.conf from SASL_CONF_PATH (QEMU and its library
# inherit it); the user's realm is the host name, the server's default.
mkdir -p "$work/sasl"
cat > "$work/sasl/qemu.conf" <<CONF
mech_list: digest-md5 scram-sha-256
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $work/sasl/sasldb2
CONF
printf '%s' "$PASSWORD" | /usr/sbin/saslpasswd2 -f "$work/sasl/sasldb2" -a qemu -c -p "$USER_NAME" ||
    fail "saslpasswd2"
export SASL_CONF_PATH=$work/sasl

start_watch() { # start_watch PASSWORD
    coproc W { exec "$PY" "$WATCH" --host 127.0.0.1 --port "$port" --username "$USER_NAME" \
                   --password "$1" --channels display --no-connect --lifetime 600 \
                   2>>"$work/watch.err"; }
    watch_pid=$W_PID
}

# Our server's info lines (the security layer) go to QEMU's stderr.
export G_MESSAGES_DEBUG=s3display-server
for lib in ours debian; do
    bash "$RUN" start --lib "$lib" --bios --sasl "$work/qemu" "$work/qemu" ||
        die "QEMU did not start on the $lib library with sasl=on"
    port=$(cat "$work/qemu/spice.port")

    start_watch "not the password"
    ask "{\"cmd\":\"connect\",\"timeout\":$WAIT_S}"
    [ "$(field "$REPLY_LINE" ok)" = false ] || die "$lib: a wrong password connected: $REPLY_LINE"
    watch_quit

    start_watch "$PASSWORD"
    connect_picture "$lib: SASL in clear" "$work/screen.ppm"
    watch_quit
    if [ "$lib" = ours ]; then
        grep "security layer protects this link" "$work/qemu/qemu.stderr" | tail -n 2
        grep -q "DIGEST-MD5: a [0-9]*-bit security layer protects this link" \
            "$work/qemu/qemu.stderr" || die "ours: no security layer in our server's log"
    fi
    bash "$RUN" stop "$work/qemu" >/dev/null 2>&1
done
echo "PASS: Debian's QEMU with sasl=on on a plain port: spice-gtk logged in with DIGEST-MD5 through its security layer on our library as on Debian's, a wrong password was refused"
exit 0
