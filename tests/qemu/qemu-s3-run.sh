#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu-s3-run.sh: Debian's QEMU 7.2 runs a real Linux guest (Debian 12's
# kernel, in-tree drm/qxl driver) on a SPICE server library, and the screen a
# real SPICE client sees survives suspend to RAM pixel for pixel.
#
#   (a) SeaBIOS with no disk and no kernel stops at "No bootable device"
#       (VGA text mode): a non-blank screenshot (bios.ppm); then boot Linux
#       three times (--boots); the client's screenshots of the guest's
#       console are not blank and identical (the guest draws a fixed screen,
#       so the rig is deterministic);
#   (a') with --peer DIR (the Debian run's folder): the BIOS and the console
#       screenshots equal, pixel for pixel, the ones the peer run kept
#       (DIR/ref-bios.ppm, DIR/ref-console.ppm, written only once checked);
#       missing there -> skip that comparison, or fail with S3D_REQUIRE_PEERS=1;
#   (b) S3 cycles: guest "suspend" -> QMP status "suspended" -> QMP
#       system_wakeup -> guest "RESUMED" -> screenshot == the one before;
#       the QXL I/Os of each cycle are listed from QEMU's trace; during
#       cycle 1 a persistent client (tests/client/spice-watch.py, display
#       channel) stays connected instead of spicy-screenshot: none of its
#       channels may close, and its snapshot of the final primary after
#       resume must equal its snapshot before suspend (events in
#       watch.jsonl, summary in watch.summary);
#   (c) input: a word typed through the SPICE inputs channel arrives on the
#       guest's qxl VT (spice-type.py, spice-gtk's GLib client).
#   With --driver ours (guest-kms/linux/s3d_qxl.ko instead of the in-kernel
#   qxl, which is then not even in the initramfs):
#   (b'') every suspend's trace has QXL_IO_FLUSH_SURFACES_ASYNC, then
#       QXL_IO_FLUSH_RELEASE, and no NOTIFY_OOM; every resume's has
#       QXL_IO_RESET, MEMSLOT_ADD and CREATE_PRIMARY;
#   (d) the driver's fault parameter (skip-flush-release, stall-io) makes
#       the suspend fail: the guest reports it, QEMU never sleeps, dmesg
#       names the step and the time (at most 2 s), the picture is intact,
#       and a normal cycle works afterwards.
#
# After every boot the libspice-server mapped in the QEMU process
# (/proc/PID/maps) must be the intended one: Debian's libspice-server.so.1
# for --lib debian, $S3D_SPICE_LIBDIR/libspice-server.so.1 for --lib ours.
#
# Usage: qemu-s3-run.sh [--lib debian|ours] [--driver qxl|ours] [--cycles N] [--boots N]
#                       [--work DIR] [--peer DIR]
#   --driver ours needs S3D_QXL_KO (the built guest-kms/linux/s3d_qxl.ko).
#   --lib ours needs S3D_SPICE_LIBDIR (a plain, unsanitized build: Debian's
#   QEMU cannot load an ASan library); run by test-qemu-s3-debian.sh and
#   test-qemu-s3-ours.sh under `make check`.
# Environment:
#   S3D_QEMU_LIB       default for --lib (debian)
#   S3D_GUEST_CACHE    kernel/initramfs cache (default /var/cache/s3display-guest
#                      for root, else ~/.cache/s3display-guest)
#   S3D_QEMU_WORK      artifacts folder (default ./qemu-work-LIB); kept after the run
#   S3D_QEMU_CYCLES    default for --cycles (3)
#   S3D_QEMU_BOOTS     default for --boots (3; at least 2)
#   S3D_REQUIRE_PEERS  1 (or CI=true): a missing peer fails instead of skipping
# Exit: 0 pass, 1 fail, 77 skip (automake).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON:-python3}
CTL="$PY $HERE/qemu-ctl.py"

# Bounds, generous for TCG on 2 cores (measured: boot ~7 s, suspend ~1 s,
# resume ~1 s).
READY_TIMEOUT_S=240
SUSPEND_TIMEOUT_S=60
RESUME_TIMEOUT_S=60
SHOT_TIMEOUT_S=30
TYPE_TIMEOUT_S=30

