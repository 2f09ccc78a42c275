# SPDX-License-Identifier: GPL-2.0-or-later
# tests/qemu: Debian's QEMU 7.2 with a real Linux 6.1 guest (in-tree drm/qxl)
# through S3 cycles, on Debian's libspice-server and on ours (README.md).
# Each run: SeaBIOS once, Linux three times under TCG; about 1.5 minutes each
# on 2 cores without KVM.
# The guest (kernel .deb, vmlinuz, initramfs) is cached in the build tree,
# in qemu/guest; each run's artifacts stay in qemu/work-LIB.
TESTS += qemu/test-qemu-s3-debian.sh qemu/test-qemu-s3-ours.sh
# Our Linux driver (guest-kms/linux/s3d_qxl.ko) in the same guest, on both
# libraries; its console picture must equal the in-kernel qxl's.
TESTS += qemu/test-qemu-s3d-qxl-debian.sh qemu/test-qemu-s3d-qxl-ours.sh
# The ours run compares its SeaBIOS and console screenshots with the ones the
# debian run kept (work-debian/ref-*.ppm): under make -jN it must come after.
# (No TEST_EXTENSIONS for .sh here, so the logs are NAME.sh.log and automake
# writes an explicit rule for each; naming the target through a variable adds
# the prerequisite without automake taking it for an override of its rule.)
qemu_s3_ours_log = qemu/test-qemu-s3-ours.sh.log
$(qemu_s3_ours_log): qemu/test-qemu-s3-debian.sh.log
qemu_s3d_logs = qemu/test-qemu-s3d-qxl-debian.sh.log qemu/test-qemu-s3d-qxl-ours.sh.log
$(qemu_s3d_logs): qemu/test-qemu-s3-debian.sh.log
# TLS: QEMU with tls-port/x509-dir on our library, spice-gtk over TLS with
# the CA file (no guest: the SeaBIOS screen), then NEED_SECURED moving
# spice-gtk's main channel to the TLS port; about 60 s.
TESTS += qemu/test-qemu-tls-ours.sh
EXTRA_DIST += qemu/test-qemu-tls-ours.sh
# SASL: QEMU with port=,sasl=on (DIGEST-MD5 from a sasldb) on our library
# and on Debian's, spice-gtk logging in on the plain port through the
# mechanism's security layer; about 40 s.
TESTS += qemu/test-qemu-sasl-ours.sh
EXTRA_DIST += qemu/test-qemu-sasl-ours.sh qemu/qemu-watch-lib.sh
EXTRA_DIST += qemu/README.md qemu/guest-setup.sh qemu/run-qemu.sh qemu/qemu-ctl.py \
	qemu/spice-type.py qemu/qemu-s3-run.sh \
	qemu/test-qemu-s3-debian.sh qemu/test-qemu-s3-ours.sh \
	qemu/test-qemu-s3d-qxl-debian.sh qemu/test-qemu-s3d-qxl-ours.sh \
	$(NULL)

# The artifacts go with `make clean`; the guest cache only with distclean
# (rebuilding it means downloading the kernel again).
clean-local: clean-local-qemu
clean-local-qemu:
	rm -rf qemu/work-debian qemu/work-ours qemu/work-s3d-debian qemu/work-s3d-ours
distclean-local: distclean-local-qemu
distclean-local-qemu:
	rm -rf qemu/guest qemu/guest-s3d
.PHONY: clean-local-qemu distclean-local-qemu
