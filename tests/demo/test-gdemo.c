/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-gdemo: the demo desktop (guest-kms/demo) on the whole stack: the
 * machine, our server, the QXL device and the guest KMS driver.
 *
 * The screen is read where the device keeps it (the primary surface in
 * BAR0, after gkms_flush) and must equal gdemo_expected() pixel for pixel
 * at every tick, in order, out of order, and across a suspend/resume; the
 * demo must only send the damage (pixels poked into the device's primary
 * outside the moving parts stay untouched); and the PSF parser must refuse
 * hostile fonts without reading out of bounds.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "gdemo-font.h"
#include "gdemo-scene.h"
#include "gdemo.h"
#include "gkms.h"
#include "qxl-fixture.h"
#include "test-util.h"

#define TICKS 60                /* long enough for every animation to step */
#define POKE 0x00ff00ffu        /* a colour the demo never draws */

static QxlFixture fx;

typedef struct Stack {
    GkmsDevice *dev;
    GdemoDesktop *demo;
    GkmsMode mode;
} Stack;

static void stack_start(Stack *s, uint32_t want_w, uint32_t want_h)
{
    memset(s, 0, sizeof(*s));
    if (qxl_fixture_start_device(&fx, false) != 0) {
        fprintf(stderr, "fixture failed to start\n");
        exit(1);
    }
    s->dev = gkms_open_qxl(fx.bus, 0);
    CHECK(s->dev != NULL);
    s->demo = s->dev ? gdemo_new(s->dev, want_w, want_h) : NULL;
    CHECK(s->demo != NULL);
    if (s->demo) {
        gdemo_get_mode(s->demo, &s->mode);
    }
}

static void stack_stop(Stack *s)
{
    gdemo_free(s->demo);
    gkms_close(s->dev);
    qxl_fixture_stop(&fx);
}

/* The device's primary after a flush (NULL on failure). */
static const uint32_t *screen(Stack *s, uint32_t *stride_px)
{
    uint32_t stride = 0;
    if (gkms_flush(s->dev) != 0) {
        return NULL;
    }
    const uint32_t *px = gkms_scanout_pixels(s->dev, &stride);
    *stride_px = stride / 4;
    return px;
}

/* Pixels of the device's screen that differ from gdemo_expected(tick);
 * prints the first. */
static unsigned diff_expected(Stack *s, uint64_t tick)
{
    uint32_t stride;
    const uint32_t *got = screen(s, &stride);
    pixman_image_t *want_img = gdemo_expected(s->demo, tick);
    if (got == NULL || want_img == NULL) {
        fprintf(stderr, "  no screen or no expected image at tick %" PRIu64 "\n", tick);
        return UINT32_MAX;
    }
    const uint32_t *want = pixman_image_get_data(want_img);
    uint32_t want_stride = (uint32_t)pixman_image_get_stride(want_img) / 4;
    unsigned bad = 0;
    for (uint32_t y = 0; y < s->mode.height; y++) {
        for (uint32_t x = 0; x < s->mode.width; x++) {
            uint32_t g = got[y * stride + x] & 0xffffff, w = want[y * want_stride + x] & 0xffffff;
            if (g != w && bad++ == 0) {
                fprintf(stderr, "  tick %" PRIu64 ": first difference at %u,%u: %06x, want %06x\n",
                        tick, x, y, g, w);
            }
        }
    }
    pixman_image_unref(want_img);
    return bad;
}

static bool in_boxes(const pixman_box32_t *b, unsigned n, int32_t x, int32_t y)
{
    for (unsigned i = 0; i < n; i++) {
        if (x >= b[i].x1 && x < b[i].x2 && y >= b[i].y1 && y < b[i].y2) {
            return true;
        }
    }
    return false;
}

