#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""linux-demo.py: the main job on a real Linux guest (./stack.sh demo --linux).

  linux-demo.py --cache DIR --work DIR --ko s3d_qxl.ko --demo s3d-drm-demo
                [--lib ours|debian] [--port 5930] [--control PATH]

Boots the Debian 12 guest (guest-image.sh) under Debian's QEMU with our
driver (s3d_qxl.ko, the in-kernel qxl blacklisted) on our libspice-server
(--lib ours, the plain build in S3D_SPICE_LIBDIR) or Debian's, starts the
libdrm demo desktop (guest-kms/drm/s3d-drm-demo) in the guest, prints the
viewer URL and serves a control socket, one JSON object per line:

  {"execute":"status"}   QEMU's run state and the guest's last suspend/resume
  {"execute":"suspend"}  systemctl suspend in the guest, until QMP says suspended
  {"execute":"wake"}     QMP system_wakeup, until the guest's shell answers
  {"execute":"quit"}     stops QEMU (Ctrl-C does the same)

Every reply is {"return":{...}} or {"error":{"desc":...}}.  SPICE listens on
127.0.0.1 only.
"""
import argparse
import importlib.util
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
spec = importlib.util.spec_from_file_location("linux_vm", os.path.join(HERE, "linux-vm.py"))
linux_vm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(linux_vm)


def reply(ok, **fields):
    return {"return": fields} if ok else {"error": {"desc": fields.get("desc", "failed")}}


def handle(vm, cmd, state):
    ex = cmd.get("execute")
    try:
        if ex == "status":
            return reply(True, power=vm.status(), **state)
        if ex == "suspend":
            if vm.status() != "running":
                return reply(False, desc="the guest is not running")
            state["last_suspend_s"] = round(vm.suspend(timeout=60), 2)
            return reply(True, power=vm.status())
        if ex == "wake":
            if vm.status() != "suspended":
                return reply(False, desc="the guest is not asleep")
            to_running, to_shell = vm.wakeup(timeout=60)
            state["last_resume_s"] = round(to_shell, 2)
            return reply(True, power=vm.status())
        if ex == "quit":
            state["quit"] = True
            return reply(True)
        return reply(False, desc="unknown command %r" % ex)
    except (linux_vm.VMError, linux_vm.Timeout) as e:
        return reply(False, desc=str(e))


def serve(vm, path, state):
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(4)
    clients = {}
    try:
        while not state.get("quit"):
            if not vm.alive():
                print("linux-demo: QEMU exited", flush=True)
                return 1
            r, _, _ = select.select([srv] + list(clients), [], [], 1.0)
            for s in r:
                if s is srv:
                    c, _ = srv.accept()
                    clients[c] = b""
                    c.sendall(b'{"greeting":"s3d linux demo"}\n')
                    continue
                data = s.recv(4096)
                if not data:
                    clients.pop(s).close()
                    continue
                clients[s] += data
                while b"\n" in clients[s]:
                    line, clients[s] = clients[s].split(b"\n", 1)
                    try:
                        cmd = json.loads(line)
                    except ValueError:
                        out = reply(False, desc="not JSON")
                    else:
                        out = handle(vm, cmd, state)
                    s.sendall((json.dumps(out) + "\n").encode())
    finally:
        for c in clients:
            c.close()
        srv.close()
        os.unlink(path)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--ko", required=True)
    ap.add_argument("--demo", required=True)
    ap.add_argument("--lib", default="ours", choices=("ours", "debian"))
    ap.add_argument("--port", type=int, default=5930)
    ap.add_argument("--control", default=None)
    a = ap.parse_args()
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, lambda n, f: sys.exit(0))
    os.makedirs(a.work, exist_ok=True)
    extra = os.path.join(a.work, "guest-extra")
    shutil.rmtree(extra, ignore_errors=True)
    os.makedirs(extra)
    shutil.copy(a.demo, os.path.join(extra, "s3d-drm-demo"))
    env = dict(os.environ, GUEST_EXTRA_DIR=extra)
    print("linux-demo: building the guest image (the first time: mmdebstrap, a few minutes)",
          flush=True)
    r = subprocess.run(["bash", os.path.join(HERE, "guest-image.sh"), a.cache, a.ko], env=env)
    if r.returncode != 0:
        print("linux-demo: cannot build the guest image", file=sys.stderr)
        return 1
    control = a.control or os.path.join(a.work, "control.sock")
    vm = linux_vm.LinuxVM(a.cache, a.work, driver="ours", lib=a.lib, port=a.port)
    with vm:
        t = vm.boot(timeout=240)
        vm.check("echo deep > /sys/power/mem_sleep; /root/s3d-drm-demo --fps 5 "
                 "</dev/null >/root/demo.out 2>&1 &")
        print("linux-demo: guest up after %.0f s (s3d_qxl, libspice-server %s)"
              % (t, vm.libspice), flush=True)
        print("viewer: spice://127.0.0.1:%d   (remote-viewer spice://127.0.0.1:%d)"
              % (vm.port, vm.port), flush=True)
        print("control: %s   (echo '{\"execute\":\"suspend\"}' | socat - UNIX-CONNECT:%s)"
              % (control, control), flush=True)
        return serve(vm, control, {})


if __name__ == "__main__":
    sys.exit(main())
