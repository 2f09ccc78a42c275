# tests/qemu: Debian's QEMU 7.2 with a real Linux 6.1 guest (in-tree drm/qxl)
# through S3 cycles, on Debian's libspice-server and on ours (README.md).
# Each run boots twice under TCG; about 1-2 minutes on 2 cores without KVM.
# The guest (kernel .deb, vmlinuz, initramfs) is cached in the build tree,
# in qemu/guest; each run's artifacts stay in qemu/work-LIB.
TESTS += qemu/test-qemu-s3-debian.sh qemu/test-qemu-s3-ours.sh
EXTRA_DIST += qemu/README.md qemu/guest-setup.sh qemu/run-qemu.sh qemu/qemu-ctl.py \
	qemu/spice-type.py qemu/qemu-s3-run.sh \
	qemu/test-qemu-s3-debian.sh qemu/test-qemu-s3-ours.sh \
	$(NULL)

# The artifacts go with `make clean`; the guest cache only with distclean
# (rebuilding it means downloading the kernel again).
clean-local: clean-local-qemu
clean-local-qemu:
	rm -rf qemu/work-debian qemu/work-ours
distclean-local: distclean-local-qemu
distclean-local-qemu:
	rm -rf qemu/guest
.PHONY: clean-local-qemu distclean-local-qemu