/* The moving boxes of two ticks, together. */
static unsigned moving(Stack *s, uint64_t a, uint64_t b, pixman_box32_t *out)
{
    unsigned n = gdemo_moving_boxes(s->demo, a, out, 8);
    return n + gdemo_moving_boxes(s->demo, b, out + n, 8);
}

/* With GDEMO_SCREENSHOT=file.ppm in the environment, the device's screen
 * at the last tick of test_frames_match_expected is written there, to look
 * at the demo without a viewer. */
static void write_ppm(const char *path, const uint32_t *px, uint32_t stride, const GkmsMode *m)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        fprintf(stderr, "  cannot write %s\n", path);
        return;
    }
    fprintf(f, "P6\n%u %u\n255\n", m->width, m->height);
    for (uint32_t y = 0; y < m->height; y++) {
        for (uint32_t x = 0; x < m->width; x++) {
            uint32_t p = px[y * stride + x];
            uint8_t rgb[3] = { (uint8_t)(p >> 16), (uint8_t)(p >> 8), (uint8_t)p };
            fwrite(rgb, 1, 3, f);
        }
    }
    fclose(f);
}

/* ---- the PSF parser, no device ---- */

static void test_font_file_and_fallback(void)
{
    GdemoFont *f = gdemo_font_create(NULL);
    CHECK(f != NULL);
    if (g_file_test(GDEMO_FONT_PATH, G_FILE_TEST_EXISTS)) {
        CHECK(!gdemo_font_is_builtin(f));
        CHECK_EQ_U64(gdemo_font_width(f), 8);
        CHECK_EQ_U64(gdemo_font_height(f), 16);
    }
    gdemo_font_destroy(f);
    f = gdemo_font_create("/nonexistent/font.psf.gz");
    CHECK(f != NULL && gdemo_font_is_builtin(f));
    /* The built-in font draws: 'H' has ink, ' ' none. */
    pixman_image_t *img = pixman_image_create_bits(PIXMAN_x8r8g8b8, 32, 16, NULL, 0);
    gdemo_font_draw(f, img, 0, 0, "H ", 0xffffffff);
    const uint32_t *px = pixman_image_get_data(img);
    int stride = pixman_image_get_stride(img) / 4;
    unsigned ink_h = 0, ink_space = 0;
    for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 6; x++) {
            ink_h += (px[y * stride + x] & 0xffffff) != 0;
            ink_space += (px[y * stride + x + 6] & 0xffffff) != 0;
        }
    }
    CHECK(ink_h > 10);
    CHECK_EQ_U64(ink_space, 0);
    pixman_image_unref(img);
    gdemo_font_destroy(f);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* A PSF2 font of n 8x8 glyphs, glyph i an identity map of code i, and an
 * optional Unicode table; in an exact-size heap buffer so ASan sees any
 * read past its end. */
static uint8_t *make_psf2(uint32_t n, bool table, size_t *size)
{
    size_t sz = 32 + (size_t)n * 8 + (table ? (size_t)n * 2 : 0);
    uint8_t *d = g_malloc0(sz);
    static const uint8_t magic[4] = { 0x72, 0xb5, 0x4a, 0x86 };
    memcpy(d, magic, 4);
    put32(d + 8, 32);
    put32(d + 12, table ? 1 : 0);
    put32(d + 16, n);
    put32(d + 20, 8);
    put32(d + 24, 8);
    put32(d + 28, 8);
    for (uint32_t i = 0; i < n; i++) {
        d[32 + i * 8] = 0xff; /* every glyph has a top row */
        if (table) {
            d[32 + n * 8 + i * 2] = (uint8_t)(i < 128 ? i : 0x20);
            d[32 + n * 8 + i * 2 + 1] = 0xff;
        }
    }
    *size = sz;
    return d;
}

