#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest-setup.sh CACHE_DIR [KO]
#
# With KO (our s3d_qxl.ko), the initramfs loads that driver and its
# dependencies instead of the in-kernel qxl.
# Builds the guest for the real-QEMU tests: Debian 12's own kernel (the one
# tests/lib/guest-kernel.sh picks: KO's, else the installed headers', so the
# guest runs the in-tree drm/qxl driver users run) and a busybox initramfs that shows a fixed screen on the
# qxl framebuffer console and takes commands on the serial port.
#
# Output: CACHE_DIR/vmlinuz, CACHE_DIR/initrd.img, CACHE_DIR/kernel-version.
# Idempotent: the kernel .deb is downloaded once; the initramfs is rebuilt only
# when this script or the busybox binary is newer than it.
#
# Needs: apt-get (Debian's registry), dpkg, busybox-static, gzip (xz/zstd only
# if a future kernel ships compressed modules).
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 CACHE_DIR [KO]" >&2
    exit 2
fi
CACHE=$1
KO=${2:-}
if [ -n "$KO" ]; then
    [ -f "$KO" ] || { echo "guest-setup: no module $KO" >&2; exit 1; }
    KO=$(cd "$(dirname "$KO")" && pwd)/$(basename "$KO")
fi
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
# Two test runs (e.g. --lib debian and --lib ours under make -j) may share the
# cache: one builds, the other waits (bounded) and then finds it up to date.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$CACHE/.lock"
    flock -w 600 9 || { echo "guest-setup: cache $CACHE locked for 10 min" >&2; exit 1; }
fi

BUSYBOX=/bin/busybox
# The initramfs has no libc, so it needs busybox-static's binary.
if [ ! -x "$BUSYBOX" ] || ! LC_ALL=C ldd "$BUSYBOX" 2>&1 | grep -q 'not a dynamic'; then
    echo "guest-setup: need a static $BUSYBOX (apt-get install busybox-static)" >&2
    exit 1
fi

# --- 1. the kernel package -------------------------------------------------
# The kernel the module was built for, or the installed headers' kernel, or
# Debian 12's current one (tests/lib/guest-kernel.sh says why).
. "$(dirname "$SELF")/../lib/guest-kernel.sh"
. "$(dirname "$SELF")/../lib/registry.sh"
KPKG=$(guest_kernel_pkg "$KO") || KPKG=
if [ -z "$KPKG" ]; then
    # No apt lists and no network: fall back to what we downloaded earlier.
    KPKG=$(cd "$CACHE" && ls linux-image-6.1*-amd64_*.deb 2>/dev/null |
           sed 's/_.*//' | sort | tail -n1)
fi
if [ -z "$KPKG" ]; then
    echo "guest-setup: cannot resolve linux-image-amd64 (run apt-get update)" >&2
    exit 1
fi
DEB=$(cd "$CACHE" && ls "${KPKG}"_*.deb 2>/dev/null | tail -n1 || true)
if [ -z "$DEB" ]; then
    # apt-get download writes into the current directory. As root it warns
    # that _apt cannot access the folder; harmless.
    (cd "$CACHE" && registry_try_twice apt-get download "$KPKG" >/dev/null 2>&1) || {
        echo "guest-setup: apt-get download $KPKG failed (not in the apt lists? apt-get update &&" \
            "apt-get install linux-headers-amd64, then rebuild)" >&2
        exit 1
    }
    DEB=$(cd "$CACHE" && ls "${KPKG}"_*.deb | tail -n1)
fi
# --- 2. is the guest current? ---------------------------------------------
INITRD=$CACHE/initrd.img
if [ -f "$INITRD" ] && [ -f "$CACHE/vmlinuz" ] &&
   [ "$(cat "$CACHE/built-from" 2>/dev/null)" = "$DEB" ] &&
   [ "$(cat "$CACHE/built-with" 2>/dev/null)" = "${KO:-qxl}" ] &&
   { [ -z "$KO" ] || [ "$INITRD" -nt "$KO" ]; } &&
   [ "$INITRD" -nt "$SELF" ] && [ "$INITRD" -nt "$BUSYBOX" ]; then
    echo "guest-setup: up to date ($(cat "$CACHE/kernel-version"))"
    exit 0
