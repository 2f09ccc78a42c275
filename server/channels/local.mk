# SPDX-License-Identifier: LGPL-2.1-or-later
# server/channels: sources of this concern (appended to libserver-core.la).
libserver_core_la_SOURCES += \
	channels/red-channel-client.c channels/red-channel-client.h \
	$(NULL)
libserver_core_la_SOURCES += \
	channels/main-channel.c channels/main-channel.h \
	channels/red-net-test.c channels/red-net-test.h \
	channels/inputs-channel.c channels/inputs-channel.h \
	$(NULL)
