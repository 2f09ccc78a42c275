/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-image.c: QXLImage -> pixman source image. */
#include "config.h"

#include "red-image.h"

#include <string.h>

#include <glib.h>
#include <spice/enums.h>
#include <spice/qxl_dev.h>

#include "red-log.h"

/* Palettes of the indexed formats we take: 8-bit at most. */
#define RED_PALETTE_MAX_ENTS 256

typedef struct BitmapFormat {
    pixman_format_code_t pixman;
    unsigned bpp;
    bool indexed;
} BitmapFormat;

static bool bitmap_format(uint8_t fmt, BitmapFormat *out)
{
    switch (fmt) {
    case SPICE_BITMAP_FMT_32BIT: *out = (BitmapFormat){ PIXMAN_x8r8g8b8, 32, false }; return true;
    case SPICE_BITMAP_FMT_RGBA: *out = (BitmapFormat){ PIXMAN_a8r8g8b8, 32, false }; return true;
    case SPICE_BITMAP_FMT_24BIT: *out = (BitmapFormat){ PIXMAN_r8g8b8, 24, false }; return true;
    case SPICE_BITMAP_FMT_16BIT: *out = (BitmapFormat){ PIXMAN_x1r5g5b5, 16, false }; return true;
    case SPICE_BITMAP_FMT_8BIT: *out = (BitmapFormat){ PIXMAN_c8, 8, true }; return true;
    /* pixman's 1bpp formats take the lowest bit first on little-endian
     * hosts, which is exactly 1BIT_LE. */
    case SPICE_BITMAP_FMT_1BIT_LE: *out = (BitmapFormat){ PIXMAN_g1, 1, true }; return true;
    default: return false;
    }
}

static int load_palette(const RedMemSlots *slots, uint32_t group_id, QXLPHYSICAL addr,
                        RedImage *out)
{
    const QXLPalette *pal = red_memslots_translate(slots, group_id, addr, sizeof(QXLPalette));
    if (pal == NULL) {
        return -1;
    }
    uint16_t n = pal->num_ents;
    if (n == 0 || n > RED_PALETTE_MAX_ENTS) {
        red_log_guest_error("palette num_ents", n, "out of range");
        return -1;
    }
    pal = red_memslots_translate(slots, group_id, addr, sizeof(QXLPalette) + 4u * n);
    if (pal == NULL) {
        return -1;
    }
    out->palette = g_new0(pixman_indexed_t, 1);
    out->palette->color = FALSE;
    for (uint16_t i = 0; i < n; i++) {
        /* Entries are xRGB; pixman's rgba table wants ARGB. */
        out->palette->rgba[i] = pal->ents[i] | 0xff000000u;
    }
    return 0;
}

static int load_bitmap(const RedMemSlots *slots, uint32_t group_id, const QXLImage *qimg,
                       RedImage *out)
{
    /* Copy once: the guest can rewrite the image while we use it. */
    QXLBitmap bm = qimg->bitmap;
    BitmapFormat f;
    if (!bitmap_format(bm.format, &f)) {
        red_log_guest_error("bitmap format", bm.format, "unsupported");
        return -1;
    }
    if (bm.x == 0 || bm.y == 0 || bm.x > RED_SURFACE_MAX_DIM || bm.y > RED_SURFACE_MAX_DIM) {
        red_log_guest_error("bitmap size", ((uint64_t)bm.x << 32) | bm.y, "out of range");
        return -1;
    }
    uint64_t line = ((uint64_t)bm.x * f.bpp + 7) / 8;
    if (bm.stride < line) {
        red_log_guest_error("bitmap stride", bm.stride, "shorter than a line");
        return -1;
    }
    if (f.indexed && load_palette(slots, group_id, bm.palette, out) != 0) {
        return -1;
    }
    /* The last line needs only `line` bytes, not a whole stride. */
    uint64_t size = (uint64_t)bm.stride * (bm.y - 1) + line;
    if (bm.flags & QXL_BITMAP_DIRECT) {
        const uint8_t *p = red_memslots_translate(slots, group_id, bm.data, size);
        if (p == NULL) {
            return -1;
        }
        out->pixels = (RedChunkData){ .data = p, .size = size };
    } else if (red_chunks_read(slots, group_id, bm.data, size, &out->pixels) != 0) {
        return -1;
    }
    const uint8_t *bits = out->pixels.data;
    uint32_t stride = bm.stride;
    bool realign = stride % 4 != 0 || ((uintptr_t)bits % 4) != 0 ||
                   (uint64_t)stride * bm.y != size; /* pixman reads whole strides */
    if (realign) {
        stride = (uint32_t)((line + 3) & ~UINT64_C(3));
        out->converted = g_try_malloc((size_t)stride * bm.y);
        if (out->converted == NULL) {
            return -1;
        }
        for (uint32_t y = 0; y < bm.y; y++) {
            memcpy(out->converted + (size_t)y * stride, bits + (uint64_t)y * bm.stride, line);
        }
        bits = out->converted;
    }
    /* Bottom-up bitmaps: start at the last line and walk backwards. */
    int pstride = (int)stride;
    if (!(bm.flags & QXL_BITMAP_TOP_DOWN)) {
        bits += (size_t)stride * (bm.y - 1);
        pstride = -pstride;
    }
    out->image = pixman_image_create_bits(f.pixman, (int)bm.x, (int)bm.y,
                                          (uint32_t *)(void *)bits, pstride);
    if (out->image == NULL) {
        return -1;
    }
    if (out->palette) {
        pixman_image_set_indexed(out->image, out->palette);
    }
    return 0;
}

int red_image_load(const RedMemSlots *slots, RedSurfaces *surfaces, uint32_t group_id,
                   QXLPHYSICAL addr, RedImage *out)
{
    memset(out, 0, sizeof(*out));
    out->surface_id = UINT32_MAX;
    const QXLImage *qimg = red_memslots_translate(slots, group_id, addr,
                                                  sizeof(QXLImageDescriptor));
    if (qimg == NULL) {
        return -1;
    }
    uint8_t type = qimg->descriptor.type;
    bool cacheable = (qimg->descriptor.flags & QXL_IMAGE_CACHE) != 0;
    int ret = -1;
    if (type == SPICE_IMAGE_TYPE_BITMAP) {
        qimg = red_memslots_translate(slots, group_id, addr,
                                      sizeof(QXLImageDescriptor) + sizeof(QXLBitmap));
        ret = qimg ? load_bitmap(slots, group_id, qimg, out) : -1;
    } else if (type == SPICE_IMAGE_TYPE_SURFACE) {
        qimg = red_memslots_translate(slots, group_id, addr,
                                      sizeof(QXLImageDescriptor) + sizeof(QXLSurfaceId));
        uint32_t id = qimg ? qimg->surface_image.surface_id : UINT32_MAX;
        RedSurface *s = qimg ? red_surfaces_get(surfaces, id) : NULL;
        if (s) {
            out->image = pixman_image_ref(s->image);
            out->surface_id = id;
            ret = 0;
        } else if (qimg) {
            red_log_guest_error("image surface_id", id, "no such surface");
        }
    } else {
        /* QUIC/LZ/JPEG images come from clients' caches, never from a driver. */
        red_log_guest_error("image type", type, "unsupported");
    }
    if (ret != 0) {
        red_image_finish(out);
    } else {
        out->cacheable = cacheable;
    }
    return ret;
}

void red_image_finish(RedImage *img)
{
    if (img->image) {
        pixman_image_unref(img->image);
    }
    red_chunk_data_finish(&img->pixels);
    g_free(img->converted);
    g_free(img->palette);
    memset(img, 0, sizeof(*img));
}