LIB=${S3D_QEMU_LIB:-debian}
DRIVER=qxl
CYCLES=${S3D_QEMU_CYCLES:-3}
WORK=${S3D_QEMU_WORK:-}
BOOTS=${S3D_QEMU_BOOTS:-3}
PEER=
while [ $# -gt 0 ]; do
    case $1 in
        --lib) LIB=$2; shift 2 ;;
        --lib=*) LIB=${1#--lib=}; shift ;;
        --driver) DRIVER=$2; shift 2 ;;
        --cycles) CYCLES=$2; shift 2 ;;
        --boots) BOOTS=$2; shift 2 ;;
        --work) WORK=$2; shift 2 ;;
        --peer) PEER=$2; shift 2 ;;
        *) echo "usage: $0 [--lib debian|ours] [--driver qxl|ours] [--cycles N] [--boots N] [--work DIR] [--peer DIR]" >&2; exit 1 ;;
    esac
done
[ -n "$WORK" ] || WORK=$PWD/qemu-work-$LIB
[ "$BOOTS" -ge 2 ] 2>/dev/null || { echo "FAIL: --boots must be at least 2"; exit 1; }
# Before anything can skip: a skipped run must not leave an earlier run's
# screenshots behind for a peer run to compare with.
rm -rf "$WORK"

. "$HERE/../lib/peers.sh"

# The one libspice-server.so.1 QEMU must map (symlinks resolved).
case $LIB in
    debian)
        WANT_LIB=
        for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
            if [ -e "$d/libspice-server.so.1" ]; then WANT_LIB=$(readlink -f "$d/libspice-server.so.1"); break; fi
        done
        [ -n "$WANT_LIB" ] || skip "Debian's libspice-server.so.1 missing (libspice-server1)" ;;
    ours)
        [ -n "${S3D_SPICE_LIBDIR:-}" ] || skip "S3D_SPICE_LIBDIR unset (no plain build of our server; ../stack.sh test sets it)"
        [ -e "$S3D_SPICE_LIBDIR/libspice-server.so.1" ] || fail "no libspice-server.so.1 in S3D_SPICE_LIBDIR=$S3D_SPICE_LIBDIR"
        WANT_LIB=$(readlink -f "$S3D_SPICE_LIBDIR/libspice-server.so.1")
        # QEMU is not built with ASan: a sanitized library cannot be loaded.
        if command -v readelf >/dev/null && readelf -d "$WANT_LIB" 2>/dev/null | grep -q 'NEEDED.*lib[a-z]*san'; then
            fail "$WANT_LIB is a sanitized build; S3D_SPICE_LIBDIR must point to an unsanitized one"
        fi ;;
    *) fail "--lib must be debian or ours, not $LIB" ;;
esac

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 missing (Debian qemu-system-x86)"
command -v spicy-screenshot >/dev/null || skip "spicy-screenshot missing (Debian spice-client-gtk)"
command -v "$PY" >/dev/null || skip "python3 missing"
[ -x /bin/busybox ] || skip "busybox missing (Debian busybox-static)"

if [ -z "${S3D_GUEST_CACHE:-}" ]; then
    if [ "$(id -u)" = 0 ]; then S3D_GUEST_CACHE=/var/cache/s3display-guest
    else S3D_GUEST_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/s3display-guest; fi
fi
KO=
case $DRIVER in
    qxl) FBNAME=qxldrmfb ;;
    ours)
        KO=${S3D_QXL_KO:-}
        [ -n "$KO" ] && [ -f "$KO" ] ||
            skip "no s3d_qxl.ko (S3D_QXL_KO=$KO; configure found no linux-headers-amd64?)"
        FBNAME=s3d_qxldrmfb ;;
    *) fail "--driver must be qxl or ours, not $DRIVER" ;;
esac
# The kernel comes from Debian's registry; without it there is no guest.
"$HERE/guest-setup.sh" "$S3D_GUEST_CACHE" $KO || skip "cannot build the guest (apt-get download of the kernel?)"

