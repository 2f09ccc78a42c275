/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-surfaces.c: surface table and pixman images over device memory. */
#include "config.h"

#include "red-surfaces.h"

#include <string.h>

#include <glib.h>
#include <spice/enums.h>

/* A shadow gets spare rows for scrolls up to this size (a 4K primary is
 * 33 MB); a larger one scrolls by moving its rows. */
#define RED_SURFACE_SCROLL_MAX_BYTES (64u << 20)

int red_surfaces_init(RedSurfaces *s, uint32_t n)
{
    memset(s, 0, sizeof(*s));
    if (n == 0 || n > RED_SURFACES_MAX) {
        return -1;
    }
    s->surfaces = g_new0(RedSurface, n);
    s->count = n;
    return 0;
}

void red_surfaces_finish(RedSurfaces *s)
{
    for (uint32_t i = 0; i < s->count; i++) {
        red_surface_destroy(s, i);
    }
    g_free(s->surfaces);
    memset(s, 0, sizeof(*s));
}

size_t red_surfaces_count_live(const RedSurfaces *s)
{
    size_t n = 0;
    for (uint32_t i = 0; i < s->count; i++) {
        n += s->surfaces[i].exists;
    }
    return n;
}

RedSurface *red_surfaces_get(RedSurfaces *s, uint32_t id)
{
    if (id >= s->count || !s->surfaces[id].exists) {
        return NULL;
    }
    return &s->surfaces[id];
}

pixman_format_code_t red_surface_pixman_format(uint32_t format)
{
    switch (format) {
    case SPICE_SURFACE_FMT_32_xRGB: return PIXMAN_x8r8g8b8;
    case SPICE_SURFACE_FMT_32_ARGB: return PIXMAN_a8r8g8b8;
    case SPICE_SURFACE_FMT_16_565: return PIXMAN_r5g6b5;
    case SPICE_SURFACE_FMT_16_555: return PIXMAN_x1r5g5b5;
    case SPICE_SURFACE_FMT_8_A: return PIXMAN_a8;
    case SPICE_SURFACE_FMT_1_A: return PIXMAN_a1;
    default: return 0;
    }
}

uint64_t red_surface_mem_size(uint32_t width, uint32_t height, int32_t stride, uint32_t format)
{
    pixman_format_code_t pf = red_surface_pixman_format(format);
    if (pf == 0 || width == 0 || height == 0 || width > RED_SURFACE_MAX_DIM ||
        height > RED_SURFACE_MAX_DIM) {
        return 0;
    }
    uint64_t abs_stride = stride < 0 ? (uint64_t)(-(int64_t)stride) : (uint64_t)stride;
    uint64_t line = ((uint64_t)width * PIXMAN_FORMAT_BPP(pf) + 7) / 8;
    if (abs_stride < line || abs_stride % 4 != 0) {
        return 0; /* pixman needs whole 32-bit words per line */
    }
    return abs_stride * height;
}

int red_surface_create(RedSurfaces *s, uint32_t id, uint32_t width, uint32_t height,
                       int32_t stride, uint32_t format, uint8_t *mem, bool keep_data)
{
    uint64_t size = red_surface_mem_size(width, height, stride, format);
    if (id >= s->count || s->surfaces[id].exists || size == 0 || mem == NULL) {
        return -1;
    }
    if (!keep_data) {
        memset(mem, 0, size);
    }
    uint8_t *top = stride < 0 ? mem + size + stride : mem;
    pixman_image_t *img = pixman_image_create_bits(red_surface_pixman_format(format), (int)width,
                                                   (int)height, (uint32_t *)(void *)top, stride);
    if (img == NULL) {
        return -1;
    }
    s->surfaces[id] = (RedSurface){ .exists = true, .width = width, .height = height,
                                    .stride = stride, .format = format, .mem = mem,
                                    .image = img };
    return 0;
}

/* A shadow's memory: the ring's mappings where it has one, else ours. */
static void shadow_free(uint8_t *shadow, RedRowRing *ring)
{
    if (ring->base != NULL) {
        red_row_ring_fini(ring);
    } else {
        g_free(shadow);
    }
}

