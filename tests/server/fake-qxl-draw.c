/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fake-qxl-draw.c: the commands a test submits to the fake device (see
 * fake-qxl.h): drawables (fills, image copies, copy-bits, with their clip)
 * and cursor shapes, each built in one allocation the server releases. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "fake-qxl-private.h"

/* ---- drawables --------------------------------------------------------- */

static bool fake_qxl_box_is_valid(const FakeQxl *qxl, const QXLRect *box)
{
    return qxl->primary_buf != NULL && !qxl->primary_gone && box->left >= 0 && box->top >= 0 &&
           box->left < box->right && box->top < box->bottom &&
           (uint32_t)box->right <= qxl->primary_width &&
           (uint32_t)box->bottom <= qxl->primary_height;
}

/* Allocates a command whose payload starts with a QXLDrawable for `box` on
 * surface 0, with `extra` more payload bytes for what it references. */
static FakeQxlCmd *fake_qxl_drawable_new(const QXLRect *box, uint8_t type, size_t extra,
                                         QXLDrawable **out)
{
    FakeQxlCmd *cmd = fake_qxl_cmd_new(fake_qxl_cmd_need(sizeof(QXLDrawable)) + extra);
    if (cmd == NULL) {
        return NULL;
    }
    QXLDrawable *d = fake_qxl_cmd_take(cmd, sizeof(*d));
    d->release_info.id = (uint64_t)(uintptr_t)cmd;
    d->surface_id = 0;
    d->effect = QXL_EFFECT_OPAQUE;
    d->type = type;
    d->self_bitmap = 0;
    d->bbox = *box;
    d->clip.type = SPICE_CLIP_TYPE_NONE;
    d->clip.data = 0;
    d->mm_time = (uint32_t)(g_get_monotonic_time() / 1000);
    for (int i = 0; i < 3; i++) {
        d->surfaces_dest[i] = -1;
    }
    cmd->ext.cmd.type = QXL_CMD_DRAW;
    cmd->ext.cmd.data = fake_qxl_phys(d);
    cmd->ext.group_id = 0;
    cmd->ext.flags = 0;
    *out = d;
    return cmd;
}

/* Bytes a clip list of n rectangles needs after the drawable. */
static size_t fake_qxl_clip_need(unsigned n_clip)
{
    return n_clip ? fake_qxl_cmd_need(sizeof(QXLClipRects) + (size_t)n_clip * sizeof(QXLRect)) : 0;
}

/* Makes d's clip the n_clip rectangles (none: no clip), in one chunk. */
static void fake_qxl_set_clip(FakeQxlCmd *cmd, QXLDrawable *d, const QXLRect *clip,
                              unsigned n_clip)
{
    if (n_clip == 0) {
        return;
    }
    size_t bytes = (size_t)n_clip * sizeof(QXLRect);
    QXLClipRects *cr = fake_qxl_cmd_take(cmd, sizeof(QXLClipRects) + bytes);
    cr->num_rects = n_clip;
    cr->chunk.data_size = (uint32_t)bytes;
    cr->chunk.prev_chunk = 0;
    cr->chunk.next_chunk = 0;
    memcpy(cr->chunk.data, clip, bytes);
    d->clip.type = SPICE_CLIP_TYPE_RECTS;
    d->clip.data = fake_qxl_phys(cr);
}

int fake_qxl_submit_fill(FakeQxl *qxl, const QXLRect *box, uint32_t rgb)
{
    return fake_qxl_submit_fill_clip(qxl, box, rgb, NULL, 0);
}

int fake_qxl_submit_fill_clip(FakeQxl *qxl, const QXLRect *box, uint32_t rgb,
                              const QXLRect *clip, unsigned n_clip)
{
    if (!fake_qxl_box_is_valid(qxl, box) || n_clip > FAKE_QXL_MAX_CLIP_RECTS) {
        errno = EINVAL;
        return -1;
    }
    QXLDrawable *d;
    FakeQxlCmd *cmd = fake_qxl_drawable_new(box, QXL_DRAW_FILL, fake_qxl_clip_need(n_clip), &d);
    if (cmd == NULL) {
        return -1;
    }
    fake_qxl_set_clip(cmd, d, clip, n_clip);
    d->u.fill.brush.type = SPICE_BRUSH_TYPE_SOLID;
    d->u.fill.brush.u.color = rgb & 0xffffff;
    d->u.fill.rop_descriptor = SPICE_ROPD_OP_PUT;
    /* mask.bitmap 0: no mask (fake_qxl_cmd_take zeroes). */
    fake_qxl_push(qxl, &qxl->display_queue, cmd);
    return 0;
}

