# SPDX-License-Identifier: GPL-2.0-or-later
# qemu-hw-qxl/stack: machine + core + server + device + guest, assembled
# once for the runner and every test fixture.
AM_CPPFLAGS += -I$(srcdir)/stack
libqemu_hw_qxl_la_SOURCES += \
	stack/vm-stack.c stack/vm-stack.h \
	$(NULL)
