/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-image-lossy.h: JPEG for photographic pixels, never for text.
 *
 * When: the host asked for it (spice_server_set_jpeg_compression, QEMU's
 * `-spice jpeg-wan-compression=`) with `always`, or with `auto` (the
 * default) for a client whose link the main channel measured slow at
 * connect (red-net-test.h), and left the lossless choice to the server
 * (image compression auto_lz or auto_glz), as the real library decides.
 *
 * What: an area whose pixels look photographic.  Sampled pairs of
 * neighbouring pixels are sorted into equal, gradual (every channel within
 * RED_LOSSY_GRADUAL_STEP) and edges.  Text, icons and UI are flat areas
 * with sharp edges; a photo has few equal neighbours.  The area is split
 * into RED_LOSSY_BLOCK-pixel blocks and is photographic only if no block
 * looks synthetic (half its sampled pairs equal) and most pairs overall
 * are gradual, so a caption or a window edge anywhere in it keeps the whole
 * area lossless; so do many sharp edges (more than RED_LOSSY_EDGE_MAX
 * percent of the pairs).  Small areas are never lossy: JPEG's headers
 * outweigh what it saves there.
 *
 * And only if it stays close: the JPEG is decoded and compared with the
 * pixels; a mean error per channel above RED_LOSSY_MEAN_ERROR_MAX (a
 * pattern the classifier took for a photo) sends the area lossless.  So
 * the error of what a client shows is bounded by construction.
 *
 * Thread safety: reentrant. */
#ifndef RED_IMAGE_LOSSY_H
#define RED_IMAGE_LOSSY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <spice.h>

#define RED_LOSSY_JPEG_QUALITY 85   /* the real library's default */
#define RED_LOSSY_MIN_SIDE 32
#define RED_LOSSY_BLOCK 16
#define RED_LOSSY_GRADUAL_STEP 24
#define RED_LOSSY_EDGE_STEP 64
#define RED_LOSSY_EDGE_MAX 3
#define RED_LOSSY_MEAN_ERROR_MAX 3.0

/* Whether a display client may get lossy images under these settings, on
 * a link measured slow (low_bandwidth) or not. */
bool red_image_lossy_allowed(spice_wan_compression_t jpeg, SpiceImageCompression compression,
                             bool low_bandwidth);

/* Whether a picture drawn again and again may be video (streaming-video
 * `filter`): looser than photographic, since a film has flat areas (bars,
 * a sky) and sharp cuts: most sampled pairs are not equal and at least
 * RED_NATURAL_GRADUAL_MIN percent gradual.  A line of text, a window or an
 * icon is mostly equal pairs, so a terminal scrolling or a redrawn status
 * line never becomes a stream. */
#define RED_NATURAL_EQUAL_MAX 50
#define RED_NATURAL_GRADUAL_MIN 40
bool red_image_is_natural(const uint8_t *pixels, uint32_t width, uint32_t height,
                          uint32_t stride);

/* Whether the width x height top-down x8r8g8b8 area looks photographic. */
bool red_image_is_photographic(const uint8_t *pixels, uint32_t width, uint32_t height,
                               uint32_t stride);

/* JPEG of the area if it is photographic and the JPEG close to it: 0 with
 * *jpeg (free() it) and *size; -1 when not (or the codec failed): send it
 * lossless. */
int red_image_encode_lossy(const uint8_t *pixels, uint32_t width, uint32_t height,
                           uint32_t stride, uint8_t **jpeg, size_t *size);

#endif /* RED_IMAGE_LOSSY_H */
