/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-red-glz: the GLZ_RGB encoder and its window (server/codecs/red-glz.h)
 * against the model client of glz-decode.h (ours, written from the format).
 *
 * Every payload goes through the model client, which holds the images as
 * spice-gtk does, so each check is also a check that nothing refers to an
 * image the client dropped.  The suites:
 *   seeded    lz-cases' seeded images (noise, desktop, runs, far repeats,
 *             tiny, few colours, x byte random) as one sequence: round trip,
 *             the size bound;
 *   tiles     64x64 tiles of a desktop, then the same tiles again: the
 *             second round must be made of references to the first and be
 *             smaller than LZ_RGB (red-lz.h) for the same tiles;
 *   far       80x80 tiles 300 images back and 240k-pixel images: the long
 *             offset and image-distance forms of the token;
 *   moved     a desktop frame, then the same frame with a window moved;
 *   eviction  a small window: what was dropped is never referred to, the
 *             image count ceiling, taking back an unsent image;
 *   refusals  bad sizes, strides, windows: refused, outputs untouched;
 *   worth     red_glz_should_encode: small images from the start, large
 *             ones while pictures repeat, else one in RED_GLZ_PROBE_EVERY;
 *   small     small images: text lines whose repeats lie within each line
 *             (GLZ larger than LZ_RGB) go without GLZ but for the compared
 *             ones, once enough bytes were compared, and the comparisons
 *             that confirm it space the next ones out;
 *             icons drawn over and over bring GLZ back for all.
 * Figures (bytes, GLZ vs LZ) are printed, never compared to constants
 * beyond "smaller".
 *
 * Usage: test-red-glz [SEED] */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "glz-decode.h"
#include "lz-cases.h"
#include "red-glz.h"
#include "red-lz.h"

#define SEEDED_CASES 240u
#define SEEDED_WINDOW (1024u * 1024)
#define TILE 64u
#define DESK_W 1024u
#define DESK_H 768u

typedef struct Client {
    RedGlzDict *dict;
    TestGlzWindow *win;
    size_t glz_bytes, lz_bytes;         /* totals of what went through send() */
    TestGlzStats last;
} Client;

static void client_init(Client *c, uint32_t window)
{
    *c = (Client){ .dict = red_glz_dict_create(window), .win = test_glz_window_new() };
}

static void client_finish(Client *c)
{
    red_glz_dict_destroy(c->dict);
    test_glz_window_free(c->win);
}

/* Encodes px, checks the bound, decodes it through the model client and
 * compares; adds the GLZ and LZ_RGB sizes to the totals.  Returns 0. */
static int send(Client *c, const uint32_t *px, uint32_t w, uint32_t h, const char *what)
{
    uint8_t *out = NULL, *lz = NULL;
    size_t size = 0, lz_size = 0;
    RedGlzResult res = { .id = UINT64_MAX };
    if (red_glz_encode(c->dict, (const uint8_t *)px, w, h, w * 4, &out, &size, &res) != 0) {
        printf("%s %ux%u: encode failed\n", what, w, h);
        return -1;
    }
    int ret = -1;
    size_t n = (size_t)w * h;
    uint32_t *dec = g_new(uint32_t, n);
    int d = test_glz_decode(c->win, out, size, w, h, dec, &c->last);
    if (size > red_glz_max_size(w, h)) {
        printf("%s %ux%u: %zu bytes, bound %zu\n", what, w, h, size, red_glz_max_size(w, h));
    } else if (d != 0) {
        printf("%s %ux%u id %" G_GUINT64_FORMAT ": model client error %d\n", what, w, h, res.id,
               d);
    } else if (c->last.id != res.id || c->last.win_head_dist != res.win_head_dist ||
               c->last.cross_pixels != res.earlier_pixels) {
        printf("%s: encoder says id %" G_GUINT64_FORMAT " head %u earlier %u, payload %"
               G_GUINT64_FORMAT " %u %zu\n", what, res.id, res.win_head_dist,
               res.earlier_pixels, c->last.id, c->last.win_head_dist, c->last.cross_pixels);
    } else {
        ret = 0;
        for (size_t i = 0; i < n; i++) {
            if (dec[i] != (px[i] & 0x00ffffffu)) {
                printf("%s %ux%u: pixel %zu is %06x, want %06x\n", what, w, h, i, dec[i],
                       px[i] & 0x00ffffffu);
                ret = -1;
                break;
            }
        }
    }
    if (ret == 0 && red_lz_encode((const uint8_t *)px, w, h, w * 4, &lz, &lz_size) == 0) {
        c->glz_bytes += size;
        c->lz_bytes += lz_size;
    }
    g_free(lz);
    g_free(dec);
    g_free(out);
    return ret;
}

