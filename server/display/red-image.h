/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-image.h: a guest QXLImage as a pixman source image.
 *
 * BITMAP images in the formats QXL drivers send (32BIT, RGBA, 24BIT, 16BIT,
 * 8BIT and 1BIT_LE with a palette) and SURFACE images (another surface of
 * this device).  Pixels stay in guest memory when they can (a direct bitmap
 * or a single chunk whose stride pixman accepts): the image is valid until
 * the command is released, which happens after rendering.  Everything the
 * guest says is validated: sizes, strides, palette, chunk list.
 *
 * Thread: the display worker.
 */
#ifndef RED_IMAGE_H
#define RED_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include <pixman.h>

#include "red-chunks.h"
#include "red-memslot.h"
#include "red-surfaces.h"

/* A loaded source: the image and what must outlive it. */
typedef struct RedImage {
    pixman_image_t *image;
    RedChunkData pixels;        /* borrowed or gathered bitmap bytes */
    uint8_t *converted;         /* our copy when the bytes needed realigning */
    pixman_indexed_t *palette;  /* for 8BIT / 1BIT */
    uint32_t surface_id;        /* for SURFACE images, else UINT32_MAX */
    bool cacheable;             /* the guest set QXL_IMAGE_CACHE: it will draw it again */
} RedImage;

/* Loads the QXLImage at addr. 0, or -1 (logged) for an invalid or
 * unsupported image. */
int red_image_load(const RedMemSlots *slots, RedSurfaces *surfaces, uint32_t group_id,
                   QXLPHYSICAL addr, RedImage *out);
void red_image_finish(RedImage *img);

#endif /* RED_IMAGE_H */
