/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gqxl-cmd.c: QXL commands in device memory, and their release. */
#include "config.h"

#include "gqxl-cmd.h"

#include <string.h>

#include <spice/enums.h>

#include "gkms-log.h"

/* Enough for any command struct; Linux uses 256-byte slots too. */
#define GQXL_CMD_SLOT 256

void gqxl_releases_init(GqxlReleases *r)
{
    r->owned = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                     (GDestroyNotify)g_array_unref);
    r->submitted = r->released = 0;
}

static void free_command(GqxlHw *hw, GArray *extra, uint64_t id)
{
    for (guint i = 0; i < extra->len; i++) {
        gqxl_heap_free(&hw->cmd_heap, g_array_index(extra, uint64_t, i));
    }
    gqxl_heap_free(&hw->cmd_heap, id);
}

void gqxl_releases_finish(GqxlReleases *r, GqxlHw *hw)
{
    if (r->owned == NULL) {
        return;
    }
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, r->owned);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        free_command(hw, v, (uint64_t)*(gint64 *)k);
    }
    g_hash_table_destroy(r->owned);
    r->owned = NULL;
}

unsigned gqxl_releases_reclaim_after_reset(GqxlReleases *r, GqxlHw *hw)
{
    unsigned n = gqxl_releases_outstanding(r);
    gqxl_releases_finish(r, hw);
    uint64_t submitted = r->submitted, released = r->released;
    gqxl_releases_init(r);
    r->submitted = submitted;
    r->released = released + n;
    return n;
}

unsigned gqxl_releases_outstanding(const GqxlReleases *r)
{
    return g_hash_table_size(r->owned);
}

int gqxl_releases_collect(GqxlReleases *r, GqxlHw *hw)
{
    int freed = 0;
    uint64_t id;
    while (gqxl_hw_release_pop(hw, &id)) {
        /* A chain never holds more than what is outstanding: a longer one
         * would be a loop. */
        for (unsigned n = gqxl_releases_outstanding(r) + 1; id != 0 && n > 0; n--) {
            gint64 key = (gint64)id;
            GArray *extra = g_hash_table_lookup(r->owned, &key);
            if (extra == NULL) {
                gkms_log_warn("qxl: device released unknown id 0x%" G_GINT64_MODIFIER "x",
                              (guint64)id);
                return -1;
            }
            const QXLReleaseInfo *info = gqxl_hw_cmd_ptr(hw, id);
            uint64_t next = __atomic_load_n(&info->next, __ATOMIC_ACQUIRE);
            free_command(hw, extra, id);
            g_hash_table_remove(r->owned, &key);
            r->released++;
            freed++;
            id = next;
        }
    }
    return freed;
}

/* Allocates device memory, collecting releases (and asking the device for
 * them, as Linux's OOM path does) when the heap is full. */
static uint64_t alloc_mem(GqxlHw *hw, GqxlReleases *r, uint64_t size)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        uint64_t off = gqxl_heap_alloc(&hw->cmd_heap, size, 64);
        if (off != UINT64_MAX) {
            return off;
        }
        if (gqxl_releases_collect(r, hw) <= 0) {
            gqxl_hw_out(hw, QXL_IO_NOTIFY_OOM, 0);
            gqxl_hw_wait(hw, QXL_INTERRUPT_DISPLAY, g_get_monotonic_time() + 10000);
        }
    }
    gkms_log_warn("qxl: out of device memory for %" G_GUINT64_FORMAT " bytes", (guint64)size);
    return UINT64_MAX;
}

/* A new command slot, zeroed, its release id set; extra allocations are
 * added to *extra. */
static void *new_command(GqxlHw *hw, GqxlReleases *r, uint64_t *id, GArray **extra)
{
    uint64_t off = alloc_mem(hw, r, GQXL_CMD_SLOT);
    if (off == UINT64_MAX) {
        return NULL;
    }
    uint8_t *p = gqxl_hw_cmd_ptr(hw, off);
    memset(p, 0, GQXL_CMD_SLOT);
    ((QXLReleaseInfo *)(void *)p)->id = off;
    *id = off;
    *extra = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    return p;
}

