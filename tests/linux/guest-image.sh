#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest-image.sh CACHE [KO_FILE]
#
# Builds a Debian 12 guest with systemd for the Linux-driver tests, from
# Debian packages only (mmdebstrap --variant=apt), with the machine's own apt
# sources (no mirror is named here), and lays it out for a direct kernel boot:
#
#   CACHE/root.img       raw ext4 image of the root file system (mkfs.ext4 -d)
#   CACHE/swap.img       1 GiB swap (resume=/dev/vdb for hibernation)
#   CACHE/vmlinuz, CACHE/initrd.img, CACHE/kernel-version
#   CACHE/rootfs/        the tree mmdebstrap made (cached)
#   CACHE/times          how long each step took the last time it ran
#
# The guest: systemd as init, root logged in on ttyS0 (serial-getty@ttyS0 with
# --autologin), the slow units masked, a fixed machine-id, no getty on tty1
# (the tests own that console), libdrm2, libglib2.0-0 and libpixman-1-0 (for
# guest-kms/drm/s3d-drm-demo) installed; spice-vdagent, xvfb and xclip for
# the agent test (linux-agent.py starts them itself: the daemon's units are
# masked, so nothing of theirs runs at boot); an initramfs with only
# virtio_pci, virtio_blk and ext4 (MODULES=list).
#
# KO_FILE (optional): installed as /lib/modules/KVER/extra/s3d_qxl.ko, with
# depmod run for KVER. Without it, a module installed earlier is removed.
# GUEST_EXTRA_DIR (environment, optional): its contents are copied into /root.
#
# Cost: mmdebstrap only when this script, the apt sources or the kernel
# package changed (~25-60 s); otherwise only the ext4 image is rebuilt, and
# only when KO_FILE or GUEST_EXTRA_DIR changed (~6-10 s). Needs root,
# mmdebstrap, e2fsprogs (mkfs.ext4 -d, mkswap from util-linux).
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 CACHE [KO_FILE]" >&2
    exit 2
fi
mkdir -p "$1"
CACHE=$(cd "$1" && pwd)
KO=${2:-}
if [ -n "$KO" ]; then
    [ -f "$KO" ] || { echo "guest-image: no such module file: $KO" >&2; exit 1; }
    KO=$(cd "$(dirname "$KO")" && pwd)/$(basename "$KO")
fi
EXTRA=${GUEST_EXTRA_DIR:-}
if [ -n "$EXTRA" ]; then
    [ -d "$EXTRA" ] || { echo "guest-image: GUEST_EXTRA_DIR=$EXTRA is not a directory" >&2; exit 1; }
    EXTRA=$(cd "$EXTRA" && pwd)
fi
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
ROOT=$CACHE/rootfs
IMG_SIZE=${S3D_GUEST_IMG_SIZE:-2G}

[ "$(id -u)" = 0 ] || { echo "guest-image: needs root (mmdebstrap, chroot)" >&2; exit 1; }
for t in mmdebstrap mkfs.ext4 mkswap flock sha256sum; do
    command -v "$t" >/dev/null || { echo "guest-image: $t missing" >&2; exit 1; }
done

# Two runs may share the cache: one builds, the other waits (bounded).
exec 9>"$CACHE/.lock"
flock -w 900 9 || { echo "guest-image: cache $CACHE locked for 15 min" >&2; exit 1; }

now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
T_ALL=$(now)

# --- 1. inputs of the root tree --------------------------------------------
# The machine's own apt sources, passed to mmdebstrap as files (one-line or
# deb822, as they are): the guest uses whatever this machine uses.
SOURCES=()
if [ -s /etc/apt/sources.list ] && grep -q '^[[:space:]]*deb' /etc/apt/sources.list; then
    SOURCES+=(/etc/apt/sources.list)
