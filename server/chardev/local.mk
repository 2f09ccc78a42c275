# SPDX-License-Identifier: LGPL-2.1-or-later
# server/chardev: host char devices (SpiceCharDeviceInterface) and the guest
# agent on top of them (appended to libserver-core.la).
libserver_core_la_SOURCES += \
	chardev/red-char-device.c chardev/red-char-device.h \
	chardev/red-agent.c chardev/red-agent.h \
	chardev/red-agent-framing.c chardev/red-agent-framing.h \
	chardev/red-agent-monitors.c chardev/red-agent-monitors.h \
	chardev/red-vmc.c chardev/red-vmc.h \
	$(NULL)
