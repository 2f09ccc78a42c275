/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-render.c: QXL display commands rendered with pixman. */
#include "config.h"

#include "red-render.h"

#include <string.h>

#include <glib.h>
#include <spice/enums.h>
#include <spice/qxl_dev.h>

#include "red-box.h"
#include "red-chunks.h"
#include "red-cull.h"
#include "red-image.h"
#include "red-image-lossy.h"
#include "red-log.h"

/* What one drawable needs once its guest fields are checked. */
typedef struct DrawTarget {
    RedSurface *surface;
    pixman_box32_t bbox;        /* clamped to the surface */
    pixman_region32_t region;   /* bbox and clip: where pixels may change */
} DrawTarget;

static bool rect_to_box(const QXLRect *r, pixman_box32_t *b)
{
    *b = (pixman_box32_t){ r->left, r->top, r->right, r->bottom };
    return r->left < r->right && r->top < r->bottom;
}

static int load_clip(RedRenderer *r, uint32_t group_id, const QXLClip *clip,
                     pixman_region32_t *region)
{
    if (clip->type == SPICE_CLIP_TYPE_NONE) {
        return 0;
    }
    if (clip->type != SPICE_CLIP_TYPE_RECTS) {
        red_log_guest_error("clip type", clip->type, "unknown");
        return -1;
    }
    const QXLClipRects *cr = red_memslots_translate(r->slots, group_id, clip->data,
                                                    sizeof(QXLClipRects));
    if (cr == NULL) {
        return -1;
    }
    uint32_t n = cr->num_rects;
    if (n > RED_RENDER_MAX_CLIP_RECTS) {
        red_log_guest_error("clip num_rects", n, "too many");
        return -1;
    }
    pixman_region32_t clip_region;
    pixman_region32_init(&clip_region);
    if (n > 0) {
        RedChunkData d;
        if (red_chunks_read(r->slots, group_id, clip->data + offsetof(QXLClipRects, chunk),
                            (uint64_t)n * sizeof(QXLRect), &d) != 0) {
            pixman_region32_fini(&clip_region);
            return -1;
        }
        /* Rectangles are packed in guest memory: read each with memcpy. */
        pixman_box32_t *boxes = g_new(pixman_box32_t, n);
        uint32_t valid = 0;
        for (uint32_t i = 0; i < n; i++) {
            QXLRect rect;
            memcpy(&rect, d.data + (size_t)i * sizeof(QXLRect), sizeof(rect));
            valid += rect_to_box(&rect, &boxes[valid]);
        }
        pixman_region32_fini(&clip_region);
        pixman_region32_init_rects(&clip_region, boxes, (int)valid);
        g_free(boxes);
        red_chunk_data_finish(&d);
    }
    pixman_region32_intersect(region, region, &clip_region);
    pixman_region32_fini(&clip_region);
    return 0;
}

/* Checks the destination of a drawable. -1 on a guest error; 0 with an
 * empty region means there is nothing to draw. */
static int target_init(RedRenderer *r, uint32_t group_id, const QXLDrawable *d, DrawTarget *t)
{
    memset(t, 0, sizeof(*t));
    pixman_region32_init(&t->region);
    t->surface = red_surfaces_get(r->surfaces, d->surface_id);
    if (t->surface == NULL) {
        red_log_guest_error("drawable surface_id", d->surface_id, "no such surface");
        return -1;
    }
    QXLRect bbox = d->bbox;
    pixman_box32_t b;
    if (!rect_to_box(&bbox, &b)) {
        return 0; /* empty or inverted: draws nothing */
    }
    t->bbox.x1 = MAX(b.x1, 0);
    t->bbox.y1 = MAX(b.y1, 0);
    t->bbox.x2 = MIN(b.x2, (int32_t)t->surface->width);
    t->bbox.y2 = MIN(b.y2, (int32_t)t->surface->height);
    if (t->bbox.x1 >= t->bbox.x2 || t->bbox.y1 >= t->bbox.y2) {
        return 0;
    }
    pixman_region32_reset(&t->region, &t->bbox);
    QXLClip clip = d->clip;
    return load_clip(r, group_id, &clip, &t->region);
}

/* Fills the region with a solid ARGB color using op. */
static void fill_region(DrawTarget *t, pixman_op_t op, uint32_t argb)
{
    pixman_color_t c = { (uint16_t)(((argb >> 16) & 0xff) * 0x101),
                         (uint16_t)(((argb >> 8) & 0xff) * 0x101),
                         (uint16_t)((argb & 0xff) * 0x101),
                         (uint16_t)(((argb >> 24) & 0xff) * 0x101) };
    int n;
    pixman_box32_t *boxes = pixman_region32_rectangles(&t->region, &n);
    pixman_image_fill_boxes(op, t->surface->image, &c, n, boxes);
}

