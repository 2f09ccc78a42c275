/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench-scenes.c: see bench-scenes.h. */
#include "config.h"

#include "bench-scenes.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

/* Distinct contents cycled through, precomputed so that producing a frame
 * costs a memcpy in the device, not a pattern loop, inside the timed part. */
#define BENCH_PATTERNS 8
#define BENCH_TILE 64            /* tiles and fills: the 64x64 */
#define BENCH_ICON 128           /* reused: an icon-sized cacheable bitmap */
#define BENCH_GLYPH_W 8          /* typing and scroll: a VGA-like 8x16 font */
#define BENCH_GLYPH_H 16
#define BENCH_GLYPHS 26
#define BENCH_MIN_SIDE 128       /* the largest block above */
#define BENCH_INK 0x202020u
#define BENCH_PAPER 0xf0f0e8u
/* Stable ids of the two cacheable bitmaps (QXL id layout: group in the low
 * bits, a unique number above). */
#define BENCH_ICON_ID(i) (((uint64_t)(0x1c0 + (i)) << 32) | QXL_IMAGE_GROUP_DEVICE)

static const char *const bench_scene_names[BENCH_SCENE_COUNT] = {
    [BENCH_SCENE_FULLSCREEN] = "fullscreen",
    [BENCH_SCENE_TILES] = "tiles",
    [BENCH_SCENE_FILLS] = "fills",
    [BENCH_SCENE_SCROLL] = "scroll",
    [BENCH_SCENE_TYPING] = "typing",
    [BENCH_SCENE_REUSED] = "reused",
};

struct BenchScene {
    BenchSceneKind kind;
    uint32_t width, height;
    uint32_t cols, rows;         /* blocks of the scene's unit (tile, icon, glyph) */
    uint32_t unit_w, unit_h;
    uint32_t *patterns;          /* BENCH_PATTERNS blocks of unit_w x unit_h */
    uint32_t *glyphs;            /* BENCH_GLYPHS glyphs (typing, scroll) */
    uint32_t *line;              /* scroll: the width x BENCH_GLYPH_H line */
};

int bench_scene_kind_from_name(const char *name)
{
    for (int k = 0; k < BENCH_SCENE_COUNT; k++) {
        if (strcmp(name, bench_scene_names[k]) == 0) {
            return k;
        }
    }
    return -1;
}

const char *bench_scene_kind_name(BenchSceneKind kind)
{
    return kind < BENCH_SCENE_COUNT ? bench_scene_names[kind] : "?";
}

/* Smooth gradients plus a per-pattern texture: compressible like a desktop,
 * not like noise, and never like a flat fill. */
static void bench_pattern_fill(uint32_t *px, uint32_t w, uint32_t h, unsigned k)
{
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            uint32_t r = (x + 37 * k) & 0xff, g = (y + 61 * k) & 0xff;
            uint32_t b = ((x ^ y) >> (k % 3)) & 0xff;
            px[(size_t)y * w + x] = r << 16 | g << 8 | b;
        }
    }
}

/* Glyph-like bitmaps: ink strokes on paper, from a fixed seed so that
 * every run draws the same text. */
static void bench_glyphs_fill(uint32_t *px)
{
    GRand *rand = g_rand_new_with_seed(13);
    for (unsigned g = 0; g < BENCH_GLYPHS; g++) {
        uint32_t *glyph = px + (size_t)g * BENCH_GLYPH_W * BENCH_GLYPH_H;
        /* A column mask per glyph, repeated over rows 3..12 with a row
         * mask: blocky strokes like a bitmap font's, blank top and bottom. */
        uint32_t cols = (uint32_t)g_rand_int(rand) & 0x7e, rows = (uint32_t)g_rand_int(rand);
        for (uint32_t y = 0; y < BENCH_GLYPH_H; y++) {
            bool row_ink = y >= 3 && y <= 12 && (rows >> y & 1);
            for (uint32_t x = 0; x < BENCH_GLYPH_W; x++) {
                bool ink = (row_ink && x > 0 && x < 7) || (y >= 3 && y <= 12 && (cols >> x & 1));
                glyph[y * BENCH_GLYPH_W + x] = ink ? BENCH_INK : BENCH_PAPER;
            }
        }
    }
    g_rand_free(rand);
}

