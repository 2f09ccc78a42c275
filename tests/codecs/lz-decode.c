/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lz-decode.c: the strict LZ_RGB decoder of lz-decode.h. */
#include "config.h"

#include "lz-decode.h"

typedef struct Reader {
    const uint8_t *p;
    size_t pos, size;
} Reader;

static int get(Reader *r, uint32_t *v)
{
    if (r->pos >= r->size) {
        return -1;
    }
    *v = r->p[r->pos++];
    return 0;
}

static int get_u32(Reader *r, uint32_t *v)
{
    uint32_t b, x = 0;
    for (int i = 0; i < 4; i++) {
        if (get(r, &b) != 0) {
            return -1;
        }
        x = x << 8 | b;
    }
    *v = x;
    return 0;
}

int test_lz_rgb_decode(const uint8_t *p, size_t size, uint32_t width, uint32_t height,
                         uint32_t *out)
{
    Reader r = { p, 0, size };
    uint32_t h[7];
    for (int i = 0; i < 7; i++) {
        if (get_u32(&r, &h[i]) != 0) {
            return -1;
        }
    }
    if (h[0] != 0x20205a4cu || h[1] != 0x00010001u || h[2] != 8 || h[3] != width ||
        h[4] != height || h[5] != width * 4 || h[6] != 1) {
        return -2;
    }
    size_t n = (size_t)width * height, op = 0;
    while (op < n) {
        uint32_t ctrl, b;
        if (get(&r, &ctrl) != 0) {
            return -3;
        }
        if (ctrl < 32) {
            if (op + ctrl + 1 > n) {
                return -4;
            }
            for (uint32_t k = 0; k <= ctrl; k++) {
                uint32_t bl, g, rd;
                if (get(&r, &bl) || get(&r, &g) || get(&r, &rd)) {
                    return -5;
                }
                out[op++] = rd << 16 | g << 8 | bl;
            }
            continue;
        }
        size_t len = ctrl >> 5;
        if (len == 7) {
            do {
                if (get(&r, &b) != 0) {
                    return -6;
                }
                len += b;
            } while (b == 255);
        }
        size_t ofs = (ctrl & 31) << 8;
        if (get(&r, &b) != 0) {
            return -7;
        }
        ofs += b;
        if (ofs == 8191) {
            uint32_t hi, lo;
            if (get(&r, &hi) || get(&r, &lo)) {
                return -8;
            }
            ofs = 8191 + (hi << 8 | lo);
        }
        size_t dist = ofs + 1;
        if (dist > op || len > n - op) {
            return -9;
        }
        for (; len; len--, op++) {
            out[op] = out[op - dist];
        }
    }
    return r.pos == size ? 0 : -10;
}
