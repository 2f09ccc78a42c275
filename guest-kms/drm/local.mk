# SPDX-License-Identifier: GPL-2.0-or-later
# guest-kms/drm: the demo desktop as a libdrm program for a Linux guest
# (gkms.h on /dev/dri/cardN), run on s3d_qxl.ko by tests/linux.
EXTRA_DIST += drm/gkms-drm.h
if HAVE_LIBDRM
noinst_PROGRAMS = drm/s3d-drm-demo
drm_s3d_drm_demo_SOURCES = drm/s3d-drm-demo.c drm/gkms-drm.c drm/gkms-drm.h \
	demo/gdemo-desktop.c demo/gdemo-scene.c demo/gdemo-scene.h \
	demo/gdemo-font.c demo/gdemo-font.h \
	$(NULL)
drm_s3d_drm_demo_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/drm -I$(srcdir)/demo $(LIBDRM_CFLAGS)
# It runs inside the guest, which has no sanitizer runtime: built plain,
# like the kernel module (the host-side copy of the demo is sanitized).
drm_s3d_drm_demo_CFLAGS = $(WARN_CFLAGS) -pthread
drm_s3d_drm_demo_LDADD = $(LIBDRM_LIBS) $(GIO_LIBS) $(GLIB_LIBS) $(PIXMAN_LIBS)
endif