static void test_font_hostile(void)
{
    size_t size;
    uint8_t *d = make_psf2(128, true, &size);
    GdemoFont *f = gdemo_font_create_from_data(d, size);
    CHECK(f != NULL && gdemo_font_width(f) == 8 && gdemo_font_height(f) == 8);
    gdemo_font_destroy(f);
    /* Every truncation is refused or parsed within bounds. */
    for (size_t cut = 0; cut < size; cut++) {
        uint8_t *t = g_memdup2(d, cut);
        gdemo_font_destroy(gdemo_font_create_from_data(t, cut));
        g_free(t);
    }
    struct { size_t off; uint32_t value; } bad[] = {
        { 8, 0 },              /* header size below 32 */
        { 8, 1u << 30 },       /* header past the end */
        { 16, 0 },             /* no glyphs */
        { 16, 0xffffffffu },   /* glyphs past the end (and 64-bit maths) */
        { 20, 7 },             /* charsize not height * pitch */
        { 24, 0 },             /* height 0 */
        { 24, 1000 },          /* height absurd */
        { 28, 0 },             /* width 0 */
        { 28, 1u << 31 },      /* width absurd */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        uint8_t *t = g_memdup2(d, size);
        put32(t + bad[i].off, bad[i].value);
        CHECK(gdemo_font_create_from_data(t, size) == NULL);
        g_free(t);
    }
    g_free(d);
    /* A table that maps no ASCII: not a font for our text. */
    d = make_psf2(128, true, &size);
    memset(d + 32 + 128 * 8, 0xff, 128 * 2);
    CHECK(gdemo_font_create_from_data(d, size) == NULL);
    g_free(d);
    /* PSF1 with a height of 0, and a truncated one. */
    uint8_t psf1[4 + 256] = { 0x36, 0x04, 0x00, 0x00 };
    CHECK(gdemo_font_create_from_data(psf1, sizeof(psf1)) == NULL);
    psf1[3] = 2;
    CHECK(gdemo_font_create_from_data(psf1, sizeof(psf1)) == NULL);
    CHECK(gdemo_font_create_from_data(NULL, 0) == NULL);
}

/* ---- the scene, no device ---- */

/* Redrawing only the damage from tick t-1 gives the same pixels as drawing
 * tick t whole (what makes the device's screen comparable with
 * gdemo_expected), with either font and at the smallest and a wide mode. */
static void test_scene_incremental_equals_full(void)
{
    static const struct { int32_t w, h; bool builtin; } cases[] = {
        { 640, 480, false }, { 640, 480, true }, { 1280, 720, true },
    };
    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
        GdemoFont *f = cases[c].builtin ? gdemo_font_create_builtin() : gdemo_font_create(NULL);
        GdemoScene sc;
        int32_t w = cases[c].w, h = cases[c].h;
        CHECK(gdemo_scene_init(&sc, w, h, f) == 0);
        pixman_image_t *inc = pixman_image_create_bits(PIXMAN_x8r8g8b8, w, h, NULL, 0);
        pixman_image_t *full = pixman_image_create_bits(PIXMAN_x8r8g8b8, w, h, NULL, 0);
        GdemoState prev, st;
        gdemo_scene_state(&sc, 0, &prev);
        gdemo_scene_draw_fb(&sc, inc, &prev, NULL);
        for (uint64_t t = 1; t <= 150 && test_failures_in_current == 0; t++) {
            gdemo_scene_state(&sc, t * 7 / 3, &st); /* repeats and jumps too */
            pixman_region32_t dmg;
            pixman_region32_init(&dmg);
            gdemo_scene_fb_damage(&sc, &prev, &st, &dmg);
            gdemo_scene_draw_fb(&sc, inc, &st, &dmg);
            pixman_region32_fini(&dmg);
            gdemo_scene_draw_fb(&sc, full, &st, NULL);
            CHECK_MEM(pixman_image_get_data(inc), pixman_image_get_data(full),
                      (size_t)pixman_image_get_stride(full) * (size_t)h);
            /* Everything animated stays on the screen. */
            pixman_box32_t b[8];
            unsigned n = gdemo_scene_moving_boxes(&sc, &st, b, 8);
            for (unsigned i = 0; i < n; i++) {
                CHECK(b[i].x1 >= 0 && b[i].y1 >= 0 && b[i].x2 <= w && b[i].y2 <= h);
            }
            prev = st;
        }
        pixman_image_unref(inc);
        pixman_image_unref(full);
        gdemo_scene_finish(&sc);
        gdemo_font_destroy(f);
    }
}

