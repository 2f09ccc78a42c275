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
 *  - every payload is smaller than the raw pixels;
 *  - lossy images (red-image-lossy.h): allowed only for jpeg `always` with
 *    an auto lossless setting; a desktop picture (text, UI) is never
 *    photographic, a smooth noisy gradient is, and its JPEG stays within
 *    the mean error bound; tiny areas are never lossy; the photo is a
 *    film's frame for streaming-video=filter, the desktop is not, and that
 *    verdict, which stops early, agrees with counting every sampled pair
 *    on 400 random images around its thresholds. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <spice/enums.h>
#include <zlib.h>

#include "lz-cases.h"
#include "red-image-codec.h"
#include "red-image-lossy.h"
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
    RedImagePolicy policy = { codecs, NULL, false };
    RedImagePayload p;
    uint8_t t = red_image_encode(&policy, (const uint8_t *)px, W, H, W * 4, &p);
    uint8_t *out = p.data;
    *size = p.size;
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

static void check_lossy(void)
{
    static const spice_wan_compression_t jpeg[] = { SPICE_WAN_COMPRESSION_AUTO,
                                                    SPICE_WAN_COMPRESSION_NEVER,
                                                    SPICE_WAN_COMPRESSION_ALWAYS };
    for (size_t j = 0; j < G_N_ELEMENTS(jpeg); j++) {
        for (int c = SPICE_IMAGE_COMPRESSION_INVALID; c < SPICE_IMAGE_COMPRESSION_ENUM_END; c++) {
            for (int slow = 0; slow <= 1; slow++) {
                /* auto: only on a link measured slow */
                bool want = (jpeg[j] == SPICE_WAN_COMPRESSION_ALWAYS ||
                             (jpeg[j] == SPICE_WAN_COMPRESSION_AUTO && slow)) &&
                            (c == SPICE_IMAGE_COMPRESSION_AUTO_LZ ||
                             c == SPICE_IMAGE_COMPRESSION_AUTO_GLZ);
                EXPECT(red_image_lossy_allowed(jpeg[j], (SpiceImageCompression)c, slow) == want,
                       "jpeg %d, compression %d, slow link %d", jpeg[j], c, slow);
            }
        }
    }
    uint32_t *desk = g_new(uint32_t, W * H), *photo = g_new(uint32_t, W * H);
    lz_case_desktop(desk, W, H, 5);
    GRand *rnd = g_rand_new_with_seed(11);
    for (uint32_t y = 0; y < H; y++) {
        for (uint32_t x = 0; x < W; x++) {
            int n = g_rand_int_range(rnd, -5, 6);
            photo[y * W + x] = (uint32_t)CLAMP((int)(x * 200 / W) + n, 0, 255) << 16 |
                               (uint32_t)CLAMP((int)(y * 250 / H) - n, 0, 255) << 8 |
                               (uint32_t)CLAMP((int)((x + y) / 2) + n, 0, 255);
        }
    }
    g_rand_free(rnd);
    uint8_t *jpeg_out = NULL;
    size_t size = 0;
    EXPECT(!red_image_is_photographic((uint8_t *)desk, W, H, W * 4), "desktop taken for a photo");
    EXPECT(red_image_encode_lossy((uint8_t *)desk, W, H, W * 4, &jpeg_out, &size) == -1 &&
           jpeg_out == NULL, "desktop sent lossy");
    EXPECT(red_image_is_photographic((uint8_t *)photo, W, H, W * 4), "photo not recognised");
    EXPECT(red_image_encode_lossy((uint8_t *)photo, W, H, W * 4, &jpeg_out, &size) == 0 &&
           jpeg_out != NULL && size < W * H, "photo not sent as a small JPEG (%zu bytes)", size);
    free(jpeg_out);
    EXPECT(!red_image_is_photographic((uint8_t *)photo, RED_LOSSY_MIN_SIDE - 1, H, W * 4),
           "a thin strip taken for a photo");
    /* streaming-video=filter: a film's frame is natural, a desktop is not */
    EXPECT(red_image_is_natural((uint8_t *)photo, W, H, W * 4), "photo not natural");
    EXPECT(!red_image_is_natural((uint8_t *)desk, W, H, W * 4), "desktop taken for a film");
    g_free(desk);
    g_free(photo);
}

/* Images GLZ always takes (red_glz_should_encode: up to 16384 pixels). */
#define GW 128u
#define GH 64u

/* One GW x GH image through a fresh GLZ window, with or without zlib. */
static uint8_t encode_glz(const uint32_t *px, bool zlib, RedImagePayload *out)
{
    RedGlzDict *glz = red_glz_dict_create(1u << 20);
    RedImagePolicy policy = { RED_IMAGE_LZ_ONLY, glz, zlib };
    uint8_t t = red_image_encode(&policy, (const uint8_t *)px, GW, GH, GW * 4, out);
    red_glz_dict_destroy(glz);
    return t;
}

/* zlib over GLZ (red-image-codec.h): the setting rule, and the payload: a
 * zlib stream that inflates to exactly the GLZ payload the same window
 * gives without zlib, smaller than it; never for a payload under
 * RED_IMAGE_ZLIB_MIN. */
