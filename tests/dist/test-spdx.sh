#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-spdx: every source file we wrote names its licence in an
# SPDX-License-Identifier line among its first lines (line 1, or line 2 after
# a shebang), and it is the licence of its part (README.md, "Licences"):
#   spice/, server/       LGPL-2.1-or-later (libspice-server's own licence)
#   guest-kms/linux/      GPL-2.0-only      (a Linux kernel module)
#   everything else       GPL-2.0-or-later
# The files: `git ls-files` in a git checkout, else (a release tarball) the
# tree minus generated files and build trees.
set -u
top=${abs_top_srcdir:?}
cd "$top" || exit 1

is_source() {
    case $1 in
    */aclocal.m4|aclocal.m4|m4/libtool.m4|m4/lt*.m4) return 1 ;;
    *.c|*.h|*.py|*.sh|*.am|*.mk|*.ac|*.m4|*.syms|*.pc.in|*/Kbuild|.ci/run) return 0 ;;
    esac
    return 1
}
expected() {
    case $1 in
    guest-kms/linux/*) echo GPL-2.0-only ;;
    spice/*|server/*) echo LGPL-2.1-or-later ;;
    *) echo GPL-2.0-or-later ;;
    esac
}

list=$(mktemp)
trap 'rm -f "$list"' EXIT
if [ -e .git ] && git ls-files >"$list" 2>/dev/null && [ -s "$list" ]; then
    how="git ls-files"
else
    # Build trees (a config.status), autotools' output and distcheck's
    # _build/_inst are not ours.
    find . \( -type d \( -name autom4te.cache -o -name build-aux -o -name _build \
        -o -name _inst -o -name .git -o -exec test -e '{}/config.status' \; \) -prune \) \
        -o -type f -print 2>/dev/null | sed 's|^\./||' | sort >"$list"
    how="the source tree"
fi

checked=0 bad=0
while IFS= read -r f; do
    is_source "$f" || continue
    checked=$((checked + 1))
    want=$(expected "$f")
    got=$(head -n 2 "$f" | sed -n 's/.*SPDX-License-Identifier: *\([A-Za-z0-9.+-]*\).*/\1/p' | head -n 1)
    if [ -z "$got" ]; then
        echo "FAIL: $f: no SPDX-License-Identifier line (want $want)"; bad=$((bad + 1))
    elif [ "$got" != "$want" ]; then
        echo "FAIL: $f: SPDX-License-Identifier: $got, want $want"; bad=$((bad + 1))
    fi
done <"$list"

echo "$checked source files from $how, $bad without the right SPDX line"
[ "$checked" -gt 100 ] || { echo "FAIL: only $checked source files found in $top"; exit 1; }
for f in COPYING COPYING.LIB; do
    [ -s "$f" ] || { echo "FAIL: $f missing"; exit 1; }
done
[ "$bad" -eq 0 ]
