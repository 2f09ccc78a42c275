#!/bin/sh
# The same run on OUR libspice-server: Debian's QEMU loads the plain
# (unsanitized) build in $S3D_SPICE_LIBDIR (../stack.sh test builds it and
# sets it); unset -> skip, or fail with S3D_REQUIRE_PEERS=1 / CI=true.
b=${abs_top_builddir:-$(cd .. && pwd)}/tests/qemu
S3D_GUEST_CACHE=${S3D_GUEST_CACHE:-$b/guest}
export S3D_GUEST_CACHE
exec bash "$(dirname "$0")/qemu-s3-run.sh" --lib ours --work "$b/work-ours"
