/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-glz-images: with image-compression=glz, a client that announced a
 * GLZ window (DISPLAY_INIT; our test client does) gets GLZ_RGB images
 * (server/codecs/red-glz.h) that its model client (tests/codecs/
 * glz-decode, keeping a window as spice-gtk does) decodes exactly, and
 * pictures it was sent before cost it a fraction of the bytes the first
 * time did, even at other places, cut differently into damage bands.
 * The fixture (display-fixture.h) checks that the model's canvas equals
 * the server's surface after every phase.
 *
 * zlib over GLZ (ZLIB_GLZ_RGB): with the host's setting `always`, and with
 * `auto` for a client whose link the server measured slow (its link test
 * answered late).
 *
 * --serve: the icons three times for a real client (spice-gtk decodes the
 * GLZ with its own window), driven by tests/client/test-glz-images-client.sh;
 * with S3D_TEST_ZLIB_GLZ=1 in the environment, zlib over GLZ always. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "display-fixture.h"
#include "test-util.h"

#define GI_TILE 48
#define GI_TILES 12             /* a row of icons, each distinct */
#define GI_ROW1_Y 40
#define GI_ROW2_Y 300           /* the same icons, lower and shifted */
#define GI_ROW2_DX 7

/* Icon k: a glyph-like pattern on a light background (not photographic),
 * the same for the same k. */
static void gi_icon(uint32_t *px, unsigned k)
{
    GRand *rnd = g_rand_new_with_seed(0x1c0 + k);
    for (uint32_t y = 0; y < GI_TILE; y++) {
        uint32_t bits = g_rand_int(rnd);
        for (uint32_t x = 0; x < GI_TILE; x++) {
            bool ink = y % 8 > 1 && (bits >> (x % 32) & 1);
            px[y * GI_TILE + x] = ink ? 0x102030u + k * 0x050301u : 0xe8ecf0u;
        }
    }
    g_rand_free(rnd);
}

static void gi_row(Dc *dc, int32_t top, int32_t dx, pixman_region32_t *drawn)
{
    uint32_t px[GI_TILE * GI_TILE];
    for (unsigned k = 0; k < GI_TILES; k++) {
        gi_icon(px, k);
        int32_t left = dx + (int32_t)k * (GI_TILE + 4);
        QXLRect box = { top, left, top + GI_TILE, left + GI_TILE };
        dc_put_pixels(dc, &box, px, 0);
        dc_region_add(drawn, &box, NULL, 0);
    }
}

static void gi_draw_first(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    (void)rnd;
    gi_row(dc, GI_ROW1_Y, 0, drawn);
}

static void gi_draw_again(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    (void)rnd;
    gi_row(dc, GI_ROW2_Y, GI_ROW2_DX, drawn);
}

static void test_repeats_cost_little(void)
{
    Dc dc;
    if (dc_start_with(&dc, 0, 0, TEST_QXL_SERVER_GLZ)) {
        dc_phase(&dc, "background", 0x111111, dc_draw_background, NULL);
        uint64_t glz_before = dc.cv.glz_images;
        DcPhase first = dc_phase(&dc, "icons", 0x121212, gi_draw_first, NULL);
        DcPhase again = dc_phase(&dc, "icons again", 0x131313, gi_draw_again, NULL);
        printf("GLZ images %" G_GUINT64_FORMAT "; icons %" G_GUINT64_FORMAT
               " bytes, the same icons elsewhere %" G_GUINT64_FORMAT " bytes\n",
               dc.cv.glz_images, first.bytes, again.bytes);
        CHECK(dc.cv.glz_images > glz_before);
        CHECK(again.bytes * 4 < first.bytes);
    }
    dc_stop(&dc);
}

/* The same pictures with image-compression=lz4 (LZ_RGB for our client,
 * which lacks the LZ4 cap): no GLZ, and the repeat costs about as much as
 * the first time (what the case above is measured against). */
static void test_lz_has_no_memory(void)
{
    Dc dc;
    if (dc_start_with(&dc, 0, 0, TEST_QXL_SERVER_LZ4)) {
        dc_phase(&dc, "background", 0x141414, dc_draw_background, NULL);
        DcPhase first = dc_phase(&dc, "icons", 0x151515, gi_draw_first, NULL);
        DcPhase again = dc_phase(&dc, "icons again", 0x161616, gi_draw_again, NULL);
        printf("lz: icons %" G_GUINT64_FORMAT " bytes, again %" G_GUINT64_FORMAT " bytes\n",
               first.bytes, again.bytes);
        CHECK_EQ_U64(dc.cv.glz_images, 0);
        CHECK(again.bytes * 2 > first.bytes);
    }
    dc_stop(&dc);
}

