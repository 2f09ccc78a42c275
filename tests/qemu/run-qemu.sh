#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run-qemu.sh: Debian's QEMU 7.2 with a qxl VGA, SPICE on 127.0.0.1 and the
# guest from guest-setup.sh, for the real-QEMU tests.
#
#   run-qemu.sh start [--lib ours|debian] [--port P] [--ready-timeout S] [--bios] [--tls X509_DIR]
#                     [--sasl] CACHE_DIR WORK_DIR
#   run-qemu.sh stop WORK_DIR
#
# start: boots the guest in the background and returns once the guest printed
# GUEST-READY on its serial port (bounded), or fails and stops QEMU.
# --bios       : no kernel and no disk: SeaBIOS stops at its fixed "No bootable
#                device" screen (VGA text mode); its output is mirrored on the
#                debug port 0x402 into WORK_DIR/bios.log, and start returns
#                once that line is there (the cursor is then switched off
#                through the VGA CRTC so that its blink cannot change the
#                picture). SeaBIOS reboots after 60 s and -no-reboot makes
#                QEMU exit then: take the screenshot before.
# --tls DIR    : SPICE on a TLS port only (tls-port=, x509-dir=DIR as
#                tests/server/tls-certs.sh makes it, tls-channel=default,
#                tls-ciphers=): spice.port holds that port.
# --tls-mixed DIR: a plain port (spice.port) and a TLS port (spice.tls-port),
#                main TLS-only (tls-channel=main), display plain-only
#                (plaintext-channel=display).
# --sasl       : sasl=on (Cyrus SASL, appname "qemu": qemu.conf in the folder
#                $SASL_CONF_PATH names, which the caller sets up).
# --lib ours   : LD_LIBRARY_PATH=$S3D_SPICE_LIBDIR, and /proc/PID/maps must
#                show libspice-server.so.1 from that directory (else fail);
# --lib debian : the system libspice-server1.
# Files in WORK_DIR: qemu.pid, spice.port, qmp.sock, serial.sock, serial.log
# (everything the guest printed), qemu.log (stderr + qxl trace events),
# libspice.path, qemu.cmdline, boot.seconds.
#
# stop: QMP quit, bounded wait, then SIGTERM/SIGKILL by PID.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
CTL="python3 $HERE/qemu-ctl.py"
QEMU=${QEMU:-qemu-system-x86_64}

die() { echo "run-qemu: $*" >&2; exit 1; }

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

stop_qemu() {
    local work=$1 pid
    # qemu.pid.qemu (QEMU's own -pidfile) covers a start interrupted
    # before qemu.pid was written.
    pid=$(cat "$work/qemu.pid" 2>/dev/null || cat "$work/qemu.pid.qemu" 2>/dev/null) || return 0
    # A stale pid file must not make us signal whatever reuses the PID.
    case $(cat "/proc/$pid/comm" 2>/dev/null) in
        qemu-system*) ;;
        *) rm -f "$work/qemu.pid" "$work/qemu.pid.qemu"; return 0 ;;
    esac
    if pid_alive "$pid"; then
        $CTL qmp "$work/qmp.sock" quit >/dev/null 2>&1
        # Bounded: 5 s for a clean exit, then TERM, then KILL.
        for _ in $(seq 50); do pid_alive "$pid" || break; sleep 0.1; done
        if pid_alive "$pid"; then kill -TERM "$pid" 2>/dev/null; sleep 1; fi
        if pid_alive "$pid"; then kill -KILL "$pid" 2>/dev/null; sleep 0.2; fi
    fi
    rm -f "$work/qemu.pid" "$work/qemu.pid.qemu"
}

cmd=${1:-}
shift || true
case $cmd in
stop)
    [ $# -eq 1 ] || die "usage: $0 stop WORK_DIR"
    stop_qemu "$1"
    exit 0 ;;
start) ;;
*) die "usage: $0 start|stop ..." ;;
esac

LIB=debian
PORT=
BIOS=0
TLS_DIR=
TLS_MIXED=0
SASL=0
READY_TIMEOUT=${S3D_READY_TIMEOUT:-240}
while [ $# -gt 0 ]; do
    case $1 in
        --lib) LIB=$2; shift 2 ;;
        --lib=*) LIB=${1#--lib=}; shift ;;
        --port) PORT=$2; shift 2 ;;
        --ready-timeout) READY_TIMEOUT=$2; shift 2 ;;
        --bios) BIOS=1; shift ;;
        --tls) TLS_DIR=$2; shift 2 ;;
        --tls-mixed) TLS_DIR=$2; TLS_MIXED=1; shift 2 ;;
        --sasl) SASL=1; shift ;;
        --) shift; break ;;
        -*) die "unknown option $1" ;;
        *) break ;;
    esac