BenchScene *bench_scene_create(BenchSceneKind kind, uint32_t width, uint32_t height)
{
    if (kind >= BENCH_SCENE_COUNT || width < BENCH_MIN_SIDE || height < BENCH_MIN_SIDE) {
        fprintf(stderr, "bench scene: bad scene %d or screen %ux%u under %d\n", (int)kind,
                width, height, BENCH_MIN_SIDE);
        return NULL;
    }
    BenchScene *s = g_new0(BenchScene, 1);
    s->kind = kind;
    s->width = width;
    s->height = height;
    switch (kind) {
    case BENCH_SCENE_FULLSCREEN:
        s->unit_w = width;
        s->unit_h = height;
        break;
    case BENCH_SCENE_TILES:
    case BENCH_SCENE_FILLS:
        s->unit_w = s->unit_h = BENCH_TILE;
        break;
    case BENCH_SCENE_REUSED:
        s->unit_w = s->unit_h = BENCH_ICON;
        break;
    case BENCH_SCENE_SCROLL:
    case BENCH_SCENE_TYPING:
    default:
        s->unit_w = BENCH_GLYPH_W;
        s->unit_h = BENCH_GLYPH_H;
        break;
    }
    s->cols = width / s->unit_w;
    s->rows = height / s->unit_h;
    if (kind == BENCH_SCENE_FULLSCREEN || kind == BENCH_SCENE_TILES ||
        kind == BENCH_SCENE_REUSED) {
        size_t n = (size_t)s->unit_w * s->unit_h;
        s->patterns = g_new(uint32_t, n * BENCH_PATTERNS);
        for (unsigned k = 0; k < BENCH_PATTERNS; k++) {
            bench_pattern_fill(s->patterns + k * n, s->unit_w, s->unit_h, k);
        }
    }
    if (kind == BENCH_SCENE_SCROLL || kind == BENCH_SCENE_TYPING) {
        s->glyphs = g_new(uint32_t, (size_t)BENCH_GLYPHS * BENCH_GLYPH_W * BENCH_GLYPH_H);
        bench_glyphs_fill(s->glyphs);
    }
    if (kind == BENCH_SCENE_SCROLL) {
        s->line = g_new(uint32_t, (size_t)width * BENCH_GLYPH_H);
    }
    return s;
}

void bench_scene_destroy(BenchScene *scene)
{
    if (scene == NULL) {
        return;
    }
    g_free(scene->patterns);
    g_free(scene->glyphs);
    g_free(scene->line);
    g_free(scene);
}

unsigned bench_scene_drawables_per_frame(const BenchScene *s)
{
    switch (s->kind) {
    case BENCH_SCENE_TILES:
    case BENCH_SCENE_FILLS:
    case BENCH_SCENE_REUSED:
        return s->cols;
    case BENCH_SCENE_SCROLL:
        return 2;
    case BENCH_SCENE_FULLSCREEN:
    case BENCH_SCENE_TYPING:
    default:
        return 1;
    }
}

static uint32_t *bench_pattern(const BenchScene *s, unsigned k)
{
    return s->patterns + (size_t)(k % BENCH_PATTERNS) * s->unit_w * s->unit_h;
}

static const uint32_t *bench_glyph(const BenchScene *s, unsigned g)
{
    return s->glyphs + (size_t)(g % BENCH_GLYPHS) * BENCH_GLYPH_W * BENCH_GLYPH_H;
}

static uint32_t bench_fill_colour(unsigned n, uint32_t c)
{
    return (n * 2654435761u + c * 40503u) & 0xffffff;
}

/* Tile pixel 0 carries frame and column, so no tile repeats an earlier one
 * and the check can tell frames apart. */
static uint32_t bench_tile_tag(unsigned n, uint32_t c)
{
    return (n << 8 | (c & 0xff)) & 0xffffff;
}

/* The text line scroll draws in frame n: glyphs shifted by n, pixel 0
 * carrying n (for the check). */
