/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-image-codec.h: which lossless encoding a display client's images get.
 *
 * The host's setting (spice_server_set_image_compression, QEMU's
 * `-spice image-compression=`) and the client's caps decide the policy
 * once, when the client attaches; each image is then encoded under it:
 *
 *   off              raw bitmaps;
 *   lz, glz, quic    LZ_RGB (red-lz.h).  GLZ and QUIC are not implemented:
 *                    their nearest lossless relative is used instead;
 *   lz4              LZ4 for clients with SPICE_DISPLAY_CAP_LZ4_COMPRESSION,
 *                    LZ_RGB for the others (every client decodes LZ);
 *   auto_lz,         LZ_RGB, and LZ4 where it wins: when LZ_RGB leaves more
 *   auto_glz         than RED_IMAGE_LZ4_TRY_PERCENT of the raw size (noisy,
 *                    photographic content, where LZ4's byte matches find
 *                    what whole-pixel matches do not) and the client has the
 *                    cap, LZ4 is tried too and the smaller payload is sent.
 *
 * Whatever the encoder returns, an image whose payload is not smaller than
 * the raw pixels is sent raw.  Thread safety: reentrant. */
#ifndef RED_IMAGE_CODEC_H
#define RED_IMAGE_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <spice.h>

/* See the table above. */
#define RED_IMAGE_LZ4_TRY_PERCENT 40u

typedef enum RedImageCodecs {
    RED_IMAGE_RAW_ONLY,         /* off */
    RED_IMAGE_LZ_ONLY,          /* lz, glz, quic; lz4 without the cap */
    RED_IMAGE_LZ4_ONLY,         /* lz4 with the cap */
    RED_IMAGE_LZ_OR_LZ4,        /* auto_* with the cap */
} RedImageCodecs;

/* The policy for a client.  An out-of-range setting counts as auto_glz,
 * the library's default. */
RedImageCodecs red_image_codecs_for(SpiceImageCompression setting, bool client_has_lz4);

/* Encodes top-down x8r8g8b8 pixels (stride == width * 4) under `codecs`.
 * Returns the SPICE_IMAGE_TYPE_* to send: LZ_RGB or LZ4 with *payload (a
 * g_malloc'd buffer of *payload_size bytes, the caller frees it), or BITMAP
 * with *payload NULL (send the pixels themselves). */
uint8_t red_image_encode(RedImageCodecs codecs, const uint8_t *pixels, uint32_t width,
                         uint32_t height, uint32_t stride, uint8_t **payload,
                         size_t *payload_size);

#endif /* RED_IMAGE_CODEC_H */
