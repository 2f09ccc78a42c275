/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-lz4.h: SPICE's LZ4 image payload (SPICE_IMAGE_TYPE_LZ4).
 *
 * Layout (spice-wire-and-abi.md §5.4): one byte top_down (1), one byte
 * SpiceBitmapFmt (32BIT), then blocks of [u32 big-endian compressed size +
 * LZ4 block] made with the LZ4 streaming API, so later blocks may refer to
 * earlier output; the client decodes with LZ4_decompress_safe_continue into
 * one buffer of height * width * 4 bytes.  Thread safety: reentrant. */
#ifndef RED_LZ4_H
#define RED_LZ4_H

#include <stddef.h>
#include <stdint.h>

/* Encodes top-down x8r8g8b8 rows (stride == width * 4). On success *out is a
 * g_malloc'd payload of *out_size bytes. Returns 0 or -1. */
int red_lz4_encode(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t stride,
                   uint8_t **out, size_t *out_size);

#endif /* RED_LZ4_H */
