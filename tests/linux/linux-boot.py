#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""linux-boot.py: the Debian 12 guest (guest-image.sh) under Debian's QEMU,
S3 cycles with a real SPICE client connected throughout.

  linux-boot.py --cache DIR --work DIR [--driver qxl|ours] [--lib debian|ours]
                [--cycles N] [--ko FILE]

1. builds (or reuses) the guest image in DIR (guest-image.sh; --ko FILE
   installs the module, needed for --driver ours);
2. boots it, draws a fixed text on tty1 (the fbcon console on the QXL
   device: no cursor, no blanking, nothing else writes there);
3. a persistent spice-gtk client (tests/client/spice-watch.py) connects and
   takes a settled snapshot of the primary;
4. N times (default 3): systemctl suspend, QMP says "suspended",
   system_wakeup, QMP says "running", the shell answers, the client's
   settled snapshot equals the one before suspend pixel for pixel, and so
   does QMP's screendump;
5. the client closed no channel in all that;
6. prints the QXL device's PM callback times from the guest's dmesg
   (pm_print_times) and the QXL I/O sequence of every suspend and resume
   from QEMU's trace.

Exit 0 pass, 1 fail, 77 skip (a peer missing and S3D_REQUIRE_PEERS != 1).
"""
import argparse
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.dont_write_bytecode = True      # nothing written into the source tree
sys.path.insert(0, os.path.join(TESTS, "s3"))
import s3lib  # noqa: E402  (Watcher, compare_ppm, ppm_to_png)

spec = importlib.util.spec_from_file_location("linux_vm", os.path.join(HERE, "linux-vm.py"))
linux_vm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(linux_vm)

REQUIRE = os.environ.get("S3D_REQUIRE_PEERS") == "1" or os.environ.get("CI") == "true"

SCREEN = r"""
 s3display Linux guest test (Debian 12, systemd)
 ===============================================

 This text is written once to tty1, the fbcon console on the QXL
 device, and must look the same after every suspend to RAM.

   0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz
   !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~

 ########################################################
 #                                                      #
 #   qxl  drm  ttm  fbcon  S3  S4  SPICE  systemd       #
 #                                                      #
 ########################################################
