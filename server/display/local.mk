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
	display/red-digest.c display/red-digest.h \
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
# The image digest's AVX2 build (red-digest.h): the same source, its own
# flags, joined to the core.
if RED_DIGEST_AVX2
noinst_LTLIBRARIES += libred-digest-avx2.la
libred_digest_avx2_la_SOURCES = display/red-digest.c
libred_digest_avx2_la_CPPFLAGS = $(AM_CPPFLAGS) -DRED_DIGEST_AVX2
libred_digest_avx2_la_CFLAGS = $(AM_CFLAGS) -mavx2
libserver_core_la_LIBADD += libred-digest-avx2.la
endif
