# SPDX-License-Identifier: LGPL-2.1-or-later
# server/core: sources of this concern (appended to libserver-core.la).
# What every channel stands on: the server object (private; accessors for
# the channels), channel events, the channel registry, the session, and the
# one queue from the display workers to the main thread.
libserver_core_la_SOURCES += \
	core/reds.h core/reds-private.h core/reds-state.c \
	core/reds-connection.c core/reds-connection.h \
	core/red-channel-registry.c core/red-channel-registry.h \
	core/red-session.c core/red-session.h \
	core/red-main-queue.c core/red-main-queue.h \
	core/red-env.c core/red-env.h \
	$(NULL)
