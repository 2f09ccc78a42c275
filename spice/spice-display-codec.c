/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spice-display-codec.c: layouts of the display channel's draw messages,
 * their images and the cursor shape (the bodies with nested data).
 *
 * Facts: spice.proto (DisplayBase, Clip, Image, BitmapData, QMask, Fill,
 * Copy, CopyBits, Cursor, the stream messages) as summarised in spice-wire-and-abi.md §5.4 and §6.
 */
#include "config.h"

#include "spice-display-codec.h"

#include <string.h>

unsigned spice_msg_bitmap_bpp(uint8_t bitmap_format)
{
    switch (bitmap_format) {
    case SPICE_BITMAP_FMT_16BIT: return 2;
    case SPICE_BITMAP_FMT_24BIT: return 3;
    case SPICE_BITMAP_FMT_32BIT:
    case SPICE_BITMAP_FMT_RGBA: return 4;
    default: return 0;
    }
}

static void codec_clip(SpiceCodec *c, SpiceMsgClip *clip)
{
    codec_u8(c, &clip->type);
    switch (clip->type) {
    case SPICE_CLIP_TYPE_NONE:
        if (!c->writing) {
            clip->rects.data = NULL;
            clip->rects.count = 0;
        }
        break;
    case SPICE_CLIP_TYPE_RECTS:
        codec_u32(c, &clip->rects.count);
        if (clip->rects.count > SPICE_MSG_MAX_CLIP_RECTS) {
            codec_fail(c, EBADMSG);
            return;
        }
        codec_array(c, &clip->rects, SPICE_MSG_RECT_WIRE_SIZE);
        break;
    default:
        codec_fail(c, EBADMSG);
        break;
    }
}

void codec_display_base(SpiceCodec *c, SpiceMsgDisplayBase *b)
{
    codec_u32(c, &b->surface_id);
    codec_rect(c, &b->box);
    codec_clip(c, &b->clip);
}

void codec_stream_create(SpiceCodec *c, SpiceMsgStreamCreate *m)
{
    codec_u32(c, &m->surface_id);
    codec_u32(c, &m->id);
    codec_u8(c, &m->flags);
    codec_u8(c, &m->codec_type);
    codec_u64(c, &m->stamp);
    codec_u32(c, &m->stream_width);
    codec_u32(c, &m->stream_height);
    codec_u32(c, &m->src_width);
    codec_u32(c, &m->src_height);
    codec_rect(c, &m->dest);
    codec_clip(c, &m->clip);
}

void codec_stream_data(SpiceCodec *c, SpiceMsgStreamData *m)
{
    codec_u32(c, &m->id);
    codec_u32(c, &m->multi_media_time);
    codec_u32(c, &m->data.count);
    codec_array(c, &m->data, 1);
}

/* The mask bitmap pointer is always NULL in what we send; a non-NULL one in a
 * received message is a feature we do not implement. */
static void codec_qmask(SpiceCodec *c, SpiceMsgQMask *m)
{
    uint32_t bitmap = 0;
    codec_u8(c, &m->flags);
    codec_point(c, &m->pos);
    codec_u32(c, &bitmap);
    if (bitmap != 0) {
        codec_fail(c, ENOTSUP);
    }
}

