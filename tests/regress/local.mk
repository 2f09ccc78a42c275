# SPDX-License-Identifier: GPL-2.0-or-later
# tests/regress: one program per bug class, named after the bug
# (README.md lists bug -> program -> what it asserts).  Each feeds the bad
# input to our code and asserts the defined outcome.

# Server parsers with no VM: guest memory behind our memslot gate.
REGRESS_SERVER_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server \
	-I$(top_srcdir)/server/display -I$(srcdir)/regress \
	$(SPICE_SERVER_CFLAGS) $(GLIB_CFLAGS) $(PIXMAN_CFLAGS)
REGRESS_SERVER_LIBS = $(SPICE_TEST_LIBS) $(top_builddir)/server/libserver-core.la \
	$(GLIB_LIBS) $(PIXMAN_LIBS)
REGRESS_MEM = regress/regress-guest-mem.c regress/regress-guest-mem.h
REGRESS_CURSOR = $(REGRESS_MEM) regress/regress-cursor-util.c regress/regress-cursor-util.h

test_programs += regress/regress-cve-2019-3813-memslot-off-by-one
regress_regress_cve_2019_3813_memslot_off_by_one_SOURCES = \
	regress/regress-cve-2019-3813-memslot-off-by-one.c $(REGRESS_MEM)
regress_regress_cve_2019_3813_memslot_off_by_one_CPPFLAGS = $(REGRESS_SERVER_CPPFLAGS)
regress_regress_cve_2019_3813_memslot_off_by_one_LDADD = $(REGRESS_SERVER_LIBS)

test_programs += regress/regress-cve-2021-4206-cursor-size-overflow
regress_regress_cve_2021_4206_cursor_size_overflow_SOURCES = \
	regress/regress-cve-2021-4206-cursor-size-overflow.c $(REGRESS_CURSOR)
regress_regress_cve_2021_4206_cursor_size_overflow_CPPFLAGS = $(REGRESS_SERVER_CPPFLAGS)
regress_regress_cve_2021_4206_cursor_size_overflow_LDADD = $(REGRESS_SERVER_LIBS)

test_programs += regress/regress-cve-2021-4207-cursor-double-fetch
regress_regress_cve_2021_4207_cursor_double_fetch_SOURCES = \
	regress/regress-cve-2021-4207-cursor-double-fetch.c $(REGRESS_CURSOR)
regress_regress_cve_2021_4207_cursor_double_fetch_CPPFLAGS = $(REGRESS_SERVER_CPPFLAGS)
regress_regress_cve_2021_4207_cursor_double_fetch_LDADD = $(REGRESS_SERVER_LIBS)

EXTRA_DIST += regress/README.md
