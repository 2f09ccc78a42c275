# SPDX-License-Identifier: GPL-2.0-or-later
# tests/linux: a Debian 12 systemd guest (mmdebstrap, Debian's kernel) on
# Debian's QEMU 7.2: boot, S3 cycles through systemctl suspend / QMP
# system_wakeup with a spice-gtk client connected throughout (README.md).
# About 2-3 minutes on 2 cores without KVM, plus 1-4 minutes the first time
# for mmdebstrap. Needs root (mmdebstrap, chroot); skips otherwise.
TESTS += linux/test-linux-boot.sh
# Our driver in the same guest, on both libraries (the demo, the faults and,
# on Debian's library, hibernate): about 4 minutes each.
TESTS += linux/test-linux-s3d-debian.sh linux/test-linux-s3d-ours.sh
# One QEMU at a time on small machines: under make -jN this test starts after
# the tests/qemu ones (same explicit-rule trick as in qemu/local.mk).
linux_boot_log = linux/test-linux-boot.sh.log
$(linux_boot_log): qemu/test-qemu-s3-ours.sh.log
# They share the image cache: one after the other.
linux_s3d_debian_log = linux/test-linux-s3d-debian.sh.log
$(linux_s3d_debian_log): linux/test-linux-boot.sh.log
linux_s3d_ours_log = linux/test-linux-s3d-ours.sh.log
$(linux_s3d_ours_log): linux/test-linux-s3d-debian.sh.log
EXTRA_DIST += linux/README.md linux/guest-image.sh linux/linux-vm.py linux/linux-boot.py \
	linux/test-linux-boot.sh linux/test-linux-s3d-debian.sh linux/test-linux-s3d-ours.sh \
	linux/linux-demo.py \
	$(NULL)

# The artifacts go with `make clean`; the guest image only with distclean
# (rebuilding it means mmdebstrap again).
clean-local: clean-local-linux
clean-local-linux:
	rm -rf linux/work-*
distclean-local: distclean-local-linux
distclean-local-linux:
	rm -rf linux/guest
.PHONY: clean-local-linux distclean-local-linux

# Audio: the guest's sound through QEMU's -audiodev spice on our library
# reaches spice-gtk (about 2 minutes; same image cache, after the others).
TESTS += linux/test-linux-audio.sh
linux_audio_log = linux/test-linux-audio.sh.log
$(linux_audio_log): linux/test-linux-s3d-ours.sh.log
EXTRA_DIST += linux/linux-audio.py linux/test-linux-audio.sh

# The agent: spice-vdagent in the guest, clipboard both ways with spice-gtk,
# the viewer's size to the guest's qxl driver (about 2 minutes; same image
# cache, after the others).
TESTS += linux/test-linux-agent.sh
linux_agent_log = linux/test-linux-agent.sh.log
$(linux_agent_log): linux/test-linux-audio.sh.log
EXTRA_DIST += linux/linux-agent.py linux/test-linux-agent.sh linux/run-guest-test.sh
