# SPDX-License-Identifier: GPL-2.0-or-later
# qemu-watch-lib.sh: the frame of a test that runs Debian's QEMU (run-qemu.sh
# as $RUN) and spice-watch.py (coprocess W, watch_pid) against it.  Source
# it after tests/client/spice-watch-lib.sh, whose dump_logs it replaces.
#
# qemu_watch_begin NAME: a temporary folder in $work (and $dir, for
# spice-watch-lib.sh), with work/qemu for run-qemu.sh; at exit the client
# is killed, QEMU stopped and the folder removed.

qemu_watch_cleanup() {
    [ -n "$watch_pid" ] && kill -KILL "$watch_pid" 2>/dev/null
    bash "$RUN" stop "$work/qemu" >/dev/null 2>&1
    rm -rf "$work"
}

qemu_watch_begin() {
    work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || fail "mktemp"
    dir=$work
    watch_pid=
    mkdir -p "$work/qemu"
    trap qemu_watch_cleanup EXIT
    trap 'exit 1' INT TERM HUP PIPE
}

# QEMU's stderr (our server's log lines) and the client's logs.
dump_logs() {
    for f in "$work"/qemu/qemu.stderr "$work"/watch.log "$work"/watch.err; do
        [ -s "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }
    done
}
die() { dump_logs; fail "$*"; }
