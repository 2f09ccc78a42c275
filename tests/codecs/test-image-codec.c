/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-image-codec: the per-client choice of lossless encoding
 * (server/codecs/red-image-codec.h).
 *
 *  - the policy for every image-compression setting, with and without the
 *    client's LZ4 cap (and an out-of-range setting);
 *  - what red_image_encode sends under each policy: a desktop picture goes
 *    as LZ_RGB under lz and auto, as LZ4 under lz4, raw under off;
 *    camera-like noise, where LZ leaves most of the bytes, goes under auto
 *    as whichever of LZ and LZ4 is smaller (checked against both encoders'
 *    own sizes);
 *  - every payload is smaller than the raw pixels. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <glib.h>
#include <spice/enums.h>

#include "lz-cases.h"
#include "red-image-codec.h"
#include "red-lz.h"
#include "red-lz4.h"

#define W 256u
#define H 128u

static int failures;

#define EXPECT(cond, ...) do { \
        if (!(cond)) { \
            printf("FAIL %s:%d: ", __FILE__, __LINE__); \
            printf(__VA_ARGS__); \
            printf("\n"); \
            failures++; \
        } \
    } while (0)

static void check_policies(void)
{
    static const struct {
        SpiceImageCompression setting;
        RedImageCodecs without_lz4, with_lz4;
    } table[] = {
        { SPICE_IMAGE_COMPRESSION_OFF, RED_IMAGE_RAW_ONLY, RED_IMAGE_RAW_ONLY },
        { SPICE_IMAGE_COMPRESSION_AUTO_GLZ, RED_IMAGE_LZ_ONLY, RED_IMAGE_LZ_OR_LZ4 },
        { SPICE_IMAGE_COMPRESSION_AUTO_LZ, RED_IMAGE_LZ_ONLY, RED_IMAGE_LZ_OR_LZ4 },
        { SPICE_IMAGE_COMPRESSION_QUIC, RED_IMAGE_LZ_ONLY, RED_IMAGE_LZ_ONLY },
        { SPICE_IMAGE_COMPRESSION_GLZ, RED_IMAGE_LZ_ONLY, RED_IMAGE_LZ_ONLY },
        { SPICE_IMAGE_COMPRESSION_LZ, RED_IMAGE_LZ_ONLY, RED_IMAGE_LZ_ONLY },
        { SPICE_IMAGE_COMPRESSION_LZ4, RED_IMAGE_LZ_ONLY, RED_IMAGE_LZ4_ONLY },
        { SPICE_IMAGE_COMPRESSION_INVALID, RED_IMAGE_LZ_ONLY, RED_IMAGE_LZ_OR_LZ4 },
        { SPICE_IMAGE_COMPRESSION_ENUM_END, RED_IMAGE_LZ_ONLY, RED_IMAGE_LZ_OR_LZ4 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
        EXPECT(red_image_codecs_for(table[i].setting, false) == table[i].without_lz4,
               "setting %d without the LZ4 cap", table[i].setting);
        EXPECT(red_image_codecs_for(table[i].setting, true) == table[i].with_lz4,
               "setting %d with the LZ4 cap", table[i].setting);
    }
}

/* Encodes px under codecs; checks the payload is smaller than raw and
 * returns the type (and the payload size in *size). */
static uint8_t encode(RedImageCodecs codecs, const uint32_t *px, size_t *size)
{
    uint8_t *out = NULL;
    *size = 0;
    uint8_t t = red_image_encode(codecs, (const uint8_t *)px, W, H, W * 4, &out, size);
    EXPECT((t == SPICE_IMAGE_TYPE_BITMAP) == (out == NULL), "type %u with payload %p", t,
           (void *)out);
    EXPECT(out == NULL || *size < (size_t)W * H * 4, "payload of %zu bytes", *size);
    g_free(out);
    return t;
}

static size_t size_of(int (*enc)(const uint8_t *, uint32_t, uint32_t, uint32_t, uint8_t **,
                                 size_t *), const uint32_t *px)
{
    uint8_t *out = NULL;
    size_t size = 0;
    if (enc((const uint8_t *)px, W, H, W * 4, &out, &size) != 0) {
        return 0;
    }
    g_free(out);
    return size;
}

static void check_choices(void)
{
    uint32_t *desk = g_new(uint32_t, W * H), *photo = g_new(uint32_t, W * H);
    lz_case_desktop(desk, W, H, 3);
    uint32_t s = 99;
    for (uint32_t i = 0; i < W * H; i++) {   /* smooth ramp + noise in the low bits */
        s = s * 1103515245u + 12345u;
        uint32_t base = (i % W) * 0x010101u / 2;
        photo[i] = (base & 0xf0f0f0u) | (s >> 8 & 0x0f0f0fu);
    }
    size_t size;
    EXPECT(encode(RED_IMAGE_RAW_ONLY, desk, &size) == SPICE_IMAGE_TYPE_BITMAP, "off");
    EXPECT(encode(RED_IMAGE_LZ_ONLY, desk, &size) == SPICE_IMAGE_TYPE_LZ_RGB, "lz");
    EXPECT(size == size_of(red_lz_encode, desk), "lz size %zu", size);
    EXPECT(encode(RED_IMAGE_LZ4_ONLY, desk, &size) == SPICE_IMAGE_TYPE_LZ4, "lz4");
    EXPECT(encode(RED_IMAGE_LZ_OR_LZ4, desk, &size) == SPICE_IMAGE_TYPE_LZ_RGB, "auto, desktop");

    size_t lz = size_of(red_lz_encode, photo), lz4 = size_of(red_lz4_encode, photo);
    EXPECT(lz * 100 > (size_t)W * H * 4 * RED_IMAGE_LZ4_TRY_PERCENT,
           "the noise case compresses too well with LZ (%zu bytes): it tests nothing", lz);
    uint8_t t = encode(RED_IMAGE_LZ_OR_LZ4, photo, &size);
    EXPECT(size == MIN(lz, lz4) && t == (lz4 < lz ? SPICE_IMAGE_TYPE_LZ4 : SPICE_IMAGE_TYPE_LZ_RGB),
           "auto on noise: type %u %zu bytes; lz %zu, lz4 %zu", t, size, lz, lz4);
    printf("desktop %ux%u: lz %zu, lz4 %zu bytes; noise: lz %zu, lz4 %zu bytes\n", W, H,
           size_of(red_lz_encode, desk), size_of(red_lz4_encode, desk), lz, lz4);
    g_free(desk);
    g_free(photo);
}

int main(void)
{
    check_policies();
    check_choices();
    printf("%s test-image-codec (%d failures)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
