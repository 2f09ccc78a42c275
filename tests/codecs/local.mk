# SPDX-License-Identifier: GPL-2.0-or-later
# tests/codecs: the server's image encoders (server/codecs/).

CODECS_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server/codecs $(GLIB_CFLAGS)
CODECS_TEST_LIBS = $(top_builddir)/server/libserver-core.la $(GLIB_LIBS)

# LZ_RGB round trips over seeded random images, with a strict decoder.
test_programs += codecs/test-red-lz
codecs_test_red_lz_SOURCES = codecs/test-red-lz.c codecs/lz-cases.c codecs/lz-cases.h \
	codecs/lz-decode.c codecs/lz-decode.h
codecs_test_red_lz_CPPFLAGS = $(CODECS_TEST_CPPFLAGS)
codecs_test_red_lz_LDADD = $(CODECS_TEST_LIBS)

# The same encoder's output through spice-common's decoder, as the real
# client has it (Debian's spice-gtk source, fetched at test time).
TESTS += codecs/test-red-lz-upstream.sh
EXTRA_DIST += codecs/test-red-lz-upstream.sh codecs/lz-upstream-check.c lib/apt-source.sh
clean-local: clean-local-codecs
clean-local-codecs:
	rm -f codecs/lz-upstream-check codecs/lz-upstream-check.log
# The fetched source goes only with distclean (a refetch).
distclean-local: distclean-local-codecs
distclean-local-codecs:
	rm -rf codecs/cache
.PHONY: clean-local-codecs distclean-local-codecs

# The per-client choice between raw, LZ_RGB and LZ4 (red-image-codec.h).
test_programs += codecs/test-image-codec
codecs_test_image_codec_SOURCES = codecs/test-image-codec.c codecs/lz-cases.c codecs/lz-cases.h
codecs_test_image_codec_CPPFLAGS = $(CODECS_TEST_CPPFLAGS) $(SPICE_SERVER_CFLAGS) $(ZLIB_CFLAGS) \
	-I$(top_srcdir)/server
codecs_test_image_codec_LDADD = $(CODECS_TEST_LIBS) $(ZLIB_LIBS)

# GLZ_RGB (red-glz.h): sequences of images through a model client window,
# cross-image references, eviction, hostile sizes.
test_programs += codecs/test-red-glz
codecs_test_red_glz_SOURCES = codecs/test-red-glz.c codecs/lz-cases.c codecs/lz-cases.h \
	codecs/glz-decode.c codecs/glz-decode.h
codecs_test_red_glz_CPPFLAGS = $(CODECS_TEST_CPPFLAGS)
codecs_test_red_glz_LDADD = $(CODECS_TEST_LIBS)

# The same encoder's sequences through spice-gtk's own GLZ decoder and
# window (Debian's spice-gtk source, fetched at test time, an oracle only).
TESTS += codecs/test-red-glz-upstream.sh
EXTRA_DIST += codecs/test-red-glz-upstream.sh codecs/glz-upstream-check.c \
	codecs/glz-upstream-shim.h
clean-local: clean-local-codecs-glz
clean-local-codecs-glz:
	rm -rf codecs/glz-upstream
distclean-local: distclean-local-codecs-glz
distclean-local-codecs-glz:
	rm -rf codecs/cache-glz
.PHONY: clean-local-codecs-glz distclean-local-codecs-glz
