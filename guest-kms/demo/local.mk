# SPDX-License-Identifier: GPL-2.0-or-later
# guest-kms/demo: the demo desktop drawn through the KMS API (gdemo.h), for
# the guest image of the stack runner and the S3 screenshot tests.  A
# program of the guest, not part of its driver: a library of its own that
# uses only gkms.h, as s3d-drm-demo uses it on a Linux guest's libdrm.
noinst_LTLIBRARIES += libgdemo.la
libgdemo_la_SOURCES = \
	demo/gdemo.h \
	demo/gdemo-desktop.c \
	demo/gdemo-scene.c demo/gdemo-scene.h \
	demo/gdemo-font.c demo/gdemo-font.h \
	$(NULL)
# The PSF font is gzip'd: GIO's zlib decompressor.
libgdemo_la_LIBADD = $(GIO_LIBS) $(GLIB_LIBS) $(PIXMAN_LIBS)
