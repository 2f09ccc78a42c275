# SPDX-License-Identifier: GPL-2.0-or-later
# qemu-hw-qxl/qxl: the QXL PCI device.
libqemu_hw_qxl_la_SOURCES += \
	qxl/qxl-device.c qxl/qxl-device.h qxl/qxl-private.h \
	qxl/qxl-ring.c qxl/qxl-ring.h \
	qxl/qxl-ports.c \
	qxl/qxl-spice.c \
	$(NULL)