rm -rf "$WORK"
mkdir -p "$WORK" || fail "cannot create $WORK"
echo "artifacts: $WORK"

VM=
BOOT_PID=
WATCH_PID=
WATCH_FD=
# On any exit: the boot helper (its own process group, so its waiting
# children go with it), then QEMU, both by PID.
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    if [ -n "$BOOT_PID" ]; then kill -TERM -- "-$BOOT_PID" 2>/dev/null; fi
    watch_stop
    if [ -n "$VM" ]; then "$HERE/run-qemu.sh" stop "$VM"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

boot() { # boot NAME [--bios]: start a VM in $WORK/NAME and set VM
    local rc
    VM=$WORK/$1
    # In the background + wait, so that a signal runs the trap at once
    # instead of after the (up to READY_TIMEOUT_S) wait for the guest.
    setsid -w "$HERE/run-qemu.sh" start --lib "$LIB" --ready-timeout "$READY_TIMEOUT_S" \
        ${2:-} "$S3D_GUEST_CACHE" "$VM" </dev/null &
    BOOT_PID=$!
    wait "$BOOT_PID"
    rc=$?
    BOOT_PID=
    [ "$rc" = 0 ] || fail "boot $1 failed (see $VM)"
    echo "boot $1: $(cat "$VM/boot.seconds") s, libspice-server: $(cat "$VM/libspice.path")"
    check_mapped
    if [ "${2:-}" != --bios ]; then
        tr -d '\r' < "$VM/serial.log" | grep -aqx "FB:$FBNAME" ||
            fail "boot $1: the console is not on $FBNAME ($(grep -a '^FB:' "$VM/serial.log"))"
    fi
}

check_mapped() { # every libspice-server QEMU maps must be $WANT_LIB
    local pid libs l
    pid=$(cat "$VM/qemu.pid")
    libs=$(awk '$6 ~ /libspice-server/ { print $6 }' "/proc/$pid/maps" 2>/dev/null | sort -u)
    [ -n "$libs" ] || fail "QEMU $pid maps no libspice-server"
    for l in $libs; do
        [ "$(readlink -f "$l")" = "$WANT_LIB" ] || fail "QEMU $pid maps $l, expected $WANT_LIB"
    done
    echo "QEMU $pid maps $WANT_LIB (--lib $LIB): ok"
}

halt() { # halt: poweroff from the guest, bounded, then make sure QEMU is gone
    local pid i
    pid=$(cat "$VM/qemu.pid")
    $CTL send "$VM/serial.sock" poweroff >/dev/null 2>&1
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    "$HERE/run-qemu.sh" stop "$VM"
    VM=
}

shot() { # shot FILE: a screenshot once the picture is stable (two equal in a row)
    local out=$1 i prev=
    for i in 1 2 3 4 5 6 7 8 9 10; do
        timeout "$SHOT_TIMEOUT_S" spicy-screenshot -h 127.0.0.1 -p "$(cat "$VM/spice.port")" \
            -o "$out.$i.ppm" >/dev/null 2>>"$VM/spicy.log" || fail "spicy-screenshot failed ($out)"
        if [ -n "$prev" ] && cmp -s "$prev" "$out.$i.ppm"; then
            mv "$out.$i.ppm" "$out"; rm -f "$out".*.ppm
            return 0
        fi
        prev=$out.$i.ppm
        sleep 0.5
    done
    fail "screen did not settle ($out)"
}

peer_compare() { # peer_compare WHAT MINE REF-NAME: pixel equality with the peer run
    local what=$1 mine=$2 ref=$PEER/$3 out
    [ -n "$PEER" ] || return 0
    if [ ! -f "$ref" ]; then
        [ "$require_peers" = 1 ] &&
            fail "$what: no $ref (the Debian run was skipped or failed before it; peers required)"
        echo "SKIP (a'): $what: no $ref to compare with (the Debian run was skipped or failed before it)"
        return 0
    fi
    out=$($CTL ppm-diff "$ref" "$mine") ||
        fail "$what: our screenshot differs from Debian's library's: $out ($ref vs $mine)"
    echo "PASS (a'): $what screenshot equals the peer run's pixel for pixel ($ref)"
}

