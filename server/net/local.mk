# SPDX-License-Identifier: LGPL-2.1-or-later
# server/net: sources of this concern (appended to libserver-core.la).
libserver_core_la_SOURCES += \
	net/red-stream.c net/red-stream.h \
	net/red-tls.c net/red-tls.h \
	net/red-ticket.c net/red-ticket.h \
	net/red-link.c net/red-link.h \
	net/red-sasl.c net/red-sasl.h \
	$(NULL)