/* ---- the demo on the stack ---- */

static void test_mode_choice(void)
{
    Stack s;
    stack_start(&s, 1000, 700);
    CHECK_EQ_U64(s.mode.width, 800);
    CHECK_EQ_U64(s.mode.height, 600);
    stack_stop(&s);
    stack_start(&s, 100, 100); /* nothing fits: the first mode */
    CHECK_EQ_U64(s.mode.width, 640);
    CHECK_EQ_U64(s.mode.height, 480);
    stack_stop(&s);
}

/* Every frame, in order: the device shows exactly the expected picture,
 * and consecutive pictures differ only in the moving parts. */
static void test_frames_match_expected(void)
{
    Stack s;
    stack_start(&s, 800, 600);
    CHECK_EQ_U64(diff_expected(&s, 0), 0);
    uint32_t *prev = NULL;
    size_t npx = (size_t)s.mode.width * s.mode.height;
    for (uint64_t t = 1; t <= TICKS && test_failures_in_current == 0; t++) {
        CHECK(gdemo_frame(s.demo, t) == 0);
        CHECK_EQ_U64(diff_expected(&s, t), 0);
        uint32_t stride;
        const uint32_t *now = screen(&s, &stride);
        if (now == NULL) {
            break;
        }
        if (prev) {
            pixman_box32_t boxes[16];
            unsigned n = moving(&s, t - 1, t, boxes);
            unsigned changed = 0, outside = 0;
            for (uint32_t y = 0; y < s.mode.height; y++) {
                for (uint32_t x = 0; x < s.mode.width; x++) {
                    if (((prev[y * s.mode.width + x] ^ now[y * stride + x]) & 0xffffff) != 0) {
                        changed++;
                        outside += !in_boxes(boxes, n, (int32_t)x, (int32_t)y);
                    }
                }
            }
            CHECK(changed > 0);           /* it animates */
            CHECK(changed < npx / 10);    /* ... only a little */
            CHECK_EQ_U64(outside, 0);
        } else {
            prev = g_new(uint32_t, npx);
        }
        for (uint32_t y = 0; y < s.mode.height; y++) {
            memcpy(prev + (size_t)y * s.mode.width, now + (size_t)y * stride, s.mode.width * 4);
        }
    }
    g_free(prev);
    uint32_t stride;
    const uint32_t *last = screen(&s, &stride);
    if (last && g_getenv("GDEMO_SCREENSHOT")) {
        write_ppm(g_getenv("GDEMO_SCREENSHOT"), last, stride, &s.mode);
    }
    /* The cursor follows its path. */
    int32_t cx, cy;
    gdemo_cursor_position(s.demo, TICKS, &cx, &cy);
    CHECK(cx >= 0 && cy >= 0 && cx < (int32_t)s.mode.width && cy < (int32_t)s.mode.height);
    stack_stop(&s);
}

/* The picture is a function of the tick alone: jumps and going back. */
static void test_ticks_out_of_order(void)
{
    Stack s;
    stack_start(&s, 640, 480);
    static const uint64_t ticks[] = { 1000, 7, 123456789, 8, 8, UINT64_MAX, 0 };
    for (size_t i = 0; i < G_N_ELEMENTS(ticks); i++) {
        CHECK(gdemo_frame(s.demo, ticks[i]) == 0);
        CHECK_EQ_U64(diff_expected(&s, ticks[i]), 0);
    }
    pixman_image_t *a = gdemo_expected(s.demo, 4242), *b = gdemo_expected(s.demo, 4242);
    CHECK_MEM(pixman_image_get_data(a), pixman_image_get_data(b),
              (size_t)pixman_image_get_stride(a) * s.mode.height);
    pixman_image_unref(a);
    pixman_image_unref(b);
    stack_stop(&s);
}

