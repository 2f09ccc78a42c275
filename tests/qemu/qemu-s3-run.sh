#!/bin/bash
# qemu-s3-run.sh: Debian's QEMU 7.2 runs a real Linux guest (Debian 12's
# kernel, in-tree drm/qxl driver) on a SPICE server library, and the screen a
# real SPICE client sees survives suspend to RAM pixel for pixel.
#
#   (a) boot twice; the client's screenshots are not blank and identical
#       (the guest draws a fixed screen, so the rig is deterministic);
#   (b) S3 cycles: guest "suspend" -> QMP status "suspended" -> QMP
#       system_wakeup -> guest "RESUMED" -> screenshot == the one before;
#       the QXL I/Os of each cycle are listed from QEMU's trace;
#   (c) input: a word typed through the SPICE inputs channel arrives on the
#       guest's qxl VT (spice-type.py, spice-gtk's GLib client).
#
# After every boot the libspice-server mapped in the QEMU process
# (/proc/PID/maps) must be the intended one: Debian's libspice-server.so.1
# for --lib debian, $S3D_SPICE_LIBDIR/libspice-server.so.1 for --lib ours.
#
# Usage: qemu-s3-run.sh [--lib debian|ours] [--cycles N] [--work DIR]
#   --lib ours needs S3D_SPICE_LIBDIR (a plain, unsanitized build: Debian's
#   QEMU cannot load an ASan library); run by test-qemu-s3-debian.sh and
#   test-qemu-s3-ours.sh under `make check`.
# Environment:
#   S3D_QEMU_LIB       default for --lib (debian)
#   S3D_GUEST_CACHE    kernel/initramfs cache (default /var/cache/s3display-guest
#                      for root, else ~/.cache/s3display-guest)
#   S3D_QEMU_WORK      artifacts folder (default ./qemu-work-LIB); kept after the run
#   S3D_QEMU_CYCLES    default for --cycles (3)
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
CYCLES=${S3D_QEMU_CYCLES:-3}
WORK=${S3D_QEMU_WORK:-}
while [ $# -gt 0 ]; do
    case $1 in
        --lib) LIB=$2; shift 2 ;;
        --lib=*) LIB=${1#--lib=}; shift ;;
        --cycles) CYCLES=$2; shift 2 ;;
        --work) WORK=$2; shift 2 ;;
        *) echo "usage: $0 [--lib debian|ours] [--cycles N] [--work DIR]" >&2; exit 1 ;;
    esac
done
[ -n "$WORK" ] || WORK=$PWD/qemu-work-$LIB

require_peers=0
if [ "${S3D_REQUIRE_PEERS:-0}" = 1 ] || [ "${CI:-}" = true ]; then require_peers=1; fi

fail() { echo "FAIL: $*"; exit 1; }
skip() {
    [ "$require_peers" = 1 ] && fail "$* (peers required)"
    echo "SKIP: $*"
    exit 77
}

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
# The kernel comes from Debian's registry; without it there is no guest.
"$HERE/guest-setup.sh" "$S3D_GUEST_CACHE" || skip "cannot build the guest (apt-get download of the kernel?)"

rm -rf "$WORK"
mkdir -p "$WORK" || fail "cannot create $WORK"
echo "artifacts: $WORK"

VM=
BOOT_PID=
# On any exit: the boot helper (its own process group, so its waiting
# children go with it), then QEMU, both by PID.
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    if [ -n "$BOOT_PID" ]; then kill -TERM -- "-$BOOT_PID" 2>/dev/null; fi
    if [ -n "$VM" ]; then "$HERE/run-qemu.sh" stop "$VM"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

boot() { # boot NAME: start a VM in $WORK/NAME and set VM
    local rc
    VM=$WORK/$1
    # In the background + wait, so that a signal runs the trap at once
    # instead of after the (up to READY_TIMEOUT_S) wait for the guest.
    setsid -w "$HERE/run-qemu.sh" start --lib "$LIB" --ready-timeout "$READY_TIMEOUT_S" \
        "$S3D_GUEST_CACHE" "$VM" </dev/null &
    BOOT_PID=$!
    wait "$BOOT_PID"
    rc=$?
    BOOT_PID=
    [ "$rc" = 0 ] || fail "boot $1 failed (see $VM)"
    echo "boot $1: $(cat "$VM/boot.seconds") s, libspice-server: $(cat "$VM/libspice.path")"
    check_mapped
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

serial_mark() { stat -c %s "$VM/serial.log"; }
serial_wait() { # serial_wait OFFSET REGEX SECS -> matching line
    $CTL wait-log "$VM/serial.log" "$1" "$2" "$3"
}

# ---- (a) two boots, same picture ------------------------------------------
T=$(now)
boot boot1
shot "$WORK/boot1.ppm"
read -r W H NCOL FG <<<"$($CTL ppm-info "$WORK/boot1.ppm")"
echo "boot1 screenshot: ${W}x${H}, $NCOL colours, $FG text pixels"
{ [ "$NCOL" -ge 2 ] && [ "$FG" -ge 2000 ]; } || fail "screenshot is blank ($NCOL colours, $FG text pixels)"
halt

boot boot2
shot "$WORK/boot2.ppm"
cmp -s "$WORK/boot1.ppm" "$WORK/boot2.ppm" || fail "two boots gave different pictures (boot1.ppm, boot2.ppm)"
echo "PASS (a): two boots, identical non-blank screenshots"
$CTL ppm-to-png "$WORK/boot2.ppm" "$WORK/boot2.png" 2>/dev/null

# ---- (b) S3 cycles ------------------------------------------------------------
for c in $(seq "$CYCLES"); do
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
    shot "$WORK/s3-$c.ppm"
    t3=$(now)
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
    if ! cmp -s "$WORK/boot2.ppm" "$WORK/s3-$c.ppm"; then
        $CTL ppm-to-png "$WORK/s3-$c.ppm" "$WORK/s3-$c.png" 2>/dev/null
        fail "cycle $c: picture after resume differs from before (boot2.ppm vs s3-$c.ppm)"
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
    cmp -s "$WORK/boot2.ppm" "$WORK/typed.ppm" || fail "input: picture changed after typing"
    echo "PASS (c): '$WORD' typed through the SPICE inputs channel reached the guest VT"
fi

check_mapped
halt
echo "total: $(elapsed "$T" "$(now)") s"
echo "PASS"
exit 0
