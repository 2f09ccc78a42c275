/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jpeg-decode.h: the test clients' JPEG decoder (libjpeg-turbo), for the
 * JPEG images and MJPEG stream frames our server sends.  A corrupt JPEG
 * makes libjpeg call its error exit: here that is a failed decode, never
 * an exit of the test program. */
#ifndef JPEG_DECODE_H
#define JPEG_DECODE_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the JPEG p (size bytes) into out (width * height pixels,
 * 0x00rrggbb, rows of width pixels).  Returns 0, or -1 when it is not a
 * valid width x height JPEG. */
int test_jpeg_decode(const uint8_t *p, size_t size, uint32_t width, uint32_t height,
                     uint32_t *out);

#endif /* JPEG_DECODE_H */
