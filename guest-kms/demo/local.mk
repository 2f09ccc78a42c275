# SPDX-License-Identifier: GPL-2.0-or-later
# guest-kms/demo: the demo desktop drawn through the KMS API (gdemo.h),
# for the stack runner and the S3 screenshot tests.
libguest_kms_la_SOURCES += \
	demo/gdemo.h \
	demo/gdemo-desktop.c \
	demo/gdemo-scene.c demo/gdemo-scene.h \
	demo/gdemo-font.c demo/gdemo-font.h \
	$(NULL)
# The PSF font is gzip'd: GIO's zlib decompressor.
libguest_kms_la_LIBADD += $(GIO_LIBS)
