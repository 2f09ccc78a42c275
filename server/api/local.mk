# SPDX-License-Identifier: LGPL-2.1-or-later
# server/api: sources of this concern (appended to libserver-core.la).
# Entry points of features we do not support yet (documented errors/no-ops).
libserver_core_la_SOURCES += api/reds-unsupported.c
# The audio API over server/audio.
libserver_core_la_SOURCES += api/reds-audio.c
libserver_core_la_SOURCES += \
	red-log.h \
	api/reds-server.c \
	api/reds-security.c api/reds-security.h \
	api/reds-video-codecs.c api/reds-video-codecs.h \
	api/reds-interfaces.c \
	api/reds-char-devices.c api/reds-char-devices.h \
	api/reds-displays.c api/reds-displays.h \
	api/red-qxl.c \
	$(NULL)
