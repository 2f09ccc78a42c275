# SPDX-License-Identifier: GPL-2.0-or-later
# guest-kms/kms: the DRM-shaped API over a device backend.
libguest_kms_la_SOURCES += \
	kms/gkms.h kms/gkms-backend.h kms/gkms-private.h \
	kms/gkms-device.c kms/gkms-state.c \
	$(NULL)