# ---- the persistent client (spice-watch.py) ---------------------------------
WATCH=$HERE/../client/spice-watch.py
WATCH_ID=0
watch_start() { # a spice-watch.py on the display channel, commands through a FIFO
    rm -f "$WORK/watch.in"
    mkfifo "$WORK/watch.in" || fail "mkfifo"
    # --lifetime: a backstop if everything else went wrong.
    /usr/bin/python3 "$WATCH" --port "$(cat "$VM/spice.port")" --channels display --lifetime 300 \
        <"$WORK/watch.in" >>"$WORK/watch.jsonl" 2>>"$WORK/watch.stderr" &
    WATCH_PID=$!
    exec {WATCH_FD}>"$WORK/watch.in"
}
watch_cmd() { # watch_cmd JSON-FIELDS SECS -> the reply line; 1 if none or not ok
    local off line
    WATCH_ID=$((WATCH_ID + 1))
    off=$(stat -c %s "$WORK/watch.jsonl")
    echo "{\"id\":$WATCH_ID,$1}" >&"$WATCH_FD" || return 1
    line=$($CTL wait-log "$WORK/watch.jsonl" "$off" "\"id\": $WATCH_ID[,}]" "$2") || return 1
    echo "$line"
    case $line in *'"ok": true'*) return 0 ;; esac
    return 1
}
watch_field() { # watch_field LINE KEY -> the JSON value
    /usr/bin/python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1]).get(sys.argv[2])))' "$1" "$2"
}
watch_stop() { # quit, bounded, then by PID
    local i
    if [ -n "$WATCH_FD" ]; then
        echo '{"cmd":"quit"}' >&"$WATCH_FD" 2>/dev/null
        exec {WATCH_FD}>&-
        WATCH_FD=
    fi
    if [ -n "$WATCH_PID" ]; then
        for i in $(seq 30); do kill -0 "$WATCH_PID" 2>/dev/null || break; sleep 0.1; done
        kill -TERM "$WATCH_PID" 2>/dev/null
        wait "$WATCH_PID" 2>/dev/null
        WATCH_PID=
    fi
    rm -f "$WORK/watch.in"
}
watch_settled() { # watch_settled FILE: final WxH primary, idle, two equal snapshots in a row
    local i r a b
    for i in 1 2 3 4 5 6; do
        watch_cmd "\"cmd\":\"wait-primary\",\"width\":$W,\"height\":$H,\"timeout\":$SHOT_TIMEOUT_S" \
            $((SHOT_TIMEOUT_S + 5)) >/dev/null || return 1
        watch_cmd '"cmd":"wait-idle","ms":1000,"timeout":20' 25 >/dev/null || return 1
        r=$(watch_cmd "\"cmd\":\"snapshot\",\"path\":\"$1\"" 20) || continue
        a=$(watch_field "$r" sha256)
        sleep 0.5
        r=$(watch_cmd "\"cmd\":\"snapshot\",\"path\":\"$1\"" 20) || continue
        b=$(watch_field "$r" sha256)
        [ "$a" = "$b" ] && return 0
    done
    return 1
}

serial_mark() { stat -c %s "$VM/serial.log"; }
serial_wait() { # serial_wait OFFSET REGEX SECS -> matching line
    $CTL wait-log "$VM/serial.log" "$1" "$2" "$3"
}

