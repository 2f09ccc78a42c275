/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lz-cases.c: seeded test images (lz-cases.h).  Each kind aims at one part
 * of the format: literals (noise), near matches and runs (desktop, runs),
 * the far distance form and its limit (far repeats), the smallest images
 * (tiny), short matches between literals (few colours).  The x byte of
 * every pixel is random: the encoder must ignore it. */
#include "lz-cases.h"

#include <stdlib.h>
#include <string.h>

static uint32_t next(uint32_t *s)
{
    /* xorshift32: deterministic on every platform. */
    uint32_t x = *s ? *s : 0x9e3779b9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

static uint32_t below(uint32_t *s, uint32_t n)
{
    return next(s) % n;
}

static void fill(uint32_t *px, uint32_t w, uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1,
                 uint32_t rgb)
{
    for (uint32_t y = y0; y < y1; y++) {
        for (uint32_t x = x0; x < x1; x++) {
            px[(size_t)y * w + x] = rgb;
        }
    }
}

void lz_case_desktop(uint32_t *px, uint32_t w, uint32_t h, uint32_t seed)
{
    uint32_t s = seed;
    for (uint32_t y = 0; y < h; y++) {          /* wallpaper gradient */
        for (uint32_t x = 0; x < w; x++) {
            px[(size_t)y * w + x] = (x * 255 / w) << 16 | (y * 255 / h) << 8 | 0x60;
        }
    }
    fill(px, w, 0, 0, w, h < 24 ? h : 24, 0x303038);   /* top bar */
    uint8_t glyphs[8][10];                      /* 6x10 glyph bitmaps */
    for (unsigned g = 0; g < 8; g++) {
        for (unsigned r = 0; r < 10; r++) {
            glyphs[g][r] = (uint8_t)(next(&s) & 0x3f);
        }
    }
    for (unsigned win = 0; win < 3; win++) {
        uint32_t x0 = below(&s, w), y0 = below(&s, h);
        uint32_t x1 = x0 + below(&s, w - x0) + 1, y1 = y0 + below(&s, h - y0) + 1;
        uint32_t bg = win == 1 ? 0x101010 : 0xf0f0f0, fg = win == 1 ? 0x40ff40 : 0x202020;
        fill(px, w, x0, y0, x1, y1, bg);
        fill(px, w, x0, y0, x1, y0 + 1, 0x2060c0);
        for (uint32_t ty = y0 + 4; ty + 10 <= y1; ty += 12) {       /* text lines */
            uint32_t len = below(&s, 60);
            for (uint32_t c = 0, tx = x0 + 2; c < len && tx + 6 <= x1; c++, tx += 6) {
                const uint8_t *gl = glyphs[below(&s, 8)];
                for (unsigned r = 0; r < 10; r++) {
                    for (unsigned b = 0; b < 6; b++) {
                        px[(size_t)(ty + r) * w + tx + b] = (gl[r] >> b & 1) ? fg : bg;
                    }
                }
            }
        }
    }
}

void lz_case_make(LzCase *c, unsigned index, uint32_t seed)
{
    uint32_t s = seed * 2654435761u + index + 1;
    unsigned kind = index % LZ_CASE_KINDS;
    uint32_t w = 1 + below(&s, 200), h = 1 + below(&s, 120);
    if (kind == 3) {                /* far: up to ~250k pixels */
        w = 500 + below(&s, 1500);
        h = 80 + below(&s, 100);
    } else if (kind == 4) {
        static const uint32_t dims[][2] = { { 1, 1 }, { 1, 7 }, { 7, 1 }, { 2, 2 }, { 33, 1 },
                                            { 1, 33 }, { 3, 11 }, { 64, 64 } };
        w = dims[index / LZ_CASE_KINDS % 8][0];
        h = dims[index / LZ_CASE_KINDS % 8][1];
    }
    size_t n = (size_t)w * h;
    uint32_t *px = malloc(n * sizeof(*px));
    if (px == NULL) {
        abort();
    }
    static const char *const names[LZ_CASE_KINDS] = { "noise", "desktop", "runs", "far",
                                                      "tiny", "few-colours" };
    switch (kind) {
    case 1:
        lz_case_desktop(px, w, h, s);
        break;
    case 2:
        for (size_t i = 0; i < n;) {
            uint32_t rgb = next(&s), len = 1 + below(&s, below(&s, 2) ? 4 : 2000);
            for (; len && i < n; len--) {
                px[i++] = rgb;
            }
        }
        break;
    case 3: {
        /* One random block repeated at distances around both limits of the
         * format (8191/8192 and 73727/73728 pixels back). */
        static const size_t gaps[] = { 8190, 8191, 8192, 8193, 40000, 73726, 73727, 73728 };
        for (size_t i = 0; i < n; i++) {
            px[i] = next(&s);
        }
        size_t gap = gaps[index / LZ_CASE_KINDS % 8];
        for (size_t i = gap; i < n; i++) {
            if (i % (gap + 300) < 300) {
                px[i] = px[i - gap];
            }
        }
        break;
    }
    case 5: {
        uint32_t pal[3] = { next(&s), next(&s), next(&s) };
        for (size_t i = 0; i < n; i++) {
            px[i] = pal[below(&s, 3)];
        }
        break;
    }
    default:
        for (size_t i = 0; i < n; i++) {
            px[i] = next(&s);
        }
        break;
    }
    for (size_t i = 0; i < n; i++) {    /* the x byte is noise everywhere */
        px[i] = (px[i] & 0x00ffffffu) | (next(&s) & 0xff000000u);
    }
    c->width = w;
    c->height = h;
    c->pixels = px;
    c->kind = names[kind];
}

void lz_case_free(LzCase *c)
{
    free(c->pixels);
    memset(c, 0, sizeof(*c));
}
