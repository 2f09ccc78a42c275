/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-lossy-images: with JPEG allowed (server/codecs/red-image-lossy.h), a
 * photograph reaches a display client as JPEG with a bounded error while
 * text and everything else stay exact, a copy-bits from the JPEG area goes
 * as pixels, and under the default settings nothing is lossy.  The client
 * model (test-canvas.h) decodes LZ_RGB and JPEG and keeps its own lossy
 * region; outside it the canvas must equal the server's surface.  Fixture:
 * display-fixture.h.
 *
 * --serve: the photo and the text for a real client, compared with bounds
 * (tests/client/test-lossy-images-client.sh).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <pixman.h>

#include "display-fixture.h"
#include "test-util.h"

#define DC_PHOTO_X 32
#define DC_PHOTO_Y 32
#define DC_PHOTO_W 256
#define DC_PHOTO_H 192
#define DC_TEXT_X 320
#define DC_TEXT_Y 300
#define DC_TEXT_W 256
#define DC_TEXT_H 64
/* JPEG at quality 85 on the photo: the mean error per channel and the
 * largest one allowed. */
#define DC_LOSSY_MEAN_MAX 4.0
#define DC_LOSSY_MAX 96

/* A photograph's traits: smooth gradients and sensor noise, no flat area. */
static void dc_draw_photo(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    uint32_t *px = g_new(uint32_t, DC_PHOTO_W * DC_PHOTO_H);
    for (uint32_t y = 0; y < DC_PHOTO_H; y++) {
        for (uint32_t x = 0; x < DC_PHOTO_W; x++) {
            int noise = g_rand_int_range(rnd, -6, 7);
            uint32_t r = CLAMP((int)(40 + x * 180 / DC_PHOTO_W) + noise, 0, 255);
            uint32_t g = CLAMP((int)(30 + y * 200 / DC_PHOTO_H) - noise, 0, 255);
            uint32_t b = CLAMP((int)(60 + (x + y) / 3) + noise / 2, 0, 255);
            px[y * DC_PHOTO_W + x] = r << 16 | g << 8 | b;
        }
    }
    QXLRect box = { DC_PHOTO_Y, DC_PHOTO_X, DC_PHOTO_Y + DC_PHOTO_H, DC_PHOTO_X + DC_PHOTO_W };
    dc_put_pixels(dc, &box, px, 0);
    dc_region_add(drawn, &box, NULL, 0);
    g_free(px);
}

/* A line of text: paper and ink in 8x16 glyph cells. */
static void dc_draw_text(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    uint32_t *px = g_new(uint32_t, DC_TEXT_W * DC_TEXT_H);
    for (uint32_t cell = 0; cell < (DC_TEXT_W / 8) * (DC_TEXT_H / 16); cell++) {
        uint32_t glyph[16];
        for (int row = 0; row < 16; row++) {
            glyph[row] = g_rand_int(rnd) & 0x7e;
        }
        uint32_t cx = cell % (DC_TEXT_W / 8) * 8, cy = cell / (DC_TEXT_W / 8) * 16;
        for (uint32_t y = 0; y < 16; y++) {
            for (uint32_t x = 0; x < 8; x++) {
                bool ink = y >= 3 && y < 13 && (glyph[y] >> x & 1);
                px[(cy + y) * DC_TEXT_W + cx + x] = ink ? 0x202020u : 0xf0f0e8u;
            }
        }
    }
    QXLRect box = { DC_TEXT_Y, DC_TEXT_X, DC_TEXT_Y + DC_TEXT_H, DC_TEXT_X + DC_TEXT_W };
    dc_put_pixels(dc, &box, px, 0);
    dc_region_add(drawn, &box, NULL, 0);
    g_free(px);
}

static void dc_draw_photo_and_text(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    dc_draw_photo(dc, rnd, drawn);
    dc_draw_text(dc, rnd, drawn);
}

/* Copies a block of the photo beside it: the client must not copy its
 * JPEG approximation, so the server sends that as pixels. */
