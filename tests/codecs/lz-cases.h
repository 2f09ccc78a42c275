/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lz-cases.h: seeded test images for the LZ_RGB encoder's round trips
 * (test-red-lz with our strict decoder, lz-upstream-check with
 * spice-common's).  The same (index, seed) always gives the same image. */
#ifndef LZ_CASES_H
#define LZ_CASES_H

#include <stdint.h>

typedef struct LzCase {
    uint32_t width, height;
    uint32_t *pixels;           /* width * height x8r8g8b8, the x byte random */
    const char *kind;
} LzCase;

/* Kinds cycle with the index: noise, desktop, runs, far repeats, tiny,
 * few colours. */
#define LZ_CASE_KINDS 6u

/* Makes case `index` for `seed`; free with lz_case_free. */
void lz_case_make(LzCase *c, unsigned index, uint32_t seed);
void lz_case_free(LzCase *c);

/* Draws a desktop-like picture (bars, windows, repeated glyphs, a
 * gradient) into w x h pixels. */
void lz_case_desktop(uint32_t *px, uint32_t w, uint32_t h, uint32_t seed);

#endif /* LZ_CASES_H */
