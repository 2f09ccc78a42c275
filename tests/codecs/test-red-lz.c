/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-red-lz: the LZ_RGB encoder (server/codecs/red-lz.h) round trip over
 * seeded images, decoded by a strict decoder written here from the format
 * (not spice-common's: lz-upstream-check does that one, when the Debian
 * source is at hand).  The strict decoder refuses anything spice-common's
 * would assert on or misread: a reference before the image's start, a
 * token that passes the last pixel, bytes left over or missing, a wrong
 * header.
 *
 * Checks per case: the encoder succeeds, its output is within
 * red_lz_max_size, decodes to the input's colours exactly; plus the
 * arguments the encoder must refuse.  The image sizes and contents are
 * random (seeded: argv[1], default 1), so this is a small fuzzer as well;
 * the server is built with ASan, which catches any write past the output.
 *
 * Usage: test-red-lz [SEED [CASES]] */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "lz-cases.h"
#include "red-lz.h"

#define DEFAULT_CASES 600u

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

/* Decodes into out (width * height pixels, 0x00rrggbb).  Returns 0, or a
 * negative code naming the first violation. */
static int strict_decode(const uint8_t *p, size_t size, uint32_t width, uint32_t height,
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

static int check_case(const LzCase *c, unsigned index)
{
    uint8_t *out = NULL;
    size_t size = 0;
    uint32_t w = c->width, h = c->height;
    if (red_lz_encode((const uint8_t *)c->pixels, w, h, w * 4, &out, &size) != 0) {
        printf("case %u (%s %ux%u): encode failed\n", index, c->kind, w, h);
        return -1;
    }
    int ret = 0;
    uint32_t *dec = g_new(uint32_t, (size_t)w * h);
    int d = strict_decode(out, size, w, h, dec);
    if (size > red_lz_max_size(w, h)) {
        printf("case %u (%s %ux%u): %zu bytes, bound %zu\n", index, c->kind, w, h, size,
               red_lz_max_size(w, h));
        ret = -1;
    } else if (d != 0) {
        printf("case %u (%s %ux%u): decode error %d\n", index, c->kind, w, h, d);
        ret = -1;
    } else {
        for (size_t i = 0; i < (size_t)w * h; i++) {
            if (dec[i] != (c->pixels[i] & 0x00ffffffu)) {
                printf("case %u (%s %ux%u): pixel %zu is %06x, want %06x\n", index, c->kind, w,
                       h, i, dec[i], c->pixels[i] & 0x00ffffffu);
                ret = -1;
                break;
            }
        }
    }
    g_free(dec);
    g_free(out);
    return ret;
}

/* What the encoder must refuse without touching *out. */
static int check_refusals(void)
{
    uint32_t px[4] = { 0 };
    uint8_t *out = (uint8_t *)px;
    size_t size = 7;
    int bad = 0;
    bad |= red_lz_encode((const uint8_t *)px, 0, 1, 0, &out, &size) != -1;
    bad |= red_lz_encode((const uint8_t *)px, 1, 0, 4, &out, &size) != -1;
    bad |= red_lz_encode((const uint8_t *)px, 2, 2, 12, &out, &size) != -1;   /* stride */
    bad |= red_lz_encode((const uint8_t *)px, 16384, 16384, 65536, &out, &size) != -1;
    bad |= out != (uint8_t *)px || size != 7;
    bad |= red_lz_max_size(0, 5) != 0;
    if (bad) {
        printf("an invalid argument was accepted\n");
    }
    return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
    uint32_t seed = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1;
    unsigned cases = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : DEFAULT_CASES;
    int failed = check_refusals() != 0;
    for (unsigned i = 0; i < cases; i++) {
        LzCase c;
        lz_case_make(&c, i, seed);
        failed += check_case(&c, i) != 0;
        lz_case_free(&c);
    }
    printf("%s: %u cases, seed %u, %d failed\n", failed ? "FAIL" : "PASS", cases, seed, failed);
    return failed ? 1 : 0;
}
