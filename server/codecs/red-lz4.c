/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-lz4.c: LZ4 image payload encoder. */
#include "config.h"

#include "red-lz4.h"

#include <glib.h>
#include <lz4.h>
#include <spice/enums.h>

/* Input per block: big enough to compress well, small enough that the
 * 64 KiB LZ4 window still reaches the previous block. */
#define RED_LZ4_BLOCK_INPUT (64u * 1024)

int red_lz4_encode(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t stride,
                   uint8_t **out, size_t *out_size)
{
    size_t total = (size_t)stride * height;
    if (stride != width * 4 || total == 0 || total > (size_t)INT32_MAX) {
        return -1;
    }
    size_t blocks = (total + RED_LZ4_BLOCK_INPUT - 1) / RED_LZ4_BLOCK_INPUT;
    size_t cap = 2 + blocks * (4 + (size_t)LZ4_compressBound(RED_LZ4_BLOCK_INPUT));
    uint8_t *buf = g_malloc(cap);
    LZ4_stream_t *stream = LZ4_createStream();
    if (stream == NULL) {
        g_free(buf);
        return -1;
    }
    buf[0] = 1;                        /* top_down */
    buf[1] = SPICE_BITMAP_FMT_32BIT;
    size_t pos = 2;
    for (size_t in = 0; in < total; in += RED_LZ4_BLOCK_INPUT) {
        int n = (int)MIN(RED_LZ4_BLOCK_INPUT, total - in);
        int c = LZ4_compress_fast_continue(stream, (const char *)pixels + in,
                                           (char *)buf + pos + 4, n,
                                           (int)(cap - pos - 4), 1);
        if (c <= 0) {
            LZ4_freeStream(stream);
            g_free(buf);
            return -1;
        }
        buf[pos] = (uint8_t)(c >> 24);
        buf[pos + 1] = (uint8_t)(c >> 16);
        buf[pos + 2] = (uint8_t)(c >> 8);
        buf[pos + 3] = (uint8_t)c;
        pos += 4 + (size_t)c;
    }
    LZ4_freeStream(stream);
    *out = buf;
    *out_size = pos;
    return 0;
}