static void check_zlib_glz(void)
{
    static const spice_wan_compression_t set[] = { SPICE_WAN_COMPRESSION_AUTO,
                                                   SPICE_WAN_COMPRESSION_NEVER,
                                                   SPICE_WAN_COMPRESSION_ALWAYS };
    for (size_t i = 0; i < G_N_ELEMENTS(set); i++) {
        for (int slow = 0; slow <= 1; slow++) {
            bool want = set[i] == SPICE_WAN_COMPRESSION_ALWAYS ||
                        (set[i] == SPICE_WAN_COMPRESSION_AUTO && slow);
            EXPECT(red_image_zlib_glz_wanted(set[i], slow) == want, "zlib-glz %d, slow %d",
                   set[i], slow);
        }
    }
    uint32_t *desk = g_new(uint32_t, GW * GH);
    lz_case_desktop(desk, GW, GH, 9);
    RedImagePayload plain, wrapped;
    uint8_t t1 = encode_glz(desk, false, &plain);
    uint8_t t2 = encode_glz(desk, true, &wrapped);
    EXPECT(t1 == SPICE_IMAGE_TYPE_GLZ_RGB, "without zlib: type %u", t1);
    EXPECT(t2 == SPICE_IMAGE_TYPE_ZLIB_GLZ_RGB, "with zlib: type %u", t2);
    if (t1 == SPICE_IMAGE_TYPE_GLZ_RGB && t2 == SPICE_IMAGE_TYPE_ZLIB_GLZ_RGB) {
        EXPECT(wrapped.glz_size == plain.size && wrapped.size < plain.size,
               "glz %zu bytes; wrapped %zu bytes of %u", plain.size, wrapped.size,
               wrapped.glz_size);
        uint8_t *back = g_malloc(plain.size);
        uLongf n = plain.size;
        EXPECT(uncompress(back, &n, wrapped.data, wrapped.size) == Z_OK && n == plain.size &&
                   memcmp(back, plain.data, plain.size) == 0,
               "the zlib stream does not inflate to the GLZ payload");
        printf("zlib over GLZ: %zu -> %zu bytes\n", plain.size, wrapped.size);
        g_free(back);
    }
    g_free(plain.data);
    g_free(wrapped.data);
    /* A flat image: a GLZ payload of a few dozen bytes stays GLZ. */
    for (size_t i = 0; i < (size_t)GW * GH; i++) {
        desk[i] = 0x336699;
    }
    t2 = encode_glz(desk, true, &wrapped);
    EXPECT(t2 == SPICE_IMAGE_TYPE_GLZ_RGB && wrapped.size < RED_IMAGE_ZLIB_MIN,
           "flat image: type %u, %zu bytes", t2, wrapped.size);
    g_free(wrapped.data);
    g_free(desk);
}

/* The natural rule counted over every sampled pair, the long way:
 * rows 0, 8, 16...; in each 16-pixel block the pairs ending at its odd
 * columns (RED_NATURAL_ROW_STEP, RED_NATURAL_X_STEP, RED_LOSSY_BLOCK). */
static bool natural_by_count(const uint32_t *px, uint32_t w, uint32_t h)
{
    uint64_t pairs = 0, equal = 0, gradual = 0;
    for (uint32_t y = 0; y < h; y += 8) {
        for (uint32_t x = 1; x < w; x++) {
            if (x % 16 % 2 == 0) {
                continue;
            }
            uint32_t a = px[y * w + x - 1] & 0xffffff, b = px[y * w + x] & 0xffffff;
            int step = 0;
            for (int sh = 0; sh < 24; sh += 8) {
                step = MAX(step, abs((int)(a >> sh & 0xff) - (int)(b >> sh & 0xff)));
            }
            pairs++;
            equal += step == 0;
            gradual += step > 0 && step <= RED_LOSSY_GRADUAL_STEP;
        }
    }
    return pairs > 0 && equal * 100 < pairs * RED_NATURAL_EQUAL_MAX &&
           gradual * 100 >= pairs * RED_NATURAL_GRADUAL_MIN;
}

/* red_image_is_natural stops once the pairs to come cannot change its
 * verdict: on images whose shares of equal, gradual and sharp pairs are
 * drawn at random around the thresholds, and on sizes that cut blocks,
 * it agrees with the full count every time. */
static void check_natural_early_exit(void)
{
    GRand *rnd = g_rand_new_with_seed(29);
    unsigned yes = 0, no = 0;
    for (unsigned k = 0; k < 400; k++) {
        uint32_t w = (uint32_t)g_rand_int_range(rnd, 2, 150);
        uint32_t h = (uint32_t)g_rand_int_range(rnd, 1, 90);
        int p_equal = g_rand_int_range(rnd, 20, 80), p_gradual = g_rand_int_range(rnd, 0, 100);
        uint32_t *px = g_new(uint32_t, (size_t)w * h);
        for (uint32_t y = 0; y < h; y++) {
            uint32_t v = g_rand_int(rnd) & 0xffffff;
            for (uint32_t x = 0; x < w; x++) {
                int r = g_rand_int_range(rnd, 0, 100);
                if (r >= p_equal) {
                    v = g_rand_int_range(rnd, 0, 100) < p_gradual
                            ? (v & 0xffff00) | ((v + 1 + (uint32_t)g_rand_int_range(rnd, 0, 20)) & 0xff)
                            : v ^ 0x808080u;
                }
                px[y * w + x] = v;
            }
        }
        bool want = natural_by_count(px, w, h);
        bool got = red_image_is_natural((uint8_t *)px, w, h, w * 4);
        EXPECT(got == want, "image %u (%ux%u, %d%% equal, %d%% of the rest gradual): %d, "
               "the full count says %d", k, w, h, p_equal, p_gradual, got, want);
        yes += want;
        no += !want;
        g_free(px);
    }
    EXPECT(yes > 50 && no > 50, "the images fell %u natural, %u not", yes, no);
    g_rand_free(rnd);
}

int main(void)
{
    check_policies();
    check_choices();
    check_lossy();
    check_natural_early_exit();
    check_zlib_glz();
    printf("%s test-image-codec (%d failures)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