void red_surface_destroy(RedSurfaces *s, uint32_t id)
{
    if (id >= s->count || !s->surfaces[id].exists) {
        return;
    }
    RedSurface *surf = &s->surfaces[id];
    pixman_image_unref(surf->image);
    if (surf->shadow) {
        pixman_image_unref(surf->guest_image);
        pixman_region32_fini(&surf->unsynced);
        shadow_free(surf->shadow, &surf->shadow_ring);
    }
    memset(surf, 0, sizeof(RedSurface));
}

int red_surface_shadow(RedSurfaces *s, uint32_t id)
{
    RedSurface *surf = red_surfaces_get(s, id);
    if (surf == NULL || surf->shadow) {
        return -1;
    }
    pixman_format_code_t pf = red_surface_pixman_format(surf->format);
    /* The guest's |stride| bounds the line (red_surface_mem_size). */
    int32_t stride = surf->stride < 0 ? -surf->stride : surf->stride;
    size_t bytes = (size_t)stride * surf->height;
    /* The height again as spare rows for scrolls, up to 4K (a larger
     * primary scrolls by moving its rows).  In a ring of rows a scroll
     * only moves the surface's first row (red_surface_scroll); without
     * one (the system refused the mappings) a terminal that scrolls by a
     * line moves the whole surface once per screenful of lines, not per
     * half of one. */
    bool spare = bytes <= RED_SURFACE_SCROLL_MAX_BYTES;
    uint32_t rows = surf->height + (spare ? surf->height : 0);
    RedRowRing ring = { 0 };
    uint8_t *shadow = NULL;
    if (spare && red_row_ring_init(&ring, (size_t)stride, rows) == 0) {
        shadow = ring.base;
        rows = ring.rows;
    } else {
        shadow = g_try_malloc((size_t)stride * rows);
    }
    if (shadow == NULL && rows > surf->height) {
        rows = surf->height;
        shadow = g_try_malloc(bytes);
    }
    if (shadow == NULL) {
        return -1;
    }
    uint32_t top = ring.base != NULL ? 0 : (rows - surf->height) / 2;
    pixman_image_t *img = pixman_image_create_bits(pf, (int)surf->width, (int)surf->height,
                                                   (uint32_t *)(void *)(shadow +
                                                                        (size_t)stride * top),
                                                   stride);
    if (img == NULL) {
        shadow_free(shadow, &ring);
        return -1;
    }
    /* Starts equal to the guest's memory (cleared already without
     * KEEP_DATA), so nothing is unsynced. */
    pixman_image_composite32(PIXMAN_OP_SRC, surf->image, NULL, img, 0, 0, 0, 0, 0, 0,
                             (int)surf->width, (int)surf->height);
    surf->guest_image = surf->image;
    surf->image = img;
    surf->shadow = shadow;
    surf->shadow_rows = rows;
    surf->shadow_top = top;
    surf->shadow_ring = ring;
    pixman_region32_init(&surf->unsynced);
    return 0;
}

void red_surface_strip_settle(RedSurface *surf)
{
    if (!surf->strip_pending) {
        return;
    }
    surf->strip_pending = false;
    size_t stride = (size_t)pixman_image_get_stride(surf->image);
    uint8_t *base = (uint8_t *)pixman_image_get_data(surf->image);
    /* Both ranges lie in the surface (red_surface_scroll checked). */
    memmove(base + stride * (size_t)surf->strip_y1,
            base + stride * (size_t)((int64_t)surf->strip_y1 - surf->strip_dy),
            stride * (size_t)(surf->strip_y2 - surf->strip_y1));
}

bool red_surface_strip_inside(const RedSurface *surf, const pixman_box32_t *box)
{
    return surf->strip_pending && box->x1 <= 0 && box->x2 >= (int32_t)surf->width &&
           box->y1 <= surf->strip_y1 && box->y2 >= surf->strip_y2;
}

void red_surface_strip_drop(RedSurface *surf)
{
    if (surf->strip_pending) {
        surf->strip_pending = false;
        surf->strips_dropped++;
    }
}