static int submit(GqxlHw *hw, GqxlReleases *r, uint64_t id, GArray *extra, GqxlRingId ring,
                  uint32_t type)
{
    gint64 *key = g_new(gint64, 1);
    *key = (gint64)id;
    g_hash_table_insert(r->owned, key, extra);
    r->submitted++;
    return gqxl_hw_push(hw, ring, gqxl_hw_cmd_phys(hw, id), type);
}

static void drop(GqxlHw *hw, uint64_t id, GArray *extra)
{
    free_command(hw, extra, id);
    g_array_unref(extra);
}

static void init_drawable(QXLDrawable *d, uint32_t surface_id, uint8_t type, const QXLRect *bbox)
{
    d->surface_id = surface_id;
    d->effect = QXL_EFFECT_OPAQUE;
    d->type = type;
    d->bbox = *bbox;
    d->clip.type = SPICE_CLIP_TYPE_NONE;
    d->surfaces_dest[0] = d->surfaces_dest[1] = d->surfaces_dest[2] = -1;
}

int gqxl_cmd_fill(GqxlHw *hw, GqxlReleases *r, uint32_t surface_id, const QXLRect *box,
                  uint32_t color)
{
    uint64_t id;
    GArray *extra;
    QXLDrawable *d = new_command(hw, r, &id, &extra);
    if (d == NULL) {
        return -1;
    }
    init_drawable(d, surface_id, QXL_DRAW_FILL, box);
    d->u.fill.brush.type = SPICE_BRUSH_TYPE_SOLID;
    d->u.fill.brush.u.color = color;
    d->u.fill.rop_descriptor = SPICE_ROPD_OP_PUT;
    return submit(hw, r, id, extra, GQXL_RING_CMD, QXL_CMD_DRAW);
}

int gqxl_cmd_blit(GqxlHw *hw, GqxlReleases *r, uint32_t surface_id, pixman_image_t *src,
                  const QXLRect *sb, int32_t x, int32_t y)
{
    uint32_t w = (uint32_t)(sb->right - sb->left), h = (uint32_t)(sb->bottom - sb->top);
    uint32_t stride = w * 4;
    uint64_t id;
    GArray *extra;
    QXLDrawable *d = new_command(hw, r, &id, &extra);
    if (d == NULL) {
        return -1;
    }
    /* Image header and one chunk holding every line. */
    uint64_t img_off = alloc_mem(hw, r, sizeof(QXLImage));
    uint64_t chunk_off = img_off == UINT64_MAX ? UINT64_MAX
                                               : alloc_mem(hw, r, sizeof(QXLDataChunk) + (uint64_t)stride * h);
    if (img_off != UINT64_MAX) {
        g_array_append_val(extra, img_off);
    }
    if (chunk_off == UINT64_MAX) {
        drop(hw, id, extra);
        return -1;
    }
    g_array_append_val(extra, chunk_off);
    QXLDataChunk *chunk = gqxl_hw_cmd_ptr(hw, chunk_off);
    chunk->data_size = stride * h;
    chunk->prev_chunk = chunk->next_chunk = 0;
    pixman_image_t *dst = pixman_image_create_bits(PIXMAN_x8r8g8b8, (int)w, (int)h,
                                                   (uint32_t *)(void *)((uint8_t *)chunk + sizeof(QXLDataChunk)),
                                                   (int)stride);
    pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, dst, sb->left, sb->top, 0, 0, 0, 0, (int)w,
                             (int)h);
    pixman_image_unref(dst);
    QXLImage *img = gqxl_hw_cmd_ptr(hw, img_off);
    memset(img, 0, sizeof(*img));
    img->descriptor.type = SPICE_IMAGE_TYPE_BITMAP;
    img->descriptor.width = w;
    img->descriptor.height = h;
    img->bitmap.format = SPICE_BITMAP_FMT_32BIT;
    img->bitmap.flags = QXL_BITMAP_TOP_DOWN;
    img->bitmap.x = w;
    img->bitmap.y = h;
    img->bitmap.stride = stride;
    img->bitmap.data = gqxl_hw_cmd_phys(hw, chunk_off);
    QXLRect bbox = { .top = y, .left = x, .bottom = y + (int32_t)h, .right = x + (int32_t)w };
    init_drawable(d, surface_id, QXL_DRAW_COPY, &bbox);
    d->u.copy.src_bitmap = gqxl_hw_cmd_phys(hw, img_off);
    d->u.copy.src_area = (QXLRect){ .top = 0, .left = 0, .bottom = (int32_t)h, .right = (int32_t)w };
    d->u.copy.rop_descriptor = SPICE_ROPD_OP_PUT;
    return submit(hw, r, id, extra, GQXL_RING_CMD, QXL_CMD_DRAW);
}

