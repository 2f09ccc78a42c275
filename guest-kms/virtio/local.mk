# SPDX-License-Identifier: GPL-2.0-or-later
# guest-kms/virtio: the virtio-gpu driver (transport, queues, 2D resources,
# suspend/resume by freeze_mode, SUSPEND, PCI PM or the recreate fallback).
AM_CPPFLAGS += -I$(srcdir)/virtio -I$(top_srcdir)/spice
libguest_kms_la_SOURCES += \
	virtio/gvgpu-hw.c virtio/gvgpu-hw.h \
	virtio/gvgpu-kms.c virtio/gvgpu-kms.h \
	$(NULL)
