#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-sasl with no mechanism that brings a SASL security layer configured:
# a plain link must then be told NEED_SECURED (come back over TLS).
S3D_TEST_SASL_MECHS="scram-sha-256 plain"
export S3D_TEST_SASL_MECHS
exec sh "${srcdir:-.}/server/test-sasl.sh" test_sasl_plain_link test_sasl_success
