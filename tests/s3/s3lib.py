# SPDX-License-Identifier: GPL-2.0-or-later
"""s3lib: processes and pictures for the S3 suite.

Runner: s3d-stack with its JSON-lines control socket.  Watcher: a real
spice-gtk client (tests/client/spice-watch.py) that stays connected.  Both
are started on 127.0.0.1 and stopped by PID; every read has a deadline.
"""
import json
import os
import select
import signal
import socket
import struct
import subprocess
import time
import zlib


class Timeout(Exception):
    pass


def require_spice_gtk():
    """Exits 77 (skip) when /usr/bin/python3 has no spice-gtk GObject
    bindings, or 1 when S3D_REQUIRE_PEERS=1 or CI=true ask for them."""
    if subprocess.call(["/usr/bin/python3", "-c",
                        "import gi; gi.require_version('SpiceClientGLib', '2.0')"],
                       stderr=subprocess.DEVNULL) == 0:
        return
    required = os.environ.get("S3D_REQUIRE_PEERS") == "1" or os.environ.get("CI") == "true"
    print("no SpiceClientGLib bindings (python3-gi, gir1.2-spiceclientglib-2.0)", flush=True)
    raise SystemExit(1 if required else 77)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def backtrace(pid, timeout=60):
    """All threads' stacks of a live process (gdb, bounded), or why not."""
    try:
        r = subprocess.run(["gdb", "-p", str(pid), "-batch", "-nx",
                            "-ex", "set pagination off", "-ex", "thread apply all bt"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
    except FileNotFoundError:
        return "backtrace: gdb is not installed"
    except subprocess.TimeoutExpired:
        return "backtrace: gdb did not finish within %d s" % timeout
    out = r.stdout.decode("utf-8", "replace")
    keep = [l for l in out.splitlines() if l.startswith(("Thread ", "#"))]
    return "backtrace of %d:\n%s" % (pid, "\n".join(keep) if keep else out[-3000:])


class LineReader:
    """Bounded line reads from a file descriptor."""

    def __init__(self, fd):
        self.fd = fd
        self.buf = b""

    def readline(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout("no line within %.1f s" % timeout)
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                continue
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise EOFError("closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("utf-8", "replace")


class Runner:
    """s3d-stack and its control socket."""

    def __init__(self, binary, workdir, port, extra=(), log=None):
        self.sock_path = os.path.join(workdir, "control-%d.sock" % port)
        self.port = port
        self.log = open(log or os.path.join(workdir, "runner-%d.log" % port), "w")
        args = [binary, "--port", str(port), "--control", self.sock_path, "--fps", "20"]
        self.proc = subprocess.Popen(args + list(extra), stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.events = []
        deadline = time.monotonic() + 30
        while not os.path.exists(self.sock_path):
            if self.proc.poll() is not None:
                raise RuntimeError("s3d-stack exited with %d (see %s)"
                                   % (self.proc.returncode, self.log.name))
            if time.monotonic() > deadline:
                raise Timeout("s3d-stack did not open its control socket")
            time.sleep(0.05)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.sock_path)
        self.reader = LineReader(self.sock.fileno())
        greeting = json.loads(self.reader.readline(10))
        assert "greeting" in greeting, greeting

    def _read(self, timeout):
        msg = json.loads(self.reader.readline(timeout))
        if "event" in msg:
            self.events.append(msg)
        return msg

    def execute(self, cmd, timeout=20, **args):
        args["execute"] = cmd
        self.sock.sendall((json.dumps(args) + "\n").encode())
        deadline = time.monotonic() + timeout
        while True:
            msg = self._read(max(0.01, deadline - time.monotonic()))
            if "event" not in msg:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (cmd, msg["error"]["desc"]))
                return msg["return"]

    def wait_event(self, names, timeout=30):
        """The first not yet consumed event among names."""
        deadline = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e["event"] in names:
                    return self.events.pop(i)
            self._read(max(0.01, deadline - time.monotonic()))

    def status(self):
        return self.execute("status")

    def wait_power(self, state, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            st = self.status()
            if st["power"] == state:
                return st
            if time.monotonic() > deadline:
                raise Timeout("machine not %s after %d s (it is %s)"
                              % (state, timeout, st["power"]))
            time.sleep(0.02)

    def diagnose(self, why):
        """Prints why, the runner's status (if its loop still answers), a
        backtrace of all its threads and the end of its log: a hang becomes a
        failure that says where each thread was."""
        print("--- s3d-stack diagnosis: %s" % why, flush=True)
        if self.proc.poll() is not None:
            print("s3d-stack exited with %d" % self.proc.returncode, flush=True)
        else:
            try:
                print("status: %s" % json.dumps(self.execute("status", timeout=3)), flush=True)
            except Exception as e:
                print("status: no answer (%s: %s): the main loop is blocked"
                      % (type(e).__name__, e), flush=True)
            print(backtrace(self.proc.pid), flush=True)
        self.log.flush()
        try:
            with open(self.log.name, errors="replace") as f:
                tail = f.read()[-6000:]
            print("--- end of %s:\n%s--- end of diagnosis" % (self.log.name, tail), flush=True)
        except OSError as e:
            print("log unreadable: %s" % e, flush=True)

    def stop(self):
        try:
            self.execute("quit", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.diagnose("did not exit within 20 s of quit")
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.sock.close()
        self.log.close()
        return self.proc.returncode


class Watcher:
    """A spice-gtk client that stays connected (spice-watch.py)."""

    def __init__(self, script, port, log_path, connect=True, lifetime=1500):
        """lifetime: seconds after which the client exits by itself (its
        guard against being orphaned); a run that needs it longer says so."""
        args = ["/usr/bin/python3", script, "--port", str(port), "--lifetime", str(lifetime),
                "--channels", "display,cursor"]
        if not connect:
            args.append("--no-connect")
        self.err = open(log_path, "w")
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.err)
        self.reader = LineReader(self.proc.stdout.fileno())
        self.events = []

    def cmd(self, name, **args):
        """Sends a command (args as spice-watch.py takes them) and returns
        its reply; waits a little longer than the command's own timeout."""
        args["cmd"] = name
        try:
            self.proc.stdin.write((json.dumps(args) + "\n").encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise RuntimeError("the spice-gtk client (spice-watch.py) has exited (status %s; "
                               "its last events: %s)" % (self.proc.poll(), self.events[-3:]))
        deadline = time.monotonic() + args.get("timeout", 30) + 15
        while True:
            msg = json.loads(self.reader.readline(max(0.01, deadline - time.monotonic())))
            if "event" in msg:
                self.events.append(msg)
                continue
            if msg.get("cmd") == name:
                return msg

    def take_events(self, name):
        got = [e for e in self.events if e["event"] == name]
        self.events = [e for e in self.events if e["event"] != name]
        return got

    def stop(self):
        try:
            self.cmd("quit")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.err.close()


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    parts = data.split(maxsplit=4)
    if parts[0] != b"P6" or int(parts[3]) != 255:
        raise ValueError("%s: not a P6 PPM" % path)
    w, h = int(parts[1]), int(parts[2])
    pixels = parts[4]
    if len(pixels) != w * h * 3:
        raise ValueError("%s: %d bytes of pixels, want %d" % (path, len(pixels), w * h * 3))
    return w, h, pixels


def compare_ppm(a, b):
    """(number of differing pixels, first differing (x, y) or None)."""
    wa, ha, pa = read_ppm(a)
    wb, hb, pb = read_ppm(b)
    if (wa, ha) != (wb, hb):
        return wa * ha, ("size", (wa, ha), (wb, hb))
    if pa == pb:
        return 0, None
    bad, first = 0, None
    for i in range(0, len(pa), 3):
        if pa[i:i + 3] != pb[i:i + 3]:
            if first is None:
                first = ((i // 3) % wa, (i // 3) // wa)
            bad += 1
    return bad, first


def ppm_to_png(ppm, png):
    """A PNG of a PPM (for the HTML report: browsers show PNG, not PPM)."""
    w, h, px = read_ppm(ppm)
    raw = b"".join(b"\x00" + px[y * w * 3:(y + 1) * w * 3] for y in range(h))

    def chunk(kind, body):
        c = struct.pack(">I", len(body)) + kind + body
        return c + struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff)
    with open(png, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 6)))
        f.write(chunk(b"IEND", b""))
