/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-image-codec.c: the per-client choice of lossless encoding (policy in
 * red-image-codec.h). */
#include "config.h"

#include "red-image-codec.h"

#include <glib.h>
#include <spice/enums.h>
#include <zlib.h>

#include "red-lz.h"
#include "red-lz4.h"

RedImageCodecs red_image_codecs_for(SpiceImageCompression setting, bool client_has_lz4)
{
    switch (setting) {
    case SPICE_IMAGE_COMPRESSION_OFF:
        return RED_IMAGE_RAW_ONLY;
    case SPICE_IMAGE_COMPRESSION_LZ:
    case SPICE_IMAGE_COMPRESSION_GLZ:
    case SPICE_IMAGE_COMPRESSION_QUIC:
        return RED_IMAGE_LZ_ONLY;
    case SPICE_IMAGE_COMPRESSION_LZ4:
        return client_has_lz4 ? RED_IMAGE_LZ4_ONLY : RED_IMAGE_LZ_ONLY;
    case SPICE_IMAGE_COMPRESSION_AUTO_LZ:
    case SPICE_IMAGE_COMPRESSION_AUTO_GLZ:
    default:
        return client_has_lz4 ? RED_IMAGE_LZ_OR_LZ4 : RED_IMAGE_LZ_ONLY;
    }
}

bool red_image_codecs_want_glz(SpiceImageCompression setting)
{
    switch (setting) {
    case SPICE_IMAGE_COMPRESSION_OFF:
    case SPICE_IMAGE_COMPRESSION_LZ:
    case SPICE_IMAGE_COMPRESSION_QUIC:
    case SPICE_IMAGE_COMPRESSION_LZ4:
    case SPICE_IMAGE_COMPRESSION_AUTO_LZ:
        return false;
    case SPICE_IMAGE_COMPRESSION_GLZ:
    case SPICE_IMAGE_COMPRESSION_AUTO_GLZ:
    default:
        return true;
    }
}

bool red_image_zlib_glz_wanted(spice_wan_compression_t setting, bool low_bandwidth)
{
    return red_wan_setting_on(setting, low_bandwidth);
}

/* Deflates a GLZ payload; returns the zlib stream when it is smaller. */
static uint8_t *zlib_wrap(const uint8_t *glz, size_t glz_size, size_t *size)
{
    if (glz_size < RED_IMAGE_ZLIB_MIN || glz_size > UINT32_MAX) {
        return NULL; /* too small to pay; or past what the wire can say */
    }
    uLongf cap = compressBound((uLong)glz_size);
    uint8_t *out = g_malloc(cap);
    if (compress2(out, &cap, glz, (uLong)glz_size, RED_IMAGE_ZLIB_LEVEL) != Z_OK ||
        cap >= glz_size) {
        g_free(out);
        return NULL;
    }
    *size = cap;
    return out;
}

/* Keeps the smaller of the current payload and a new one. */
static void keep_smaller(uint8_t *type, uint8_t **payload, size_t *size, uint8_t new_type,
                         uint8_t *new_payload, size_t new_size)
{
    if (*payload == NULL || new_size < *size) {
        g_free(*payload);
        *type = new_type;
        *payload = new_payload;
        *size = new_size;
    } else {
        g_free(new_payload);
    }
}

uint8_t red_image_encode(const RedImagePolicy *policy, const uint8_t *pixels, uint32_t width,
                         uint32_t height, uint32_t stride, RedImagePayload *out)
{
    RedImageCodecs codecs = policy->codecs;
    RedGlzDict *glz = policy->glz;
    uint8_t type = SPICE_IMAGE_TYPE_BITMAP;
    uint8_t *best = NULL, *p = NULL;
    size_t best_size = 0, size = 0;
    size_t raw = (size_t)stride * height;
    RedGlzResult glz_res = { 0 };
    bool glz_encoded = false;
    if (glz && codecs != RED_IMAGE_RAW_ONLY && red_glz_should_encode(glz, width, height) &&
        red_glz_encode(glz, pixels, width, height, stride, &p, &size, &glz_res) == 0) {
        keep_smaller(&type, &best, &best_size, SPICE_IMAGE_TYPE_GLZ_RGB, p, size);
        glz_encoded = true;
        /* A comparison only: the GLZ payload goes either way, so that the
         * window grows as if GLZ were chosen and the next comparison is
         * fair to it. */
        size_t lz_size;
        uint8_t *lz;
        if (red_glz_wants_comparison(glz) &&
            red_lz_encode(pixels, width, height, stride, &lz, &lz_size) == 0) {
            red_glz_note_comparison(glz, size, lz_size);
            g_free(lz);
        }
    }
    /* Not LZ after GLZ, even where LZ would be a little smaller (new
     * content: GLZ's shortest copy costs a byte more): an image sent as LZ
     * is taken back from the window, and its next appearance could not
     * copy from it. */
    if (!glz_encoded && codecs != RED_IMAGE_RAW_ONLY && codecs != RED_IMAGE_LZ4_ONLY &&
        red_lz_encode(pixels, width, height, stride, &p, &size) == 0) {
        keep_smaller(&type, &best, &best_size, SPICE_IMAGE_TYPE_LZ_RGB, p, size);
    }
    bool lz_poor = best == NULL ||
                   (uint64_t)best_size * 100 > (uint64_t)raw * RED_IMAGE_LZ4_TRY_PERCENT;
    if ((codecs == RED_IMAGE_LZ4_ONLY || (codecs == RED_IMAGE_LZ_OR_LZ4 && lz_poor)) &&
        red_lz4_encode(pixels, width, height, stride, &p, &size) == 0) {
        keep_smaller(&type, &best, &best_size, SPICE_IMAGE_TYPE_LZ4, p, size);
    }
    if (best != NULL && best_size >= raw) {
        g_free(best);
        best = NULL;
        type = SPICE_IMAGE_TYPE_BITMAP;
    }
    if (type != SPICE_IMAGE_TYPE_GLZ_RGB && glz_encoded) {
        red_glz_dict_forget_last(glz); /* encoded but not sent */
    }
    out->glz_size = 0;
    if (type == SPICE_IMAGE_TYPE_GLZ_RGB && policy->zlib_glz) {
        uint8_t *z = zlib_wrap(best, best_size, &size);
        if (z) {
            out->glz_size = (uint32_t)best_size;
            g_free(best);
            best = z;
            best_size = size;
            type = SPICE_IMAGE_TYPE_ZLIB_GLZ_RGB;
        }
    }
    out->data = best;
    out->size = best ? best_size : 0;
    return type;
}