bool red_surface_scroll(RedSurface *surf, const pixman_box32_t *band, int32_t dy, bool defer)
{
    red_surface_strip_settle(surf);
    int64_t h = surf->height;
    if (surf->shadow == NULL || dy == 0 || band->x1 != 0 || band->x2 != (int32_t)surf->width ||
        band->y1 < 0 || band->y2 <= band->y1 || band->y2 > h || band->y1 + (int64_t)dy < 0 ||
        band->y2 + (int64_t)dy > h) {
        return false;
    }
    int64_t outside = band->y1 + (h - band->y2);
    int64_t spare = (int64_t)surf->shadow_rows - h;
    if (2 * outside > band->y2 - band->y1 || (dy < 0 ? -(int64_t)dy : dy) > spare / 2) {
        return false;
    }
    size_t stride = (size_t)pixman_image_get_stride(surf->image);
    int64_t rows = surf->shadow_rows;
    int64_t top = surf->shadow_top;
    bool recentre = false;
    if (surf->shadow_ring.base != NULL) {
        /* The rows wrap: above row 0 is row rows - 1, which the second
         * mapping shows below the first.  The surface's old and new places
         * are then one range of addresses (top < |dy| <= spare / 2, so the
         * old place ends by row 2 * rows), and as they span h + |dy| <=
         * rows rows, no two of their rows are the same memory. */
        if (top + dy < 0) {
            top += rows;
        }
    } else if (top + dy < 0 || top + dy + h > rows) {
        /* Out of spare rows on this side: the surface first moves to the
         * end of them that puts them all ahead, as text scrolls on the way
         * it went (once per spare / |dy| scrolls; the middle would halve
         * that, and a scroll back the other way right after costs one more
         * move). */
        recentre = true;
        top = dy > 0 ? 0 : spare;
    }
    /* In a ring, a first row past the first mapping is the same row in it. */
    int64_t new_top = top + dy >= rows ? top + dy - rows : top + dy;
    pixman_image_t *img = pixman_image_create_bits(
        pixman_image_get_format(surf->image), (int)surf->width, (int)surf->height,
        (uint32_t *)(void *)(surf->shadow + stride * (size_t)new_top), (int)stride);
    if (img == NULL) {
        return false;
    }
    if (recentre) {
        memmove(surf->shadow + stride * (size_t)top,
                surf->shadow + stride * (size_t)surf->shadow_top, stride * (size_t)h);
    }
    /* Row r of the surface becomes row r + dy of the shadow as it is: the
     * band's rows are in place.  The rows above and below the band keep
     * their pixels, so they move by dy too.  Neither copy's destination
     * holds a row the band or the other copy still reads: the band is
     * longer than |dy| (it is at least twice the rows outside it, and they
     * include the |dy| rows its source reaches past it). */
    uint8_t *base = surf->shadow + stride * (size_t)top;
    ptrdiff_t shift = (ptrdiff_t)dy * (ptrdiff_t)stride;
    uint8_t *below_from = base + stride * (size_t)band->y2;
    /* The side the scroll leaves (below it for dy > 0) takes rows that lie
     * in the band's new place, so it can wait: a scrolling terminal's next
     * command draws the new line over exactly those rows. */
    bool defer_below = defer && dy > 0 && band->y2 < h;
    bool defer_above = defer && dy < 0 && band->y1 > 0;
    if (!defer_above) {
        memmove(base + shift, base, stride * (size_t)band->y1);
    }
    if (!defer_below) {
        memmove(below_from + shift, below_from, stride * (size_t)(h - band->y2));
    }
    pixman_image_unref(surf->image);
    surf->image = img;
    surf->shadow_top = (uint32_t)new_top;
    if (defer_below || defer_above) {
        surf->strip_pending = true;
        surf->strip_y1 = defer_below ? band->y2 : 0;
        surf->strip_y2 = defer_below ? (int32_t)h : band->y1;
        surf->strip_dy = dy;
    }
    return true;
}

void red_surface_mark_drawn(RedSurface *surf, const pixman_box32_t *box)
{
    if (surf->shadow == NULL || box->x2 <= box->x1 || box->y2 <= box->y1) {
        return;
    }
    pixman_region32_union_rect(&surf->unsynced, &surf->unsynced, box->x1, box->y1,
                               (unsigned)(box->x2 - box->x1), (unsigned)(box->y2 - box->y1));
}

