#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the client -> server demarshaller fuzzer for 200,000 executions.
s=${srcdir:-.}/..
exec "${srcdir:-.}/fuzz/run-fuzz.sh" fuzz-spice-demarshal "${FUZZ_RUNS:-200000}" \
    "${srcdir:-.}/fuzz/fuzz-spice-demarshal.c" \
    "$s/spice/spice-wire.c" "$s/spice/spice-messages.c" \
    "$s/spice/spice-display-codec.c" "$s/spice/spice-link.c"
