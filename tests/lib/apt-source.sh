# SPDX-License-Identifier: GPL-2.0-or-later
# apt-source.sh: sourced by tests that need a Debian source package (to read
# or build a real peer's code at test time; nothing of it is committed).
#
# apt_source_fetch PKG DEB_VERSION DIR
#   Downloads PKG=DEB_VERSION with `apt-get source --download-only` into DIR
#   (once) and unpacks it into DIR/PKG-DEB_VERSION.  apt-get source needs a
#   deb-src entry: one is derived from the machine's own deb entries into a
#   private apt configuration (never a mirror name of ours), and apt works in
#   private state and cache directories under DIR.
#   Prints the unpacked tree's path.  Returns 0, 1 when the download failed
#   (no network, no sources: the caller skips), 2 when unpacking failed.
#   The caller sets top_src (the source tree) before sourcing this file.

. "${top_src:?apt-source.sh needs top_src}/tests/lib/registry.sh"

apt_source_fetch() {
    _pkg=$1 _ver=$2 _dir=$3
    _tree=$_dir/$_pkg-$_ver
    if [ -d "$_tree" ]; then echo "$_tree"; return 0; fi
    mkdir -p "$_dir/apt/parts" "$_dir/apt/lists/partial" "$_dir/apt/cache/archives/partial" ||
        return 2
    for _f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$_f" ] && sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$_f"
    done > "$_dir/apt/sources.list"
    for _f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$_f" ] || continue
        sed '/^Types:/s/.*/Types: deb-src/' "$_f" > "$_dir/apt/parts/$(basename "$_f")"
    done
    _opts="-o Dir::Etc::sourcelist=$_dir/apt/sources.list -o Dir::Etc::sourceparts=$_dir/apt/parts
        -o Dir::State::Lists=$_dir/apt/lists -o Dir::Cache=$_dir/apt/cache -o APT::Sandbox::User=root"
    _dsc=$(ls "$_dir/${_pkg}_"*.dsc 2>/dev/null | head -n 1)
    if [ -z "$_dsc" ]; then
        # shellcheck disable=SC2086
        registry_try_twice apt-get -qq $_opts update >"$_dir/apt-update.log" 2>&1 || return 1
        # shellcheck disable=SC2086
        (cd "$_dir" && registry_try_twice apt-get -qq $_opts --download-only source "$_pkg=$_ver") \
            >"$_dir/apt-source.log" 2>&1 || return 1
        _dsc=$(ls "$_dir/${_pkg}_"*.dsc 2>/dev/null | head -n 1)
        [ -n "$_dsc" ] || return 1
    fi
    (cd "$_dir" && dpkg-source --no-check -x "$_dsc" "$_tree") >"$_dir/dpkg-source.log" 2>&1 ||
        return 2
    echo "$_tree"
}

# apt_source_need PKG DEB_VERSION DIR
#   apt_source_fetch, for a test that sourced tests/lib/peers.sh: sets
#   apt_source_tree to the unpacked tree, or shows apt's logs and skips when
#   the download failed, fails when unpacking failed.
apt_source_need() {
    apt_source_tree=$(apt_source_fetch "$1" "$2" "$3")
    case $? in
    0) ;;
    1) cat "$3/apt-update.log" "$3/apt-source.log" 2>/dev/null
       skip "apt-get source $1=$2 failed: no network or no Debian sources" ;;
    *) cat "$3/dpkg-source.log" 2>/dev/null; fail "unpacking $1=$2" ;;
    esac
}