done
[ $# -eq 2 ] || die "usage: $0 start [--lib ours|debian] [--port P] CACHE_DIR WORK_DIR"
CACHE=$(cd "$1" && pwd) || die "no cache dir $1"
mkdir -p "$2" || die "cannot create $2"
WORK=$(cd "$2" && pwd)
if [ "$BIOS" = 0 ] && { [ ! -f "$CACHE/vmlinuz" ] || [ ! -f "$CACHE/initrd.img" ]; }; then
    die "run guest-setup.sh $CACHE first"
fi

case $LIB in
    debian) unset LD_LIBRARY_PATH; EXPECT_DIR= ;;
    ours)
        [ -n "${S3D_SPICE_LIBDIR:-}" ] || die "--lib ours needs S3D_SPICE_LIBDIR"
        [ -e "$S3D_SPICE_LIBDIR/libspice-server.so.1" ] ||
            die "no libspice-server.so.1 in $S3D_SPICE_LIBDIR"
        EXPECT_DIR=$(cd "$S3D_SPICE_LIBDIR" && pwd -P)
        export LD_LIBRARY_PATH=$EXPECT_DIR ;;
    *) die "--lib must be ours or debian" ;;
esac

stop_qemu "$WORK"
rm -f "$WORK/qmp.sock" "$WORK/serial.sock" "$WORK/serial.log" "$WORK/qemu.log" \
      "$WORK/libspice.path" "$WORK/boot.seconds" "$WORK/bios.log"
[ -n "$PORT" ] || PORT=$($CTL free-port) || die "no free port"
echo "$PORT" > "$WORK/spice.port"

# Trace: Debian builds QEMU with the "log" trace backend, so events go to the
# -D log file, not to a simpletrace binary file (-trace file= is ignored);
# -msg timestamp=on prefixes each event with pid@seconds.
# qxl_io_write is the one event per guest I/O port write; the reset/primary/
# guest-bug events give the context around it.
cat > "$WORK/trace-events" <<'TEV'
qxl_io*
qxl_hard_reset
qxl_soft_reset
qxl_create_guest_primary
qxl_destroy_primary
qxl_set_guest_bug
qxl_spice_destroy_surfaces
qxl_spice_flush_surfaces_async
qxl_spice_update_area
qxl_memslot_add_guest
qxl_enter_vga_mode
qxl_exit_vga_mode
TEV

# Kernel command line: serial console only (printk never reaches the qxl VT),
# quiet, no cursor, S3 = "deep", serial kept alive across suspend for the
# command channel; panic -> reboot -> -no-reboot makes QEMU exit.
APPEND="console=ttyS0,115200 quiet loglevel=${S3D_GUEST_LOGLEVEL:-0} vt.global_cursor_default=0"
APPEND="$APPEND no_console_suspend mem_sleep_default=deep panic=-1 8250.nr_uarts=1 tsc=unstable"

SPICE_OPT="port=$PORT,addr=127.0.0.1,disable-ticketing=on"
if [ -n "$TLS_DIR" ]; then
    SPICE_OPT="tls-port=$PORT,addr=127.0.0.1,disable-ticketing=on,x509-dir=$TLS_DIR"
    SPICE_OPT="$SPICE_OPT,tls-channel=default,tls-ciphers=ECDHE-RSA-AES256-GCM-SHA384:DEFAULT"
fi
if [ "$TLS_MIXED" = 1 ]; then
    TLS_PORT=$($CTL free-port) || die "no free port"
    echo "$TLS_PORT" > "$WORK/spice.tls-port"
    SPICE_OPT="port=$PORT,tls-port=$TLS_PORT,addr=127.0.0.1,disable-ticketing=on,x509-dir=$TLS_DIR"
    SPICE_OPT="$SPICE_OPT,tls-channel=main,plaintext-channel=display"
fi
[ "$SASL" = 1 ] && SPICE_OPT="$SPICE_OPT,sasl=on"
# The tests compare the client's picture with the guest's, pixel for pixel:
# no JPEG, even if the link test of a loaded machine ever measured loopback
# slow (jpeg-wan-compression=auto would then allow it; zlib over GLZ, which
# is lossless, keeps its default).
SPICE_OPT="$SPICE_OPT,jpeg-wan-compression=never"
# shellcheck disable=SC2054 # the commas are QEMU's option syntax
ARGS=(
    -machine pc,accel=tcg -m 512 -smp 1
    -nodefaults -no-user-config -no-reboot
    -vga qxl
    -spice "$SPICE_OPT"
    -display none
    -monitor none
    -qmp "unix:$WORK/qmp.sock,server=on,wait=off"
    -chardev "socket,id=ser0,path=$WORK/serial.sock,server=on,wait=off,logfile=$WORK/serial.log"
    -serial chardev:ser0
    -global PIIX4_PM.disable_s3=0
    -trace "events=$WORK/trace-events"
    -D "$WORK/qemu.log"
    -msg timestamp=on
    -pidfile "$WORK/qemu.pid.qemu"
)
if [ "$BIOS" = 1 ]; then
    ARGS+=(-chardev "file,id=dbg,path=$WORK/bios.log" -device isa-debugcon,iobase=0x402,chardev=dbg)