/* Composites src (its area src_area) onto the target's bbox, clipped to
 * the region, scaling when the sizes differ.  The source area must lie in
 * the source image: a guest's area past it would read nothing real, and
 * when the source is the target itself its copy would be sized by the
 * guest's numbers (a terabyte for 0xffffff00 x 0xff). */
static int composite_area(DrawTarget *t, pixman_image_t *src, const QXLRect *src_area,
                          pixman_image_t *mask, pixman_op_t op, uint8_t scale_mode,
                          const QXLRect *dst_rect)
{
    if (src_area->left < 0 || src_area->top < 0 ||
        src_area->right > pixman_image_get_width(src) ||
        src_area->bottom > pixman_image_get_height(src)) {
        red_log_guest_error("src_area", ((uint64_t)(uint32_t)src_area->right << 32) |
                            (uint32_t)src_area->bottom, "source area outside the source image");
        return -1;
    }
    int64_t sw = (int64_t)src_area->right - src_area->left;
    int64_t sh = (int64_t)src_area->bottom - src_area->top;
    int64_t dw = (int64_t)dst_rect->right - dst_rect->left;
    int64_t dh = (int64_t)dst_rect->bottom - dst_rect->top;
    if (sw <= 0 || sh <= 0 || dw <= 0 || dh <= 0 || dw > INT32_MAX || dh > INT32_MAX) {
        return 0;
    }
    pixman_image_t *dst = t->surface->image;
    pixman_image_t *tmp = NULL;
    QXLRect area = *src_area;
    if (src == dst) {
        /* Reading and writing the same pixels: take a copy of the source
         * first (copy-bits onto an overlapping area, a surface onto itself). */
        tmp = pixman_image_create_bits(pixman_image_get_format(dst), (int)sw, (int)sh, NULL, 0);
        if (tmp == NULL) {
            return -1;
        }
        pixman_image_composite32(PIXMAN_OP_SRC, dst, NULL, tmp, area.left, area.top, 0, 0, 0, 0,
                                 (int32_t)sw, (int32_t)sh);
        src = tmp;
        area = (QXLRect){ .top = 0, .left = 0, .bottom = (int32_t)sh, .right = (int32_t)sw };
    }
    pixman_image_set_clip_region32(dst, &t->region);
    if (sw == dw && sh == dh) {
        pixman_image_composite32(op, src, mask, dst, area.left, area.top, 0, 0, dst_rect->left,
                                 dst_rect->top, dw, dh);
    } else {
        pixman_transform_t tr;
        pixman_transform_init_scale(&tr, pixman_int_to_fixed(sw) / dw,
                                    pixman_int_to_fixed(sh) / dh);
        /* Source = scale * (dest - dest origin) + source origin: the
         * translation lives in the matrix, exact at any scale. */
        tr.matrix[0][2] = pixman_int_to_fixed(area.left);
        tr.matrix[1][2] = pixman_int_to_fixed(area.top);
        pixman_image_set_transform(src, &tr);
        pixman_image_set_filter(src, scale_mode == SPICE_IMAGE_SCALE_MODE_NEAREST
                                         ? PIXMAN_FILTER_NEAREST : PIXMAN_FILTER_BILINEAR,
                                NULL, 0);
        pixman_image_composite32(op, src, mask, dst, 0, 0, 0, 0, dst_rect->left, dst_rect->top,
                                 dw, dh);
        pixman_image_set_transform(src, NULL);
    }
    pixman_image_set_clip_region32(dst, NULL);
    if (tmp) {
        pixman_image_unref(tmp);
    }
    return 0;
}

/* The pixman operator of a ROP descriptor.  Only the operations pixman can
 * express are supported; others are drawn as a plain copy and logged. */
static pixman_op_t rop_op(uint16_t ropd)
{
    if ((ropd & SPICE_ROPD_MASK) != SPICE_ROPD_OP_PUT) {
        static gint warned;
        if (!g_atomic_int_exchange(&warned, 1)) {
            red_log_warn("rop descriptor 0x%x drawn as OP_PUT (logged once)", ropd);
        }
    }
    return PIXMAN_OP_SRC;
}

