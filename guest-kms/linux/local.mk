# SPDX-License-Identifier: GPL-2.0-only
# guest-kms/linux: s3d_qxl.ko, the Linux KMS driver for the QXL device, built
# by Kbuild against $(LINUX_HEADERS) (configure --with-linux-headers=DIR).
# Kbuild builds next to its sources, so they are copied into the build tree
# first (a no-op when building in the source tree).
s3d_qxl_files = Kbuild s3d_qxl.h s3d_qxl_cmd.c s3d_qxl_drv.c s3d_qxl_hw.c \
	s3d_qxl_kms.c s3d_qxl_pm.c shim/limits.h shim/stddef.h shim/stdint.h
s3d_qxl_dist = linux/Kbuild linux/s3d_qxl.h linux/s3d_qxl_cmd.c linux/s3d_qxl_drv.c \
	linux/s3d_qxl_hw.c linux/s3d_qxl_kms.c linux/s3d_qxl_pm.c linux/shim/limits.h \
	linux/shim/stddef.h linux/shim/stdint.h $(NULL)
EXTRA_DIST += $(s3d_qxl_dist)
# The sources themselves, not the copies in the build tree (which VPATH
# would find first).
s3d_qxl_srcs = $(srcdir)/linux/Kbuild $(srcdir)/linux/s3d_qxl.h \
	$(srcdir)/linux/s3d_qxl_cmd.c $(srcdir)/linux/s3d_qxl_drv.c \
	$(srcdir)/linux/s3d_qxl_hw.c $(srcdir)/linux/s3d_qxl_kms.c \
	$(srcdir)/linux/s3d_qxl_pm.c $(srcdir)/linux/shim/limits.h \
	$(srcdir)/linux/shim/stddef.h $(srcdir)/linux/shim/stdint.h

if LINUX_MODULE
all-local: linux/s3d_qxl.ko

# Kbuild must not inherit automake's make variables (CFLAGS with sanitizers).
linux/s3d_qxl.ko: $(s3d_qxl_srcs)
	$(AM_V_GEN)$(MKDIR_P) linux/shim && \
	for f in $(s3d_qxl_files); do \
	    cmp -s $(srcdir)/linux/$$f linux/$$f || cp $(srcdir)/linux/$$f linux/$$f || exit 1; \
	done && \
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $(MAKE) -s -C $(LINUX_HEADERS) \
	    M=$(abs_builddir)/linux SPICE_PROTOCOL_CFLAGS="$(SPICE_PROTOCOL_CFLAGS)" modules

clean-local: clean-local-linux
clean-local-linux:
	-env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $(MAKE) -s -C $(LINUX_HEADERS) \
	    M=$(abs_builddir)/linux clean
	if test "$(abs_srcdir)" != "$(abs_builddir)"; then \
	    for f in $(s3d_qxl_files); do rm -f linux/$$f; done; \
	fi
.PHONY: clean-local-linux
endif