static uint32_t *crop(const uint32_t *src, uint32_t src_w, uint32_t x, uint32_t y, uint32_t w,
                      uint32_t h)
{
    uint32_t *t = g_new(uint32_t, (size_t)w * h);
    for (uint32_t r = 0; r < h; r++) {
        memcpy(t + (size_t)r * w, src + (size_t)(y + r) * src_w + x, (size_t)w * 4);
    }
    return t;
}

static uint32_t *noise(size_t n, uint32_t seed)
{
    uint32_t *px = g_new(uint32_t, n);
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        px[i] = seed ^ (seed >> 13);
    }
    return px;
}

static int suite_seeded(uint32_t seed)
{
    Client c;
    client_init(&c, SEEDED_WINDOW);
    int failed = 0;
    for (unsigned i = 0; i < SEEDED_CASES; i++) {
        LzCase lc;
        lz_case_make(&lc, i, seed);
        char what[64];
        snprintf(what, sizeof(what), "seeded case %u (%s)", i, lc.kind);
        failed += send(&c, lc.pixels, lc.width, lc.height, what) != 0;
        lz_case_free(&lc);
    }
    printf("seeded: %u images, %d failed, GLZ %zu bytes, LZ %zu bytes\n", SEEDED_CASES, failed,
           c.glz_bytes, c.lz_bytes);
    client_finish(&c);
    return failed;
}

/* Rounds of tiles over the desktop's top half: the second round repeats the
 * first, as a desktop redrawing the same content does. */
static int suite_tiles(uint32_t seed)
{
    uint32_t *desk = g_new(uint32_t, (size_t)DESK_W * DESK_H);
    lz_case_desktop(desk, DESK_W, DESK_H, seed);
    Client c;
    client_init(&c, SEEDED_WINDOW);
    int failed = 0;
    size_t first_glz = 0, first_lz = 0, cross = 0, pixels = 0;
    uint32_t max_dist = 0;
    for (unsigned round = 0; round < 2; round++) {
        for (uint32_t y = 0; y + TILE <= DESK_H / 2; y += TILE) {
            for (uint32_t x = 0; x + TILE <= DESK_W; x += TILE) {
                uint32_t *t = crop(desk, DESK_W, x, y, TILE, TILE);
                failed += send(&c, t, TILE, TILE, "tile") != 0;
                if (round == 1) {
                    cross += c.last.cross_pixels;
                    pixels += TILE * TILE;
                    max_dist = MAX(max_dist, c.last.max_dist);
                }
                g_free(t);
            }
        }
        if (round == 0) {
            first_glz = c.glz_bytes;
            first_lz = c.lz_bytes;
        }
    }
    size_t glz2 = c.glz_bytes - first_glz, lz2 = c.lz_bytes - first_lz;
    printf("tiles: first round GLZ %zu LZ %zu bytes; repeated round GLZ %zu LZ %zu bytes "
           "(%.1f%%), %zu of %zu pixels from earlier images, farthest %u images back\n",
           first_glz, first_lz, glz2, lz2, 100.0 * (double)glz2 / (double)lz2, cross, pixels,
           max_dist);
    /* Each repeated tile is one reference to its first copy: nearly every
     * pixel must come from an earlier image, for far fewer bytes. */
    if (cross * 10 < pixels * 9 || glz2 * 10 > lz2 || max_dist < 64) {
        printf("tiles: the repeated round did not use the window\n");
        failed++;
    }
    client_finish(&c);
    g_free(desk);
    return failed;
}