static int draw_fill(RedRenderer *r, uint32_t group_id, const QXLDrawable *d, DrawTarget *t)
{
    QXLFill fill = d->u.fill;
    uint16_t ropd = fill.rop_descriptor;
    if (ropd & SPICE_ROPD_OP_BLACKNESS) {
        fill_region(t, PIXMAN_OP_SRC, 0xff000000u);
        return 0;
    }
    if (ropd & SPICE_ROPD_OP_WHITENESS) {
        fill_region(t, PIXMAN_OP_SRC, 0xffffffffu);
        return 0;
    }
    if (fill.brush.type == SPICE_BRUSH_TYPE_SOLID) {
        fill_region(t, rop_op(ropd), fill.brush.u.color | 0xff000000u);
        return 0;
    }
    if (fill.brush.type == SPICE_BRUSH_TYPE_NONE) {
        return 0;
    }
    if (fill.brush.type != SPICE_BRUSH_TYPE_PATTERN) {
        red_log_guest_error("brush type", fill.brush.type, "unknown");
        return -1;
    }
    RedImage pat;
    if (red_image_load(r->slots, r->surfaces, group_id, fill.brush.u.pattern.pat, &pat) != 0) {
        return -1;
    }
    pixman_image_set_repeat(pat.image, PIXMAN_REPEAT_NORMAL);
    pixman_image_set_clip_region32(t->surface->image, &t->region);
    pixman_image_composite32(rop_op(ropd), pat.image, NULL, t->surface->image,
                             t->bbox.x1 - fill.brush.u.pattern.pos.x,
                             t->bbox.y1 - fill.brush.u.pattern.pos.y, 0, 0, t->bbox.x1,
                             t->bbox.y1, t->bbox.x2 - t->bbox.x1, t->bbox.y2 - t->bbox.y1);
    pixman_image_set_clip_region32(t->surface->image, NULL);
    red_image_finish(&pat);
    return 0;
}

/* COPY, BLEND and OPAQUE share the layout of their first fields. */
static bool is_32bit(const RedSurface *s)
{
    return s->format == SPICE_SURFACE_FMT_32_xRGB || s->format == SPICE_SURFACE_FMT_32_ARGB;
}

/* A compact x8r8g8b8 copy (stride = w * 4) of w x h of src at (x, y), or
 * NULL if memory is short.  Not cleared first: the put writes every pixel
 * (the caller checked the area lies in src). */
static pixman_image_t *copy_area(pixman_image_t *src, int x, int y, int w, int h)
{
    pixman_image_t *copy = pixman_image_create_bits_no_clear(PIXMAN_x8r8g8b8, w, h, NULL, 0);
    if (copy) {
        pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, copy, x, y, 0, 0, 0, 0, w, h);
    }
    return copy;
}

/* Records an image copy as RED_DRAW_OP_IMAGE when a client can redo it
 * exactly: on the primary (what clients see), a bitmap (not a surface, whose pixels change) put 1:1 onto a
 * 32-bit surface, the whole bbox inside the surface, small enough to keep.
 * What the client gets is an x8r8g8b8 copy of the area, which is what the
 * put wrote whatever the bitmap's format (the rop is always a put).  Where
 * the put wrote all of it, unclipped, into an x8r8g8b8 shadow, those very
 * pixels are that copy: the op borrows a view of them instead of copying
 * (a client that already caches the image needs only its digest). */
static void record_image(const QXLDrawable *d, const DrawTarget *t, const RedImage *src,
                         RedDrawOp *op)
{
    const QXLRect *sa = &d->u.copy.src_area, *bb = &d->bbox;
    int64_t w = (int64_t)sa->right - sa->left, h = (int64_t)sa->bottom - sa->top;
    if (d->surface_id != 0 || src->surface_id != UINT32_MAX || !is_32bit(t->surface) || w <= 0 || h <= 0 ||
        w != (int64_t)bb->right - bb->left || h != (int64_t)bb->bottom - bb->top ||
        (uint64_t)w * (uint64_t)h > RED_DRAW_OP_MAX_IMAGE_PIXELS || bb->left < 0 ||
        bb->top < 0 || bb->right > (int64_t)t->surface->width ||
        bb->bottom > (int64_t)t->surface->height) {
        return;
    }
    const RedSurface *surf = t->surface;
    /* t->bbox is bb here: it lies in the surface (checked above). */
    bool whole = pixman_region32_n_rects((pixman_region32_t *)&t->region) == 1 &&
                 red_box_equal(&t->region.extents, &t->bbox);
    pixman_image_t *copy;
    if (whole && surf->shadow && pixman_image_get_format(surf->image) == PIXMAN_x8r8g8b8) {
        int stride = pixman_image_get_stride(surf->image);
        uint8_t *at = (uint8_t *)pixman_image_get_data(surf->image) +
                      (ptrdiff_t)bb->top * stride + (ptrdiff_t)bb->left * 4;
        copy = pixman_image_create_bits(PIXMAN_x8r8g8b8, (int)w, (int)h,
                                        (uint32_t *)(void *)at, stride);
        op->image_borrowed = true;
    } else {
        copy = copy_area(src->image, sa->left, sa->top, (int)w, (int)h);
    }
    if (copy == NULL) {
        op->image_borrowed = false;
        return; /* pixels then */
    }
    op->kind = RED_DRAW_OP_IMAGE;
    op->image = copy;
    op->x = bb->left;
    op->y = bb->top;
    op->width = (uint32_t)w;
    op->height = (uint32_t)h;
    op->cacheable = src->cacheable;
    pixman_region32_copy(&op->region, &t->region);
}

