/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-mjpeg.h: one frame of a SPICE MJPEG video stream.
 *
 * SPICE_VIDEO_CODEC_TYPE_MJPEG frames are plain baseline JFIF images, one
 * per STREAM_DATA message; the client decodes each on its own (spice-gtk
 * hands them to libjpeg), so there is no inter-frame state to keep.  Encoded
 * with libjpeg-turbo straight from the surface's x8r8g8b8 rows (no
 * conversion pass: libjpeg-turbo reads BGRX).  Thread safety: reentrant. */
#ifndef RED_MJPEG_H
#define RED_MJPEG_H

#include <stddef.h>
#include <stdint.h>

#define RED_MJPEG_QUALITY_MIN 10
#define RED_MJPEG_QUALITY_MAX 95

/* Encodes width x height top-down x8r8g8b8 pixels (rows `stride` bytes
 * apart) at `quality` (clamped to [MIN, MAX]).  On success *out is a
 * malloc'd JPEG of *out_size bytes (free() it) and 0 is returned; -1 on a
 * bad size or an encoder error (logged). */
int red_mjpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t stride,
                     int quality, uint8_t **out, size_t *out_size);

#endif /* RED_MJPEG_H */