fi
# The unpacked package is 400 MB; it lives only while we build (the .deb
# stays, so a rebuild needs no network).
ROOT=$CACHE/kernel-root
rm -rf "$ROOT" "$CACHE/built-from"
mkdir -p "$ROOT"
dpkg -x "$CACHE/$DEB" "$ROOT"
KVER=$(ls "$ROOT/lib/modules" | head -n1)
MODDIR=$ROOT/lib/modules/$KVER
cp -f "$ROOT/boot/vmlinuz-$KVER" "$CACHE/vmlinuz.tmp"
mv -f "$CACHE/vmlinuz.tmp" "$CACHE/vmlinuz"
echo "$KVER" > "$CACHE/kernel-version"

# --- 3. module closure ----------------------------------------------------
# The .deb has no modules.dep (depmod runs at install time) and the host may
# have no kmod, so read each module's own "depends=" entry from its .modinfo
# section: the strings in that section are NUL separated.
INDEX=$CACHE/modules.index.tmp
# One find for all lookups: "name path" lines, '-' folded to '_' as kmod does.
(cd "$MODDIR" && find kernel -name '*.ko*') |
    awk -F/ '{ n = $NF; sub(/\.ko.*$/, "", n); gsub(/-/, "_", n); print n, $0 }' > "$INDEX"
modpath() { # module name -> path relative to MODDIR
    awk -v n="$(echo "$1" | tr '-' '_')" '$1 == n { print $2; exit }' "$INDEX"
}
moddeps() { # path -> its dependencies, comma list turned into words
    case $1 in
        *.xz) xz -dc "$MODDIR/$1" ;;
        *.zst) zstd -dc "$MODDIR/$1" ;;
        *) cat "$MODDIR/$1" ;;
    esac | tr '\0' '\n' | sed -n 's/^depends=//p' | head -n1 | tr ',' ' '
}
ORDER=$CACHE/modules.order.tmp
: > "$ORDER"
# Depth-first: a module is appended after all its dependencies, so insmod in
# file order always finds its symbols. `local` keeps
# the recursion from clobbering the caller's variables.
visit() {
    local p d
    p=$(modpath "$1")
    if [ -z "$p" ]; then
        # Built in: nothing to load.
        if grep -q "/$1\.ko" "$MODDIR/modules.builtin" 2>/dev/null; then return 0; fi
        echo "guest-setup: module $1 not found" >&2; exit 1
    fi
    grep -qx "$p" "$ORDER" && return 0
    for d in $(moddeps "$p"); do visit "$d"; done
    grep -qx "$p" "$ORDER" || echo "$p" >> "$ORDER"
}
if [ -z "$KO" ]; then
    # qxl pulls drm, drm_kms_helper, drm_ttm_helper, ttm through its depends=.
    visit qxl
else
    # Our driver's own depends= (drm, drm_kms_helper, drm_shmem_helper).
    for d in $(objcopy -O binary --only-section=.modinfo "$KO" /dev/stdout | tr '\0' '\n' |
               sed -n 's/^depends=//p' | tr ',' ' '); do
        visit "$d"
    done
fi

# --- 4. the initramfs tree ------------------------------------------------
TREE=$CACHE/initramfs
rm -rf "$TREE"
mkdir -p "$TREE/bin" "$TREE/proc" "$TREE/sys" "$TREE/dev" "$TREE/tmp" "$TREE/lib/modules"
cp "$BUSYBOX" "$TREE/bin/busybox"
for a in sh mount insmod sleep cat echo printf stty dmesg poweroff sync ls setsid grep; do
    ln -s busybox "$TREE/bin/$a"
done
: > "$TREE/modules.list"
while read -r p; do
    b=$(basename "$p")
    case $b in
        # busybox insmod cannot read compressed modules; store them plain.
        *.ko.xz) xz -dc "$MODDIR/$p" > "$TREE/lib/modules/${b%.xz}"; b=${b%.xz} ;;
        *.ko.zst) zstd -dc "$MODDIR/$p" > "$TREE/lib/modules/${b%.zst}"; b=${b%.zst} ;;
        *) cp "$MODDIR/$p" "$TREE/lib/modules/$b" ;;
    esac
    echo "$b" >> "$TREE/modules.list"
done < "$ORDER"
rm -f "$ORDER" "$INDEX"
if [ -n "$KO" ]; then
    cp "$KO" "$TREE/lib/modules/s3d_qxl.ko"
    echo s3d_qxl.ko >> "$TREE/modules.list"