else
    ARGS+=(-kernel "$CACHE/vmlinuz" -initrd "$CACHE/initrd.img" -append "$APPEND")
fi
printf '%q ' env LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}" "$QEMU" "${ARGS[@]}" > "$WORK/qemu.cmdline"
echo >> "$WORK/qemu.cmdline"

T0=$(date +%s.%N)
# setsid: QEMU must not get the test's terminal signals; we stop it by PID.
setsid "$QEMU" "${ARGS[@]}" </dev/null >>"$WORK/qemu.stdout" 2>>"$WORK/qemu.stderr" &
PID=$!
echo "$PID" > "$WORK/qemu.pid"

fail() { echo "run-qemu: $*" >&2; stop_qemu "$WORK"; exit 1; }

# Which libspice-server did the dynamic linker map? (It is a direct
# dependency of the QEMU binary, so it is mapped before main() runs.)
MAPPED=
for _ in $(seq 100); do
    pid_alive "$PID" || fail "QEMU exited at start; see $WORK/qemu.stderr: $(tail -n3 "$WORK/qemu.stderr")"
    MAPPED=$(awk '$6 ~ /libspice-server\.so/ { print $6; exit }' "/proc/$PID/maps" 2>/dev/null)
    [ -n "$MAPPED" ] && [ -S "$WORK/qmp.sock" ] && break
    sleep 0.1
done
[ -n "$MAPPED" ] || fail "no libspice-server mapped in QEMU $PID"
REAL=$(readlink -f "$MAPPED")
echo "$REAL" > "$WORK/libspice.path"
echo "run-qemu: QEMU pid $PID, SPICE 127.0.0.1:$PORT, libspice-server: $REAL"
if [ "$LIB" = ours ]; then
    case $REAL in
        "$EXPECT_DIR"/*) ;;
        *) fail "--lib ours requested but QEMU mapped $REAL (expected under $EXPECT_DIR)" ;;
    esac
fi

if [ "$BIOS" = 1 ]; then
    $CTL wait-log "$WORK/bios.log" 0 'No bootable device' "$READY_TIMEOUT" >/dev/null ||
        fail "SeaBIOS never said 'No bootable device' within ${READY_TIMEOUT}s; bios.log tail: $(tail -n3 "$WORK/bios.log" 2>/dev/null)"
    # VGA CRTC index 0x0a (cursor start), bit 5 = cursor off; SeaBIOS does
    # not touch it while it waits to retry.
    $CTL qmp "$WORK/qmp.sock" human-monitor-command '{"command-line":"o /b 0x3d4 0x0a"}' >/dev/null &&
        $CTL qmp "$WORK/qmp.sock" human-monitor-command '{"command-line":"o /b 0x3d5 0x20"}' >/dev/null ||
        fail "cannot switch the VGA cursor off"
    T1=$(date +%s.%N)
    awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.1f\n", b - a }' > "$WORK/boot.seconds"
    echo "run-qemu: SeaBIOS at 'No bootable device' after $(cat "$WORK/boot.seconds") s"
    exit 0
fi

# Bounded wait for the guest: TCG boot of a distro kernel takes a while.
if ! $CTL wait-log "$WORK/serial.log" 0 '^GUEST-READY' "$READY_TIMEOUT" >/dev/null; then
    pid_alive "$PID" || fail "QEMU died during boot"
    fail "no GUEST-READY within ${READY_TIMEOUT}s; serial tail: $(tail -n5 "$WORK/serial.log" 2>/dev/null)"
fi
T1=$(date +%s.%N)
awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.1f\n", b - a }' > "$WORK/boot.seconds"
grep -q '^INSMOD-FAILED\|^NO-FB0' "$WORK/serial.log" && fail "guest: $(grep '^INSMOD-FAILED\|^NO-FB0' "$WORK/serial.log")"
echo "run-qemu: guest ready after $(cat "$WORK/boot.seconds") s ($(grep -a '^FB:' "$WORK/serial.log" | head -n1))"
exit 0