static void bench_line_compose(BenchScene *s, unsigned n)
{
    for (uint32_t i = 0; i < s->cols; i++) {
        const uint32_t *g = bench_glyph(s, n * 7 + i);
        for (uint32_t y = 0; y < BENCH_GLYPH_H; y++) {
            memcpy(s->line + (size_t)y * s->width + (size_t)i * BENCH_GLYPH_W,
                   g + y * BENCH_GLYPH_W, BENCH_GLYPH_W * sizeof(uint32_t));
        }
    }
    /* Columns past the last whole glyph: paper. */
    for (uint32_t y = 0; y < BENCH_GLYPH_H; y++) {
        for (uint32_t x = s->cols * BENCH_GLYPH_W; x < s->width; x++) {
            s->line[(size_t)y * s->width + x] = BENCH_PAPER;
        }
    }
    s->line[0] = n & 0xffffff;
}

static QXLRect bench_rect(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    return (QXLRect){ .top = (int32_t)y, .left = (int32_t)x, .bottom = (int32_t)(y + h),
                      .right = (int32_t)(x + w) };
}

static int bench_copy(FakeQxl *qxl, uint32_t x, uint32_t y, const uint32_t *px, uint32_t w,
                      uint32_t h, uint64_t cache_id)
{
    QXLRect box = bench_rect(x, y, w, h);
    FakeQxlBitmap bmp = { .pixels = px, .width = w, .height = h,
                          .data = FAKE_QXL_BITMAP_DIRECT, .rows = FAKE_QXL_TOP_DOWN,
                          .cache_id = cache_id };
    return fake_qxl_submit_copy(qxl, &box, &bmp);
}

/* Typing: where frame n's glyph goes. */
static void bench_typing_pos(const BenchScene *s, unsigned n, uint32_t *x, uint32_t *y)
{
    unsigned i = n - 1;
    *x = (i % s->cols) * BENCH_GLYPH_W;
    *y = (i / s->cols % s->rows) * BENCH_GLYPH_H;
}

int bench_scene_submit_frame(BenchScene *s, FakeQxl *qxl, unsigned n)
{
    uint32_t row = (n - 1) % s->rows;
    switch (s->kind) {
    case BENCH_SCENE_FULLSCREEN: {
        uint32_t *px = bench_pattern(s, n);
        px[0] = n & 0xffffff; /* no two frames alike, even after the cycle */
        return bench_copy(qxl, 0, 0, px, s->width, s->height, 0);
    }
    case BENCH_SCENE_TILES:
        for (uint32_t c = 0; c < s->cols; c++) {
            uint32_t *px = bench_pattern(s, n + c);
            px[0] = bench_tile_tag(n, c);
            if (bench_copy(qxl, c * BENCH_TILE, row * BENCH_TILE, px, BENCH_TILE, BENCH_TILE,
                           0) != 0) {
                return -1;
            }
        }
        return 0;
    case BENCH_SCENE_FILLS:
        for (uint32_t c = 0; c < s->cols; c++) {
            QXLRect box = bench_rect(c * BENCH_TILE, row * BENCH_TILE, BENCH_TILE, BENCH_TILE);
            if (fake_qxl_submit_fill(qxl, &box, bench_fill_colour(n, c)) != 0) {
                return -1;
            }
        }
        return 0;
    case BENCH_SCENE_REUSED: {
        unsigned icon = (n - 1) / s->rows % 2;
        for (uint32_t c = 0; c < s->cols; c++) {
            if (bench_copy(qxl, c * BENCH_ICON, row * BENCH_ICON, bench_pattern(s, icon),
                           BENCH_ICON, BENCH_ICON, BENCH_ICON_ID(icon)) != 0) {
                return -1;
            }
        }
        return 0;
    }
    case BENCH_SCENE_SCROLL: {
        QXLRect up = bench_rect(0, 0, s->width, s->height - BENCH_GLYPH_H);
        if (fake_qxl_submit_copy_bits(qxl, &up, 0, BENCH_GLYPH_H) != 0) {
            return -1;
        }
        bench_line_compose(s, n);
        return bench_copy(qxl, 0, s->height - BENCH_GLYPH_H, s->line, s->width, BENCH_GLYPH_H,
                          0);
    }
    case BENCH_SCENE_TYPING: {
        uint32_t x, y;
        bench_typing_pos(s, n, &x, &y);
        return bench_copy(qxl, x, y, bench_glyph(s, n - 1), BENCH_GLYPH_W, BENCH_GLYPH_H, 0);
    }
    default:
        errno = EINVAL;
        return -1;
    }
}

