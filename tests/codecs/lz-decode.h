/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lz-decode.h: a strict LZ_RGB decoder written from the format (not
 * spice-common's), for tests: it refuses anything spice-common's would
 * assert on or misread: a reference before the image's start, a token that
 * passes the last pixel, bytes left over or missing, a wrong header. */
#ifndef LZ_DECODE_H
#define LZ_DECODE_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the LZ_RGB payload p (size bytes) of a width x height 32-bit
 * image into out (width * height pixels, 0x00rrggbb).  Returns 0, or a
 * negative code naming the first violation. */
int test_lz_rgb_decode(const uint8_t *p, size_t size, uint32_t width, uint32_t height,
                       uint32_t *out);

#endif /* LZ_DECODE_H */
