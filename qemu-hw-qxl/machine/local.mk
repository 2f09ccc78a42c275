# SPDX-License-Identifier: GPL-2.0-or-later
# qemu-hw-qxl/machine: memory, ports, PCI, interrupts, reset/S3, main loop.
libqemu_hw_qxl_la_SOURCES += \
	machine/vm-machine.c machine/vm-machine.h \
	machine/vm-core.c machine/vm-core.h \
	machine/vm-log.h \
	machine/vm-bus.c machine/vm-bus.h \
	$(NULL)