/* Whether the source area of an image copy on the primary looks like a
 * film's frame (only 32-bit sources are looked at). */
static bool source_is_natural(const QXLDrawable *d, const RedImage *src)
{
    const QXLRect *sa = &d->u.copy.src_area;
    pixman_format_code_t f = pixman_image_get_format(src->image);
    int64_t w = (int64_t)sa->right - sa->left, h = (int64_t)sa->bottom - sa->top;
    if (d->surface_id != 0 || src->surface_id != UINT32_MAX ||
        (f != PIXMAN_x8r8g8b8 && f != PIXMAN_a8r8g8b8) || w < RED_RENDER_NATURAL_MIN_SIDE ||
        h < RED_RENDER_NATURAL_MIN_SIDE || (uint64_t)w * (uint64_t)h < RED_RENDER_NATURAL_MIN_AREA) {
        return false;
    }
    /* composite_area checked the area against the image. */
    int stride = pixman_image_get_stride(src->image);
    const uint8_t *base = (const uint8_t *)pixman_image_get_data(src->image) +
                          (size_t)sa->top * (size_t)stride + (size_t)sa->left * 4;
    return red_image_is_natural(base, (uint32_t)w, (uint32_t)h, (uint32_t)stride);
}

static int draw_copy(RedRenderer *r, uint32_t group_id, const QXLDrawable *d, DrawTarget *t,
                     RedCommandResult *res)
{
    QXLCopy copy = d->u.copy;
    QXLRect bbox = d->bbox;
    RedImage src;
    if (copy.mask.bitmap != 0) {
        red_log_warn("drawable mask bitmap ignored (no driver sends one)");
    }
    if (red_image_load(r->slots, r->surfaces, group_id, copy.src_bitmap, &src) != 0) {
        return -1;
    }
    if (src.surface_id != UINT32_MAX) {
        /* A surface's pixels after all (the guest changed the image since
         * overwrites_strip looked): a pending strip may be among them. */
        red_render_settle(r);
    }
    int ret = composite_area(t, src.image, &copy.src_area, NULL, rop_op(copy.rop_descriptor),
                             copy.scale_mode, &bbox);
    if (ret == 0 && r->record_ops && copy.mask.bitmap == 0) {
        record_image(d, t, &src, &res->op);
    }
    if (ret == 0 && r->natural_wanted && r->natural_wanted(r->natural_opaque, &d->bbox)) {
        res->natural = source_is_natural(d, &src);
    }
    red_image_finish(&src);
    return ret;
}

static int draw_alpha_blend(RedRenderer *r, uint32_t group_id, const QXLDrawable *d,
                            DrawTarget *t)
{
    QXLAlphaBlend ab = d->u.alpha_blend;
    QXLRect bbox = d->bbox;
    RedImage src;
    if (red_image_load(r->slots, r->surfaces, group_id, ab.src_bitmap, &src) != 0) {
        return -1;
    }
    pixman_image_t *view = pixman_image_ref(src.image);
    if ((ab.alpha_flags & SPICE_ALPHA_FLAGS_SRC_SURFACE_HAS_ALPHA) &&
        pixman_image_get_format(view) == PIXMAN_x8r8g8b8) {
        /* The same pixels, with their top byte read as alpha. */
        pixman_image_unref(view);
        view = pixman_image_create_bits(PIXMAN_a8r8g8b8, pixman_image_get_width(src.image),
                                        pixman_image_get_height(src.image),
                                        pixman_image_get_data(src.image),
                                        pixman_image_get_stride(src.image));
    }
    pixman_image_t *mask = NULL;
    if (ab.alpha != 0xff) {
        pixman_color_t c = { 0, 0, 0, (uint16_t)(ab.alpha * 0x101) };
        mask = pixman_image_create_solid_fill(&c);
    }
    int ret = -1;
    if (view) {
        ret = composite_area(t, view, &ab.src_area, mask, PIXMAN_OP_OVER,
                             SPICE_IMAGE_SCALE_MODE_INTERPOLATE, &bbox);
        pixman_image_unref(view);
    }
    if (mask) {
        pixman_image_unref(mask);
    }
    red_image_finish(&src);
    return ret;
}