int gqxl_cmd_copy_surface(GqxlHw *hw, GqxlReleases *r, uint32_t dst_id, uint32_t src_id,
                          const QXLRect *sb, int32_t x, int32_t y)
{
    uint64_t id;
    GArray *extra;
    QXLDrawable *d = new_command(hw, r, &id, &extra);
    if (d == NULL) {
        return -1;
    }
    uint64_t img_off = alloc_mem(hw, r, sizeof(QXLImageDescriptor) + sizeof(QXLSurfaceId));
    if (img_off == UINT64_MAX) {
        drop(hw, id, extra);
        return -1;
    }
    g_array_append_val(extra, img_off);
    QXLImage *img = gqxl_hw_cmd_ptr(hw, img_off);
    memset(img, 0, sizeof(QXLImageDescriptor) + sizeof(QXLSurfaceId));
    img->descriptor.type = SPICE_IMAGE_TYPE_SURFACE;
    img->surface_image.surface_id = src_id;
    QXLRect bbox = { .top = y, .left = x, .bottom = y + (sb->bottom - sb->top),
                     .right = x + (sb->right - sb->left) };
    init_drawable(d, dst_id, QXL_DRAW_COPY, &bbox);
    d->u.copy.src_bitmap = gqxl_hw_cmd_phys(hw, img_off);
    d->u.copy.src_area = *sb;
    d->u.copy.rop_descriptor = SPICE_ROPD_OP_PUT;
    /* The server renders in order; this tells it the dependency too. */
    d->surfaces_dest[0] = (int32_t)src_id;
    d->surfaces_rects[0] = *sb;
    return submit(hw, r, id, extra, GQXL_RING_CMD, QXL_CMD_DRAW);
}

int gqxl_cmd_surface_create(GqxlHw *hw, GqxlReleases *r, uint32_t surface_id, uint32_t width,
                            uint32_t height, uint64_t vram_offset, bool keep_data)
{
    uint64_t id;
    GArray *extra;
    QXLSurfaceCmd *c = new_command(hw, r, &id, &extra);
    if (c == NULL) {
        return -1;
    }
    c->surface_id = surface_id;
    c->type = QXL_SURFACE_CMD_CREATE;
    c->flags = keep_data ? QXL_SURF_FLAG_KEEP_DATA : 0;
    c->u.surface_create.format = SPICE_SURFACE_FMT_32_xRGB;
    c->u.surface_create.width = width;
    c->u.surface_create.height = height;
    c->u.surface_create.stride = (int32_t)(width * 4);
    c->u.surface_create.data = gqxl_hw_phys(hw, GQXL_SURF_SLOT, vram_offset);
    return submit(hw, r, id, extra, GQXL_RING_CMD, QXL_CMD_SURFACE);
}

