/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-lz.h: SPICE's LZ image payload, RGB32 flavour (SPICE_IMAGE_TYPE_LZ_RGB).
 *
 * The payload the client decodes with spice-common's lz_decode (facts from
 * its decoder, spice-wire-and-abi.md §5.4 for the image descriptor):
 *
 *   header: seven u32, big-endian: magic 0x20205a4c ("LZ  "), version
 *           0x00010001, LzImageType 8 (RGB32), width, height,
 *           stride (= width * 4), top_down (1);
 *   body:   tokens over pixels until width * height pixels are produced,
 *           with no byte after the last one (the decoder asserts it):
 *     ctrl < 32   ctrl + 1 literal pixels follow, 3 bytes each (b, g, r);
 *     ctrl >= 32  a copy of L pixels from D pixels back in the output
 *                 (overlap allowed: D = 1 is a run).  L = ctrl >> 5 when
 *                 that is 1..6; when it is 7, L = 7 + the following bytes
 *                 up to and including the first one that is not 255.  Then
 *                 one byte c: D - 1 = (ctrl & 31) << 8 | c, 0..8190; the
 *                 pair (31, 255) instead says two more bytes follow,
 *                 big-endian, and D - 1 = 8191 + their value (so D is at
 *                 most RED_LZ_MAX_DISTANCE).
 *
 * The decoder writes 0 into every pixel's fourth byte; the encoder ignores
 * that byte when it compares pixels.  Thread safety: reentrant. */
#ifndef RED_LZ_H
#define RED_LZ_H

#include <stddef.h>
#include <stdint.h>

/* The farthest reference the format can express, in pixels. */
#define RED_LZ_MAX_DISTANCE (8191u + 65535u + 1u)

/* The largest payload red_lz_encode can produce for width x height:
 * the header plus every pixel as a literal (3 bytes, and one ctrl byte per
 * 32 pixels).  0 when the size does not fit a size_t or the image is
 * empty. */
size_t red_lz_max_size(uint32_t width, uint32_t height);

/* Encodes top-down x8r8g8b8 rows (stride == width * 4, 4-byte pixels in
 * host byte order, little-endian assumed as everywhere in SPICE).  On
 * success *out is a g_malloc'd payload of *out_size bytes, never more than
 * red_lz_max_size().  Returns 0, or -1 for an empty image, a stride other
 * than width * 4, or an image of more than 2^30 - 1 bytes (the decoder's
 * limit). */
int red_lz_encode(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t stride,
                  uint8_t **out, size_t *out_size);

#endif /* RED_LZ_H */