/* Pixels poked into the device's primary outside the moving parts must
 * survive the next frame: the demo sends its damage, not the screen. */
static void test_only_damage_is_sent(void)
{
    Stack s;
    stack_start(&s, 640, 480);
    for (uint64_t t = 1; t <= 12; t++) {
        uint32_t stride;
        CHECK(gdemo_frame(s.demo, t - 1) == 0);
        uint32_t *px = (uint32_t *)screen(&s, &stride);
        if (px == NULL) {
            break;
        }
        pixman_box32_t boxes[16];
        unsigned n = moving(&s, t - 1, t, boxes);
        unsigned poked = 0;
        for (uint32_t y = 3; y < s.mode.height; y += 37) {
            for (uint32_t x = 5; x < s.mode.width; x += 41) {
                if (!in_boxes(boxes, n, (int32_t)x, (int32_t)y)) {
                    px[y * stride + x] = POKE;
                    poked++;
                }
            }
        }
        CHECK(gdemo_frame(s.demo, t) == 0);
        px = (uint32_t *)screen(&s, &stride);
        unsigned kept = 0;
        for (uint32_t y = 3; y < s.mode.height; y += 37) {
            for (uint32_t x = 5; x < s.mode.width; x += 41) {
                kept += (px[y * stride + x] & 0xffffff) == POKE;
            }
        }
        CHECK(poked > 100);
        CHECK_EQ_U64(kept, poked);
    }
    stack_stop(&s);
}

/* The S3 suite's check: the screenshot after the wake equals the one
 * before; frames during the suspend are refused and caught up after. */
static void test_suspend_resume(void)
{
    Stack s;
    stack_start(&s, 800, 600);
    for (uint64_t t = 1; t <= 30; t++) {
        CHECK(gdemo_frame(s.demo, t) == 0);
    }
    CHECK_EQ_U64(diff_expected(&s, 30), 0);
    CHECK(gkms_suspend(s.dev) == 0);
    CHECK_EQ_U64(gdemo_frame(s.demo, 31), (uint64_t)-EBUSY);
    CHECK_EQ_U64(gdemo_frame(s.demo, 32), (uint64_t)-EBUSY);
    CHECK(qxl_fixture_suspend_and_wake(&fx) == 0);
    CHECK(gkms_resume(s.dev) == 0);
    /* The driver redrew the screen of tick 30, which the S3 suite
     * compares; the demo then catches up. */
    CHECK_EQ_U64(diff_expected(&s, 30), 0);
    CHECK(gdemo_frame(s.demo, 32) == 0);
    CHECK_EQ_U64(diff_expected(&s, 32), 0);
    CHECK(gdemo_frame(s.demo, 30) == 0);
    CHECK_EQ_U64(diff_expected(&s, 30), 0);
    for (uint64_t t = 33; t <= 45; t++) {
        CHECK(gdemo_frame(s.demo, t) == 0);
    }
    CHECK_EQ_U64(diff_expected(&s, 45), 0);
    stack_stop(&s);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_font_file_and_fallback),
        TEST_CASE(test_font_hostile),
        TEST_CASE(test_scene_incremental_equals_full),
        TEST_CASE(test_mode_choice),
        TEST_CASE(test_frames_match_expected),
        TEST_CASE(test_ticks_out_of_order),
        TEST_CASE(test_only_damage_is_sent),
        TEST_CASE(test_suspend_resume),
    };
    if (test_check_spice_server(S3D_WANT_OUR_SERVER) != 0) {
        return 1;
    }
    return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
