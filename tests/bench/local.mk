# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench: frames per second of a libspice-server under a full-screen
# update loop (bench-display.c), ours and Debian's from the same sources.
# Built by `make check` as helper programs so they cannot rot; never run by
# it (timing is not a pass/fail test).  bench/run-bench.sh builds them in an
# unsanitized build tree and prints the figures and the ratios ours/Debian.

BENCH_SOURCES = bench/bench-display.c $(QXL_CLIENT_SOURCES)
helper_programs += bench/bench-display bench/bench-display-debian
bench_bench_display_SOURCES = $(BENCH_SOURCES)
bench_bench_display_CPPFLAGS = $(QXL_CLIENT_CPPFLAGS) -I$(srcdir)/server
bench_bench_display_LDADD = libtestutil.la $(top_builddir)/server/libspice-server.la \
	$(QXL_CLIENT_LIBS)
bench_bench_display_debian_SOURCES = $(BENCH_SOURCES)
bench_bench_display_debian_CPPFLAGS = $(QXL_CLIENT_CPPFLAGS) -I$(srcdir)/server
bench_bench_display_debian_LDADD = libtestutil.la $(SPICE_SERVER_LIBS) $(QXL_CLIENT_LIBS)
EXTRA_DIST += bench/run-bench.sh bench/run-linux-pm-bench.sh

# Bytes and encode speed of the lossless image encoders (LZ4, LZ_RGB, the
# auto choice) on the demo desktop and on tiles; run by hand, never by make.
helper_programs += bench/bench-codecs
bench_bench_codecs_SOURCES = bench/bench-codecs.c
bench_bench_codecs_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server/codecs \
	-I$(top_srcdir)/guest-kms/demo $(SPICE_SERVER_CFLAGS) $(GLIB_CFLAGS) $(PIXMAN_CFLAGS)
bench_bench_codecs_LDADD = $(top_builddir)/guest-kms/libgdemo.la \
	$(top_builddir)/server/libserver-core.la $(GLIB_LIBS) $(PIXMAN_LIBS)