static void dc_draw_copy_from_photo(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    (void)rnd;
    QXLRect box = { 40, 400, 104, 464 };
    CHECK(fake_qxl_submit_copy_bits(dc->ts->qxl, &box, DC_PHOTO_X + 16, DC_PHOTO_Y + 8) == 0);
    dc_region_add(drawn, &box, NULL, 0);
}

/* A client's picture against the surface: differing pixels outside
 * `lossy`, and the per-channel error inside it. */
typedef struct LossyStats {
    unsigned long exact_diff;
    uint64_t sum, n;            /* n channel values inside lossy */
    uint32_t max;
} LossyStats;

typedef uint32_t (*PixelAt)(const void *picture, uint32_t x, uint32_t y);

static uint32_t canvas_pixel_at(const void *picture, uint32_t x, uint32_t y)
{
    return test_canvas_pixel((pixman_image_t *)picture, (int)x, (int)y);
}

static uint32_t ppm_pixel_at(const void *picture, uint32_t x, uint32_t y)
{
    return dc_ppm_pixel(picture, x, y);
}

/* phase: name the first exact differences on stderr (NULL: silent). */
static LossyStats lossy_stats(Dc *dc, PixelAt pixel_at, const void *picture,
                              pixman_region32_t *lossy, const char *phase)
{
    LossyStats st = { 0 };
    for (uint32_t y = 0; y < DC_HEIGHT; y++) {
        for (uint32_t x = 0; x < DC_WIDTH; x++) {
            uint32_t want = fake_qxl_primary_pixel(dc->ts->qxl, x, y) & 0xffffff;
            uint32_t got = pixel_at(picture, x, y);
            if (!pixman_region32_contains_point(lossy, (int)x, (int)y, NULL)) {
                if (want != got && st.exact_diff++ < DC_MAX_REPORTED && phase) {
                    fprintf(stderr, "%s: exact pixel (%u,%u) %06x, server %06x\n", phase, x, y,
                            got, want);
                }
                continue;
            }
            for (int shift = 0; shift < 24; shift += 8) {
                int d = (int)((want >> shift) & 0xff) - (int)((got >> shift) & 0xff);
                st.sum += (uint32_t)ABS(d);
                st.max = MAX(st.max, (uint32_t)ABS(d));
                st.n++;
            }
        }
    }
    return st;
}

static double lossy_mean(const LossyStats *st)
{
    return st->n ? (double)st->sum / (double)st->n : 0.0;
}

/* The model equals the surface outside its lossy region, and is close to
 * it inside; the text never became lossy. */
static void dc_check_lossy(Dc *dc, const char *phase)
{
    TestCanvas *cv = &dc->cv;
    CHECK(cv->img != NULL && cv->tag_seen && !cv->failed);
    CHECK_EQ_U64(cv->bad, 0);
    if (cv->img == NULL) {
        return;
    }
    pixman_box32_t text = { DC_TEXT_X, DC_TEXT_Y, DC_TEXT_X + DC_TEXT_W, DC_TEXT_Y + DC_TEXT_H };
    CHECK(pixman_region32_contains_rectangle(&cv->lossy, &text) == PIXMAN_REGION_OUT);
    LossyStats st = lossy_stats(dc, canvas_pixel_at, cv->img, &cv->lossy, phase);
    printf("%s: %" PRIu64 " JPEG images; lossy pixels %" PRIu64 ", mean error %.2f, max %u\n",
           phase, cv->jpeg_images, st.n / 3, lossy_mean(&st), st.max);
    CHECK_EQ_U64(st.exact_diff, 0);
    CHECK(lossy_mean(&st) <= DC_LOSSY_MEAN_MAX);
    CHECK(st.max <= DC_LOSSY_MAX);
}

/* Like dc_phase, checked with dc_check_lossy. */
static void dc_lossy_phase(Dc *dc, const char *name, uint32_t tag, DcDraw draw, GRand *rnd)
{
    dc->cv.tag = tag;
    GThread *reader = g_thread_new("dc-reader", test_canvas_pump, &dc->cv);
    pixman_region32_t drawn;
    pixman_region32_init(&drawn);
    draw(dc, rnd, &drawn);
    dc_end_phase(dc, tag);
    g_thread_join(reader);
    pixman_region32_fini(&drawn);
    dc_check_lossy(dc, name);
}

