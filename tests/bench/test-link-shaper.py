#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""test-link-shaper.py: link-shaper relays every byte, both ways, in order.

An echo server on 127.0.0.1 behind link-shaper; clients send seeded random
data through the shaper and read the echo back, several connections at once
(they share the shaped link).  Checks, per connection, that the bytes that
came back are the bytes sent (length and SHA-256), and that the shaper's own
count on exit ("up=N down=N") equals what the clients sent.  Also: a client
that resets its connection mid-stream does not disturb the shaper, which
serves the next connection; bad arguments exit 2.  Shaped at 10 and 200
Mbit/s with a delay, and unshaped.  Nothing here checks a time: every wait
is bounded (socket timeouts, process waits) and only fails the test.

Usage: test-link-shaper.py PATH-TO-link-shaper.  Exit 0 or 1.
"""
import hashlib
import random
import re
import socket
import struct
import subprocess
import sys
import threading

IO_TIMEOUT_S = 60        # one socket operation
EXIT_TIMEOUT_S = 30
CHUNK = 65536


class EchoServer:
    """Echoes every connection's bytes back, then closes its side."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(IO_TIMEOUT_S)
        self.port = self.sock.getsockname()[1]
        self.stop = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.echo, args=(conn,), daemon=True).start()

    @staticmethod
    def echo(conn):
        conn.settimeout(IO_TIMEOUT_S)
        try:
            while True:
                data = conn.recv(CHUNK)
                if not data:
                    break
                conn.sendall(data)
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.stop = True
        self.sock.close()


def payload(seed, size):
    return random.Random(seed).randbytes(size)


def round_trip(port, data, result, key):
    """Sends data and reads the echo concurrently; stores what came back."""
    s = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT_S)
    got = bytearray()
    err = []

    def reader():
        try:
            while True:
                b = s.recv(CHUNK)
                if not b:
                    return
                got.extend(b)
        except OSError as e:
            err.append(e)
    t = threading.Thread(target=reader)
    t.start()
    try:
        for i in range(0, len(data), 8192):
            s.sendall(data[i:i + 8192])
        s.shutdown(socket.SHUT_WR)
    except OSError as e:
        err.append(e)
    t.join(IO_TIMEOUT_S * 2)
    s.close()
    result[key] = (bytes(got), err, t.is_alive())


def start_shaper(shaper, target, *opts):
    p = subprocess.Popen([shaper, "--target", str(target), "--lifetime", "120"] + list(opts),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    m = re.match(r"link-shaper port=(\d+)$", line.strip())
    if not m:
        p.kill()
        p.wait(EXIT_TIMEOUT_S)
        raise SystemExit("FAIL: no port line from link-shaper, got %r" % line)
    return p, int(m.group(1))


def stop_shaper(p):
    p.terminate()
    try:
        p.wait(EXIT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait(EXIT_TIMEOUT_S)
        return None, "did not exit on SIGTERM"
    err = p.stderr.read()
    m = re.search(r"up=(\d+) down=(\d+) connections=(\d+)", err)
    if p.returncode != 0 or not m:
        return None, "exit %s, stderr %r" % (p.returncode, err)
    return tuple(int(v) for v in m.groups()), None


def check_case(shaper, echo, label, sizes, opts, reset_first=False):
    failures = []
    p, port = start_shaper(shaper, echo.port, *opts)
    sent = 0
    n_conns = len(sizes)
    if reset_first:
        # A client that sends, then resets without reading: the shaper drops
        # that connection only.
        s = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT_S)
        s.sendall(payload(99, 200000))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        n_conns += 1
    results = {}
    threads = []
    for i, size in enumerate(sizes):
        data = payload(i, size)
        sent += size
        t = threading.Thread(target=round_trip, args=(port, data, results, i))
        t.start()
        threads.append((t, data))
    for i, (t, data) in enumerate(threads):
        t.join(IO_TIMEOUT_S * 3)
        got, err, hung = results.get(i, (b"", ["no result"], True))
        if t.is_alive() or hung or err:
            failures.append("%s conn %d: hung or error %s" % (label, i, err))
        elif len(got) != len(data) or hashlib.sha256(got).digest() != hashlib.sha256(data).digest():
            failures.append("%s conn %d: sent %d bytes, got back %d (sha256 %s)" %
                            (label, i, len(data), len(got),
                             "equal" if got == data else "differs"))
    counts, err = stop_shaper(p)
    if err:
        failures.append("%s: link-shaper %s" % (label, err))
    elif not reset_first and counts != (sent, sent, n_conns):
        failures.append("%s: link-shaper counted up=%d down=%d connections=%d, want %d %d %d" %
                        (label, *counts, sent, sent, n_conns))
    elif reset_first and (counts[1] != sent or counts[2] != n_conns):
        # up also holds whatever of the reset client's bytes got through.
        failures.append("%s: link-shaper counted down=%d connections=%d, want %d %d" %
                        (label, counts[1], counts[2], sent, n_conns))
    print("%s: %d connections, %d bytes each way: %s" %
          (label, n_conns, sent, "FAIL" if failures else "ok"))
    return failures


def main():
    shaper = sys.argv[1]
    failures = []
    r = subprocess.run([shaper, "--target", "1", "--rate", "nope"], capture_output=True,
                       timeout=EXIT_TIMEOUT_S)
    if r.returncode != 2:
        failures.append("bad --rate: exit %d, want 2" % r.returncode)
    r = subprocess.run([shaper], capture_output=True, timeout=EXIT_TIMEOUT_S)
    if r.returncode != 2:
        failures.append("no --target: exit %d, want 2" % r.returncode)
    echo = EchoServer()
    try:
        failures += check_case(shaper, echo, "unshaped", [3 << 20, 1 << 20, 1], [])
        failures += check_case(shaper, echo, "200 Mbit/s 5 ms queue 16 KiB",
                               [1 << 20, 1 << 20, 300000],
                               ["--rate", "200", "--delay", "5", "--queue", "16"])
        failures += check_case(shaper, echo, "10 Mbit/s 20 ms, after a reset",
                               [150000, 50000], ["--rate", "10", "--delay", "20"],
                               reset_first=True)
    finally:
        echo.close()
    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
