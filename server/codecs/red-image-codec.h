/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-image-codec.h: which lossless encoding a display client's images get.
 *
 * The host's setting (spice_server_set_image_compression, QEMU's
 * `-spice image-compression=`) and the client's caps decide the policy
 * once, when the client attaches; each image is then encoded under it:
 *
 *   off              raw bitmaps;
 *   lz, quic         LZ_RGB (red-lz.h).  QUIC is not implemented: its
 *                    nearest lossless relative is used instead;
 *   glz              GLZ_RGB (red-glz.h) for the client's first display
 *                    channel when its DISPLAY_INIT gave a window: each
 *                    image may copy from the images sent before it.  New
 *                    content costs about a tenth more than LZ_RGB (GLZ's
 *                    shortest copy takes a byte more), but an image sent
 *                    otherwise is taken back from the window and its next
 *                    appearance could not copy from it, so GLZ goes
 *                    whenever it is used (red_glz_should_encode: large
 *                    images only while pictures repeat).  LZ_RGB without a
 *                    window or in GLZ's place;
 *   lz4              LZ4 for clients with SPICE_DISPLAY_CAP_LZ4_COMPRESSION,
 *                    LZ_RGB for the others (every client decodes LZ);
 *   auto_lz          LZ_RGB, and LZ4 where it wins: when LZ_RGB leaves more
 *                    than RED_IMAGE_LZ4_TRY_PERCENT of the raw size (noisy,
 *                    photographic content, where LZ4's byte matches find
 *                    what whole-pixel matches do not) and the client has the
 *                    cap, LZ4 is tried too and the smaller payload is sent;
 *   auto_glz         the same, with GLZ in LZ_RGB's place where glz has it
 *                    (LZ4 tried after it on the same rule; if LZ4 wins the
 *                    image is taken back from the window).
 *
 * zlib over GLZ: with the host's zlib-glz setting `always`, or `auto` (the
 * default) for a client whose link the main channel measured slow
 * (red-net-test.h), a GLZ payload of RED_IMAGE_ZLIB_MIN bytes or more is
 * deflated (zlib level RED_IMAGE_ZLIB_LEVEL) and sent as ZLIB_GLZ_RGB when
 * that is smaller: CPU spent for bytes where bytes are dear.  The window
 * holds the image either way (the client inflates, then decodes the GLZ).
 *
 * Whatever the encoder returns, an image whose payload is not smaller than
 * the raw pixels is sent raw.  Thread safety: reentrant. */
#ifndef RED_IMAGE_CODEC_H
#define RED_IMAGE_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <spice.h>

#include "red-glz.h"

/* See the table above. */
#define RED_IMAGE_LZ4_TRY_PERCENT 40u
#define RED_IMAGE_ZLIB_MIN 100u     /* below it zlib's header and check eat the gain */
#define RED_IMAGE_ZLIB_LEVEL 3      /* the real library's: most of the gain, little time */

typedef enum RedImageCodecs {
    RED_IMAGE_RAW_ONLY,         /* off */
    RED_IMAGE_LZ_ONLY,          /* lz, glz, quic; lz4 without the cap */
    RED_IMAGE_LZ4_ONLY,         /* lz4 with the cap */
    RED_IMAGE_LZ_OR_LZ4,        /* auto_* with the cap */
} RedImageCodecs;

/* The policy for a client.  An out-of-range setting counts as auto_glz,
 * the library's default. */
RedImageCodecs red_image_codecs_for(SpiceImageCompression setting, bool client_has_lz4);
/* Whether the setting asks for GLZ (glz, auto_glz, and out-of-range values). */
bool red_image_codecs_want_glz(SpiceImageCompression setting);
/* The rule of the host's WAN settings (zlib over GLZ, JPEG): `always`, or
 * `auto` on a link measured slow; `never` and anything else: off.  Inline:
 * red-image-lossy.c is built alone in tests/fuzz/fuzz-server-parsers.sh. */
static inline bool red_wan_setting_on(spice_wan_compression_t setting, bool low_bandwidth)
{
    return setting == SPICE_WAN_COMPRESSION_ALWAYS ||
           (setting == SPICE_WAN_COMPRESSION_AUTO && low_bandwidth);
}
/* Whether zlib goes over GLZ under the host's setting, on a link measured
 * slow (low_bandwidth) or not. */
bool red_image_zlib_glz_wanted(spice_wan_compression_t setting, bool low_bandwidth);

/* One client's encoding choices. */
typedef struct RedImagePolicy {
    RedImageCodecs codecs;
    RedGlzDict *glz;            /* the client's GLZ window, or NULL: no GLZ */
    bool zlib_glz;              /* red_image_zlib_glz_wanted */
} RedImagePolicy;

/* An encoded image. */
typedef struct RedImagePayload {
    uint8_t *data;              /* g_malloc'd, the caller frees it; NULL: raw */
    size_t size;
    uint32_t glz_size;          /* ZLIB_GLZ_RGB: the GLZ payload's size inflated */
} RedImagePayload;

/* Encodes top-down x8r8g8b8 pixels (stride == width * 4) under policy.
 * Returns the SPICE_IMAGE_TYPE_* to send: GLZ_RGB, ZLIB_GLZ_RGB, LZ_RGB or
 * LZ4 with out->data, or BITMAP with out->data NULL (send the pixels
 * themselves).  A GLZ_RGB or ZLIB_GLZ_RGB payload must reach the client, in
 * the order encoded (the window counts on it). */
uint8_t red_image_encode(const RedImagePolicy *policy, const uint8_t *pixels, uint32_t width,
                         uint32_t height, uint32_t stride, RedImagePayload *out);

#endif /* RED_IMAGE_CODEC_H */