static void test_photos_lossy_text_exact(void)
{
    Dc dc;
    GRand *rnd = g_rand_new_with_seed(0x9407);
    if (dc_start_with(&dc, 0, 0, TEST_QXL_SERVER_AUTO_JPEG)) {
        /* Its own phase: a band of the photo with background in it would
         * rightly go lossless.  (Its smooth pattern may go as JPEG.) */
        dc_lossy_phase(&dc, "background", 0x0c0c0c, dc_draw_background, rnd);
        uint64_t jpegs = dc.cv.jpeg_images;
        dc_lossy_phase(&dc, "photo and text", 0x0d0d0d, dc_draw_photo_and_text, rnd);
        CHECK(dc.cv.jpeg_images > jpegs);
        pixman_box32_t photo = { DC_PHOTO_X, DC_PHOTO_Y, DC_PHOTO_X + DC_PHOTO_W,
                                 DC_PHOTO_Y + DC_PHOTO_H };
        CHECK(pixman_region32_contains_rectangle(&dc.cv.lossy, &photo) == PIXMAN_REGION_IN);
        uint64_t copies_before = dc.cv.count[TEST_CANVAS_COPY_BITS];
        dc_lossy_phase(&dc, "copy from the photo", 0x0e0e0e, dc_draw_copy_from_photo, rnd);
        CHECK_EQ_U64(dc.cv.count[TEST_CANVAS_COPY_BITS] - copies_before, 0);
    }
    dc_stop(&dc);
    g_rand_free(rnd);
}

/* Under the default settings (auto: the link is not measured) and any
 * fixed lossless choice, nothing is lossy. */
static void test_photos_exact_by_default(void)
{
    Dc dc;
    GRand *rnd = g_rand_new_with_seed(0x9408);
    if (dc_start(&dc, 0, 0)) {
        dc_phase(&dc, "background", 0x0f0f0f, dc_draw_background, rnd);
        dc_phase(&dc, "photo and text", 0x101010, dc_draw_photo_and_text, rnd);
        CHECK_EQ_U64(dc.cv.jpeg_images, 0);
    }
    dc_stop(&dc);
    g_rand_free(rnd);
}

/* ---- --serve: the photo and the text for a real client ---------------------- */

/* On a black surface: no other damage shares the photo's bands. */
static void dc_draw_serve_scene(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    dc_draw_photo_and_text(dc, rnd, drawn);
}

/* "CLOSE mean max" when the picture equals the server's outside the photo
 * and is within the bounds inside it but not equal there (it went as
 * JPEG); else "LOSSLESS" (the photo is exact: no JPEG came), "FAR mean max"
 * or "DIFF n" (n pixels outside the photo differ, -1: no picture). */
static void dc_compare_lossy(Dc *dc, const uint8_t *rgb, GString *reply)
{
    if (rgb == NULL) {
        g_string_assign(reply, "DIFF -1");
        return;
    }
    pixman_region32_t photo;
    pixman_region32_init_rect(&photo, DC_PHOTO_X, DC_PHOTO_Y, DC_PHOTO_W, DC_PHOTO_H);
    LossyStats st = lossy_stats(dc, ppm_pixel_at, rgb, &photo, NULL);
    pixman_region32_fini(&photo);
    double mean = lossy_mean(&st);
    if (st.exact_diff != 0) {
        g_string_printf(reply, "DIFF %lu", st.exact_diff);
    } else if (st.max == 0) {
        g_string_assign(reply, "LOSSLESS");
    } else {
        g_string_printf(reply, "%s %.2f %u",
                        mean <= DC_LOSSY_MEAN_MAX && st.max <= DC_LOSSY_MAX ? "CLOSE" : "FAR",
                        mean, st.max);
    }
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--serve") == 0) {
        return dc_serve(TEST_QXL_SERVER_AUTO_JPEG, dc_draw_serve_scene, dc_compare_lossy);
    }
    static const TestCase cases[] = {
        TEST_CASE(test_photos_lossy_text_exact),
        TEST_CASE(test_photos_exact_by_default),
    };
    return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
