#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs test-sasl (the cases given, or all) with LeakSanitizer told about a
# leak that is Debian's, not ours: Cyrus SASL's DIGEST-MD5 plugin never
# frees the cipher of its security layer (test-sasl.supp).  LeakSanitizer
# sees the plugin's name only in full stacks, hence the slower unwinding,
# for this test alone.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
LSAN_OPTIONS="suppressions=${srcdir:-.}/server/test-sasl.supp"
export ASAN_OPTIONS LSAN_OPTIONS
exec ./server/test-sasl "$@"