/* How a client answers the server's link test. */
typedef enum GiLink {
    GI_LINK_SILENT,             /* never: no verdict, a fast link */
    GI_LINK_SLOW,               /* before its display channel links, 300 ms late */
    GI_LINK_SLOW_LATER,         /* the same, once its display channel is on */
} GiLink;

#define GI_SLOW_PONG_MS 300     /* 250 KiB in 300 ms: 6.8 Mbit/s, under 10 Mi */

/* zlib over GLZ: the icons, then the same icons again, through a server
 * with the setting `mode`, for a client whose link test goes as `link`.
 * What is asserted is the kind of payload and the exact picture (the
 * fixture compares every phase); the bytes are printed only: how damage
 * merges into bands, and so which images GLZ takes (red_glz_should_encode),
 * depends on timing.  test-image-codec checks the payloads themselves. */
static void icons_over(TestQxlServerCompression mode, GiLink link, bool want_zlib)
{
    Dc dc;
    if (dc_start_on_link(&dc, 0, 0, mode, link == GI_LINK_SLOW ? GI_SLOW_PONG_MS : -1)) {
        dc_phase(&dc, "background", 0x171717, dc_draw_background, NULL);
        if (link == GI_LINK_SLOW_LATER) {
            CHECK_EQ_U64(dc.cv.zlib_glz_images, 0);
            dc_answer_link_test(&dc, GI_SLOW_PONG_MS);
        }
        DcPhase first = dc_phase(&dc, "icons", 0x181818, gi_draw_first, NULL);
        DcPhase again = dc_phase(&dc, "icons again", 0x191919, gi_draw_again, NULL);
        printf("zlib over GLZ %s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
               " GLZ images; icons %" G_GUINT64_FORMAT " bytes, again %" G_GUINT64_FORMAT
               " bytes\n", want_zlib ? "expected" : "not expected", dc.cv.zlib_glz_images,
               dc.cv.glz_images, first.bytes, again.bytes);
        if (want_zlib) {
            CHECK(dc.cv.zlib_glz_images > 0);
        } else {
            CHECK_EQ_U64(dc.cv.zlib_glz_images, 0);
        }
        CHECK(dc.cv.glz_images > 0);
    }
    dc_stop(&dc);
}

/* zlib-glz `always`: GLZ payloads deflated and decoded exactly; `never`
 * (what TEST_QXL_SERVER_GLZ sets): none. */
static void test_zlib_always(void)
{
    icons_over(TEST_QXL_SERVER_GLZ, GI_LINK_SILENT, false);
    icons_over(TEST_QXL_SERVER_ZLIB_GLZ, GI_LINK_SILENT, true);
}

/* `auto` (QEMU's default): zlib only for a client whose link the server
 * measured slow.  A client that never answers the link test is not slow
 * (the same as a fast answer, without depending on this machine's speed). */
static void test_zlib_auto_on_slow_link(void)
{
    icons_over(TEST_QXL_SERVER_WAN, GI_LINK_SLOW, true);
    icons_over(TEST_QXL_SERVER_WAN, GI_LINK_SILENT, false);
}

/* The same verdict reaching a display client that attached before it
 * (the worker request SESSION_LINK). */
static void test_zlib_auto_after_attach(void)
{
    icons_over(TEST_QXL_SERVER_WAN, GI_LINK_SLOW_LATER, true);
}

/* For a real client: the background, then the icons in three places. */
static void gi_draw_serve_scene(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    dc_draw_background(dc, rnd, drawn);
    gi_row(dc, GI_ROW1_Y, 0, drawn);
    gi_row(dc, GI_ROW2_Y, GI_ROW2_DX, drawn);
    gi_row(dc, GI_ROW1_Y + GI_TILE + 20, 3, drawn);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--serve") == 0) {
        /* S3D_TEST_ZLIB_GLZ=1: zlib over every GLZ payload it shrinks. */
        const char *zlib = g_getenv("S3D_TEST_ZLIB_GLZ");
        return dc_serve(zlib && strcmp(zlib, "1") == 0 ? TEST_QXL_SERVER_ZLIB_GLZ
                                                       : TEST_QXL_SERVER_GLZ,
                        gi_draw_serve_scene, dc_compare_exact);
    }
    static const TestCase cases[] = {
        TEST_CASE(test_repeats_cost_little),
        TEST_CASE(test_lz_has_no_memory),
        TEST_CASE(test_zlib_always),
        TEST_CASE(test_zlib_auto_on_slow_link),
        TEST_CASE(test_zlib_auto_after_attach),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
