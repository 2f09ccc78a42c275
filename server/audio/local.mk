# SPDX-License-Identifier: LGPL-2.1-or-later
# server/audio: the playback and record channels (SpicePlaybackInterface,
# SpiceRecordInterface) and their Opus codec (appended to libserver-core.la).
libserver_core_la_SOURCES += \
	audio/red-audio.c audio/red-audio.h \
	audio/red-audio-codec.c audio/red-audio-codec.h \
	audio/red-playback.c audio/red-playback.h \
	audio/red-record.c audio/red-record.h \
	$(NULL)