/* A scroll or a move inside one surface, clipped to a single box (the
 * usual case), done in place: rows are copied in the order that never reads
 * a row already overwritten, and memmove takes care of a row's own overlap.
 * One pass over the pixels, where composite_area first copies the source
 * out into a new (zeroed) image.  (dx, dy): source minus destination; the
 * caller checked that the source lies in the surface.  false: not done
 * (several clip boxes, or pixels that are not whole bytes). */
static bool copy_bits_in_place(RedRenderer *r, DrawTarget *t, int32_t dx, int32_t dy)
{
    pixman_image_t *img = t->surface->image;
    int bpp = PIXMAN_FORMAT_BPP(pixman_image_get_format(img));
    if (pixman_region32_n_rects(&t->region) != 1 || bpp % 8 != 0) {
        return false;
    }
    const pixman_box32_t *b = pixman_region32_rectangles(&t->region, NULL);
    if (dx == 0 && red_surface_scroll(t->surface, b, dy, r->defer_strip)) {
        if (t->surface->strip_pending) {
            r->strip_surface = t->surface;
        }
        return true; /* a full-width scroll of the shadow: its rows stayed */
    }
    size_t px = (size_t)bpp / 8;
    size_t row_bytes = (size_t)(b->x2 - b->x1) * px;
    ptrdiff_t stride = pixman_image_get_stride(img); /* < 0: a bottom-up surface */
    uint8_t *base = (uint8_t *)pixman_image_get_data(img);
    int32_t rows = b->y2 - b->y1;
    for (int32_t i = 0; i < rows; i++) {
        /* Source below the destination: top row first; else bottom first. */
        int32_t y = dy > 0 ? b->y1 + i : b->y2 - 1 - i;
        uint8_t *dst = base + (ptrdiff_t)y * stride + (ptrdiff_t)((size_t)b->x1 * px);
        const uint8_t *src = base + (ptrdiff_t)(y + dy) * stride +
                             (ptrdiff_t)((size_t)(b->x1 + dx) * px);
        memmove(dst, src, row_bytes);
    }
    return true;
}

static int draw_copy_bits(RedRenderer *r, const QXLDrawable *d, DrawTarget *t)
{
    QXLPoint pos = d->u.copy_bits.src_pos;
    QXLRect bbox = d->bbox;
    int64_t bottom = (int64_t)pos.y + ((int64_t)bbox.bottom - bbox.top);
    int64_t right = (int64_t)pos.x + ((int64_t)bbox.right - bbox.left);
    if (pos.x < 0 || pos.y < 0 || right > (int64_t)t->surface->width ||
        bottom > (int64_t)t->surface->height) {
        red_log_guest_error("copy_bits src_pos", ((uint64_t)(uint32_t)pos.x << 32) | (uint32_t)pos.y,
                            "source outside the surface");
        return -1;
    }
    if (copy_bits_in_place(r, t, pos.x - bbox.left, pos.y - bbox.top)) {
        return 0;
    }
    QXLRect src_area = { .top = pos.y, .left = pos.x, .bottom = (int32_t)bottom,
                         .right = (int32_t)right };
    return composite_area(t, t->surface->image, &src_area, NULL, PIXMAN_OP_SRC,
                          SPICE_IMAGE_SCALE_MODE_NEAREST, &bbox);
}

static int load_transform(RedRenderer *r, uint32_t group_id, QXLPHYSICAL addr,
                          pixman_image_t *img)
{
    if (addr == 0) {
        return 0;
    }
    const QXLTransform *q = red_memslots_translate(r->slots, group_id, addr, sizeof(*q));
    if (q == NULL) {
        return -1;
    }
    pixman_transform_t tr = { { { (pixman_fixed_t)q->t00, (pixman_fixed_t)q->t01,
                                  (pixman_fixed_t)q->t02 },
                                { (pixman_fixed_t)q->t10, (pixman_fixed_t)q->t11,
                                  (pixman_fixed_t)q->t12 },
                                { 0, 0, pixman_fixed_1 } } };
    pixman_image_set_transform(img, &tr);
    return 0;
}

