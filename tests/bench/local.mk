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
