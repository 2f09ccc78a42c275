# SPDX-License-Identifier: GPL-2.0-or-later
# guest-kms/drm: the demo desktop as a libdrm program for a Linux guest
# (gkms.h on /dev/dri/cardN), run on s3d_qxl.ko by tests/linux.
EXTRA_DIST += drm/gkms-drm.h
if HAVE_LIBDRM
noinst_PROGRAMS = drm/s3d-drm-demo
# The demo's sources themselves, not libgdemo.la: that one is sanitized.
drm_s3d_drm_demo_SOURCES = drm/s3d-drm-demo.c drm/gkms-drm.c drm/gkms-drm.h \
	$(libgdemo_la_SOURCES) $(NULL)
drm_s3d_drm_demo_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/drm -I$(srcdir)/demo $(LIBDRM_CFLAGS)
# It runs inside the guest, which has no sanitizer runtime: built plain,
# like the kernel module (the host-side copy of the demo is sanitized).
drm_s3d_drm_demo_CFLAGS = $(WARN_CFLAGS) -pthread
drm_s3d_drm_demo_LDADD = $(LIBDRM_LIBS) $(GIO_LIBS) $(GLIB_LIBS) $(PIXMAN_LIBS)
endif
