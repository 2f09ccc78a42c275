/* SPDX-License-Identifier: GPL-2.0-or-later */
/* glz-decode.h: a strict GLZ_RGB decoder and client window written from the
 * format of server/codecs/red-glz.h (not spice-gtk's), the model client of
 * the GLZ tests.  It keeps the images it decoded as the client does and
 * refuses what would make spice-gtk's decoder misread, fail or hang: a
 * wrong header, an id other than the next one, a reference to an image it
 * no longer holds or that win_head_dist does not cover, a copy that passes
 * either image's end, a token past the last pixel, bytes left over. */
#ifndef GLZ_DECODE_H
#define GLZ_DECODE_H

#include <stddef.h>
#include <stdint.h>

typedef struct TestGlzWindow TestGlzWindow;

/* What one decode found, for tests to check what the encoder produced. */
typedef struct TestGlzStats {
    uint64_t id;
    uint32_t win_head_dist;
    size_t literal_pixels;
    size_t inside_refs, inside_pixels;      /* references within the image */
    size_t cross_refs, cross_pixels;        /* references to earlier images */
    uint32_t max_dist;                      /* the farthest image referred to */
    uint32_t max_cross_ofs;                 /* the farthest pixel in one */
} TestGlzStats;

/* An empty window, as a client has after connecting (next id 0). */
TestGlzWindow *test_glz_window_new(void);
void test_glz_window_free(TestGlzWindow *w);

/* The number of images the window holds, and the oldest one's id. */
size_t test_glz_window_count(const TestGlzWindow *w);
uint64_t test_glz_window_oldest(const TestGlzWindow *w);

/* Decodes the payload p (size bytes) of a width x height image into out
 * (width * height pixels, 0x00rrggbb), keeps the image in the window and
 * then drops the images older than id - win_head_dist, as the client does.
 * stats may be NULL.  Returns 0, or a negative code naming the first
 * violation (the window is then unchanged). */
int test_glz_decode(TestGlzWindow *w, const uint8_t *p, size_t size, uint32_t width,
                    uint32_t height, uint32_t *out, TestGlzStats *stats);

#endif /* GLZ_DECODE_H */
