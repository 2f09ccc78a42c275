#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs one case of the S3 suite (s3-suite.py) on a runner binary.
#   test-s3.sh RUNNER CASE [suite args...]
# The HTML report goes to $abs_top_builddir/tests/s3-report/<name>/.
set -eu
runner=$1 case=$2 name=$3
shift 3
report=${abs_top_builddir:?}/tests/s3-report/$name
exec /usr/bin/python3 "${abs_top_srcdir:?}/tests/s3/s3-suite.py" --runner "$runner" \
    --watch "$abs_top_srcdir/tests/client/spice-watch.py" --case "$case" \
    --report "$report" --title "S3 suite: $name" "$@"