"""

# Kernel 6.1, pm_print_times:
#   "<drv> <dev>: PM: <callback>+0x../0x.. [<module>] returned 0 after N usecs"
PM_RE = re.compile(r"^\[\s*([\d.]+)\] (\S+) (\S+): (?:PM: )?(\w+)\+0x[0-9a-f]+/0x[0-9a-f]+"
                   r"(?: \[\w+\])? returned (-?\d+) after (\d+) usecs")


def say(msg):
    print(msg, flush=True)


def skip(why):
    if REQUIRE:
        say("FAIL: %s (peers required)" % why)
        sys.exit(1)
    say("SKIP: %s" % why)
    sys.exit(77)


class Fail(Exception):
    pass


def peers():
    if os.geteuid() != 0:
        skip("not root (mmdebstrap and chroot build the guest)")
    for tool, pkg in (("qemu-system-x86_64", "qemu-system-x86"), ("mmdebstrap", "mmdebstrap"),
                      ("mkfs.ext4", "e2fsprogs")):
        if not shutil.which(tool):
            skip("%s missing (Debian %s)" % (tool, pkg))
    r = subprocess.run(["/usr/bin/python3", "-c",
                        "import gi; gi.require_version('SpiceClientGLib', '2.0')"],
                       capture_output=True)
    if r.returncode != 0:
        skip("spice-gtk GObject bindings missing (python3-gi gir1.2-spiceclientglib-2.0)")


def settled(w, path, size, creates_after=None, timeout=30):
    """The client's primary of the given size, idle for 1 s, two equal
    snapshots in a row; returns the sha256. creates_after: first wait (at
    most 10 s) for a primary create beyond that count (the resume's)."""
    if creates_after is not None:
        w.cmd("wait-primary", creates=creates_after + 1, timeout=10)
    for _ in range(6):
        r = w.cmd("wait-primary", width=size[0], height=size[1], timeout=timeout)
        if not r.get("ok"):
            raise Fail("client: no %dx%d primary (%s)" % (size[0], size[1], r))
        w.cmd("wait-idle", ms=1000, timeout=20)
        a = w.cmd("snapshot", path=path)
        time.sleep(0.5)
        b = w.cmd("snapshot", path=path)
        if a.get("ok") and b.get("ok") and a["sha256"] == b["sha256"]:
            return b["sha256"]
    raise Fail("client: picture did not settle (%s)" % path)


def pm_times(dmesg, dev):
    """Splits dmesg at each "PM: suspend entry" and returns, per cycle, the
    device's PM callbacks as [(callback, usecs, rc)], suspend side and resume
    side (split at the first resume callback)."""
    cycles = []
    notes = []
    cur = None
    for line in dmesg.splitlines():
        if "PM: suspend entry" in line:
            cur = []
            cycles.append(cur)
            notes.append([])
            continue
        if cur is not None and ("TTM" in line or "qxl" in line.lower()) and "PM:" not in line:
            notes[-1].append(line.strip())
        m = PM_RE.match(line)
        if m and cur is not None and m.group(3) == dev:
            cur.append((m.group(4), int(m.group(6)), int(m.group(5))))
    out = []
    for c in cycles:
        i = next((k for k, (cb, _, _) in enumerate(c) if "resume" in cb or "complete" in cb
                  or "restore" in cb), len(c))
        out.append((c[:i], c[i:]))
    return out, notes


def fmt_cbs(cbs):
    if not cbs:
        return "(none)"
    return ", ".join("%s %.1f ms%s" % (cb, us / 1000.0, "" if rc == 0 else " rc=%d" % rc)
                     for cb, us, rc in cbs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--driver", default="qxl", choices=("qxl", "ours"))
    ap.add_argument("--lib", default="debian", choices=("debian", "ours"))
    ap.add_argument("--cycles", type=int, default=3)
    ap.add_argument("--ko", default=os.environ.get("S3D_QXL_KO", ""))
    a = ap.parse_args()

    peers()
    # A test runner's SIGTERM (or ^C, a hang-up) must still stop QEMU and
    # the client by PID: turn it into SystemExit, which runs the clean-ups.
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, lambda n, f: sys.exit(128 + n))
    if a.lib == "ours" and not os.environ.get("S3D_SPICE_LIBDIR"):
        skip("--lib ours: S3D_SPICE_LIBDIR unset (no plain build of our server)")
    if a.driver == "ours" and not a.ko:
        skip("--driver ours: no s3d_qxl.ko (--ko or S3D_QXL_KO)")

    t_all = time.monotonic()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    say("artifacts: %s" % a.work)

    # 1. the guest image
    t = time.monotonic()
    cmd = ["bash", os.path.join(HERE, "guest-image.sh"), a.cache] + ([a.ko] if a.ko else [])
    r = subprocess.run(cmd, timeout=1800)
    if r.returncode != 0:
        skip("cannot build the guest image (mmdebstrap needs the machine's apt sources)")
    say("guest image: %.1f s" % (time.monotonic() - t))

    w = None
    vm = linux_vm.LinuxVM(a.cache, a.work, driver=a.driver, lib=a.lib)
    try:
        with vm:
            # 2. boot, a fixed console
            tb = vm.boot(timeout=240)
            say("boot: %.1f s to the root shell on ttyS0; QEMU %d maps %s (--lib %s)"
                % (tb, vm.proc.pid, vm.libspice, a.lib))
            drv = vm.check("basename \"$(readlink /sys/class/drm/card0/device/driver)\"").strip()
            dev = vm.check("basename \"$(readlink -f /sys/class/drm/card0/device)\"").strip()
            say("guest: kernel %s, card0 %s bound to %s"
                % (vm.check("uname -r").strip(), dev, drv))
            want = "qxl" if a.driver == "qxl" else "s3d_qxl"
            if drv != want:
                raise Fail("card0 is driven by %r, expected %r" % (drv, want))
            vm.check("cat > /root/screen.txt <<'EOF'\n%s\nEOF" % SCREEN.strip("\n"))
            vm.check("echo deep > /sys/power/mem_sleep; echo 1 > /sys/power/pm_print_times; "
                     "echo 0 > /sys/class/graphics/fbcon/cursor_blink; "
                     "setterm --term linux --cursor off --blank 0 --powerdown 0 "
                     "</dev/tty1 >/dev/tty1; "
                     "printf '\\033c\\033[H\\033[2J\\033[?25l' >/dev/tty1; "
                     "cat /root/screen.txt >/dev/tty1; printf '\\033[?25l' >/dev/tty1")

            # 3. the persistent client
            w = s3lib.Watcher(os.path.join(TESTS, "client", "spice-watch.py"), vm.port,
                              os.path.join(a.work, "watch.stderr"))
            r = w.cmd("connect", timeout=30)
            if not r.get("ok"):
                raise Fail("client: cannot connect: %s" % r)
            st = w.cmd("status")
            if not st.get("primary"):
                w.cmd("wait-primary", timeout=30)
                st = w.cmd("status")
            size = (st["primary"]["width"], st["primary"]["height"])
            pre = os.path.join(a.work, "client-before.ppm")
            settled(w, pre, size)
            vm.screendump(os.path.join(a.work, "qmp-before.ppm"))
            info = linux_vm_ppm_info(pre)
            say("client: connected, %dx%d primary, %d colours, %d text pixels"
                % (size[0], size[1], info[0], info[1]))
            if info[0] < 2 or info[1] < 2000:
                raise Fail("the console picture is blank (%s)" % pre)
            st0 = w.cmd("status")

            # 4. S3 cycles
            rows = []
            for c in range(1, a.cycles + 1):
                m0 = vm.trace_mark()
                ts = vm.suspend(timeout=60)
                m1 = vm.trace_mark()
                creates = w.cmd("status")["primary_creates"]
                tr, tw = vm.wakeup(timeout=60)
                post = os.path.join(a.work, "client-after-%d.ppm" % c)
                settled(w, post, size, creates_after=creates)
                qmp_post = vm.screendump(os.path.join(a.work, "qmp-after-%d.ppm" % c))
                m2 = vm.trace_mark()
                sus = linux_vm.io_sequence(vm.trace_since(m0, m1))
                res = linux_vm.io_sequence(vm.trace_since(m1, m2))
                rows.append((ts, tr, tw, sus, res))
                say("cycle %d: suspend %.2f s to 'suspended'; wakeup %.2f s to 'running', "
                    "%.2f s to the shell" % (c, ts, tr, tw))
                say("  QXL I/O suspend: %s" % sus)
                say("  QXL I/O resume:  %s" % res)
                bad, first = s3lib.compare_ppm(pre, post)
                if bad:
                    s3lib.ppm_to_png(post, post[:-4] + ".png")
                    raise Fail("cycle %d: the client's picture after resume differs from before: "
                               "%d pixels, first at %s" % (c, bad, first))
                bad, first = s3lib.compare_ppm(os.path.join(a.work, "qmp-before.ppm"), qmp_post)
                if bad:
                    raise Fail("cycle %d: QMP screendump after resume differs from before: "
                               "%d pixels, first at %s" % (c, bad, first))
                if "hard_reset" not in res:
                    raise Fail("cycle %d: no qxl_hard_reset on wake-up (was it really S3?)" % c)
                if "qxl_set_guest_bug" in sus + res:
                    raise Fail("cycle %d: QEMU flagged a guest bug" % c)
            say("PASS: %d S3 cycles: QMP 'suspended' each time; the client's picture and "
                "QMP's screendump after each resume equal the ones before, pixel for pixel"
                % a.cycles)

            # 5. the client stayed connected
            st1 = w.cmd("status")
            closes = st1["channel_closes"] - st0["channel_closes"]
            evs = [e for e in w.events if e["event"] in ("primary-create", "primary-destroy",
                                                          "channel-closed", "disconnected")]
            with open(os.path.join(a.work, "watch.events.json"), "w") as f:
                json.dump(w.events, f, indent=0)
            say("client: %d primary creates, %d destroys, %d channel closes during the cycles"
                % (st1["primary_creates"] - st0["primary_creates"],
                   st1["primary_destroys"] - st0["primary_destroys"], closes))
            if closes or not st1["connected"]:
                raise Fail("the client lost its channels: %s" % evs)
            say("PASS: the client kept all its channels through %d cycles" % a.cycles)

            # 6. PM callback times of the QXL device
            dm = vm.dmesg()
            with open(os.path.join(a.work, "dmesg.txt"), "w") as f:
                f.write(dm)
            per, notes = pm_times(dm, dev)
            if len(per) != a.cycles:
                raise Fail("dmesg shows %d suspend entries, expected %d" % (len(per), a.cycles))
            for i, (s, r_) in enumerate(per, 1):
                say("cycle %d: %s %s PM callbacks: suspend: %s; resume: %s"
                    % (i, drv, dev, fmt_cbs(s), fmt_cbs(r_)))
                for n in notes[i - 1]:
                    say("  dmesg: %s" % n)
                if any(rc != 0 for _, _, rc in s + r_):
                    raise Fail("cycle %d: a PM callback of %s failed" % (i, dev))
            w.stop()
            w = None
    except (Fail, linux_vm.VMError, s3lib.Timeout, OSError, ValueError) as e:
        say("FAIL: %s" % e)
        return 1
    finally:
        if w is not None:
            w.stop()
    say("total: %.1f s" % (time.monotonic() - t_all))
    say("PASS")
    return 0


def linux_vm_ppm_info(path):
    """(distinct colours, pixels not of the most common colour)."""
    wd, ht, px = s3lib.read_ppm(path)
    counts = {}
    for i in range(0, len(px), 3):
        k = px[i:i + 3]
        counts[k] = counts.get(k, 0) + 1
    return len(counts), wd * ht - max(counts.values())


if __name__ == "__main__":
    sys.exit(main())
