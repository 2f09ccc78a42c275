# SPDX-License-Identifier: GPL-2.0-or-later
# peers.sh: what a test script does when a peer (a real client, QEMU, a
# tool) is missing (POSIX sh; source it).  It skips (automake's 77), unless
# peers are required (S3D_REQUIRE_PEERS=1 or CI=true, as in CI), where a
# missing peer fails.  Sets require_peers (0/1); defines fail and skip.

require_peers=0
if [ "${S3D_REQUIRE_PEERS:-0}" = 1 ] || [ "${CI:-}" = true ]; then require_peers=1; fi

# fail MESSAGE: exit 1.
fail() { echo "FAIL: $*"; exit 1; }

# skip MESSAGE: exit 77, or fail when peers are required.
skip() {
    [ "$require_peers" = 1 ] && fail "$* (peers required)"
    echo "SKIP: $*"
    exit 77
}

# need_tools TOOL:PACKAGE...: skip unless every TOOL is on PATH.
need_tools() {
    for _nt in "$@"; do
        command -v "${_nt%%:*}" >/dev/null 2>&1 || skip "${_nt%%:*} not installed (Debian ${_nt#*:})"
    done
}

# need_spice_gtk_python PY: skip unless PY has spice-gtk's GObject bindings.
need_spice_gtk_python() {
    "$1" -c 'import gi; gi.require_version("SpiceClientGLib", "2.0")
from gi.repository import SpiceClientGLib' 2>/dev/null ||
        skip "spice-gtk GObject bindings missing for $1 (Debian python3-gi gir1.2-spiceclientglib-2.0)"
}
