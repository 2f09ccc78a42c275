#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""linux-vm.py: Debian's QEMU with the Debian 12 guest of guest-image.sh (stdlib only).

As a library (the tests load this file with importlib):

    vm = LinuxVM(cache, work, driver="qxl", lib="debian")
    with vm:                          # stop() on leaving, whatever happened
        vm.boot()                     # QEMU + wait for the root shell on ttyS0
        rc, out = vm.run("uname -r")
        vm.suspend(); vm.wakeup()     # systemctl suspend / QMP system_wakeup
        vm.hibernate()                # systemctl hibernate, QEMU again, restore
        vm.screendump("x.ppm")

As a program:

    linux-vm.py [--cache DIR] [--work DIR] [--driver qxl|ours] [--lib debian|ours]
                [--port P] selftest|boot|shell-cmd CMD

  selftest   boot, a command, 1 S3 cycle, a hibernate + restore, screendumps;
             prints the times
  boot       boot, print the boot time and the mapped libspice-server, stop
  shell-cmd  boot, run CMD, print its output, stop (exit status = CMD's)

The machine: -machine pc under TCG (KVM does not work on this host), 1 GiB,
S3 and S4 enabled on PIIX4_PM, -vga qxl, SPICE on 127.0.0.1 only, no network,
QMP and the serial port on unix sockets in WORK, root and swap as virtio
disks (qcow2 overlays in WORK on the cached images, so the cache stays
pristine and a hibernate/restore keeps its disks), the kernel and initramfs booted
directly, QEMU's qxl trace events in WORK/qemu[-N].log (the log trace
backend writes into the -D file).

--driver qxl  leaves Debian's in-kernel qxl driver;
--driver ours puts modprobe.blacklist=qxl on the kernel command line and
              loads s3d_qxl (guest-image.sh CACHE KO installs it).
--lib debian  the system's libspice-server.so.1;
--lib ours    LD_LIBRARY_PATH=$S3D_SPICE_LIBDIR; the start fails unless
              /proc/PID/maps shows that directory's libspice-server.so.1.

