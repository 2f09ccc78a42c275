# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench: issue 13's display benchmark.  bench-display.c drives one of
# the guest workloads of bench-scenes.h through a libspice-server, ours and
# Debian's from the same sources; link-shaper.c is a loopback link (token
# bucket + delay) between a client and the server; bench-client.py is the
# spice-gtk client that counts the frames it shows.  bench/run-bench.sh builds
# them in an unsanitized build tree and prints the figures and the ratios
# ours/Debian.  Timing is never a pass/fail test: `make check` builds the
# programs so they cannot rot and runs only the smoke tests below.

BENCH_SOURCES = bench/bench-display.c bench/bench-scenes.c bench/bench-scenes.h \
	$(QXL_CLIENT_SOURCES)
helper_programs += bench/bench-display bench/bench-display-debian bench/link-shaper
bench_bench_display_SOURCES = $(BENCH_SOURCES)
bench_bench_display_CPPFLAGS = $(QXL_CLIENT_CPPFLAGS) -I$(srcdir)/server
bench_bench_display_LDADD = libtestutil.la $(top_builddir)/server/libspice-server.la \
	$(QXL_CLIENT_LIBS)
bench_bench_display_debian_SOURCES = $(BENCH_SOURCES)
bench_bench_display_debian_CPPFLAGS = $(QXL_CLIENT_CPPFLAGS) -I$(srcdir)/server
bench_bench_display_debian_LDADD = libtestutil.la $(SPICE_SERVER_LIBS) $(QXL_CLIENT_LIBS)
bench_link_shaper_SOURCES = bench/link-shaper.c

# Smoke tests: the shaper relays every byte both ways (no timing checked),
# and each scene runs 5 frames on both libraries (exit 0, no figure checked).
TESTS += bench/test-link-shaper.sh bench/test-bench-scenes.sh
EXTRA_DIST += bench/run-bench.sh bench/run-linux-pm-bench.sh bench/bench-client.py \
	bench/test-link-shaper.sh bench/test-link-shaper.py bench/test-bench-scenes.sh

# Bytes and encode speed of the lossless image encoders (LZ4, LZ_RGB, the
# auto choice) on the demo desktop and on tiles; run by hand, never by make.
helper_programs += bench/bench-codecs
bench_bench_codecs_SOURCES = bench/bench-codecs.c
bench_bench_codecs_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server/codecs \
	-I$(top_srcdir)/guest-kms/demo $(SPICE_SERVER_CFLAGS) $(GLIB_CFLAGS) $(PIXMAN_CFLAGS)
bench_bench_codecs_LDADD = $(top_builddir)/guest-kms/libgdemo.la \
	$(top_builddir)/server/libserver-core.la $(GLIB_LIBS) $(PIXMAN_LIBS)