/* The same pixels from i + by on, wrapping around. */
static uint32_t *rotated(const uint32_t *px, size_t n, size_t by)
{
    uint32_t *r = g_new(uint32_t, n);
    memcpy(r, px + by, (n - by) * 4);
    memcpy(r + n - by, px, by * 4);
    return r;
}

/* Token forms with long offsets and image distances: 300 80x80 tiles sent
 * again 300 images later, rotated by 4500 pixels (offsets past 2^12 with
 * two DIST bytes: F = 1), a 240000-pixel image sent again rotated by 200000
 * (offsets past 2^17: G = 1), and one whose second part repeats its start
 * 150000 pixels back (G = 1 inside the image). */
static int suite_far(uint32_t seed)
{
    enum { N_TILES = 300, SIDE = 80, BIG_W = 600, BIG_H = 400, BIG = BIG_W * BIG_H };
    Client c;
    client_init(&c, RED_GLZ_MAX_WINDOW_PIXELS);
    int failed = 0;
    size_t cross = 0;
    uint32_t max_dist = 0, tile_ofs = 0;
    for (unsigned round = 0; round < 2; round++) {
        for (unsigned k = 0; k < N_TILES; k++) {
            uint32_t *t = noise(SIDE * SIDE, seed * 7919u + k);
            uint32_t *r = round ? rotated(t, SIDE * SIDE, 4500) : g_memdup2(t, SIDE * SIDE * 4);
            failed += send(&c, r, SIDE, SIDE, "far tile") != 0;
            if (round == 1) {
                cross += c.last.cross_pixels;
                max_dist = MAX(max_dist, c.last.max_dist);
                tile_ofs = MAX(tile_ofs, c.last.max_cross_ofs);
            }
            g_free(r);
            g_free(t);
        }
    }
    uint32_t *big = noise(BIG, seed + 17);
    failed += send(&c, big, BIG_W, BIG_H, "big") != 0;
    uint32_t *big2 = rotated(big, BIG, 200000);
    failed += send(&c, big2, BIG_W, BIG_H, "big rotated") != 0;
    size_t big_cross = c.last.cross_pixels;
    uint32_t big_ofs = c.last.max_cross_ofs;
    uint32_t *fresh = noise(150000, seed + 23);
    memcpy(big, fresh, 150000 * 4);
    memcpy(big + 150000, big, (BIG - 150000) * 4);
    failed += send(&c, big, BIG_W, BIG_H, "big self-repeat") != 0;
    size_t inside = c.last.inside_pixels;
    printf("far: tiles %zu pixels from up to %u images back, offsets up to %u; rotated big "
           "image %zu of %u pixels from the previous, offsets up to %u; self-repeat %zu "
           "pixels inside\n",
           cross, max_dist, tile_ofs, big_cross, BIG, big_ofs, inside);
    if (cross * 2 < (size_t)N_TILES * SIDE * SIDE || max_dist != N_TILES ||
        tile_ofs < 4500 || big_cross * 10 < (size_t)BIG * 9 || big_ofs < 200000 ||
        inside * 10 < (BIG - 150000) * 9) {
        printf("far: the long forms were not used\n");
        failed++;
    }
    g_free(fresh);
    g_free(big2);
    g_free(big);
    client_finish(&c);
    return failed;
}

/* A full frame, then the same frame with a 300x200 area moved 7 pixels
 * right and 5 down (a window dragged). */