fi
for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -s "$f" ] && SOURCES+=("$f")
done
[ ${#SOURCES[@]} -gt 0 ] || { echo "guest-image: no apt sources on this machine" >&2; exit 1; }

# The kernel the module was built for (tests/lib/guest-kernel.sh says why).
. "$(dirname "$SELF")/../lib/guest-kernel.sh"
. "$(dirname "$SELF")/../lib/registry.sh"
KPKG=$(guest_kernel_pkg "$KO") || KPKG=
if [ -z "$KPKG" ] && [ -f "$ROOT/.kpkg" ]; then
    KPKG=$(cat "$ROOT/.kpkg")     # no apt lists: keep the cached tree's kernel
fi
[ -n "$KPKG" ] || { echo "guest-image: cannot resolve linux-image-amd64 (apt-get update?)" >&2; exit 1; }
if [ "$(cat "$ROOT/.kpkg" 2>/dev/null)" != "$KPKG" ] && ! apt-cache show "$KPKG" >/dev/null 2>&1; then
    echo "guest-image: $KPKG (the kernel of the installed linux-headers) is not in the apt lists:" \
        "apt-get update && apt-get install linux-headers-amd64, then rebuild" >&2
    exit 1
fi

TREE_KEY=$( { sha256sum "$SELF"; cat "${SOURCES[@]}"; echo "$KPKG"; } | sha256sum | cut -d' ' -f1)

# --- 2. the root tree (mmdebstrap), only when its inputs changed ------------
T_DEB=
if [ "$(cat "$CACHE/rootfs.key" 2>/dev/null)" != "$TREE_KEY" ] || [ ! -d "$ROOT/etc" ]; then
    rm -f "$CACHE/rootfs.key" "$CACHE/image.key"
    T=$(now)
    # Units that cost boot time under TCG and do nothing for the tests.
    MASK=(apt-daily.timer apt-daily.service apt-daily-upgrade.timer apt-daily-upgrade.service
          e2scrub_all.timer e2scrub_all.service e2scrub_reap.service fstrim.timer fstrim.service
          dpkg-db-backup.timer dpkg-db-backup.service systemd-firstboot.service
          first-boot-complete.target ldconfig.service systemd-hwdb-update.service
          systemd-pstore.service getty@tty1.service man-db.timer man-db.service
          spice-vdagentd.service spice-vdagentd.socket spice-vdagent.service)
    # The initramfs configuration must exist before the kernel's postinst
    # runs update-initramfs, so it goes in with the essential packages.
    # The system's PATH: mmdebstrap runs its python helpers (mmtarfilter)
    # once per package, and a python3 shim in front of /usr/bin costs seconds.
    make_tree() {
        # A run killed inside mmdebstrap leaves the tree's /proc, /sys and
        # /dev/pts mounted: unmount them (deepest first), and never let rm
        # cross into another file system.
        findmnt -rn -o TARGET | grep -F "$ROOT/" | sort -r | while read -r m; do
            umount "$m" 2>/dev/null || umount -l "$m"
        done
        rm -rf --one-file-system "$ROOT"
        # shellcheck disable=SC2016 # $1 is the hook's argument (the tree)
        PATH=/usr/sbin:/usr/bin:/sbin:/bin mmdebstrap --variant=apt --mode=root --format=directory \
            --include="systemd,systemd-sysv,udev,kmod,dbus,libpam-systemd,initramfs-tools,$KPKG,libdrm2,libglib2.0-0,libpixman-1-0,spice-vdagent,xvfb,xclip" \
            --dpkgopt='path-exclude=/usr/share/doc/*' \
            --dpkgopt='path-exclude=/usr/share/man/*' \
            --dpkgopt='path-exclude=/usr/share/locale/*' \
            --essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/etc/initramfs-tools/hooks"' \
            --essential-hook='printf "MODULES=list\nCOMPRESS=gzip\nRESUME=none\n" > "$1/etc/initramfs-tools/conf.d/s3d.conf"' \
            --essential-hook='printf "#!/bin/sh\n[ \"\$1\" = prereqs ] && exit 0\n. /usr/share/initramfs-tools/hook-functions\nfor m in virtio_pci virtio_blk crc32c_generic ext4; do force_load \$m; done\n" > "$1/etc/initramfs-tools/hooks/s3d-modules"' \
            --essential-hook='chmod 755 "$1/etc/initramfs-tools/hooks/s3d-modules"' \
            --customize-hook='echo s3d-guest > "$1/etc/hostname"' \
            --customize-hook='printf "127.0.0.1 localhost\n127.0.1.1 s3d-guest\n" > "$1/etc/hosts"' \
            --customize-hook='echo 5333642d6c696e75782d67756573742e > "$1/etc/machine-id"' \
            --customize-hook='printf "/dev/vda / ext4 defaults 0 0\n/dev/vdb none swap sw 0 0\n" > "$1/etc/fstab"' \
            --customize-hook='chroot "$1" passwd -d root' \
            --customize-hook='mkdir -p "$1/etc/systemd/system/serial-getty@ttyS0.service.d"' \
            --customize-hook='printf "[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root --noclear --keep-baud 115200,57600,38400,9600 %%I \$TERM\n" > "$1/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf"' \
            --customize-hook="for u in ${MASK[*]}; do ln -sf /dev/null \"\$1/etc/systemd/system/\$u\"; done" \
            --customize-hook='echo "$(basename "$(ls -d "$1"/lib/modules/*)")" > "$1/.kver"' \
            bookworm "$ROOT" "${SOURCES[@]}"
    }
    registry_try_twice make_tree >"$CACHE/mmdebstrap.log" 2>&1 || {
        echo "guest-image: mmdebstrap failed; tail of $CACHE/mmdebstrap.log:" >&2
        tail -n 20 "$CACHE/mmdebstrap.log" >&2
        exit 1
    }
    echo "$KPKG" > "$ROOT/.kpkg"
    KVER=$(cat "$ROOT/.kver")
    if [ ! -f "$ROOT/boot/vmlinuz-$KVER" ] || [ ! -f "$ROOT/boot/initrd.img-$KVER" ]; then
        echo "guest-image: no kernel/initramfs for $KVER in the tree" >&2; exit 1
    fi
    cp -f "$ROOT/boot/vmlinuz-$KVER" "$CACHE/vmlinuz.tmp" && mv -f "$CACHE/vmlinuz.tmp" "$CACHE/vmlinuz"
    cp -f "$ROOT/boot/initrd.img-$KVER" "$CACHE/initrd.tmp" && mv -f "$CACHE/initrd.tmp" "$CACHE/initrd.img"
    echo "$KVER" > "$CACHE/kernel-version"
    echo "$TREE_KEY" > "$CACHE/rootfs.key"
    T_DEB=$(took "$T")
    echo "guest-image: mmdebstrap + kernel + initramfs: $T_DEB s ($KPKG, $(du -sm "$ROOT" | cut -f1) MB)"
fi
KVER=$(cat "$CACHE/kernel-version")

# --- 3. the module and the extra files ------------------------------------
KO_SUM=none
[ -n "$KO" ] && KO_SUM=$(sha256sum < "$KO" | cut -d' ' -f1)
EXTRA_SUM=none
if [ -n "$EXTRA" ]; then
    # shellcheck disable=SC2016 # the inner sh expands "$f"
    EXTRA_SUM=$(cd "$EXTRA" && find . -print0 | LC_ALL=C sort -z |
                xargs -0 -r sh -c 'for f; do if [ -f "$f" ]; then sha256sum "$f"; else echo "$f"; fi; done' sh |
                sha256sum | cut -d' ' -f1)
fi
IMG_KEY="$TREE_KEY $KO_SUM $EXTRA_SUM"

if [ -f "$CACHE/root.img" ] && [ -f "$CACHE/swap.img" ] &&
   [ "$(cat "$CACHE/image.key" 2>/dev/null)" = "$IMG_KEY" ]; then
    echo "guest-image: up to date ($KVER, module: $KO_SUM, extra: $EXTRA_SUM); $(took "$T_ALL") s"
    exit 0
fi
rm -f "$CACHE/image.key"
T=$(now)

# The module: installed (and depmod'ed) or removed, so the tree always says
# what the image key says.
MODDIR=$ROOT/lib/modules/$KVER
CUR_SUM=none
[ -f "$MODDIR/extra/s3d_qxl.ko" ] && CUR_SUM=$(sha256sum < "$MODDIR/extra/s3d_qxl.ko" | cut -d' ' -f1)
if [ "$CUR_SUM" != "$KO_SUM" ]; then
    if [ -n "$KO" ]; then
        mkdir -p "$MODDIR/extra"
        cp -f "$KO" "$MODDIR/extra/s3d_qxl.ko"
        chmod 644 "$MODDIR/extra/s3d_qxl.ko"
    else
        rm -rf "$MODDIR/extra"
    fi
    chroot "$ROOT" /sbin/depmod -a "$KVER"
fi

# Extra files: the ones copied last time are removed first (their list is
# kept outside the tree), then the directory's contents go into /root.
if [ -f "$CACHE/extra.list" ]; then
    while IFS= read -r f; do rm -f "$ROOT/root/$f"; done < "$CACHE/extra.list"
    rm -f "$CACHE/extra.list"
fi
if [ -n "$EXTRA" ]; then
    (cd "$EXTRA" && find . -type f -o -type l) | sed 's|^\./||' > "$CACHE/extra.list"
    cp -a "$EXTRA/." "$ROOT/root/"
fi

# --- 4. images -----------------------------------------------------------
rm -f "$CACHE/root.img.tmp"
truncate -s "$IMG_SIZE" "$CACHE/root.img.tmp"
mkfs.ext4 -q -F -L s3d-root -d "$ROOT" "$CACHE/root.img.tmp" >"$CACHE/mkfs.log" 2>&1 || {
    echo "guest-image: mkfs.ext4 -d failed: $(tail -n 5 "$CACHE/mkfs.log")" >&2; exit 1; }
mv -f "$CACHE/root.img.tmp" "$CACHE/root.img"
if [ ! -f "$CACHE/swap.img" ]; then
    truncate -s 1G "$CACHE/swap.img.tmp"
    # A virtio disk for the guest, not a swap file here: holes do not matter.
    mkswap -L s3d-swap "$CACHE/swap.img.tmp" >"$CACHE/mkswap.log" 2>&1 || {
        echo "guest-image: mkswap failed: $(cat "$CACHE/mkswap.log")" >&2; exit 1; }
    mv -f "$CACHE/swap.img.tmp" "$CACHE/swap.img"
fi
echo "$IMG_KEY" > "$CACHE/image.key"
T_IMG=$(took "$T")
echo "guest-image: ext4 image: $T_IMG s ($KVER, module: $KO_SUM, extra: $EXTRA_SUM)"
{
    [ -n "$T_DEB" ] && echo "mmdebstrap=$T_DEB"
    echo "image=$T_IMG"
    echo "total=$(took "$T_ALL")"
} > "$CACHE/times"
echo "guest-image: done in $(took "$T_ALL") s"
