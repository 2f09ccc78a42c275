#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-qemu-tls-ours.sh: Debian's QEMU 7.2 on OUR libspice-server (the plain
# build in $S3D_SPICE_LIBDIR) with -spice tls-port=,x509-dir=,tls-channel=
# default,tls-ciphers= and no plain port, and spice-gtk (spice-watch.py)
# connecting over TLS with the CA file:
#   - the client with the right CA opens main + display and gets the SeaBIOS
#     screen (a picture that is not blank);
#   - a client trusting another CA is refused (the certificate is checked,
#     so the session really was TLS: there is no plain port at all);
#   - then with a plain port too, main TLS-only and display plain-only
#     (run-qemu.sh --tls-mixed): spice-gtk links main in clear, gets
#     NEED_SECURED, moves main to TLS, and still gets the picture.
# No guest OS: SeaBIOS stops at "No bootable device" (run-qemu.sh --bios).
# Certificates: tests/server/tls-certs.sh into a temporary folder.
# Unset S3D_SPICE_LIBDIR -> skip (fail with S3D_REQUIRE_PEERS=1 / CI=true).
# Exit: 0 pass, 1 fail, 77 skip.
set -u

REPLY_TIMEOUT_S=90      # one spice-watch.py reply (its own waits are shorter)
WAIT_S=60               # waits passed to spice-watch.py (TCG, busy cores)

HERE=$(cd "$(dirname "$0")" && pwd)
RUN="$HERE/run-qemu.sh"
CERTS="$HERE/../server/tls-certs.sh"
WATCH="$HERE/../client/spice-watch.py"
PY=${S3D_SPICE_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3

. "$HERE/../lib/peers.sh"
. "$HERE/../client/spice-watch-lib.sh"
. "$HERE/qemu-watch-lib.sh"
[ -n "${S3D_SPICE_LIBDIR:-}" ] || skip "S3D_SPICE_LIBDIR unset (the plain server build)"
command -v "${QEMU:-qemu-system-x86_64}" >/dev/null || skip "qemu-system-x86_64 missing"
need_spice_gtk_python "$PY"

qemu_watch_begin test-qemu-tls

mkdir -p "$work/x509" "$work/other"
sh "$CERTS" "$work/x509" || fail "tls-certs.sh"
sh "$CERTS" "$work/other" || fail "tls-certs.sh (second CA)"

# Our server's info lines (link refusals) go to QEMU's stderr.
export G_MESSAGES_DEBUG=s3display-server
bash "$RUN" start --lib ours --bios --tls "$work/x509" "$work/qemu" "$work/qemu" ||
    die "QEMU did not start on our library with TLS"
port=$(cat "$work/qemu/spice.port")

start_watch() { # start_watch CA_FILE [spice-watch.py options...]
    local ca=$1
    shift
    coproc W { exec "$PY" "$WATCH" --host 127.0.0.1 --tls-port "$port" --ca-file "$ca" "$@" \
                   --channels display --no-connect --lifetime 600 2>>"$work/watch.err"; }
    watch_pid=$W_PID
}

# 1. The wrong CA: the handshake is refused by the client.
start_watch "$work/other/ca-cert.pem"
ask "{\"cmd\":\"connect\",\"timeout\":$WAIT_S}"
[ "$(field "$REPLY_LINE" ok)" = false ] || die "a client trusting another CA connected: $REPLY_LINE"
watch_quit

# 2. The right CA: main + display over TLS, and the SeaBIOS screen.
start_watch "$work/x509/ca-cert.pem"
connect_picture "TLS only" "$work/screen.ppm"
watch_quit
grep -q "s3display-server" "$work/qemu/qemu.stderr" && { echo "--- our server's log"; grep "s3display-server" "$work/qemu/qemu.stderr" | tail -n 5; }
bash "$RUN" stop "$work/qemu" >/dev/null 2>&1

# 3. Both ports, main TLS-only, display plain-only.
bash "$RUN" start --lib ours --bios --tls-mixed "$work/x509" "$work/qemu" "$work/qemu" ||
    die "QEMU did not start on our library with a plain and a TLS port"
plain_port=$(cat "$work/qemu/spice.port")
port=$(cat "$work/qemu/spice.tls-port")
start_watch "$work/x509/ca-cert.pem" --port "$plain_port"
connect_picture "main over TLS after NEED_SECURED, display in clear" "$work/screen.ppm"
watch_quit
# our server's info line for the refused plain main link (G_MESSAGES_DEBUG)
grep -q "channel type 1 must be linked over TLS" "$work/qemu/qemu.stderr" ||
    die "no NEED_SECURED for the plain main link in QEMU's log"
echo "PASS: Debian's QEMU on our library: spice-gtk over TLS got the picture, another CA was refused, NEED_SECURED moved main to TLS"
exit 0