static int suite_moved(uint32_t seed)
{
    enum { W = 640, H = 480 };
    uint32_t *a = g_new(uint32_t, W * H);
    lz_case_desktop(a, W, H, seed + 101);
    uint32_t *b = g_memdup2(a, W * H * 4);
    uint32_t *area = crop(a, W, 100, 80, 300, 200);
    for (uint32_t r = 0; r < 200; r++) {
        memcpy(b + (size_t)(85 + r) * W + 107, area + (size_t)r * 300, 300 * 4);
    }
    Client c;
    client_init(&c, SEEDED_WINDOW);
    int failed = send(&c, a, W, H, "frame") != 0;
    size_t lz1 = c.lz_bytes, glz1 = c.glz_bytes;
    failed += send(&c, b, W, H, "frame moved") != 0;
    size_t glz2 = c.glz_bytes - glz1, lz2 = c.lz_bytes - lz1;
    printf("moved: first frame GLZ %zu LZ %zu bytes; moved frame GLZ %zu LZ %zu bytes, "
           "%zu pixels from the first\n",
           glz1, lz1, glz2, lz2, c.last.cross_pixels);
    if (c.last.cross_pixels * 2 < (size_t)W * H || glz2 >= lz2) {
        printf("moved: the second frame did not use the first\n");
        failed++;
    }
    g_free(area);
    g_free(b);
    g_free(a);
    client_finish(&c);
    return failed;
}

static int suite_eviction(uint32_t seed)
{
    int failed = 0;
    /* Room for two 64x64 tiles: before a tile is encoded, all but the last
     * one are dropped. */
    Client c;
    client_init(&c, 2 * TILE * TILE + 100);
    uint32_t *t[3];
    for (unsigned k = 0; k < 3; k++) {
        t[k] = noise(TILE * TILE, seed * 31u + k);
    }
    failed += send(&c, t[0], TILE, TILE, "A") != 0;
    failed += send(&c, t[1], TILE, TILE, "B") != 0;
    failed += send(&c, t[2], TILE, TILE, "C") != 0;
    failed += send(&c, t[0], TILE, TILE, "A again") != 0;     /* A is gone */
    if (c.last.win_head_dist != 1 || c.last.cross_pixels != 0 ||
        test_glz_window_count(c.win) != 2) {
        printf("eviction: head dist %u, %zu pixels referred, client holds %zu\n",
               c.last.win_head_dist, c.last.cross_pixels, test_glz_window_count(c.win));
        failed++;
    }
    failed += send(&c, t[0], TILE, TILE, "A a third time") != 0;  /* the last A is held */
    if (c.last.cross_pixels != TILE * TILE) {
        printf("eviction: the held copy was not used (%zu pixels)\n", c.last.cross_pixels);
        failed++;
    }
    /* Take back an unsent image: the next one gets its id and the client,
     * which never saw it, decodes on. */
    uint8_t *out = NULL;
    size_t size = 0;
    RedGlzResult res;
    uint64_t next = red_glz_dict_next_id(c.dict);
    if (red_glz_encode(c.dict, (const uint8_t *)t[1], TILE, TILE, TILE * 4, &out, &size, &res) !=
            0 || res.id != next || red_glz_dict_forget_last(c.dict) != 0 ||
        red_glz_dict_forget_last(c.dict) != -1 || red_glz_dict_next_id(c.dict) != next) {
        printf("eviction: taking back an image failed\n");
        failed++;
    }
    g_free(out);
    failed += send(&c, t[1], TILE, TILE, "B after a taken back B") != 0;
    failed += send(&c, t[1], TILE, TILE, "B again") != 0;
    if (c.last.cross_pixels != TILE * TILE) {
        printf("eviction: the sent B was not used\n");
        failed++;
    }
    for (unsigned k = 0; k < 3; k++) {
        g_free(t[k]);
    }
    client_finish(&c);

    /* The image count ceiling: tiny images, a window that would hold more. */
    client_init(&c, SEEDED_WINDOW);
    uint32_t px[4] = { 0x112233, 0x445566, 0x112233, 0x445566 };
    for (unsigned k = 0; k < RED_GLZ_MAX_IMAGES + 50 && failed == 0; k++) {
        px[k % 4] = k;
        failed += send(&c, px, 2, 2, "tiny") != 0;
    }
    if (c.last.win_head_dist != RED_GLZ_MAX_IMAGES - 1 ||
        test_glz_window_count(c.win) != RED_GLZ_MAX_IMAGES) {
        printf("eviction: %zu images held, head dist %u\n", test_glz_window_count(c.win),
               c.last.win_head_dist);
        failed++;
    }
    client_finish(&c);
    printf("eviction: %d failed\n", failed);
    return failed;
}