static void codec_image_body(SpiceCodec *c, SpiceMsgImage *img)
{
    codec_u64(c, &img->id);
    codec_u8(c, &img->type);
    codec_u8(c, &img->flags);
    codec_u32(c, &img->width);
    codec_u32(c, &img->height);
    if (img->width > SPICE_MSG_MAX_IMAGE_DIM || img->height > SPICE_MSG_MAX_IMAGE_DIM) {
        codec_fail(c, EBADMSG);
        return;
    }
    switch (img->type) {
    case SPICE_IMAGE_TYPE_BITMAP: {
        uint32_t palette = 0;
        codec_u8(c, &img->bitmap_format);
        codec_u8(c, &img->bitmap_flags);
        codec_u32(c, &img->bitmap_x);
        codec_u32(c, &img->bitmap_y);
        codec_u32(c, &img->bitmap_stride);
        codec_u32(c, &palette);
        unsigned bpp = spice_msg_bitmap_bpp(img->bitmap_format);
        if (bpp == 0 || palette != 0 ||
            (img->bitmap_flags & SPICE_BITMAP_FLAGS_PAL_FROM_CACHE)) {
            codec_fail(c, ENOTSUP);
            return;
        }
        if (img->bitmap_x != img->width || img->bitmap_y != img->height ||
            (uint64_t)img->bitmap_x * bpp > img->bitmap_stride) {
            codec_fail(c, EBADMSG);
            return;
        }
        /* stride * y fits in 64 bits: both are u32; get_array checks it. */
        if (!c->writing) {
            uint64_t size = (uint64_t)img->bitmap_stride * img->bitmap_y;
            if (size > UINT32_MAX) {
                codec_fail(c, EBADMSG);
                return;
            }
            img->data.count = (uint32_t)size;
        } else if ((uint64_t)img->bitmap_stride * img->bitmap_y != img->data.count) {
            codec_fail(c, EBADMSG);
            return;
        }
        codec_array(c, &img->data, 1);
        break;
    }
    case SPICE_IMAGE_TYPE_FROM_CACHE:   /* the descriptor names it */
        img->data = (SpiceWireArray){ NULL, 0 };
        break;
    case SPICE_IMAGE_TYPE_LZ4:
    case SPICE_IMAGE_TYPE_LZ_RGB:   /* LZRGBData: the same u32 size + bytes */
    case SPICE_IMAGE_TYPE_GLZ_RGB:  /* LZRGBData too (the window is the client's) */
    case SPICE_IMAGE_TYPE_JPEG:     /* JPEGData: the same */
        codec_u32(c, &img->data.count);
        codec_array(c, &img->data, 1);
        break;
    case SPICE_IMAGE_TYPE_ZLIB_GLZ_RGB: /* ZlibGlzRGBData: the GLZ size first */
        codec_u32(c, &img->glz_data_size);
        codec_u32(c, &img->data.count);
        codec_array(c, &img->data, 1);
        break;
    default:
        codec_fail(c, ENOTSUP);
        break;
    }
}

/* A pointer to an image: in write mode the slot is reserved now and the image
 * written by codec_image_at() after the fixed part; in read mode the offset is
 * followed with a fresh reader over the same body. */
void codec_image_ptr(SpiceCodec *c, uint32_t *slot_or_offset)
{
    if (c->writing) {
        *slot_or_offset = (uint32_t)spice_wire_reserve_ptr(c->w);
    } else {
        codec_u32(c, slot_or_offset);
    }
}

void codec_image_at(SpiceCodec *c, uint32_t slot_or_offset, SpiceMsgImage *img)
{
    if (c->writing) {
        spice_wire_patch_ptr_here(c->w, slot_or_offset);
        codec_image_body(c, img);
        return;
    }
    SpiceCodec sub = { .writing = false, .r = spice_wire_reader_at(&c->r, slot_or_offset) };
    codec_image_body(&sub, img);
    if (sub.error) {
        codec_fail(c, sub.error);
    }
    if (spice_wire_reader_failed(&sub.r)) {
        codec_fail(c, EBADMSG);
    }
}

void codec_draw_fill(SpiceCodec *c, SpiceMsgDrawFill *m)
{
    codec_display_base(c, &m->base);
    codec_u8(c, &m->brush_type);
    switch (m->brush_type) {
    case SPICE_BRUSH_TYPE_NONE:
        break;
    case SPICE_BRUSH_TYPE_SOLID:
        codec_u32(c, &m->brush_color);
        break;
    default:
        codec_fail(c, ENOTSUP); /* pattern brushes are never sent by us */
        return;
    }
    codec_u16(c, &m->rop_descriptor);
    codec_qmask(c, &m->mask);
}

void codec_draw_copy(SpiceCodec *c, SpiceMsgDrawCopy *m)
{
    uint32_t src = 0;
    codec_display_base(c, &m->base);
    codec_image_ptr(c, &src);
    codec_rect(c, &m->src_area);
    codec_u16(c, &m->rop_descriptor);
    codec_u8(c, &m->scale_mode);
    codec_qmask(c, &m->mask);
    if (c->error == 0) {
        codec_image_at(c, src, &m->src);
    }
}

void codec_copy_bits(SpiceCodec *c, SpiceMsgCopyBits *m)
{
    codec_display_base(c, &m->base);
    codec_point(c, &m->src_pos);
}

void codec_cursor(SpiceCodec *c, SpiceMsgCursor *cur)
{
    codec_u16(c, &cur->flags);
    if (cur->flags & SPICE_CURSOR_FLAGS_NONE) {
        if (!c->writing) {
            memset(&cur->data, 0, sizeof(cur->data));
        }
        return;
    }
    codec_u64(c, &cur->unique);
    codec_u8(c, &cur->type);
    codec_u16(c, &cur->width);
    codec_u16(c, &cur->height);
    codec_u16(c, &cur->hot_spot_x);
    codec_u16(c, &cur->hot_spot_y);
    codec_rest(c, &cur->data);
}
