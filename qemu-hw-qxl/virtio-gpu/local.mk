# SPDX-License-Identifier: GPL-2.0-or-later
# qemu-hw-qxl/virtio-gpu: the virtio-gpu device (modern virtio-pci, 2D,
# freeze_mode / SUSPEND / PM No_Soft_Reset) shown through a SPICE server.
AM_CPPFLAGS += -I$(srcdir)/virtio-gpu -I$(top_srcdir)/spice $(PIXMAN_CFLAGS)
libqemu_hw_qxl_la_SOURCES += \
	virtio-gpu/vgpu-device.c virtio-gpu/vgpu-device.h virtio-gpu/vgpu-private.h \
	virtio-gpu/vgpu-virtqueue.c virtio-gpu/vgpu-virtqueue.h \
	virtio-gpu/vgpu-transport.c \
	virtio-gpu/vgpu-cmd.c \
	virtio-gpu/vgpu-spice.c \
	$(NULL)
libqemu_hw_qxl_la_LIBADD += $(PIXMAN_LIBS)