static int suite_refusals(void)
{
    int bad = 0;
    uint32_t px[16] = { 0 };
    uint8_t *out = (uint8_t *)px;
    size_t size = 7;
    RedGlzResult res = { .id = 9 };
    RedGlzDict *d = red_glz_dict_create(16);
    const uint8_t *p = (const uint8_t *)px;
    bad |= red_glz_encode(d, p, 0, 1, 0, &out, &size, &res) != -1;
    bad |= red_glz_encode(d, p, 1, 0, 4, &out, &size, &res) != -1;
    bad |= red_glz_encode(d, p, 2, 2, 12, &out, &size, &res) != -1;        /* stride */
    bad |= red_glz_encode(d, p, 4, 4, 16, &out, &size, &res) != -1;        /* = window */
    bad |= red_glz_encode(d, p, 65536, 65536, 262144, &out, &size, &res) != -1;
    bad |= red_glz_encode(d, p, 0x40000000u, 4, 0, &out, &size, &res) != -1; /* stride wraps */
    bad |= out != (uint8_t *)px || size != 7 || res.id != 9 || red_glz_dict_next_id(d) != 0;
    bad |= red_glz_dict_forget_last(d) != -1;
    bad |= red_glz_max_size(0, 5) != 0 || red_glz_max_size(5, 0) != 0;
    bad |= !red_glz_fits(d, 5, 3) || red_glz_fits(d, 4, 4);
    red_glz_dict_destroy(d);
    d = red_glz_dict_create(0);
    bad |= red_glz_fits(d, 1, 1) || red_glz_dict_window_pixels(d) != 0;
    red_glz_dict_destroy(d);
    d = red_glz_dict_create(UINT32_MAX);
    bad |= red_glz_dict_window_pixels(d) != RED_GLZ_MAX_WINDOW_PIXELS;
    bad |= red_glz_fits(d, 2048, 2048) || !red_glz_fits(d, 2047, 2048);
    red_glz_dict_destroy(d);
    red_glz_dict_destroy(NULL);
    if (bad) {
        printf("refusals: an invalid argument was accepted\n");
    }
    /* Edge shapes through one window (1 x N, N x 1, one pixel, the
     * largest image a 5-pixel window takes). */
    Client c;
    client_init(&c, 5);
    uint32_t edge[4] = { 0x01020304, 0x01020304, 0xff020304, 0x00000001 };
    bad |= send(&c, edge, 1, 1, "1x1") != 0;
    bad |= send(&c, edge, 4, 1, "4x1") != 0;
    bad |= send(&c, edge, 1, 4, "1x4") != 0;
    bad |= send(&c, edge, 2, 2, "2x2") != 0;
    bad |= send(&c, edge, 1, 1, "1x1 again") != 0;
    client_finish(&c);
    printf("refusals and edges: %s\n", bad ? "FAIL" : "ok");
    return bad ? 1 : 0;
}

/* Large images of noise (nothing repeats) soon go without GLZ but for one
 * probe in RED_GLZ_PROBE_EVERY; small ones always get it; once large
 * images repeat, GLZ is used for every one again. */
