#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Small host-side helper for the real-QEMU tests (stdlib only).

  qemu-ctl.py qmp SOCK COMMAND [JSON-ARGS]   run one QMP command, print its "return" as JSON
  qemu-ctl.py status SOCK                    print the run state (running, suspended, ...)
  qemu-ctl.py wait-status SOCK STATE SECS    poll query-status until STATE, bounded
  qemu-ctl.py send SOCK LINE                 write LINE + newline to the serial socket
  qemu-ctl.py wait-log FILE OFFSET REGEX SECS  wait until REGEX appears in FILE after byte OFFSET;
                                             print the matching line, exit 1 on timeout
  qemu-ctl.py free-port                      print a free TCP port on 127.0.0.1
  qemu-ctl.py ppm-info FILE                  print "W H distinct_colours non_background_pixels"
  qemu-ctl.py ppm-to-png IN.ppm OUT.png      convert, for people looking at test artifacts
  qemu-ctl.py ppm-diff A.ppm B.ppm           print "same" (exit 0), or the differing pixel count
                                             and their bounding box (exit 1; sizes differ: exit 1)
  qemu-ctl.py median NUM...                  print the median

Why a helper: QMP needs the capabilities handshake before any command, and
shell tools for unix sockets (socat) are not installed by default.
"""
import json
import os
import re
import socket
import sys
import time


def qmp(sock_path, command, args=None, timeout=10.0):
    # QEMU binds its QMP socket before it listens on it, so a caller that
    # saw the file may still be refused for a moment: retry a refusal for up
    # to 2 s (a QEMU that is gone is refused too, and its callers should
    # hear so soon).  A missing file fails at once, as before.
    deadline = time.monotonic() + min(timeout, 2.0)
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(sock_path)
            break
        except ConnectionRefusedError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    f = s.makefile("rwb", buffering=0)

    def reply():
        # Skip asynchronous events (SUSPEND, WAKEUP, ...) that may interleave.
        while True:
            line = f.readline()
            if not line:
                raise RuntimeError("QMP connection closed")
            msg = json.loads(line)
            if "return" in msg or "error" in msg:
                return msg

    json.loads(f.readline())  # greeting
    f.write(b'{"execute":"qmp_capabilities"}\n')
    reply()
    req = {"execute": command}
    if args:
        req["arguments"] = args
    f.write(json.dumps(req).encode() + b"\n")
    try:
        msg = reply()
    except RuntimeError:
        if command == "quit":
            return {}
        raise
    s.close()
    if "error" in msg:
        raise RuntimeError("QMP %s: %s" % (command, msg["error"]))
    return msg["return"]


def read_ppm(path):
    with open(path, "rb") as fh:
        data = fh.read()
    # P6 header: magic, width, height, maxval, one whitespace byte, pixels.
    m = re.match(rb"P6\s+(?:#.*\n\s*)*(\d+)\s+(\d+)\s+(\d+)\s", data)
    if not m:
        raise ValueError("not a P6 PPM: %s" % path)
    w, h = int(m.group(1)), int(m.group(2))
    return w, h, data[m.end():m.end() + w * h * 3]


def ppm_to_png(src, dst):
    import struct
    import zlib
    w, h, px = read_ppm(src)
    raw = b"".join(b"\0" + px[y * w * 3:(y + 1) * w * 3] for y in range(h))

    def chunk(tag, body):
        return (struct.pack(">I", len(body)) + tag + body +
                struct.pack(">I", zlib.crc32(tag + body) & 0xffffffff))
    with open(dst, "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n" +
                 chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
                 chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def ppm_info(path):
    w, h, px = read_ppm(path)
    counts = {}
    for i in range(0, len(px), 3):
        k = px[i:i + 3]
        counts[k] = counts.get(k, 0) + 1
    bg = max(counts.values()) if counts else 0
    return w, h, len(counts), w * h - bg


def ppm_diff(a, b):
    wa, ha, pa = read_ppm(a)
    wb, hb, pb = read_ppm(b)
    if (wa, ha) != (wb, hb):
        return "size differs: %dx%d vs %dx%d" % (wa, ha, wb, hb), False
    n = 0
    x0, y0, x1, y1 = wa, ha, -1, -1
    if pa != pb:
        for i in range(0, min(len(pa), len(pb)), 3):
            if pa[i:i + 3] != pb[i:i + 3]:
                n += 1
                x, y = (i // 3) % wa, (i // 3) // wa
                x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
    if n == 0 and len(pa) == len(pb):
        return "same", True
    return ("%d of %d pixels differ, in x %d..%d y %d..%d" %
            (n, wa * ha, x0, x1, y0, y1)), False


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = argv[1]
    if cmd == "qmp":
        args = json.loads(argv[4]) if len(argv) > 4 else None
        print(json.dumps(qmp(argv[2], argv[3], args)))
    elif cmd == "status":
        print(qmp(argv[2], "query-status")["status"])
    elif cmd == "wait-status":
        deadline = time.monotonic() + float(argv[4])
        while True:
            st = qmp(argv[2], "query-status")["status"]
            if st == argv[3]:
                print(st)
                return 0
            if time.monotonic() > deadline:
                print("timeout; last status %s" % st, file=sys.stderr)
                return 1
            time.sleep(0.2)
    elif cmd == "send":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(argv[2])
        s.sendall(argv[3].encode() + b"\n")
        # Give QEMU's chardev a moment to pass the bytes to the UART before
        # the hang-up; a close right away can drop unread input.
        time.sleep(0.3)
        s.close()
    elif cmd == "wait-log":
        path, off, rx, secs = argv[2], int(argv[3]), re.compile(argv[4]), float(argv[5])
        deadline = time.monotonic() + secs
        while True:
            try:
                with open(path, "rb") as fh:
                    fh.seek(off)
                    text = fh.read().decode("utf-8", "replace")
                for line in text.splitlines():
                    if rx.search(line):
                        print(line.strip())
                        return 0
            except FileNotFoundError:
                pass
            if time.monotonic() > deadline:
                return 1
            time.sleep(0.1)
    elif cmd == "free-port":
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])
        s.close()
    elif cmd == "ppm-info":
        print("%d %d %d %d" % ppm_info(argv[2]))
    elif cmd == "ppm-diff":
        msg, same = ppm_diff(argv[2], argv[3])
        print(msg)
        return 0 if same else 1
    elif cmd == "median":
        v = sorted(float(x) for x in argv[2:])
        if not v:
            return 1
        m = v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2
        print("%.1f" % m)
    elif cmd == "ppm-to-png":
        ppm_to_png(argv[2], argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (OSError, RuntimeError, ValueError) as e:
        print("qemu-ctl: %s" % e, file=sys.stderr)
        sys.exit(1)