/* Byte offset, inside the bitmap data, of source row `y` (top row 0). */
static size_t fake_qxl_bitmap_row_offset(const FakeQxlBitmap *bmp, size_t stride, uint32_t y)
{
    uint32_t line = bmp->rows == FAKE_QXL_TOP_DOWN ? y : bmp->height - 1 - y;
    return (size_t)line * stride;
}

/* Writes the bitmap's data (stride*height bytes) in memory row order. */
static void fake_qxl_bitmap_fill(const FakeQxlBitmap *bmp, size_t stride, uint8_t *data)
{
    /* The padding is garbage on purpose: a server that ignores the stride
     * shows it.  Each byte is written once (the bench measures servers
     * through this copy). */
    size_t row_bytes = (size_t)bmp->width * 4;
    for (uint32_t y = 0; y < bmp->height; y++) {
        uint8_t *row = data + fake_qxl_bitmap_row_offset(bmp, stride, y);
        memcpy(row, bmp->pixels + (size_t)y * bmp->width, row_bytes);
        memset(row + row_bytes, 0xa5, stride - row_bytes);
    }
}

int fake_qxl_submit_copy(FakeQxl *qxl, const QXLRect *box, const FakeQxlBitmap *bmp)
{
    if (!fake_qxl_box_is_valid(qxl, box) || bmp == NULL || bmp->pixels == NULL ||
        (uint32_t)(box->right - box->left) != bmp->width ||
        (uint32_t)(box->bottom - box->top) != bmp->height || bmp->row_padding > 4096 ||
        (bmp->data == FAKE_QXL_BITMAP_CHUNKED &&
         (bmp->n_chunks < 2 || bmp->n_chunks > bmp->height))) {
        errno = EINVAL;
        return -1;
    }
    size_t stride = (size_t)bmp->width * 4 + bmp->row_padding;
    size_t data_size = stride * bmp->height;
    unsigned n_chunks = bmp->data == FAKE_QXL_BITMAP_CHUNKED ? bmp->n_chunks : 0;
    size_t extra = fake_qxl_cmd_need(sizeof(QXLImage)) + fake_qxl_cmd_need(data_size) +
                   (size_t)n_chunks * fake_qxl_cmd_need(sizeof(QXLDataChunk) + data_size);
    QXLDrawable *d;
    FakeQxlCmd *cmd = fake_qxl_drawable_new(box, QXL_DRAW_COPY, extra, &d);
    if (cmd == NULL) {
        return -1;
    }
    QXLImage *image = fake_qxl_cmd_take(cmd, sizeof(*image));
    /* QEMU's id layout; flags 0 = no caching, so the id only has to be
     * unique, not stable.  A cacheable image keeps the caller's id. */
    image->descriptor.id = bmp->cache_id != 0
                               ? bmp->cache_id
                               : ((uint64_t)++qxl->next_image_unique << 32) | QXL_IMAGE_GROUP_DEVICE;
    image->descriptor.type = SPICE_IMAGE_TYPE_BITMAP;
    image->descriptor.flags = bmp->cache_id != 0 ? QXL_IMAGE_CACHE : 0;
    image->descriptor.width = bmp->width;
    image->descriptor.height = bmp->height;
    image->bitmap.format = SPICE_BITMAP_FMT_32BIT;
    image->bitmap.flags = bmp->rows == FAKE_QXL_TOP_DOWN ? QXL_BITMAP_TOP_DOWN : 0;
    image->bitmap.x = bmp->width;
    image->bitmap.y = bmp->height;
    image->bitmap.stride = (uint32_t)stride;
    image->bitmap.palette = 0;

    uint8_t *data = fake_qxl_cmd_take_unzeroed(cmd, data_size); /* filled below */
    fake_qxl_bitmap_fill(bmp, stride, data);
    if (n_chunks == 0) {
        image->bitmap.flags |= QXL_BITMAP_DIRECT;
        image->bitmap.data = fake_qxl_phys(data);
    } else {
        /* Uneven split on row boundaries (the last chunk takes the rest),
         * chunks linked both ways and not adjacent in memory (the staging
         * copy sits before them), as a driver that allocates per page
         * would produce.  Rows never straddle chunks, so this checks the
         * chain walk, not row reassembly across chunks. */
        QXLDataChunk *prev = NULL;
        uint32_t rows_left = bmp->height;
        for (unsigned i = 0; i < n_chunks; i++) {
            uint32_t rows = i + 1 == n_chunks ? rows_left
                                              : (bmp->height / n_chunks) + (i % 2);
            if (rows > rows_left - (n_chunks - 1 - i)) {
                rows = rows_left - (n_chunks - 1 - i);
            }
            size_t bytes = (size_t)rows * stride;
            QXLDataChunk *chunk = fake_qxl_cmd_take_unzeroed(cmd, sizeof(*chunk) + bytes);
            chunk->data_size = (uint32_t)bytes;
            chunk->prev_chunk = fake_qxl_phys(prev);
            chunk->next_chunk = 0;
            memcpy(chunk->data, data + (size_t)(bmp->height - rows_left) * stride, bytes);
            if (prev != NULL) {
                prev->next_chunk = fake_qxl_phys(chunk);
            } else {
                image->bitmap.data = fake_qxl_phys(chunk);
            }
            prev = chunk;
            rows_left -= rows;
        }
        /* Scribble over the staging copy so only the chunks carry pixels. */
        memset(data, 0x5a, data_size);
    }
    d->u.copy.src_bitmap = fake_qxl_phys(image);
    d->u.copy.src_area.top = 0;
    d->u.copy.src_area.left = 0;
    d->u.copy.src_area.bottom = (int32_t)bmp->height;
    d->u.copy.src_area.right = (int32_t)bmp->width;
    d->u.copy.rop_descriptor = SPICE_ROPD_OP_PUT;
    d->u.copy.scale_mode = SPICE_IMAGE_SCALE_MODE_NEAREST;
    fake_qxl_push(qxl, &qxl->display_queue, cmd);
    return 0;
}

