#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""linux-audio.py: a Linux guest's sound reaches a real SPICE client through
QEMU's -audiodev spice, on our library (or Debian's, to check the test).

1. builds (or reuses) the guest image in CACHE (guest-image.sh, as
   linux-boot.py does; nothing audio-specific is installed);
2. boots it under Debian's QEMU 7.2 with an AC97 card on the SPICE audio
   backend (-audiodev spice,id=snd0 -device AC97,audiodev=snd0; the guest's
   snd-intel8x0 drives it).  S3D_AUDIO_CARD=hda uses -device intel-hda
   -device hda-duplex instead (QEMU's usual card).  Once, at load ~15 under
   TCG, that guest's udev stalled (/dev/vdb, /dev/ttyS0 timed out, no shell
   in 600 s); run side by side at load ~6, it booted in 55 s on our library
   and 45 s on Debian's and both passed, so the stall was the load, not the
   library.  AC97 stays the default, as the suite has always run it;
3. connects spice-audio-watch.py (spice-gtk) to the playback channel;
4. in the guest: loads snd-pcm-oss and plays noise into /dev/dsp (the OSS
   emulation of the card: no alsa-utils needed in the image), bounded
   by `timeout`;
5. passes when the client saw PLAYBACK_START and 20 packets with a peak of
   at least 1000 (spice-gtk decodes the Opus QEMU's library sent).

Usage: linux-audio.py --cache C --work W [--lib ours|debian]
Exit: 0 pass, 1 fail, 77 skip (not root, a peer missing, no plain build of
our library for --lib ours); S3D_REQUIRE_PEERS=1 or CI=true turns a skip
into a failure.  Artifacts in W: serial.log, qemu.stderr, watch.out/.err.
"""
import importlib.util
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.dont_write_bytecode = True

spec = importlib.util.spec_from_file_location("linux_vm", os.path.join(HERE, "linux-vm.py"))
linux_vm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(linux_vm)

say, skip = linux_vm.say, linux_vm.skip
# S3D_AUDIO_CARD=hda: Intel HDA instead of AC97.
SOUND_ARGS = (["-audiodev", "spice,id=snd0", "-device", "intel-hda",
               "-device", "hda-duplex,audiodev=snd0"]
              if os.environ.get("S3D_AUDIO_CARD") == "hda" else
              ["-audiodev", "spice,id=snd0", "-device", "AC97,audiodev=snd0"])
LISTEN_S = 120          # the client's bound (the guest plays for as long)



def main():
    a = linux_vm.guest_test_setup()

    watch = None
    vm = linux_vm.LinuxVM(a.cache, a.work, driver="qxl", lib=a.lib, qemu_args=SOUND_ARGS)
    try:
        with vm:
            tb = vm.boot(timeout=600)  # TCG under a loaded machine: slow
            say("boot: %.1f s; QEMU %d maps %s (--lib %s)" % (tb, vm.proc.pid, vm.libspice, a.lib))
            cards = vm.check("for i in $(seq 50); do [ -e /proc/asound/card0 ] && break; "
                             "sleep 0.2; done; cat /proc/asound/cards", timeout=30)
            say("guest sound cards:\n%s" % cards.rstrip())
            if "card0" not in vm.check("ls /proc/asound"):
                raise linux_vm.VMError("the guest has no sound card")
            vm.check("modprobe snd-pcm-oss && for i in $(seq 50); do [ -e /dev/dsp ] && break; "
                     "sleep 0.2; done; ls -l /dev/dsp", timeout=30)

            with open(os.path.join(a.work, "watch.out"), "w") as out, \
                    open(os.path.join(a.work, "watch.err"), "w") as err:
                wenv = dict(os.environ)
                wenv.pop("DISPLAY", None)
                wenv.pop("WAYLAND_DISPLAY", None)
                watch = subprocess.Popen(["/usr/bin/python3",
                                          os.path.join(TESTS, "client", "spice-audio-watch.py"),
                                          "--port", str(vm.port), "--timeout", str(LISTEN_S)],
                                         stdout=out, stderr=err, env=wenv,
                                         start_new_session=True)
            # Noise at OSS's default 8 kHz U8 mono; QEMU's HDA mixes it to
            # 48 kHz S16 stereo for the SPICE backend.
            t0 = time.monotonic()
            vm.check("(timeout %d sh -c 'cat /dev/urandom > /dev/dsp' >/dev/null 2>&1 &)"
                     % (LISTEN_S + 10), timeout=30)
            rc = watch.wait(timeout=LISTEN_S + 30)
            watch = None
            with open(os.path.join(a.work, "watch.out")) as f:
                lines = f.read().strip().splitlines()
            res = json.loads(lines[-1]) if lines else {"ok": False, "reason": "no output"}
            say("client after %.1f s: %s" % (time.monotonic() - t0, json.dumps(res)))
            if rc != 0 or not res.get("ok"):
                raise linux_vm.VMError("the client did not hear the guest: %s" % res)
            if res.get("rate") != 48000 or res.get("channels") != 2:
                raise linux_vm.VMError("unexpected PLAYBACK_START: %s" % res)
            vm.check("pkill -f 'cat /dev/urandom' || true", timeout=30)
    except (linux_vm.VMError, subprocess.TimeoutExpired) as e:
        say("FAIL: %s" % e)
        for f in ("watch.err", "qemu.stderr"):
            p = os.path.join(a.work, f)
            if os.path.exists(p):
                with open(p) as fh:
                    say("--- %s\n%s" % (f, fh.read()[-3000:]))
        return 1
    finally:
        if watch is not None and watch.poll() is None:
            watch.kill()
            watch.wait()
    say("PASS: the guest's sound reached spice-gtk through -audiodev spice (--lib %s)" % a.lib)
    return 0


if __name__ == "__main__":
    sys.exit(main())
