#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tls-certs.sh DIR [KEY_PASSWORD]: a throw-away CA and a server certificate
# for 127.0.0.1 in DIR, with the file names QEMU's -spice x509-dir= expects
# (ca-cert.pem, server-cert.pem, server-key.pem), plus dh.pem (the RFC 7919
# ffdhe2048 group: named, so nothing is generated).  With KEY_PASSWORD the
# server key is encrypted with it.  Valid for one day: tests only.
set -eu
dir=$1
pass=${2:-}
cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca-cert.pem -days 1 \
    -subj "/CN=s3display test CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout server-key.clear.pem -out server.csr \
    -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > server.ext
openssl x509 -req -in server.csr -CA ca-cert.pem -CAkey ca-key.pem -CAcreateserial \
    -out server-cert.pem -days 1 -extfile server.ext 2>/dev/null
if [ -n "$pass" ]; then
    openssl pkey -in server-key.clear.pem -aes256 -passout "pass:$pass" -out server-key.pem
else
    cp server-key.clear.pem server-key.pem
fi
rm -f server-key.clear.pem server.csr server.ext ca-cert.srl
openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out dh.pem 2>/dev/null
