/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-cursor-parse.c: QXLCursorCmd and QXLCursor. */
#include "config.h"

#include "red-cursor-parse.h"

#include <stddef.h>
#include <string.h>

#include <glib.h>
#include <spice/enums.h>
#include <spice/qxl_dev.h>

#include "red-chunks.h"
#include "red-log.h"

uint64_t red_cursor_shape_min_size(uint16_t type, uint16_t width, uint16_t height)
{
    if (width == 0 || height == 0 || width > RED_CURSOR_MAX_DIM || height > RED_CURSOR_MAX_DIM) {
        return 0;
    }
    uint64_t px = (uint64_t)width * height;
    uint64_t mask = (uint64_t)((width + 7) / 8) * height; /* the AND mask */
    switch (type) {
    case SPICE_CURSOR_TYPE_ALPHA: return px * 4;
    case SPICE_CURSOR_TYPE_MONO: return mask * 2;
    case SPICE_CURSOR_TYPE_COLOR4: return (uint64_t)((width + 1) / 2) * height + 16 * 4 + mask;
    case SPICE_CURSOR_TYPE_COLOR8: return px + 256 * 4 + mask;
    case SPICE_CURSOR_TYPE_COLOR16: return px * 2 + mask;
    case SPICE_CURSOR_TYPE_COLOR24: return px * 3 + mask;
    case SPICE_CURSOR_TYPE_COLOR32: return px * 4 + mask;
    default: return 0;
    }
}

static RedCursorShape *parse_shape(const RedMemSlots *slots, uint32_t group_id, QXLPHYSICAL addr)
{
    const QXLCursor *gc = red_memslots_translate(slots, group_id, addr, sizeof(QXLCursor));
    if (gc == NULL) {
        return NULL;
    }
    QXLCursorHeader h = gc->header;
    uint32_t size = gc->data_size;
    uint64_t need = red_cursor_shape_min_size(h.type, h.width, h.height);
    if (need == 0) {
        red_log_guest_error("cursor shape type/size",
                            ((uint64_t)h.type << 32) | ((uint32_t)h.width << 16) | h.height,
                            "invalid");
        return NULL;
    }
    if (size < need || size > need + 4096) {
        red_log_guest_error("cursor data_size", size, "does not match the shape");
        return NULL;
    }
    RedChunkData d;
    if (red_chunks_read(slots, group_id, addr + offsetof(QXLCursor, chunk), size, &d) != 0) {
        return NULL;
    }
    RedCursorShape *s = g_new0(RedCursorShape, 1);
    s->unique = h.unique;
    s->type = h.type;
    s->width = h.width;
    s->height = h.height;
    /* spice-gtk clamps hot spots too; keep them inside for every client. */
    s->hot_x = MIN(h.hot_spot_x, (uint16_t)(h.width - 1));
    s->hot_y = MIN(h.hot_spot_y, (uint16_t)(h.height - 1));
    s->data = g_memdup2(d.data, size);
    s->data_size = size;
    red_chunk_data_finish(&d);
    return s;
}

int red_cursor_parse(const RedMemSlots *slots, uint32_t group_id, QXLPHYSICAL addr,
                     RedCursorCommand *out)
{
    memset(out, 0, sizeof(*out));
    const QXLCursorCmd *gc = red_memslots_translate(slots, group_id, addr, sizeof(QXLCursorCmd));
    if (gc == NULL) {
        return -1;
    }
    QXLCursorCmd c;
    memcpy(&c, gc, sizeof(c));
    out->release_info = (QXLReleaseInfo *)&gc->release_info;
    out->type = c.type;
    switch (c.type) {
    case QXL_CURSOR_SET:
        out->x = c.u.set.position.x;
        out->y = c.u.set.position.y;
        out->visible = c.u.set.visible != 0;
        if (c.u.set.shape != 0) {
            out->shape = parse_shape(slots, group_id, c.u.set.shape);
            if (out->shape == NULL) {
                return -1;
            }
        }
        return 0;
    case QXL_CURSOR_MOVE:
        out->x = c.u.position.x;
        out->y = c.u.position.y;
        return 0;
    case QXL_CURSOR_HIDE:
        return 0;
    case QXL_CURSOR_TRAIL:
        out->trail_length = c.u.trail.length;
        out->trail_frequency = c.u.trail.frequency;
        return 0;
    default:
        red_log_guest_error("cursor command type", c.type, "unknown");
        return -1;
    }
}

void red_cursor_shape_free(RedCursorShape *shape)
{
    if (shape) {
        g_free(shape->data);
        g_free(shape);
    }
}