int fake_qxl_submit_copy_bits(FakeQxl *qxl, const QXLRect *box, int32_t src_x, int32_t src_y)
{
    return fake_qxl_submit_copy_bits_clip(qxl, box, src_x, src_y, NULL, 0);
}

int fake_qxl_submit_copy_bits_clip(FakeQxl *qxl, const QXLRect *box, int32_t src_x,
                                   int32_t src_y, const QXLRect *clip, unsigned n_clip)
{
    QXLRect src = {
        .top = src_y,
        .left = src_x,
        .bottom = src_y + (box->bottom - box->top),
        .right = src_x + (box->right - box->left),
    };
    if (!fake_qxl_box_is_valid(qxl, box) || !fake_qxl_box_is_valid(qxl, &src) ||
        n_clip > FAKE_QXL_MAX_CLIP_RECTS) {
        errno = EINVAL;
        return -1;
    }
    QXLDrawable *d;
    FakeQxlCmd *cmd = fake_qxl_drawable_new(box, QXL_COPY_BITS, fake_qxl_clip_need(n_clip), &d);
    if (cmd == NULL) {
        return -1;
    }
    fake_qxl_set_clip(cmd, d, clip, n_clip);
    d->u.copy_bits.src_pos.x = src_x;
    d->u.copy_bits.src_pos.y = src_y;
    fake_qxl_push(qxl, &qxl->display_queue, cmd);
    return 0;
}

int fake_qxl_submit_cursor_set(FakeQxl *qxl, int16_t x, int16_t y, uint16_t size,
                               uint32_t argb)
{
    if (size == 0 || size > 64) {
        errno = EINVAL;
        return -1;
    }
    size_t data_size = (size_t)size * size * 4;
    FakeQxlCmd *cmd = fake_qxl_cmd_new(fake_qxl_cmd_need(sizeof(QXLCursorCmd)) +
                                       fake_qxl_cmd_need(sizeof(QXLCursor) + data_size));
    if (cmd == NULL) {
        return -1;
    }
    QXLCursorCmd *cc = fake_qxl_cmd_take(cmd, sizeof(*cc));
    QXLCursor *cursor = fake_qxl_cmd_take(cmd, sizeof(*cursor) + data_size);
    cursor->header.unique = ++qxl->next_cursor_unique;
    cursor->header.type = SPICE_CURSOR_TYPE_ALPHA;
    cursor->header.width = size;
    cursor->header.height = size;
    cursor->header.hot_spot_x = 0;
    cursor->header.hot_spot_y = 0;
    cursor->data_size = (uint32_t)data_size;
    cursor->chunk.data_size = (uint32_t)data_size;
    cursor->chunk.prev_chunk = 0;
    cursor->chunk.next_chunk = 0;
    for (size_t i = 0; i < (size_t)size * size; i++) {
        memcpy(cursor->chunk.data + i * 4, &argb, 4);
    }
    cc->release_info.id = (uint64_t)(uintptr_t)cmd;
    cc->type = QXL_CURSOR_SET;
    cc->u.set.position.x = x;
    cc->u.set.position.y = y;
    cc->u.set.visible = 1;
    cc->u.set.shape = fake_qxl_phys(cursor);
    cmd->ext.cmd.type = QXL_CMD_CURSOR;
    cmd->ext.cmd.data = fake_qxl_phys(cc);
    cmd->ext.group_id = 0;
    cmd->ext.flags = 0;
    fake_qxl_push(qxl, &qxl->cursor_queue, cmd);
    return 0;
}