void red_surface_sync(RedSurface *surf, const pixman_box32_t *area)
{
    if (surf->shadow == NULL || !pixman_region32_not_empty(&surf->unsynced)) {
        return;
    }
    pixman_region32_t now;
    pixman_region32_init(&now);
    if (area == NULL) {
        pixman_region32_copy(&now, &surf->unsynced);
    } else if (area->x2 > area->x1 && area->y2 > area->y1) {
        pixman_region32_intersect_rect(&now, &surf->unsynced, area->x1, area->y1,
                                       (unsigned)(area->x2 - area->x1),
                                       (unsigned)(area->y2 - area->y1));
    }
    int n = 0;
    const pixman_box32_t *b = pixman_region32_rectangles(&now, &n);
    for (int i = 0; i < n; i++) {
        pixman_image_composite32(PIXMAN_OP_SRC, surf->image, NULL, surf->guest_image, b[i].x1,
                                 b[i].y1, 0, 0, b[i].x1, b[i].y1, b[i].x2 - b[i].x1,
                                 b[i].y2 - b[i].y1);
    }
    pixman_region32_subtract(&surf->unsynced, &surf->unsynced, &now);
    pixman_region32_fini(&now);
}

int red_surface_snapshot(RedSurface *snap, const RedSurface *src)
{
    memset(snap, 0, sizeof(*snap));
    if (src == NULL || !src->exists) {
        return -1;
    }
    pixman_format_code_t pf = red_surface_pixman_format(src->format);
    /* Whole 32-bit words per line, as pixman wants; the size was bounded
     * by red_surface_mem_size when src was created. */
    uint64_t stride = ((uint64_t)src->width * PIXMAN_FORMAT_BPP(pf) + 31) / 32 * 4;
    uint8_t *mem = g_try_malloc(stride * src->height);
    if (mem == NULL) {
        return -1;
    }
    pixman_image_t *img = pixman_image_create_bits(pf, (int)src->width, (int)src->height,
                                                   (uint32_t *)(void *)mem, (int)stride);
    if (img == NULL) {
        g_free(mem);
        return -1;
    }
    pixman_image_composite32(PIXMAN_OP_SRC, src->image, NULL, img, 0, 0, 0, 0, 0, 0,
                             (int)src->width, (int)src->height);
    *snap = (RedSurface){ .exists = true, .width = src->width, .height = src->height,
                          .stride = (int32_t)stride, .format = src->format, .mem = mem,
                          .image = img, .owns_mem = true };
    return 0;
}

void red_surface_snapshot_free(RedSurface *snap)
{
    if (!snap->exists) {
        return;
    }
    pixman_image_unref(snap->image);
    if (snap->owns_mem) {
        g_free(snap->mem);
    }
    memset(snap, 0, sizeof(*snap));
}

void red_surface_diff_rows(const RedSurface *a, const RedSurface *b, pixman_region32_t *out)
{
    if (a->width != b->width || a->height != b->height || a->format != b->format) {
        pixman_region32_union_rect(out, out, 0, 0, b->width, b->height);
        return;
    }
    size_t line = ((size_t)b->width * PIXMAN_FORMAT_BPP(red_surface_pixman_format(b->format)) +
                   7) / 8;
    const uint8_t *pa = (const uint8_t *)pixman_image_get_data(a->image);
    const uint8_t *pb = (const uint8_t *)pixman_image_get_data(b->image);
    ptrdiff_t sa = pixman_image_get_stride(a->image), sb = pixman_image_get_stride(b->image);
    uint32_t start = 0;
    bool in_band = false;
    for (uint32_t y = 0; y <= b->height; y++) {
        bool differs = y < b->height &&
                       memcmp(pa + (ptrdiff_t)y * sa, pb + (ptrdiff_t)y * sb, line) != 0;
        if (differs && !in_band) {
            start = y;
            in_band = true;
        } else if (!differs && in_band) {
            pixman_region32_union_rect(out, out, 0, (int)start, b->width, y - start);
            in_band = false;
        }
    }
}