io_list() { # io_list TRACE -> the QXL port names written, in order, one per line
    sed -n 's/.*qxl_io_write [0-9]* [a-z]* addr=[0-9]* (\([A-Z_0-9]*\)).*/\1/p' "$1"
}
check_ours_sequence() { # (b''): the seed-004 I/Os of cycle $1, in order
    local c=$1 sus res
    sus=$(io_list "$WORK/s3-$c-suspend.trace" | grep -x 'QXL_IO_FLUSH_SURFACES_ASYNC\|QXL_IO_DESTROY_ALL_SURFACES_ASYNC\|QXL_IO_FLUSH_RELEASE\|QXL_IO_NOTIFY_OOM' | tr '\n' ' ')
    [ "$sus" = "QXL_IO_FLUSH_SURFACES_ASYNC QXL_IO_DESTROY_ALL_SURFACES_ASYNC QXL_IO_FLUSH_RELEASE " ] ||
        fail "cycle $c: suspend I/Os are '$sus', expected FLUSH_SURFACES_ASYNC, DESTROY_ALL_SURFACES_ASYNC, FLUSH_RELEASE and no NOTIFY_OOM"
    res=$(io_list "$WORK/s3-$c-resume.trace" | grep -x 'QXL_IO_RESET\|QXL_IO_MEMSLOT_ADD_ASYNC\|QXL_IO_CREATE_PRIMARY_ASYNC' | uniq | tr '\n' ' ')
    [ "$res" = "QXL_IO_RESET QXL_IO_MEMSLOT_ADD_ASYNC QXL_IO_CREATE_PRIMARY_ASYNC " ] ||
        fail "cycle $c: resume I/Os are '$res', expected RESET, MEMSLOT_ADD_ASYNC, CREATE_PRIMARY_ASYNC"
    echo "PASS (b''): cycle $c: FLUSH_SURFACES_ASYNC, DESTROY_ALL_SURFACES_ASYNC, FLUSH_RELEASE, no NOTIFY_OOM; resume RESET, MEMSLOT_ADD, CREATE_PRIMARY"
}

# ---- (a) SeaBIOS screen, then N boots, same picture --------------------------
T=$(now)
boot bios --bios
shot "$WORK/bios.ppm"
read -r BW BH NCOL FG <<<"$($CTL ppm-info "$WORK/bios.ppm")"
echo "SeaBIOS screenshot: ${BW}x${BH}, $NCOL colours, $FG text pixels"
{ [ "$NCOL" -ge 2 ] && [ "$FG" -ge 1000 ]; } || fail "SeaBIOS screenshot is blank ($NCOL colours, $FG text pixels)"
"$HERE/run-qemu.sh" stop "$VM"
VM=
cp "$WORK/bios.ppm" "$WORK/ref-bios.ppm"
$CTL ppm-to-png "$WORK/bios.ppm" "$WORK/bios.png" 2>/dev/null
peer_compare "SeaBIOS (VGA text)" "$WORK/bios.ppm" ref-bios.ppm

BOOT_TIMES=
for b in $(seq "$BOOTS"); do
    boot "boot$b"
    BOOT_TIMES="$BOOT_TIMES $(cat "$VM/boot.seconds")"
    shot "$WORK/boot$b.ppm"
    if [ "$b" = 1 ]; then
        read -r W H NCOL FG <<<"$($CTL ppm-info "$WORK/boot1.ppm")"
        echo "boot1 screenshot: ${W}x${H}, $NCOL colours, $FG text pixels"
        { [ "$NCOL" -ge 2 ] && [ "$FG" -ge 2000 ]; } || fail "screenshot is blank ($NCOL colours, $FG text pixels)"
    else
        cmp -s "$WORK/boot1.ppm" "$WORK/boot$b.ppm" ||
            fail "boots gave different pictures (boot1.ppm, boot$b.ppm: $($CTL ppm-diff "$WORK/boot1.ppm" "$WORK/boot$b.ppm"))"
    fi
    [ "$b" = "$BOOTS" ] || halt
done
CONSOLE=$WORK/boot$BOOTS.ppm
echo "PASS (a): SeaBIOS screen not blank; $BOOTS boots, identical non-blank console screenshots"
cp "$CONSOLE" "$WORK/ref-console.ppm"
$CTL ppm-to-png "$CONSOLE" "$WORK/console.png" 2>/dev/null
peer_compare "Linux console" "$CONSOLE" ref-console.ppm

