#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-linux-pm-bench.sh BUILD_DIR [CYCLES]: our Linux driver against the
# in-kernel qxl, on the same Debian 12 guest, QEMU and server (Debian's
# libspice-server), CYCLES (10) systemctl suspend / system_wakeup cycles each.
# Prints, per driver, the QXL device's PM callback times (pci_pm_suspend,
# pci_pm_resume, from pm_print_times), the host wall clock from systemctl
# suspend to QMP "suspended", and from system_wakeup to the client's first
# correct frame. A benchmark (figures for the issue notes), not a test.
set -eu
build=$(cd "${1:?usage: $0 BUILD_DIR [CYCLES]}" && pwd)
cycles=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
out=$build/tests/bench/linux-pm
mkdir -p "$out"
for drv in qxl ours; do
    /usr/bin/python3 "$here/../linux/linux-boot.py" --cache "$build/tests/linux/guest" \
        --work "$out/work-$drv" --driver "$drv" --lib debian --cycles "$cycles" \
        --ko "$build/guest-kms/linux/s3d_qxl.ko" > "$out/$drv.log" 2>&1 ||
        { echo "run-linux-pm-bench: the $drv run failed: see $out/$drv.log"; tail -n 5 "$out/$drv.log"; exit 1; }
    grep '^SUMMARY' "$out/$drv.log"
done