QXLRect bench_scene_marker(const BenchScene *s, uint32_t *step)
{
    *step = 1;
    switch (s->kind) {
    case BENCH_SCENE_TILES:
    case BENCH_SCENE_FILLS:
    case BENCH_SCENE_REUSED:
        /* The top-left pixel of the last block of whichever row the frame
         * draws. */
        *step = s->unit_h;
        return bench_rect((s->cols - 1) * s->unit_w, 0, 1, s->rows * s->unit_h);
    case BENCH_SCENE_SCROLL:
        /* Only the new line reaches the bottom row. */
        return bench_rect(0, s->height - 1, 1, 1);
    case BENCH_SCENE_TYPING:
        return bench_rect(0, 0, s->width, s->height);
    case BENCH_SCENE_FULLSCREEN:
    default:
        /* One pixel: a server sending a frame in bands counts once. */
        return bench_rect(0, 0, 1, 1);
    }
}

/* Compares a w x h block of the primary at (x, y) with px (row stride
 * `stride` pixels; stride 0: every pixel is px[0]), ignoring the x byte. */
static bool bench_block_equals(const FakeQxl *qxl, uint32_t x, uint32_t y, const uint32_t *px,
                               uint32_t w, uint32_t h, size_t stride, char *why,
                               size_t why_size)
{
    for (uint32_t j = 0; j < h; j++) {
        for (uint32_t i = 0; i < w; i++) {
            uint32_t got = fake_qxl_primary_pixel(qxl, x + i, y + j) & 0xffffff;
            uint32_t want = px[stride != 0 ? j * stride + i : 0] & 0xffffff;
            if (got != want) {
                snprintf(why, why_size, "pixel (%u,%u) is %06x, want %06x", x + i, y + j, got,
                         want);
                return false;
            }
        }
    }
    return true;
}

bool bench_scene_check(const BenchScene *s, const FakeQxl *qxl, unsigned n, char *why,
                       size_t why_size)
{
    uint32_t row = (n - 1) % s->rows, last = s->cols - 1;
    switch (s->kind) {
    case BENCH_SCENE_FULLSCREEN:
        return bench_block_equals(qxl, 0, 0, bench_pattern(s, n), s->width, s->height, s->width,
                                  why, why_size);
    case BENCH_SCENE_TILES:
        return bench_block_equals(qxl, last * BENCH_TILE, row * BENCH_TILE,
                                  bench_pattern(s, n + last), BENCH_TILE, BENCH_TILE,
                                  BENCH_TILE, why, why_size);
    case BENCH_SCENE_FILLS: {
        uint32_t colour = bench_fill_colour(n, last);
        return bench_block_equals(qxl, last * BENCH_TILE, row * BENCH_TILE, &colour, BENCH_TILE,
                                  BENCH_TILE, 0, why, why_size);
    }
    case BENCH_SCENE_REUSED:
        return bench_block_equals(qxl, last * BENCH_ICON, row * BENCH_ICON,
                                  bench_pattern(s, (n - 1) / s->rows % 2), BENCH_ICON,
                                  BENCH_ICON, BENCH_ICON, why, why_size);
    case BENCH_SCENE_SCROLL: {
        /* Frame n's line at the bottom, frame n-1's one line up: the
         * COPY_BITS moved it. */
        uint32_t prev = (n - 1) & 0xffffff;
        return bench_block_equals(qxl, 0, s->height - BENCH_GLYPH_H, s->line, s->width,
                                  BENCH_GLYPH_H, s->width, why, why_size) &&
               (n < 2 || bench_block_equals(qxl, 0, s->height - 2 * BENCH_GLYPH_H, &prev, 1, 1,
                                            0, why, why_size));
    }
    case BENCH_SCENE_TYPING: {
        uint32_t x, y;
        bench_typing_pos(s, n, &x, &y);
        return bench_block_equals(qxl, x, y, bench_glyph(s, n - 1), BENCH_GLYPH_W,
                                  BENCH_GLYPH_H, BENCH_GLYPH_W, why, why_size);
    }
    default:
        snprintf(why, why_size, "unknown scene");
        return false;
    }
}