# ---- (b) S3 cycles ------------------------------------------------------------
SUSPEND_TIMES=
RESUME_TIMES=
for c in $(seq "$CYCLES"); do
    if [ "$c" = 1 ]; then
        # The persistent client, connected from before suspend to after resume.
        : > "$WORK/watch.jsonl"
        watch_start
        watch_cmd '"cmd":"connect","timeout":30' 35 >/dev/null || fail "watch: cannot connect ($(tail -n3 "$WORK/watch.jsonl"))"
        watch_settled "$WORK/watch-pre.ppm" || fail "watch: no settled ${W}x${H} picture before suspend"
        out=$($CTL ppm-diff "$CONSOLE" "$WORK/watch-pre.ppm") ||
            fail "watch: its picture before suspend differs from spicy-screenshot's: $out"
        st=$(watch_cmd '"cmd":"status"' 10) || fail "watch: status"
        W_CREATES=$(watch_field "$st" primary_creates)
        W_CLOSES=$(watch_field "$st" channel_closes)
        W_OFF=$(stat -c %s "$WORK/watch.jsonl")
        echo "watch: connected (display), ${W}x${H} picture equals the console screenshot; $W_CREATES primary creates so far"
    fi
    t0=$(now)
    tl0=$(wc -l < "$VM/qemu.log")
    off=$(serial_mark)
    $CTL send "$VM/serial.sock" suspend || fail "cycle $c: serial send"
    $CTL wait-status "$VM/qmp.sock" suspended "$SUSPEND_TIMEOUT_S" >/dev/null ||
        fail "cycle $c: QEMU never reported suspended (serial: $(tail -c 300 "$VM/serial.log"))"
    t1=$(now)
    tl1=$(wc -l < "$VM/qemu.log")
    $CTL qmp "$VM/qmp.sock" system_wakeup >/dev/null || fail "cycle $c: system_wakeup"
    line=$(serial_wait "$off" '^(RESUMED|SUSPEND-FAILED)' "$RESUME_TIMEOUT_S") ||
        fail "cycle $c: no RESUMED within ${RESUME_TIMEOUT_S}s"
    [ "$line" = RESUMED ] || fail "cycle $c: guest said $line"
    t2=$(now)
    if [ "$c" = 1 ]; then
        if watch_settled "$WORK/s3-1.ppm"; then post=ok; else post=unsettled; fi
        st=$(watch_cmd '"cmd":"status"' 10) || st='{"connected": false}'
        t3=$(now)
        closes=$(( $(watch_field "$st" channel_closes 2>/dev/null || echo 0) - W_CLOSES ))
        events=$(tail -c +"$((W_OFF + 1))" "$WORK/watch.jsonl" | /usr/bin/python3 -c '
import json, sys
out = []
for l in sys.stdin:
    try: e = json.loads(l)
    except ValueError: continue
    if "event" not in e: continue
    if e["event"] == "primary-create": out.append("create %dx%d" % (e["width"], e["height"]))
    elif e["event"] == "primary-destroy": out.append("destroy")
    elif e["event"] == "channel-closed": out.append("CLOSED %s (%s)" % (e["channel"], e["reason"]))
    elif e["event"] != "mark": out.append(e["event"])
print(", ".join(out) or "none")')
        same=no
        [ "$post" = ok ] && cmp -s "$WORK/watch-pre.ppm" "$WORK/s3-1.ppm" && same=yes
        {
            echo "lib=$LIB"
            echo "channel_closes=$closes"
            echo "connected_after=$(watch_field "$st" connected)"
            echo "post_settled=$post"
            echo "post_equals_pre=$same"
            echo "events=$events"
        } > "$WORK/watch.summary"
        echo "watch: client events during the cycle: $events"
        watch_stop
        [ "$closes" = 0 ] || fail "cycle 1: $closes channel(s) of the connected client closed during suspend/resume ($events)"
        [ "$post" = ok ] || fail "cycle 1: the connected client never got a settled ${W}x${H} picture after resume ($events)"
        [ "$same" = yes ] || fail "cycle 1: the connected client's picture after resume differs from before: $($CTL ppm-diff "$WORK/watch-pre.ppm" "$WORK/s3-1.ppm")"
        echo "PASS (b'): a client connected through suspend/resume kept its display channel, and its picture after resume equals the one before"
    else
        shot "$WORK/s3-$c.ppm"
        t3=$(now)
    fi
    SUSPEND_TIMES="$SUSPEND_TIMES $(elapsed "$t0" "$t1")"
    RESUME_TIMES="$RESUME_TIMES $(elapsed "$t1" "$t2")"
    tl2=$(wc -l < "$VM/qemu.log")
    # The trace of this cycle, split where QEMU said "suspended".
    sed -n "$((tl0 + 1)),${tl1}p" "$VM/qemu.log" > "$WORK/s3-$c-suspend.trace"
    sed -n "$((tl1 + 1)),${tl2}p" "$VM/qemu.log" > "$WORK/s3-$c-resume.trace"
    echo "cycle $c: suspend $(elapsed "$t0" "$t1") s, resume $(elapsed "$t1" "$t2") s, picture settled $(elapsed "$t2" "$t3") s later"
    for ph in suspend resume; do
        echo "  QXL I/Os ($ph): $(sed -n 's/.*qxl_io_write [0-9]* [a-z]* addr=[0-9]* (\([A-Z_0-9]*\)).*/\1/p' \
            "$WORK/s3-$c-$ph.trace" | uniq -c | awk '{ printf "%s%s", sep, $2 ($1 > 1 ? "x" $1 : ""); sep = " " }')"
    done
    # A real S3 wake-up resets every device: QEMU's own qxl hard reset must
    # be in the resume trace, followed by the guest driver's QXL_IO_RESET.
    grep -q 'qxl_hard_reset' "$WORK/s3-$c-resume.trace" ||
        fail "cycle $c: no device reset on wake-up in the trace (was it really S3?)"
    grep -q '(QXL_IO_RESET)' "$WORK/s3-$c-resume.trace" ||
        fail "cycle $c: the guest driver did not issue QXL_IO_RESET on resume"
    grep -h 'qxl_set_guest_bug' "$WORK/s3-$c-suspend.trace" "$WORK/s3-$c-resume.trace" &&
        fail "cycle $c: QEMU flagged a guest bug"
    [ "$DRIVER" = ours ] && check_ours_sequence "$c"
    if ! cmp -s "$CONSOLE" "$WORK/s3-$c.ppm"; then
        $CTL ppm-to-png "$WORK/s3-$c.ppm" "$WORK/s3-$c.png" 2>/dev/null
        fail "cycle $c: picture after resume differs from before ($CONSOLE vs s3-$c.ppm: $($CTL ppm-diff "$CONSOLE" "$WORK/s3-$c.ppm"))"
    fi
done
echo "PASS (b): $CYCLES S3 cycles, screenshots identical to the one before suspend"

# ---- (c) a word typed through SPICE -------------------------------------------
WORD=s3display42
type_rc=0
/usr/bin/python3 -c 'import gi; gi.require_version("SpiceClientGLib", "2.0")' 2>/dev/null || type_rc=77
if [ "$type_rc" = 77 ]; then
    [ "$require_peers" = 1 ] &&
        fail "input: spice-gtk GObject bindings missing (Debian python3-gi gir1.2-spiceclientglib-2.0)"
    echo "SKIP (c): spice-gtk GObject bindings missing (python3-gi gir1.2-spiceclientglib-2.0)"
else
    off=$(serial_mark)
    $CTL send "$VM/serial.sock" type || fail "input: serial send"
    serial_wait "$off" '^TYPE-WAITING' 20 >/dev/null || fail "input: guest not reading its VT"
    /usr/bin/python3 "$HERE/spice-type.py" 127.0.0.1 "$(cat "$VM/spice.port")" "$WORD" "$TYPE_TIMEOUT_S" ||
        fail "input: spice-type.py failed"
    line=$(serial_wait "$off" '^TYPED:' "$TYPE_TIMEOUT_S") || fail "input: guest never got a line"
    [ "$line" = "TYPED:$WORD" ] || fail "input: guest read '${line#TYPED:}', sent '$WORD'"
    # Echo is off on the VT, so typing must not change the picture.
    shot "$WORK/typed.ppm"
    cmp -s "$CONSOLE" "$WORK/typed.ppm" || fail "input: picture changed after typing"
    echo "PASS (c): '$WORD' typed through the SPICE inputs channel reached the guest VT"
fi

# ---- (d) our driver's fault parameter: an aborted suspend, reported -----------
if [ "$DRIVER" = ours ]; then
    for f in skip-flush-release stall-io; do
        off=$(serial_mark)
        $CTL send "$VM/serial.sock" "fault $f" || fail "fault $f: serial send"
        line=$(serial_wait "$off" '^FAULT' 20) || fail "fault $f: no answer"
        [ "$line" = "FAULT:$f" ] || fail "fault $f: guest said $line"
        $CTL send "$VM/serial.sock" suspend || fail "fault $f: serial send"
        line=$(serial_wait "$off" '^(RESUMED|SUSPEND-FAILED)' "$SUSPEND_TIMEOUT_S") ||
            fail "fault $f: the guest never reported the suspend's end"
        [ "$line" = SUSPEND-FAILED ] || fail "fault $f: the suspend did not fail ($line)"
        st=$($CTL status "$VM/qmp.sock")
        [ "$st" = running ] || fail "fault $f: QEMU is $st, expected running"
        off=$(serial_mark)
        $CTL send "$VM/serial.sock" dmesg || fail "fault $f: serial send"
        serial_wait "$off" '^DMESG-END' 20 >/dev/null || fail "fault $f: no dmesg"
        msg=$(tail -c +"$((off + 1))" "$VM/serial.log" | grep -a 'suspend aborted at step' | tail -n 1)
        [ -n "$msg" ] || fail "fault $f: no 'suspend aborted at step' line in dmesg"
        ms=$(echo "$msg" | sed -n 's/.* after \([0-9]*\) ms.*/\1/p')
        [ -n "$ms" ] && [ "$ms" -le 2000 ] || fail "fault $f: aborted after ${ms:-?} ms (more than 2 s): $msg"
        shot "$WORK/fault-$f.ppm"
        cmp -s "$CONSOLE" "$WORK/fault-$f.ppm" ||
            fail "fault $f: picture after the aborted suspend differs: $($CTL ppm-diff "$CONSOLE" "$WORK/fault-$f.ppm")"
        echo "PASS (d): fault $f: suspend aborted in $ms ms, reported as '${msg#*\] }', picture intact"
    done
    off=$(serial_mark)
    $CTL send "$VM/serial.sock" "fault none" >/dev/null
    serial_wait "$off" '^FAULT:none' 20 >/dev/null || fail "fault none: no answer"
    $CTL send "$VM/serial.sock" suspend || fail "after the faults: serial send"
    $CTL wait-status "$VM/qmp.sock" suspended "$SUSPEND_TIMEOUT_S" >/dev/null ||
        fail "after the faults: QEMU never reported suspended"
    $CTL qmp "$VM/qmp.sock" system_wakeup >/dev/null || fail "after the faults: system_wakeup"
    line=$(serial_wait "$off" '^(RESUMED|SUSPEND-FAILED)' "$RESUME_TIMEOUT_S") || fail "after the faults: no RESUMED"
    [ "$line" = RESUMED ] || fail "after the faults: guest said $line"
    shot "$WORK/after-faults.ppm"
    cmp -s "$CONSOLE" "$WORK/after-faults.ppm" || fail "after the faults: picture differs after a normal cycle"
    echo "PASS (d): after the faults a normal S3 cycle works and the picture is intact"
fi

check_mapped
halt
# shellcheck disable=SC2086 # word splitting wanted
echo "medians: boot $($CTL median $BOOT_TIMES) s ($BOOTS boots:$BOOT_TIMES)," \
    "suspend $($CTL median $SUSPEND_TIMES) s, resume $($CTL median $RESUME_TIMES) s ($CYCLES cycles:$SUSPEND_TIMES /$RESUME_TIMES)"
echo "total: $(elapsed "$T" "$(now)") s"
echo "PASS"
exit 0
