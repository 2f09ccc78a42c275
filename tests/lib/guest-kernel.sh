# SPDX-License-Identifier: GPL-2.0-or-later
# guest-kernel.sh: which Debian kernel package the test guests boot (POSIX sh;
# source it, then call guest_kernel_pkg [KO]).
#
# The guest must run the kernel our s3d_qxl.ko was built for, or the module
# does not load (vermagic).  Debian's archive moves linux-image-amd64 to a new
# ABI at each point release, so "what the meta package points at today" and
# "the headers installed here" can differ on a machine whose apt lists are
# newer than its packages.  So the choice, in order:
#   1. KO given: the version in its vermagic (the headers it was built with);
#   2. the newest installed /usr/src/linux-headers-*-amd64 (configure's choice,
#      so every guest of a run boots the same kernel and shares one cache);
#   3. what linux-image-amd64 depends on in the apt lists.
# Prints the package name (linux-image-VERSION-amd64); returns 1 if none.

# guest_kernel_ko_version KO: the kernel release KO was built for.
guest_kernel_ko_version() {
    tr '\0' '\n' < "$1" | sed -n 's/^vermagic=\([^ ]*\).*/\1/p' | head -n 1
}

guest_kernel_pkg() {
    _gk_ver=
    if [ -n "${1:-}" ]; then
        _gk_ver=$(guest_kernel_ko_version "$1")
        [ -n "$_gk_ver" ] || { echo "guest-kernel: no vermagic in $1" >&2; return 1; }
    fi
    if [ -z "$_gk_ver" ]; then
        _gk_ver=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1 |
                  sed 's|^/usr/src/linux-headers-||')
    fi
    if [ -n "$_gk_ver" ]; then
        echo "linux-image-$_gk_ver"
        return 0
    fi
    _gk_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
              sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
    [ -n "$_gk_pkg" ] || return 1
    echo "$_gk_pkg"
}