static int suite_worth(uint32_t seed)
{
    int bad = 0;
    const uint32_t w = 256, h = 128; /* 32768 pixels: "large" */
    uint32_t *px = g_new(uint32_t, (size_t)w * h);
    GRand *rnd = g_rand_new_with_seed(seed);
    Client c;
    client_init(&c, RED_GLZ_MAX_WINDOW_PIXELS);
    unsigned tried = 0, asked = 0;
    for (unsigned k = 0; k < 200; k++) {
        for (size_t i = 0; i < (size_t)w * h; i++) {
            px[i] = g_rand_int(rnd) & 0xffffff;
        }
        asked++;
        if (red_glz_should_encode(c.dict, w, h)) {
            tried++;
            bad |= send(&c, px, w, h, "noise") != 0;
        }
    }
    /* The hopeful start lasts about GLZ's look-back span (1 Mi pixels),
     * then one in eight. */
    bad |= tried > asked / 2 || tried < asked / RED_GLZ_PROBE_EVERY;
    bad |= !red_glz_should_encode(c.dict, 128, 128); /* small: always */
    unsigned again = 0, late = 0;
    for (unsigned k = 0; k < 80; k++) {       /* one picture, over and over */
        if (red_glz_should_encode(c.dict, w, h)) {
            again++;
            late += k >= 60;
            bad |= send(&c, px, w, h, "repeat") != 0;
        }
    }
    bad |= late != 20; /* after a few probes, every one */
    printf("worth: noise %u of %u tried; a repeated picture %u of 80, the last 20 all: %s\n",
           tried, asked, again, bad ? "FAIL" : "ok");
    client_finish(&c);
    g_rand_free(rnd);
    g_free(px);
    return bad ? 1 : 0;
}

/* Sends px through GLZ when the dictionary wants it, comparing with LZ_RGB
 * when it asks to, as red_image_encode does; *took: GLZ was used. */
static int offer_small(Client *c, const uint32_t *px, uint32_t w, uint32_t h, const char *what,
                       bool *took, bool *compared)
{
    *took = red_glz_should_encode(c->dict, w, h);
    *compared = *took && red_glz_wants_comparison(c->dict);
    if (!*took) {
        return 0;
    }
    size_t glz_before = c->glz_bytes, lz_before = c->lz_bytes;
    int ret = send(c, px, w, h, what);
    if (*compared) {
        red_glz_note_comparison(c->dict, c->glz_bytes - glz_before, c->lz_bytes - lz_before);
    }
    return ret;
}

static int suite_small(uint32_t seed)
{
    int bad = 0;
    enum { GW = 8, GH = 16, GLYPHS = 16, LW = 512, LINES = 400, LATE = 300 };
    GRand *rnd = g_rand_new_with_seed(seed);
    uint32_t *glyphs = g_new(uint32_t, GLYPHS * GW * GH);
    for (unsigned i = 0; i < GLYPHS * GW * GH; i++) {
        glyphs[i] = g_rand_int_range(rnd, 0, 3) == 0 ? 0x202020u : 0xf0f0e8u;
    }
    uint32_t *line = g_new(uint32_t, LW * GH);
    Client c;
    client_init(&c, RED_GLZ_MAX_WINDOW_PIXELS);
    unsigned took_late = 0, compared_late = 0;
    size_t glz_compared = 0, lz_compared = 0;
    for (unsigned k = 0; k < LINES && !bad; k++) {
        for (unsigned i = 0; i < LW / GW; i++) {
            const uint32_t *g = glyphs + (size_t)g_rand_int_range(rnd, 0, GLYPHS) * GW * GH;
            for (unsigned y = 0; y < GH; y++) {
                memcpy(line + y * LW + i * GW, g + y * GW, GW * sizeof(uint32_t));
            }
        }
        bool took, compared;
        size_t g0 = c.glz_bytes, l0 = c.lz_bytes;
        bad |= offer_small(&c, line, LW, GH, "text line", &took, &compared) != 0;
        if (compared) {
            glz_compared += c.glz_bytes - g0;
            lz_compared += c.lz_bytes - l0;
        }
        took_late += k >= LATE && took;
        compared_late += k >= LATE && compared;
    }
    /* The premise: these lines are larger as GLZ (else the case proves
     * nothing); then only the compared ones take GLZ, and as each
     * comparison confirms the verdict they are spaced out from one in
     * RED_GLZ_PROBE_EVERY towards one in RED_GLZ_PROBE_MAX, but never stop. */
    unsigned most = (LINES - LATE) / (4 * RED_GLZ_PROBE_EVERY);
    bad |= glz_compared <= lz_compared;
    bad |= took_late != compared_late || took_late < (LINES - LATE) / RED_GLZ_PROBE_MAX ||
           took_late > most;
    printf("small: text lines GLZ %zu bytes, LZ_RGB %zu where compared; GLZ for %u of the last "
           "%u (%u compared)\n", glz_compared, lz_compared, took_late, LINES - LATE,
           compared_late);

    /* Icons drawn again and again: the compared ones find their earlier
     * sights, GLZ wins the comparisons and comes back for every icon. */
    enum { IW = 48, ICONS = 12, ROUNDS = 80 };
    uint32_t *icons = g_new(uint32_t, ICONS * IW * IW);
    for (unsigned i = 0; i < ICONS * IW * IW; i++) {
        icons[i] = g_rand_int_range(rnd, 0, 3) == 0 ? 0x102030u + (i / (IW * IW)) * 0x050301u
                                                    : 0xe8ecf0u;
    }
    unsigned took_last = 0;
    for (unsigned r = 0; r < ROUNDS && !bad; r++) {
        for (unsigned i = 0; i < ICONS; i++) {
            bool took, compared;
            bad |= offer_small(&c, icons + i * IW * IW, IW, IW, "icon", &took, &compared) != 0;
            took_last += r == ROUNDS - 1 && took;
        }
    }
    bad |= took_last != ICONS;
    printf("small: icons again and again, GLZ for %u of the last round's %u: %s\n", took_last,
           ICONS, bad ? "FAIL" : "ok");
    client_finish(&c);
    g_free(icons);
    g_free(line);
    g_free(glyphs);
    g_rand_free(rnd);
    return bad ? 1 : 0;
}