static int draw_composite(RedRenderer *r, uint32_t group_id, const QXLDrawable *d, DrawTarget *t)
{
    QXLComposite c = d->u.composite;
    uint32_t op = c.flags & 0xff;
    if (!(op <= QXL_OP_SATURATE || (op >= QXL_OP_MULTIPLY && op <= QXL_OP_HSL_LUMINOSITY))) {
        red_log_guest_error("composite operator", op, "unknown");
        return -1;
    }
    RedImage src, mask = { 0 };
    if (red_image_load(r->slots, r->surfaces, group_id, c.src, &src) != 0) {
        return -1;
    }
    int ret = 0;
    if (c.mask && red_image_load(r->slots, r->surfaces, group_id, c.mask, &mask) != 0) {
        ret = -1;
    }
    /* Our own views, so the transforms and filters never stick to a
     * surface's image. */
    pixman_image_t *sv = NULL, *mv = NULL;
    if (ret == 0) {
        sv = pixman_image_create_bits(pixman_image_get_format(src.image),
                                      pixman_image_get_width(src.image),
                                      pixman_image_get_height(src.image),
                                      pixman_image_get_data(src.image),
                                      pixman_image_get_stride(src.image));
        if (mask.image) {
            mv = pixman_image_create_bits(pixman_image_get_format(mask.image),
                                          pixman_image_get_width(mask.image),
                                          pixman_image_get_height(mask.image),
                                          pixman_image_get_data(mask.image),
                                          pixman_image_get_stride(mask.image));
        }
        if (sv == NULL || (mask.image && mv == NULL) ||
            load_transform(r, group_id, c.src_transform, sv) != 0 ||
            (mv && load_transform(r, group_id, c.mask_transform, mv) != 0)) {
            ret = -1;
        }
    }
    if (ret == 0) {
        static const pixman_filter_t filters[] = { PIXMAN_FILTER_NEAREST, PIXMAN_FILTER_BILINEAR };
        pixman_image_set_filter(sv, filters[((c.flags >> 8) & 7) != 0], NULL, 0);
        pixman_image_set_repeat(sv, (pixman_repeat_t)((c.flags >> 14) & 3));
        if (src.palette) {
            pixman_image_set_indexed(sv, src.palette);
        }
        if (mv) {
            pixman_image_set_filter(mv, filters[((c.flags >> 11) & 7) != 0], NULL, 0);
            pixman_image_set_repeat(mv, (pixman_repeat_t)((c.flags >> 16) & 3));
            pixman_image_set_component_alpha(mv, (c.flags >> 18) & 1);
            if (mask.palette) {
                pixman_image_set_indexed(mv, mask.palette);
            }
        }
        pixman_image_t *dst = t->surface->image;
        pixman_image_set_clip_region32(dst, &t->region);
        pixman_image_composite32((pixman_op_t)op, sv, mv, dst, c.src_origin.x, c.src_origin.y,
                                 c.mask_origin.x, c.mask_origin.y, t->bbox.x1, t->bbox.y1,
                                 t->bbox.x2 - t->bbox.x1, t->bbox.y2 - t->bbox.y1);
        pixman_image_set_clip_region32(dst, NULL);
    }
    if (sv) {
        pixman_image_unref(sv);
    }
    if (mv) {
        pixman_image_unref(mv);
    }
    red_image_finish(&mask);
    red_image_finish(&src);
    return ret;
}

/* The colour a fill drawable wrote, when it wrote one solid colour the
 * same way whatever was under it; false otherwise. */
static bool fill_color_of(const QXLDrawable *d, uint32_t *argb)
{
    if (d->type == QXL_DRAW_BLACKNESS) {
        *argb = 0xff000000u;
        return true;
    }
    if (d->type == QXL_DRAW_WHITENESS) {
        *argb = 0xffffffffu;
        return true;
    }
    if (d->type != QXL_DRAW_FILL) {
        return false;
    }
    /* As draw_fill decided, from the same copy of the fields. */
    uint16_t ropd = d->u.fill.rop_descriptor;
    if (ropd & (SPICE_ROPD_OP_BLACKNESS | SPICE_ROPD_OP_WHITENESS)) {
        *argb = (ropd & SPICE_ROPD_OP_BLACKNESS) ? 0xff000000u : 0xffffffffu;
        return true;
    }
    if (d->u.fill.brush.type != SPICE_BRUSH_TYPE_SOLID) {
        return false;
    }
    *argb = d->u.fill.brush.u.color | 0xff000000u;
    return true;
}

/* Records what a drawn drawable did, for clients that can redo it (see
 * RedDrawOp).  A fill is exact only on a 32-bit surface: on 16 bits the
 * client, whose canvas is 32-bit, would not see the truncated colour. */