fi

# The screen text is fixed (no dates, counters or versions) so two boots give
# the same picture and a screenshot before and after S3 can be compared
# byte for byte.
cat > "$TREE/screen.txt" <<'SCREEN'
 s3display real-QEMU test guest
 ==============================

 This screen is drawn once by /init on the qxl framebuffer console
 and must look the same before and after every suspend to RAM.

   0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz
   !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~

 ########################################################
 #                                                      #
 #   qxl  drm  ttm  fbcon  S3  SPICE                    #
 #                                                      #
 ########################################################

SCREEN

cat > "$TREE/init" <<'INIT'
#!/bin/sh
# PID 1 of the test guest. Commands arrive on ttyS0, one per line; replies go
# back on ttyS0. The qxl VT (tty1) only ever shows screen.txt.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# Keep printk off the VT even if a console=tty0 sneaks in.
dmesg -n 1
S=/dev/ttyS0
# Canonical mode keeps `read` line based; no echo so the host only reads replies.
stty -F $S -echo 2>/dev/null || stty -echo < $S
say() { echo "$*" > $S; }

for m in $(cat /modules.list); do
    insmod /lib/modules/$m || say "INSMOD-FAILED:$m"
done
# fbcon binds to the first framebuffer as soon as qxl registers it (no
# deferred takeover in Debian's config); wait for it with a bound.
n=0
while [ ! -e /sys/class/graphics/fb0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done
[ -e /sys/class/graphics/fb0 ] || say "NO-FB0"
say "FB:$(cat /sys/class/graphics/fb0/name 2>/dev/null)"
# No blinking cursor: a blink phase would make screenshots differ.
echo 0 > /sys/class/graphics/fbcon/cursor_blink 2>/dev/null
# S3 ("deep") rather than s2idle, which QEMU would not see as a suspend.
echo deep > /sys/power/mem_sleep 2>/dev/null

draw() {
    # ESC c: full reset; then clear, home, hide cursor, print the fixed text.
    printf '\033c\033[H\033[2J\033[?25l' > /dev/tty1
    cat /screen.txt > /dev/tty1
    printf '\033[?25l' > /dev/tty1
}
draw
# Let the dirty framebuffer reach the device before announcing readiness.
sleep 1
say "GUEST-READY"

while read -r cmd arg < $S; do
    case $cmd in
        echo) say "$arg" ;;
        suspend)
            sync
            if echo mem > /sys/power/state; then say "RESUMED"; else say "SUSPEND-FAILED"; fi ;;
        type)
            # One line typed on the qxl VT's keyboard; echo is off so the
            # typed text does not change the screen. stty and read share one
            # open of tty1: the VT driver resets termios on the last close.
            line=$( { stty -echo; echo "TYPE-WAITING" > $S; read -r l; echo "$l"; } < /dev/tty1 )
            say "TYPED:$line" ;;
        redraw) draw; say "REDRAWN" ;;
        dmesg) dmesg > $S; say "DMESG-END" ;;
        fault)
            # s3d_qxl's fault parameter: break the next suspend on purpose.
            if echo "$arg" > /sys/module/s3d_qxl/parameters/fault; then say "FAULT:$arg"; else say "FAULT-FAILED"; fi ;;
        poweroff) say "POWEROFF"; sync; poweroff -f ;;
        "") ;;
        *) say "UNKNOWN:$cmd" ;;
    esac
done
say "INIT-EOF"
poweroff -f
INIT
chmod 755 "$TREE/init"

# --- 5. pack --------------------------------------------------------------
# newc cpio, gzip (CONFIG_RD_GZIP=y in Debian's kernel). Fixed mtimes would
# not matter for the test; keep it simple.
(cd "$TREE" && find . | sort | "$BUSYBOX" cpio -o -H newc 2>/dev/null) | gzip -9n > "$INITRD.tmp"
mv -f "$INITRD.tmp" "$INITRD"
echo "guest-setup: built $INITRD for $KVER with modules: $(tr '\n' ' ' < "$TREE/modules.list")"
rm -rf "$ROOT" "$TREE"
echo "$DEB" > "$CACHE/built-from"
echo "${KO:-qxl}" > "$CACHE/built-with"