Every wait has a deadline; QEMU is stopped by PID (QMP quit, TERM, KILL,
each bounded) on stop() and on any exception inside the with block.
"""
import argparse
import base64
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
QEMU = os.environ.get("QEMU", "qemu-system-x86_64")

TRACE_EVENTS = """qxl_io*
qxl_hard_reset
qxl_soft_reset
qxl_reset_surfaces
qxl_create_guest_primary
qxl_destroy_primary
qxl_set_guest_bug
qxl_spice_destroy_surfaces
qxl_spice_flush_surfaces_async
qxl_spice_update_area
qxl_memslot_add_guest
qxl_enter_vga_mode
qxl_exit_vga_mode
qxl_pre_load
qxl_post_load
qxl_pre_save
qxl_client_monitors_config*
qxl_interrupt_client_monitors_config
"""

# One QXL port write in QEMU 7.2's log: "qxl_io_write 0 native addr=3 (QXL_IO_NOTIFY_OOM) val=0 ..."
IO_RE = re.compile(r"qxl_io_write \d+ \w+ addr=\d+ \((\w+)\)")
# Other events worth seeing in the sequence.
EV_RE = re.compile(r"\b(qxl_hard_reset|qxl_soft_reset|qxl_create_guest_primary|qxl_destroy_primary|"
                   r"qxl_set_guest_bug|qxl_enter_vga_mode|qxl_exit_vga_mode)\b")


class VMError(Exception):
    pass


class Timeout(VMError):
    pass


def debian_libspice():
    for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib"):
        p = os.path.join(d, "libspice-server.so.1")
        if os.path.exists(p):
            return os.path.realpath(p)
    return None


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- for the tests that boot the guest ------------------------------------
# In CI a missing peer is a failure, never a skip.
REQUIRE_PEERS = os.environ.get("S3D_REQUIRE_PEERS") == "1" or os.environ.get("CI") == "true"


def say(msg):
    print(msg, flush=True)


def skip(why):
    """Exits 77 (automake's skip), or 1 when peers are required."""
    if REQUIRE_PEERS:
        say("FAIL: %s (peers required)" % why)
        sys.exit(1)
    say("SKIP: %s" % why)
    sys.exit(77)


def need_peers():
    """skip() unless this process can build the guest image (root,
    mmdebstrap, mkfs.ext4), boot it (QEMU) and watch it with spice-gtk (its
    GObject bindings for /usr/bin/python3)."""
    if os.geteuid() != 0:
        skip("not root (mmdebstrap and chroot build the guest)")
    for tool, pkg in (("qemu-system-x86_64", "qemu-system-x86"), ("mmdebstrap", "mmdebstrap"),
                      ("mkfs.ext4", "e2fsprogs"), ("qemu-img", "qemu-utils")):
        if not shutil.which(tool):
            skip("%s missing (Debian %s)" % (tool, pkg))
    r = subprocess.run(["/usr/bin/python3", "-c",
                        "import gi; gi.require_version('SpiceClientGLib', '2.0')"],
                       capture_output=True)
    if r.returncode != 0:
        skip("spice-gtk GObject bindings missing (python3-gi gir1.2-spiceclientglib-2.0)")


def guest_test_setup():
    """The common start of a one-guest test (linux-audio.py, linux-agent.py):
    parses --cache C --work W [--lib ours|debian], skips without the peers
    (or without S3D_SPICE_LIBDIR for --lib ours), exits on terminal signals
    (so QEMU is stopped by the caller's cleanup), empties W, and builds or
    reuses the guest image in C (guest-image.sh, no extra files).  Returns
    the parsed arguments."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--lib", default="ours", choices=("debian", "ours"))
    a = ap.parse_args()
    need_peers()
    if a.lib == "ours" and not os.environ.get("S3D_SPICE_LIBDIR"):
        skip("--lib ours: S3D_SPICE_LIBDIR unset (no plain build of our server)")
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, lambda n, f: sys.exit(128 + n))
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    say("artifacts: %s" % a.work)
    env = dict(os.environ)
    env.pop("GUEST_EXTRA_DIR", None)
    here = os.path.dirname(os.path.abspath(__file__))
    r = subprocess.run(["bash", os.path.join(here, "guest-image.sh"), a.cache], timeout=1800,
                       env=env)
    if r.returncode != 0:
        skip("cannot build the guest image (mmdebstrap needs the machine's apt sources)")
    return a


class QMP:
    """One QMP connection; events are kept in self.events."""

    def __init__(self, path, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.settimeout(timeout)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise Timeout("QMP socket %s not there within %.0f s" % (path, timeout))
                time.sleep(0.05)
        self.buf = b""
        self.events = []
        self._line(timeout)                       # greeting
        self.cmd("qmp_capabilities")

    def _line(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout("no QMP reply within %.1f s" % timeout)
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                raise VMError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, timeout=10.0, **args):
        req = {"execute": name}
        if args:
            req["arguments"] = args
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        deadline = time.monotonic() + timeout
        while True:
            try:
                msg = self._line(max(0.01, deadline - time.monotonic()))
            except VMError:
                if name == "quit":
                    return {}
                raise
            if "event" in msg:
                self.events.append(msg)
                continue
            if "error" in msg:
                raise VMError("QMP %s: %s" % (name, msg["error"]))
            return msg.get("return")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Serial:
    """The guest's ttyS0 through QEMU's socket chardev: one connection, a
    reader thread that keeps everything the guest printed."""

    def __init__(self, path, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise Timeout("serial socket %s not there within %.0f s" % (path, timeout))
                time.sleep(0.05)
        self.sock.settimeout(None)
        self.buf = bytearray()
        self.cond = threading.Condition()
        self.closed = False
        self.thread = threading.Thread(target=self._reader, daemon=True)
        self.thread.start()

    def _reader(self):
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                chunk = b""
            with self.cond:
                if not chunk:
                    self.closed = True
                    self.cond.notify_all()
                    return
                self.buf += chunk
                self.cond.notify_all()

    def mark(self):
        with self.cond:
            return len(self.buf)

    def text(self, since=0):
        with self.cond:
            return bytes(self.buf[since:]).decode("utf-8", "replace")

    def write(self, data):
        self.sock.sendall(data)

    def wait(self, regex, since, timeout):
        """First match of regex (bytes pattern) in the output after `since`."""
        rx = re.compile(regex)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                m = rx.search(self.buf, since)
                if m:
                    return m
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Timeout("serial: no %r within %.0f s" % (regex, timeout))
                if self.closed:
                    raise VMError("serial: connection closed while waiting for %r" % regex)
                self.cond.wait(min(left, 0.5))

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(2)


class LinuxVM:
    def __init__(self, cache, work, driver="qxl", lib="debian", port=None, mem_mb=1024,
                 append="", log=None, qemu_args=()):
        if driver not in ("qxl", "ours"):
            raise ValueError("driver must be qxl or ours")
        if lib not in ("debian", "ours"):
            raise ValueError("lib must be debian or ours")
        self.cache = os.path.abspath(cache)
        self.work = os.path.abspath(work)
        self.driver, self.lib = driver, lib
        self.port = port or free_port()
        self.mem_mb = mem_mb
        self.extra_append = append
        self.qemu_args = list(qemu_args)   # more devices (e.g. a sound card)
        self.log = log or (lambda msg: print(msg, flush=True))
        self.proc = None
        self.qmp = None
        self.serial = None
        self.starts = 0              # QEMU starts on these disks (a restore is one more)
        self.trace_path = None
        self.libspice = None
        self.token = "%08x" % random.getrandbits(32)
        self.nrun = 0
        self.shell_ready = False
        for f in ("vmlinuz", "initrd.img", "root.img", "swap.img"):
            if not os.path.exists(os.path.join(self.cache, f)):
                raise VMError("no %s in %s: run guest-image.sh first" % (f, self.cache))
        if lib == "ours":
            d = os.environ.get("S3D_SPICE_LIBDIR")
            if not d or not os.path.exists(os.path.join(d, "libspice-server.so.1")):
                raise VMError("--lib ours needs S3D_SPICE_LIBDIR with libspice-server.so.1")
            self.want_lib = os.path.realpath(os.path.join(d, "libspice-server.so.1"))
            self.lib_dir = os.path.dirname(self.want_lib)
        else:
            self.want_lib = debian_libspice()
            if not self.want_lib:
                raise VMError("Debian's libspice-server.so.1 is not installed")

    # ---- lifetime ---------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def path(self, name):
        return os.path.join(self.work, name)

    def cmdline(self):
        a = ["root=/dev/vda", "rw", "console=ttyS0,115200", "no_console_suspend",
             "log_buf_len=4M", "fsck.mode=skip", "resume=/dev/vdb", "mem_sleep_default=deep",
             "vt.global_cursor_default=0", "quiet", "8250.nr_uarts=1", "tsc=unstable",
             # the kernel where System.map says: cpu_dump() addresses map directly
             "nokaslr"]
        if self.driver == "ours":
            a.append("modprobe.blacklist=qxl")
        if self.extra_append:
            a.append(self.extra_append)
        return " ".join(a)

    def fresh_disks(self):
        """qcow2 overlays on the cached images: the guest writes only these
        (a few MB), never the cache, which copies would double on disk (a
        test's work folder was 900 MB with them).  The backing files are
        opened by the path in the cache, which guest-image.sh replaces by a
        rename, never in place, so a running guest keeps its own."""
        os.makedirs(self.work, exist_ok=True)
        for name in ("root", "swap"):
            disk = self.path(name + ".qcow2")
            if os.path.exists(disk):
                os.unlink(disk)
            subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw",
                            "-b", os.path.join(self.cache, name + ".img"), disk],
                           check=True, timeout=60)

    def start(self, fresh=True):
        """Starts QEMU (no wait for the guest). fresh=False keeps the disks
        of the previous start (restore after hibernate)."""
        if self.proc is not None:
            raise VMError("already running")
        os.makedirs(self.work, exist_ok=True)
        if fresh:
            self.fresh_disks()
            self.starts = 0
        self.starts += 1
        n = self.starts
        self.trace_path = self.path("qemu.log" if n == 1 else "qemu-%d.log" % n)
        for f in ("qmp.sock", "serial.sock", self.trace_path):
            try:
                os.unlink(self.path(f) if "/" not in f else f)
            except FileNotFoundError:
                pass
        with open(self.path("trace-events"), "w") as f:
            f.write(TRACE_EVENTS)
        args = [QEMU,
                "-machine", "pc,accel=tcg", "-m", str(self.mem_mb), "-smp", "1",
                "-nodefaults", "-no-user-config", "-no-reboot",
                "-vga", "qxl",
                # Pictures are compared pixel for pixel: no JPEG, even if a
                # loaded machine's link test ever measured loopback slow.
                "-spice", "port=%d,addr=127.0.0.1,disable-ticketing=on,"
                "jpeg-wan-compression=never" % self.port,
                "-display", "none", "-monitor", "none",
                "-qmp", "unix:%s,server=on,wait=off" % self.path("qmp.sock"),
                "-chardev", "socket,id=ser0,path=%s,server=on,wait=off,logfile=%s,logappend=on"
                % (self.path("serial.sock"), self.path("serial.log")),
                "-serial", "chardev:ser0",
                "-global", "PIIX4_PM.disable_s3=0", "-global", "PIIX4_PM.disable_s4=0",
                "-drive", "file=%s,format=qcow2,if=virtio,cache=writeback" % self.path("root.qcow2"),
                "-drive", "file=%s,format=qcow2,if=virtio,cache=writeback" % self.path("swap.qcow2"),
                "-kernel", os.path.join(self.cache, "vmlinuz"),
                "-initrd", os.path.join(self.cache, "initrd.img"),
                "-append", self.cmdline(),
                "-trace", "events=%s" % self.path("trace-events"),
                "-D", self.trace_path, "-msg", "timestamp=on"] + self.qemu_args
        env = dict(os.environ)
        env.pop("LD_LIBRARY_PATH", None)
        if self.lib == "ours":
            env["LD_LIBRARY_PATH"] = self.lib_dir
        with open(self.path("qemu.cmdline"), "a") as f:
            f.write("LD_LIBRARY_PATH=%s %s\n" % (env.get("LD_LIBRARY_PATH", ""),
                                                 " ".join("'%s'" % x for x in args)))
        self.t_start = time.monotonic()
        self.stderr = open(self.path("qemu.stderr"), "a")
        # Own session: terminal signals of the test do not reach QEMU; we stop it by PID.
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.stderr,
                                     stderr=self.stderr, env=env, start_new_session=True)
        with open(self.path("qemu.pid"), "w") as f:
            f.write("%d\n" % self.proc.pid)
        try:
            self.check_lib()
            self.qmp = QMP(self.path("qmp.sock"))
            self.serial = Serial(self.path("serial.sock"))
        except Exception:
            self.stop()
            raise
        self.shell_ready = False
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def check_lib(self, timeout=10.0):
        """Which libspice-server.so did the dynamic linker map into QEMU? It
        is a direct dependency, so it is there before main()."""
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive():
                raise VMError("QEMU exited at start: %s" % self.stderr_tail())
            try:
                with open("/proc/%d/maps" % self.proc.pid) as f:
                    libs = sorted({l.split()[5] for l in f if "libspice-server" in l
                                   and len(l.split()) >= 6})
            except OSError:
                libs = []
            if libs:
                break
            if time.monotonic() > deadline:
                raise VMError("no libspice-server mapped in QEMU %d" % self.proc.pid)
            time.sleep(0.05)
        real = sorted({os.path.realpath(l) for l in libs})
        if real != [self.want_lib]:
            raise VMError("QEMU %d maps %s, expected %s (--lib %s)"
                          % (self.proc.pid, ", ".join(real), self.want_lib, self.lib))
        self.libspice = real[0]
        with open(self.path("libspice.path"), "w") as f:
            f.write(self.libspice + "\n")
        return self.libspice

    def stderr_tail(self):
        try:
            with open(self.path("qemu.stderr"), errors="replace") as f:
                return " | ".join(f.read().splitlines()[-3:])
        except OSError:
            return ""

    def stop(self, timeout=5.0):
        """QMP quit, then TERM, then KILL, each bounded; always by PID."""
        if self.serial:
            self.serial.close()
            self.serial = None
        p = self.proc
        if p is not None and p.poll() is None:
            try:
                if self.qmp:
                    self.qmp.cmd("quit", timeout=timeout)
            except Exception:
                pass
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.terminate()
                try:
                    p.wait(3)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(5)
        if self.qmp:
            self.qmp.close()
            self.qmp = None
        if p is not None:
            self.stderr.close()
            self.proc = None
            try:
                os.unlink(self.path("qemu.pid"))
            except FileNotFoundError:
                pass

    # ---- the serial shell -------------------------------------------------
    def wait_shell(self, timeout=180.0):
        """Waits for the autologin shell: probes with an echo until it answers,
        then makes the shell quiet (no line editing, no echo, no prompt)."""
        deadline = time.monotonic() + timeout
        n = 0
        while True:
            if not self.alive():
                raise VMError("QEMU exited while waiting for the shell: %s" % self.stderr_tail())
            n += 1
            since = self.serial.mark()
            # The padding newline first: input can stick in the UART under TCG.
            probe = "p%s%d" % (self.token, n)
            self.serial.write(b"\n printf '@@R%s@@\\n' " + probe.encode() + b"\n")
            try:
                self.serial.wait(rb"@@R" + probe.encode() + rb"@@", since,
                                 min(3.0, max(0.1, deadline - time.monotonic())))
                break
            except Timeout:
                if time.monotonic() > deadline:
                    raise Timeout("no shell on ttyS0 within %.0f s; serial tail: %r"
                                  % (timeout, self.serial.text(max(0, self.serial.mark() - 300))))
        self.shell_ready = True
        # Kernel messages stay in dmesg (not on the serial console, where
        # they would cut into command output).
        rc, out = self.run("set +o emacs +o vi; stty -echo; PS1=; PS2=; unset HISTFILE; dmesg -n 1",
                           timeout=30, raw=True)
        return time.monotonic() - self.t_start

    def run(self, cmd, timeout=60.0, raw=False, may_sleep=False):
        """Runs cmd in the guest's root shell; returns (exit status, output).
        Output is stdout and stderr, between markers made unique by a token
        and a counter; the echoed command line never contains them.
        A guest that is asleep while the command has not ended is an error
        at once, unless may_sleep (the command puts it to sleep)."""
        if not self.shell_ready:
            raise VMError("shell not ready")
        self.nrun += 1
        tag = "%s%d" % (self.token, self.nrun)
        if raw:
            body = cmd
        else:
            enc = base64.b64encode(cmd.encode()).decode()
            if len(enc) > 3000:
                raise ValueError("command too long for the tty line")
            body = "eval \"$(echo %s | base64 -d)\" </dev/null 2>&1" % enc
        line = ("printf '@@B%%s@@\\n' %s; %s; printf '@@E%%s@@ %%d\\n' %s $?\n" % (tag, body, tag))
        since = self.serial.mark()
        self.serial.write(line.encode())
        time.sleep(0.05)
        self.serial.write(b"\n")           # padding: serial input can stick under TCG
        end_re = rb"@@E" + tag.encode() + rb"@@ (\d+)"
        deadline = time.monotonic() + timeout
        while True:
            try:
                end = self.serial.wait(end_re, since, min(2.0, max(0.05, deadline - time.monotonic())))
                break
            except Timeout:
                # A sleeping guest runs no command: say so now, not after
                # the whole timeout as a silent serial line.
                if not may_sleep and self.qmp is not None and self.status() == "suspended":
                    raise VMError("guest command %r: the guest is asleep (QMP status "
                                  "'suspended')" % cmd[:80])
                if time.monotonic() >= deadline:
                    raise Timeout("guest command %r: no end marker within %.0f s; the "
                                  "vCPU's state is in %s" % (cmd[:80], timeout, self.cpu_dump()))
                # Not even started: the line is stuck in the UART (seen once
                # in a CI run under TCG); another newline pushes it through.
                if not re.search(rb"@@B" + tag.encode() + rb"@@", bytes(self.serial.buf[since:])):
                    self.serial.write(b"\n")
        text = bytes(self.serial.buf[since:end.start()])
        b = re.search(rb"@@B" + tag.encode() + rb"@@\r?\n", text)
        out = text[b.end():] if b else text
        return int(end.group(1)), out.decode("utf-8", "replace").replace("\r\n", "\n")

    def cpu_dump(self):
        """The vCPU's registers and the top of its stack, through QMP, into
        WORK/cpu-dump-N.txt: where a guest that stopped answering is (map
        the addresses with the guest's System.map and /proc/modules)."""
        self.ndump = getattr(self, "ndump", 0) + 1
        path = self.path("cpu-dump-%d.txt" % self.ndump)
        try:
            with open(path, "w") as f:
                f.write("QMP status: %s\n" % self.status())
                for c in ("info registers", "x/64gx $rsp"):
                    f.write(self.qmp.cmd("human-monitor-command", **{"command-line": c}) or "")
        except (VMError, OSError) as e:
            return "%s (incomplete: %s)" % (path, e)
        return path

    def check(self, cmd, timeout=60.0, may_sleep=False):
        rc, out = self.run(cmd, timeout, may_sleep=may_sleep)
        if rc != 0:
            raise VMError("guest command %r failed (%d): %s" % (cmd, rc, out.strip()[-500:]))
        return out

    def boot(self, timeout=180.0):
        """Fresh disks, QEMU, the shell; with --driver ours, s3d_qxl loaded."""
        self.start(fresh=True)
        t = self.wait_shell(timeout)
        self.boot_seconds = t
        if self.driver == "ours":
            self.check("lsmod | grep -q '^s3d_qxl ' || modprobe s3d_qxl", timeout=60)
            with open(self.path("proc-modules.txt"), "w") as f:
                f.write(self.check("cat /proc/modules"))
            rc, _ = self.run("lsmod | grep -q '^qxl '")
            if rc == 0:
                raise VMError("--driver ours but the in-kernel qxl is loaded")
        return t

    # ---- QMP --------------------------------------------------------------
    def status(self):
        return self.qmp.cmd("query-status")["status"]

    def wait_status(self, want, timeout):
        deadline = time.monotonic() + timeout
        while True:
            st = self.status()
            if st == want:
                return st
            if time.monotonic() > deadline:
                raise Timeout("QEMU status %s, not %s, after %.0f s" % (st, want, timeout))
            time.sleep(0.05)

    def screendump(self, path):
        path = os.path.abspath(path)
        self.qmp.cmd("screendump", filename=path, timeout=30)
        return path

    # ---- power ------------------------------------------------------------
    def suspend(self, timeout=60.0):
        """systemctl suspend; returns the seconds until QMP says suspended."""
        t0 = time.monotonic()
        self.check("systemctl suspend", timeout=timeout, may_sleep=True)
        self.wait_status("suspended", max(1.0, timeout - (time.monotonic() - t0)))
        return time.monotonic() - t0

    def wakeup(self, timeout=60.0, woken=False):
        """QMP system_wakeup (unless the caller sent it: woken); returns
        (seconds to running, seconds until the shell answers)."""
        t0 = time.monotonic()
        if not woken:
            self.qmp.cmd("system_wakeup")
        self.wait_status("running", timeout)
        t1 = time.monotonic() - t0
        self.check("true", timeout=max(1.0, timeout - t1))
        return t1, time.monotonic() - t0

    def hibernate(self, timeout=180.0):
        """systemctl hibernate; QEMU exits when the image is written; QEMU
        again on the same disks; returns (seconds to QEMU's exit, seconds
        from the new start until the restored shell answers)."""
        t0 = time.monotonic()
        self.check("systemctl hibernate", timeout=60)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise Timeout("QEMU still running %.0f s after systemctl hibernate" % timeout)
        t_down = time.monotonic() - t0
        self.stop()
        self.start(fresh=False)
        t1 = time.monotonic()
        # The restored shell is the same bash: no login, already quiet.
        self.shell_ready = True
        deadline = t1 + timeout
        while True:
            try:
                self.run("true", timeout=min(5.0, max(0.1, deadline - time.monotonic())))
                break
            except Timeout:
                if not self.alive():
                    raise VMError("QEMU exited during the restore: %s" % self.stderr_tail())
                if time.monotonic() > deadline:
                    raise Timeout("no shell %.0f s after the restart" % timeout)
        return t_down, time.monotonic() - t1

    # ---- logs -------------------------------------------------------------
    def dmesg(self):
        return self.check("dmesg", timeout=60)

    def trace_mark(self):
        try:
            return (self.trace_path, os.path.getsize(self.trace_path))
        except OSError:
            return (self.trace_path, 0)

    def trace_since(self, mark, until=None):
        """The trace lines written since mark (and before the mark `until`,
        if given) in the same QEMU start's log."""
        path, off = mark
        with open(path, "rb") as f:
            f.seek(off)
            data = f.read() if until is None else f.read(max(0, until[1] - off))
        # Only complete lines: the log is written as QEMU goes.
        cut = data.rfind(b"\n")
        return data[:cut + 1].decode("utf-8", "replace").splitlines() if cut >= 0 else []


def io_sequence(lines):
    """The QXL port writes (and resets, primaries, VGA mode) in order,
    runs of the same one folded into NAMExN."""
    seq = []
    for l in lines:
        m = IO_RE.search(l)
        name = m.group(1) if m else None
        if not name:
            e = EV_RE.search(l)
            name = e.group(1) if e else None
        if not name:
            continue
        name = name.replace("QXL_IO_", "")
        if seq and seq[-1][0] == name:
            seq[-1][1] += 1
        else:
            seq.append([name, 1])
    return " ".join(n if c == 1 else "%sx%d" % (n, c) for n, c in seq)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", default=os.environ.get("S3D_LINUX_GUEST", ""))
    ap.add_argument("--work", default="linux-vm-work")
    ap.add_argument("--driver", default="qxl", choices=("qxl", "ours"))
    ap.add_argument("--lib", default="debian", choices=("debian", "ours"))
    ap.add_argument("--port", type=int)
    ap.add_argument("what", choices=("selftest", "boot", "shell-cmd"))
    ap.add_argument("cmd", nargs="?")
    a = ap.parse_args()
    # A test runner's SIGTERM (or ^C, a hang-up) must still stop QEMU and
    # the client by PID: turn it into SystemExit, which runs the clean-ups.
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, lambda n, f: sys.exit(128 + n))
    if not a.cache:
        ap.error("--cache (or S3D_LINUX_GUEST) is required")
    vm = LinuxVM(a.cache, a.work, driver=a.driver, lib=a.lib, port=a.port)
    with vm:
        t = vm.boot()
        print("boot: %.1f s to the root shell; QEMU %d maps %s; SPICE 127.0.0.1:%d"
              % (t, vm.proc.pid, vm.libspice, vm.port), flush=True)
        if a.what == "boot":
            return 0
        if a.what == "shell-cmd":
            rc, out = vm.run(a.cmd or "true")
            sys.stdout.write(out)
            return rc
        print("uname: %s" % vm.check("uname -r").strip(), flush=True)
        print("drm driver: %s" % vm.check("basename $(readlink /sys/class/drm/card0/device/driver)").strip())
        vm.screendump(vm.path("selftest-before.ppm"))
        mark = vm.trace_mark()
        ts = vm.suspend()
        smark = vm.trace_mark()
        tr, tw = vm.wakeup()
        print("suspend: %.2f s to 'suspended'; resume: %.2f s to 'running', %.2f s to the shell"
              % (ts, tr, tw), flush=True)
        print("  suspend I/O: %s" % io_sequence(vm.trace_since(mark, smark)))
        print("  resume I/O: %s" % io_sequence(vm.trace_since(smark)))
        td, tres = vm.hibernate()
        print("hibernate: %.1f s until QEMU exited; restore: %.1f s until the shell answered"
              % (td, tres), flush=True)
        vm.screendump(vm.path("selftest-after.ppm"))
        print("uptime after restore: %s" % vm.check("cat /proc/uptime").strip())
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except VMError as e:
        print("linux-vm: %s" % e, file=sys.stderr)
        sys.exit(1)