static void record_op(const QXLDrawable *d, const DrawTarget *t, RedDrawOp *op)
{
    uint32_t argb;
    if (op->kind != RED_DRAW_OP_PIXELS) {
        return; /* draw_copy recorded its image */
    }
    if (d->type == QXL_COPY_BITS) {
        op->kind = RED_DRAW_OP_COPY_BITS;
        /* Small: draw_copy_bits checked the source against the surface. */
        op->dx = (int32_t)((int64_t)d->bbox.left - d->u.copy_bits.src_pos.x);
        op->dy = (int32_t)((int64_t)d->bbox.top - d->u.copy_bits.src_pos.y);
    } else if (is_32bit(t->surface) && fill_color_of(d, &argb)) {
        op->kind = RED_DRAW_OP_FILL;
        op->color = argb;
    } else {
        return;
    }
    pixman_region32_copy(&op->region, &t->region);
}

void red_render_settle(RedRenderer *r)
{
    if (r->strip_surface != NULL) {
        red_surface_strip_settle(r->strip_surface);
        r->strip_surface = NULL;
    }
}

/* Whether d, about to be drawn on t, writes every row of t's pending strip
 * (the full width) without reading pixels: an unclipped put (red-cull.h's
 * rule) whose area, in the surface, is one box holding the strip. */
static bool overwrites_strip(RedRenderer *r, uint32_t group_id, const QXLDrawable *d,
                             const DrawTarget *t)
{
    return pixman_region32_n_rects((pixman_region32_t *)&t->region) == 1 &&
           red_surface_strip_inside(t->surface, pixman_region32_extents(
                                                    (pixman_region32_t *)&t->region)) &&
           red_cull_overwrites(r->slots, group_id, d);
}

static int render_drawable(RedRenderer *r, uint32_t group_id, QXLPHYSICAL addr,
                           RedCommandResult *res)
{
    const QXLDrawable *gd = red_memslots_translate(r->slots, group_id, addr, sizeof(QXLDrawable));
    if (gd == NULL) {
        return -1;
    }
    /* One copy of the whole drawable: every later check and use reads it. */
    QXLDrawable d;
    memcpy(&d, gd, sizeof(d));
    res->release_info = (QXLReleaseInfo *)&gd->release_info;
    DrawTarget t;
    int ret = target_init(r, group_id, &d, &t);
    /* A strip the last scroll left pending goes only if this drawable
     * writes all of it; any other is drawn over the strip's own pixels. */
    bool over_strip = r->strip_surface != NULL && ret == 0 &&
                      t.surface == r->strip_surface && overwrites_strip(r, group_id, &d, &t);
    if (!over_strip) {
        red_render_settle(r);
    }
    if (ret == 0 && pixman_region32_not_empty(&t.region)) {
        switch (d.type) {
        case QXL_DRAW_NOP:
            break;
        case QXL_DRAW_FILL:
            ret = draw_fill(r, group_id, &d, &t);
            break;
        case QXL_DRAW_OPAQUE:
        case QXL_DRAW_COPY:
        case QXL_DRAW_BLEND:
            ret = draw_copy(r, group_id, &d, &t, res);
            break;
        case QXL_DRAW_ALPHA_BLEND:
            ret = draw_alpha_blend(r, group_id, &d, &t);
            break;
        case QXL_COPY_BITS:
            ret = draw_copy_bits(r, &d, &t);
            break;
        case QXL_DRAW_COMPOSITE:
            ret = draw_composite(r, group_id, &d, &t);
            break;
        case QXL_DRAW_BLACKNESS:
            fill_region(&t, PIXMAN_OP_SRC, 0xff000000u);
            break;
        case QXL_DRAW_WHITENESS:
            fill_region(&t, PIXMAN_OP_SRC, 0xffffffffu);
            break;
        case QXL_DRAW_INVERS:
            /* |white - dst| = the inverted color */
            fill_region(&t, PIXMAN_OP_DIFFERENCE, 0xffffffffu);
            break;
        case QXL_DRAW_ROP3:
        case QXL_DRAW_STROKE:
        case QXL_DRAW_TEXT:
        case QXL_DRAW_TRANSPARENT:
            red_log_warn("drawable type %u not supported: released undrawn", d.type);
            break;
        default:
            red_log_guest_error("drawable type", d.type, "unknown");
            ret = -1;
            break;
        }
        if (ret == 0 && d.type != QXL_DRAW_NOP) {
            res->kind = RED_CMD_DRAWN;
            res->surface_id = d.surface_id;
            res->damage = *pixman_region32_extents(&t.region);
            res->draw_type = d.type;
            if (r->record_ops) {
                record_op(&d, &t, &res->op);
            }
        }
    }
    if (over_strip && r->strip_surface != NULL) {
        if (ret == 0) {
            red_surface_strip_drop(r->strip_surface);
            r->strip_surface = NULL;
        } else {
            red_render_settle(r); /* it drew nothing: the rows come back */
        }
    }
    pixman_region32_fini(&t.region);
    return ret;
}

