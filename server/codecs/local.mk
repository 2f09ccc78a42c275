# SPDX-License-Identifier: LGPL-2.1-or-later
# server/codecs: sources of this concern (appended to libserver-core.la).
libserver_core_la_SOURCES += codecs/red-lz4.c codecs/red-lz4.h \
	codecs/red-mjpeg.c codecs/red-mjpeg.h $(NULL)
libserver_core_la_SOURCES += codecs/red-lz.c codecs/red-lz.h \
	codecs/red-image-codec.c codecs/red-image-codec.h $(NULL)
libserver_core_la_SOURCES += codecs/red-image-lossy.c codecs/red-image-lossy.h $(NULL)
libserver_core_la_SOURCES += codecs/red-glz.c codecs/red-glz.h $(NULL)
