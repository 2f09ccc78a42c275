#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The same run on OUR libspice-server: Debian's QEMU loads the plain
# (unsanitized) build in $S3D_SPICE_LIBDIR (../stack.sh test builds it and
# sets it); unset -> skip, or fail with S3D_REQUIRE_PEERS=1 / CI=true.
# --peer: the SeaBIOS and Linux console screenshots must equal, pixel for
# pixel, the ones test-qemu-s3-debian.sh kept in work-debian (local.mk makes
# this test's log depend on that one's); missing -> skip that comparison
# (fail with S3D_REQUIRE_PEERS=1).
b=${abs_top_builddir:-$(cd .. && pwd)}/tests/qemu
S3D_GUEST_CACHE=${S3D_GUEST_CACHE:-$b/guest}
export S3D_GUEST_CACHE
exec bash "$(dirname "$0")/qemu-s3-run.sh" --lib ours --work "$b/work-ours" --peer "$b/work-debian"