/* The comparison for large images (over RED_GLZ_ALWAYS_PIXELS), as for
 * small ones: while GLZ's reuse gate is open (nothing encoded yet, so no
 * reuse measured against it), compared images where LZ_RGB comes out
 * smaller (text: GLZ's short copies cost a byte more) turn GLZ off but
 * for the comparisons; compared images where GLZ wins turn it back on for
 * every one.  Only the policy: sizes are told, nothing is encoded. */
static int suite_large_policy(void)
{
    int bad = 0;
    const uint32_t w = 1024, h = 64;
    Client c;
    client_init(&c, RED_GLZ_MAX_WINDOW_PIXELS);
    unsigned took = 0, compared = 0;
    for (unsigned k = 0; k < 800; k++) {
        bool glz = red_glz_should_encode(c.dict, w, h);
        bool cmp = glz && red_glz_wants_comparison(c.dict);
        if (cmp) {
            red_glz_note_comparison(c.dict, 3000, 2400); /* LZ_RGB smaller */
        }
        took += k >= 600 && glz;
        compared += k >= 600 && cmp;
    }
    /* Still compared, but less often as the comparisons agree. */
    bad |= compared == 0 || took != compared || compared > 200 / (4 * RED_GLZ_PROBE_EVERY);
    unsigned back = 0;
    for (unsigned k = 0; k < 400; k++) {
        bool glz = red_glz_should_encode(c.dict, w, h);
        if (glz && red_glz_wants_comparison(c.dict)) {
            red_glz_note_comparison(c.dict, 600, 2400); /* GLZ smaller */
        }
        back += k >= 300 && glz;
    }
    bad |= back != 100;
    printf("large policy: LZ_RGB smaller: GLZ for %u of 200 (%u compared); GLZ smaller: GLZ "
           "for %u of the last 100: %s\n", took, compared, back, bad ? "FAIL" : "ok");
    client_finish(&c);
    return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    uint32_t seed = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1;
    int failed = suite_refusals();
    failed += suite_eviction(seed);
    failed += suite_seeded(seed);
    failed += suite_tiles(seed);
    failed += suite_far(seed);
    failed += suite_moved(seed);
    failed += suite_worth(seed);
    failed += suite_small(seed);
    failed += suite_large_policy();
    printf("%s: seed %u, %d failed\n", failed ? "FAIL" : "PASS", seed, failed);
    return failed ? 1 : 0;
}