static int render_surface_cmd(RedRenderer *r, uint32_t group_id, QXLPHYSICAL addr,
                              RedCommandResult *res)
{
    const QXLSurfaceCmd *gc = red_memslots_translate(r->slots, group_id, addr,
                                                     sizeof(QXLSurfaceCmd));
    if (gc == NULL) {
        return -1;
    }
    QXLSurfaceCmd c;
    memcpy(&c, gc, sizeof(c));
    res->release_info = (QXLReleaseInfo *)&gc->release_info;
    res->surface_id = c.surface_id;
    if (c.surface_id == 0 || c.surface_id >= r->surfaces->count) {
        /* Surface 0 is the primary: only the create/destroy-primary calls
         * touch it. */
        red_log_guest_error("surface command surface_id", c.surface_id, "out of range");
        return -1;
    }
    if (c.type == QXL_SURFACE_CMD_DESTROY) {
        if (red_surfaces_get(r->surfaces, c.surface_id) == NULL) {
            red_log_guest_error("destroy surface_id", c.surface_id, "no such surface");
            return -1;
        }
        red_surface_destroy(r->surfaces, c.surface_id);
        res->kind = RED_CMD_SURFACE_DESTROYED;
        return 0;
    }
    if (c.type != QXL_SURFACE_CMD_CREATE) {
        red_log_guest_error("surface command type", c.type, "unknown");
        return -1;
    }
    QXLSurface s = c.u.surface_create;
    uint64_t size = red_surface_mem_size(s.width, s.height, s.stride, s.format);
    if (size == 0) {
        red_log_guest_error("surface create geometry",
                            ((uint64_t)s.width << 32) | s.height, "invalid");
        return -1;
    }
    uint8_t *mem = red_memslots_translate(r->slots, group_id, s.data, size);
    if (mem == NULL ||
        red_surface_create(r->surfaces, c.surface_id, s.width, s.height, s.stride, s.format, mem,
                           (c.flags & QXL_SURF_FLAG_KEEP_DATA) != 0) != 0) {
        red_log_guest_error("surface create surface_id", c.surface_id, "refused");
        return -1;
    }
    res->kind = RED_CMD_SURFACE_CREATED;
    return 0;
}

/* UPDATE and MESSAGE carry nothing to render; their memory goes back. */
static int release_only(RedRenderer *r, uint32_t group_id, QXLPHYSICAL addr,
                        RedCommandResult *res)
{
    QXLReleaseInfo *info = red_memslots_translate(r->slots, group_id, addr,
                                                  sizeof(QXLReleaseInfo));
    res->release_info = info;
    return info ? 0 : -1;
}

int red_render_command(RedRenderer *r, uint32_t group_id, QXLPHYSICAL addr, uint32_t type,
                       uint32_t flags, RedCommandResult *res)
{
    memset(res, 0, sizeof(*res));
    pixman_region32_init(&res->op.region);
    if (flags & QXL_COMMAND_FLAG_COMPAT) {
        /* Pre-0.6 drivers: their drawable layout differs; the release info
         * is at the same place, so at least the memory goes back. */
        red_log_guest_error("command flags", flags, "compat drawables are not supported");
        release_only(r, group_id, addr, res);
        return -1;
    }
    switch (type) {
    case QXL_CMD_NOP:
        return 0;
    case QXL_CMD_DRAW:
        return render_drawable(r, group_id, addr, res);
    case QXL_CMD_SURFACE:
        red_render_settle(r); /* a destroy would drop what it still owes */
        return render_surface_cmd(r, group_id, addr, res);
    case QXL_CMD_UPDATE:
    case QXL_CMD_MESSAGE:
        return release_only(r, group_id, addr, res);
    default:
        red_log_guest_error("display command type", type, "unknown");
        return -1;
    }
}

pixman_image_t *red_draw_op_keep_image(const RedDrawOp *op)
{
    if (!op->image_borrowed) {
        return pixman_image_ref(op->image);
    }
    return copy_area(op->image, 0, 0, pixman_image_get_width(op->image),
                     pixman_image_get_height(op->image));
}

void red_command_result_finish(RedCommandResult *res)
{
    pixman_region32_fini(&res->op.region);
    if (res->op.image) {
        pixman_image_unref(res->op.image);
        res->op.image = NULL;
    }
    res->op.image_borrowed = false;
    res->op.kind = RED_DRAW_OP_PIXELS;
}
