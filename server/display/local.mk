# SPDX-License-Identifier: LGPL-2.1-or-later
# server/display: sources of this concern (appended to libserver-core.la).
# The worker thread, its loop and the display/cursor channel clients.
libserver_core_la_SOURCES += \
	display/red-worker.c display/red-worker.h display/red-worker-iface.h \
	display/red-worker-private.h \
	display/red-worker-commands.c display/red-worker-requests.c \
	display/red-worker-loop.c display/red-worker-loop.h \
	display/display-channel.c \
	display/red-video.c display/red-video.h \
	display/red-display-cmds.c display/red-display-cmds.h \
	display/red-image-cache.c display/red-image-cache.h \
	display/cursor-channel.c \
	$(NULL)
# Guest memory, surfaces and rendering: everything the worker reads from the
# guest goes through red-memslot and red-chunks.
libserver_core_la_SOURCES += \
	display/red-memslot.c display/red-memslot.h \
	display/red-chunks.c display/red-chunks.h \
	display/red-surfaces.c display/red-surfaces.h \
	display/red-row-ring.c display/red-row-ring.h \
	display/red-image.c display/red-image.h \
	display/red-render.c display/red-render.h \
	display/red-cull.c display/red-cull.h \
	display/red-box.h \
	display/red-cursor-parse.c display/red-cursor-parse.h \
	$(NULL)