int gqxl_cmd_surface_destroy(GqxlHw *hw, GqxlReleases *r, uint32_t surface_id)
{
    uint64_t id;
    GArray *extra;
    QXLSurfaceCmd *c = new_command(hw, r, &id, &extra);
    if (c == NULL) {
        return -1;
    }
    c->surface_id = surface_id;
    c->type = QXL_SURFACE_CMD_DESTROY;
    return submit(hw, r, id, extra, GQXL_RING_CMD, QXL_CMD_SURFACE);
}

int gqxl_cmd_cursor_set(GqxlHw *hw, GqxlReleases *r, pixman_image_t *argb, uint16_t hot_x,
                        uint16_t hot_y, int16_t x, int16_t y)
{
    uint32_t w = (uint32_t)pixman_image_get_width(argb), h = (uint32_t)pixman_image_get_height(argb);
    uint32_t size = w * h * 4;
    uint64_t id;
    GArray *extra;
    QXLCursorCmd *c = new_command(hw, r, &id, &extra);
    if (c == NULL) {
        return -1;
    }
    uint64_t shape_off = alloc_mem(hw, r, sizeof(QXLCursor) + size);
    if (shape_off == UINT64_MAX) {
        drop(hw, id, extra);
        return -1;
    }
    g_array_append_val(extra, shape_off);
    QXLCursor *cur = gqxl_hw_cmd_ptr(hw, shape_off);
    memset(cur, 0, sizeof(*cur));
    cur->header.unique = 0;
    cur->header.type = SPICE_CURSOR_TYPE_ALPHA;
    cur->header.width = (uint16_t)w;
    cur->header.height = (uint16_t)h;
    cur->header.hot_spot_x = hot_x;
    cur->header.hot_spot_y = hot_y;
    cur->data_size = size;
    cur->chunk.data_size = size;
    /* The shape bytes sit at an offset pixman cannot address as words:
     * convert into a temporary image and copy. */
    pixman_image_t *dst = pixman_image_create_bits(PIXMAN_a8r8g8b8, (int)w, (int)h, NULL, 0);
    pixman_image_composite32(PIXMAN_OP_SRC, argb, NULL, dst, 0, 0, 0, 0, 0, 0, (int)w, (int)h);
    for (uint32_t row = 0; row < h; row++) {
        memcpy((uint8_t *)cur + sizeof(QXLCursor) + (size_t)row * w * 4,
               (uint8_t *)pixman_image_get_data(dst) + (size_t)row * (size_t)pixman_image_get_stride(dst),
               (size_t)w * 4);
    }
    pixman_image_unref(dst);
    c->type = QXL_CURSOR_SET;
    c->u.set.position = (QXLPoint16){ x, y };
    c->u.set.visible = 1;
    c->u.set.shape = gqxl_hw_cmd_phys(hw, shape_off);
    return submit(hw, r, id, extra, GQXL_RING_CURSOR, QXL_CMD_CURSOR);
}

int gqxl_cmd_cursor_move(GqxlHw *hw, GqxlReleases *r, int16_t x, int16_t y)
{
    uint64_t id;
    GArray *extra;
    QXLCursorCmd *c = new_command(hw, r, &id, &extra);
    if (c == NULL) {
        return -1;
    }
    c->type = QXL_CURSOR_MOVE;
    c->u.position = (QXLPoint16){ x, y };
    return submit(hw, r, id, extra, GQXL_RING_CURSOR, QXL_CMD_CURSOR);
}

int gqxl_cmd_cursor_hide(GqxlHw *hw, GqxlReleases *r)
{
    uint64_t id;
    GArray *extra;
    QXLCursorCmd *c = new_command(hw, r, &id, &extra);
    if (c == NULL) {
        return -1;
    }
    c->type = QXL_CURSOR_HIDE;
    return submit(hw, r, id, extra, GQXL_RING_CURSOR, QXL_CMD_CURSOR);
}
