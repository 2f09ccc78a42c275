/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-red-lz: the LZ_RGB encoder (server/codecs/red-lz.h) round trip over
 * seeded images, decoded by the strict decoder of lz-decode.h (ours, not
 * spice-common's: lz-upstream-check does that one, when the Debian source
 * is at hand).
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
#include "lz-decode.h"
#include "red-lz.h"

#define DEFAULT_CASES 600u

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
    int d = test_lz_rgb_decode(out, size, w, h, dec);
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
