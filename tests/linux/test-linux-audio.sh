#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-linux-audio.sh: the make check test of linux-audio.py: the Debian
# guest's sound (snd-intel8x0 on QEMU's AC97; S3D_AUDIO_CARD=hda: snd-hda-intel
# on intel-hda + hda-duplex, on -audiodev spice) reaches spice-gtk through our
# plain library (run-guest-test.sh says how it runs and skips).
exec "$(dirname "$0")/run-guest-test.sh" linux-audio.py audio
