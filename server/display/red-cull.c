// SPDX-License-Identifier: LGPL-2.1-or-later
/* red-cull.c: see red-cull.h.  The batch is walked from its end, keeping
 * the region that later drawables overwrite before anything reads it. */
#include "config.h"

#include "red-cull.h"

#include <string.h>

/* Boxes are clipped to this square, larger than any surface: clipping to
 * the primary of the moment would be wrong for drawables after a surface
 * command of the batch, and a box larger than the surface only hides less
 * (see red_cull_hidden). */
#define CULL_MAX_SIDE (1 << 20)

/* What one drawable does to the pixels of the primary. */
typedef enum CullEffect {
    CULL_LOCAL,        /* reads and writes its own area only */
    CULL_OVERWRITES,   /* writes every pixel of its box, reads none */
    CULL_READS,        /* may read pixels outside its own area */
} CullEffect;

/* Is the image at addr a surface (another surface's pixels, or the
 * primary's own)?  Unreadable counts as one: the renderer will refuse it. */
static bool image_is_surface(const RedMemSlots *slots, uint32_t group_id, QXLPHYSICAL addr)
{
    const char *why;
    const QXLImageDescriptor *desc = red_memslots_try_translate(slots, group_id, addr,
                                                                sizeof(*desc), &why);
    if (desc == NULL) {
        return true;
    }
    uint8_t type;
    memcpy(&type, &desc->type, sizeof(type));
    return type == SPICE_IMAGE_TYPE_SURFACE;
}

static bool rop_is_put(uint16_t ropd)
{
    return (ropd & SPICE_ROPD_MASK) == SPICE_ROPD_OP_PUT;
}

static CullEffect drawable_effect(const RedMemSlots *slots, uint32_t group_id,
                                  const QXLDrawable *d)
{
    if (d->self_bitmap || d->surfaces_dest[0] != -1 || d->surfaces_dest[1] != -1 ||
        d->surfaces_dest[2] != -1) {
        return CULL_READS;
    }
    bool unclipped = d->clip.type == SPICE_CLIP_TYPE_NONE;
    switch (d->type) {
    case QXL_DRAW_NOP:
    case QXL_DRAW_INVERS:
        return CULL_LOCAL;
    case QXL_DRAW_BLACKNESS:
    case QXL_DRAW_WHITENESS:
        return unclipped ? CULL_OVERWRITES : CULL_LOCAL;
    case QXL_DRAW_FILL: {
        const QXLFill *f = &d->u.fill;
        if (f->brush.type == SPICE_BRUSH_TYPE_PATTERN) {
            return CULL_READS; /* its pattern may be a surface */
        }
        bool solid = f->brush.type == SPICE_BRUSH_TYPE_SOLID ||
                     (f->rop_descriptor & (SPICE_ROPD_OP_BLACKNESS | SPICE_ROPD_OP_WHITENESS));
        return unclipped && solid && rop_is_put(f->rop_descriptor) && f->mask.bitmap == 0
                   ? CULL_OVERWRITES
                   : CULL_LOCAL;
    }
    case QXL_DRAW_COPY: {
        const QXLCopy *c = &d->u.copy;
        if (image_is_surface(slots, group_id, c->src_bitmap)) {
            return CULL_READS;
        }
        return unclipped && rop_is_put(c->rop_descriptor) && c->mask.bitmap == 0
                   ? CULL_OVERWRITES
                   : CULL_LOCAL;
    }
    default:
        return CULL_READS;
    }
}

bool red_cull_overwrites(const RedMemSlots *slots, uint32_t group_id, const QXLDrawable *d)
{
    return drawable_effect(slots, group_id, d) == CULL_OVERWRITES;
}

unsigned red_cull_hidden(const RedMemSlots *slots, const QXLCommandExt *cmds, unsigned n,
                         RedCullMark *marks)
{
    unsigned count = 0;
    pixman_region32_t later; /* overwritten by a later drawable, not read since */
    pixman_region32_init(&later);
    for (unsigned i = n; i-- > 0;) {
        if (marks[i].hidden) {
            count++;
            continue; /* inside `later` when it was marked, so inside it now */
        }
        const QXLCommandExt *ext = &cmds[i];
        const char *why;
        const QXLDrawable *gd = NULL;
        if (ext->cmd.type == QXL_CMD_DRAW && !(ext->flags & QXL_COMMAND_FLAG_COMPAT)) {
            gd = red_memslots_try_translate(slots, ext->group_id, ext->cmd.data, sizeof(*gd),
                                            &why);
        }
        QXLDrawable d;
        if (gd == NULL) {
            pixman_region32_clear(&later); /* surface commands, updates, bad ones */
            continue;
        }
        memcpy(&d, gd, sizeof(d));
        if (d.surface_id != 0) {
            pixman_region32_clear(&later);
            continue;
        }
        /* A later box claims only pixels of the surface where it has
         * some; an earlier one is hidden when its box is: the parts of
         * either outside the surface draw nothing. */
        pixman_box32_t box = { MAX(d.bbox.left, 0), MAX(d.bbox.top, 0),
                               MIN(d.bbox.right, CULL_MAX_SIDE),
                               MIN(d.bbox.bottom, CULL_MAX_SIDE) };
        if (box.x1 >= box.x2 || box.y1 >= box.y2) {
            continue; /* draws nothing */
        }
        if (pixman_region32_contains_rectangle(&later, &box) == PIXMAN_REGION_IN) {
            marks[i] = (RedCullMark){ .hidden = true, .draw_type = d.type, .box = box };
            count++;
            continue;
        }
        switch (drawable_effect(slots, ext->group_id, &d)) {
        case CULL_READS:
            pixman_region32_clear(&later);
            break;
        case CULL_OVERWRITES:
            pixman_region32_union_rect(&later, &later, box.x1, box.y1,
                                       (unsigned)(box.x2 - box.x1), (unsigned)(box.y2 - box.y1));
            break;
        case CULL_LOCAL:
            break;
        }
    }
    pixman_region32_fini(&later);
    return count;
}
