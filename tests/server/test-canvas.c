/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-canvas.c: the display client model of test-canvas.h. */
#include "config.h"

#include "test-canvas.h"

#include <stdio.h>
#include <string.h>

#include <zlib.h>


#include "glz-decode.h"
#include "jpeg-decode.h"
#include "lz-decode.h"
#include "spice-messages.h"

/* Messages the model reports before it goes quiet. */
#define TEST_CANVAS_MAX_REPORTED 8
/* The largest surface the model makes. */
#define TEST_CANVAS_MAX_SIDE 4096

const char *const test_canvas_kind_names[TEST_CANVAS_KINDS] = {
    "fill", "copy-bits", "draw-copy", "from-cache", "inval", "other",
};

static void cache_value_free(gpointer p)
{
    pixman_image_unref(p);
}

void test_canvas_init(TestCanvas *cv, int fd, unsigned io_timeout_ms, uint32_t max_message)
{
    memset(cv, 0, sizeof(*cv));
    test_channel_init(&cv->ch, fd, SPICE_CHANNEL_DISPLAY, true);
    cv->io_timeout_ms = io_timeout_ms;
    cv->max_message = max_message;
    cv->cache = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, cache_value_free);
    pixman_region32_init(&cv->lossy);
    cv->glz = test_glz_window_new();
}

void test_canvas_finish(TestCanvas *cv)
{
    if (cv->img) {
        pixman_image_unref(cv->img);
        cv->img = NULL;
    }
    if (cv->cache) {
        g_hash_table_destroy(cv->cache);
        cv->cache = NULL;
        pixman_region32_fini(&cv->lossy);
    }
    test_glz_window_free(cv->glz);
    cv->glz = NULL;
}

/* box & clip, if the box lies inside the canvas. */
static bool canvas_region(TestCanvas *cv, const SpiceMsgDisplayBase *b, pixman_region32_t *r)
{
    const SpiceMsgRect *box = &b->box;
    if (cv->img == NULL || box->left < 0 || box->top < 0 || box->left >= box->right ||
        box->top >= box->bottom || box->right > pixman_image_get_width(cv->img) ||
        box->bottom > pixman_image_get_height(cv->img) || b->surface_id != 0) {
        return false;
    }
    pixman_region32_init_rect(r, box->left, box->top, (unsigned)(box->right - box->left),
                              (unsigned)(box->bottom - box->top));
    if (b->clip.type == SPICE_CLIP_TYPE_RECTS) {
        pixman_region32_t clip;
        pixman_region32_init(&clip);
        for (uint32_t i = 0; i < b->clip.rects.count; i++) {
            SpiceMsgRect c = spice_msg_rect_at(&b->clip.rects, i);
            if (c.left < c.right && c.top < c.bottom) {
                pixman_region32_union_rect(&clip, &clip, c.left, c.top,
                                           (unsigned)(c.right - c.left),
                                           (unsigned)(c.bottom - c.top));
            }
        }
        pixman_region32_intersect(r, r, &clip);
        pixman_region32_fini(&clip);
    }
    return true;
}

static bool canvas_fill(TestCanvas *cv, const SpiceMsgDrawFill *f)
{
    pixman_region32_t r;
    if (f->brush_type != SPICE_BRUSH_TYPE_SOLID || f->rop_descriptor != SPICE_ROPD_OP_PUT ||
        !canvas_region(cv, &f->base, &r)) {
        return false;
    }
    pixman_color_t c = { (uint16_t)(((f->brush_color >> 16) & 0xff) * 0x101),
                         (uint16_t)(((f->brush_color >> 8) & 0xff) * 0x101),
                         (uint16_t)((f->brush_color & 0xff) * 0x101), 0xffff };
    int n;
    pixman_box32_t *boxes = pixman_region32_rectangles(&r, &n);
    pixman_image_fill_boxes(PIXMAN_OP_SRC, cv->img, &c, n, boxes);
    pixman_region32_subtract(&cv->lossy, &cv->lossy, &r);
    pixman_region32_fini(&r);
    return true;
}

/* Copies the box-sized area at src_pos onto the box, inside the clip. */
static bool canvas_copy_bits(TestCanvas *cv, const SpiceMsgCopyBits *cb)
{
    pixman_region32_t r;
    if (!canvas_region(cv, &cb->base, &r)) {
        return false;
    }
    const SpiceMsgRect *box = &cb->base.box;
    int w = box->right - box->left, h = box->bottom - box->top;
    bool ok = cb->src_pos.x >= 0 && cb->src_pos.y >= 0 &&
              cb->src_pos.x + w <= pixman_image_get_width(cv->img) &&
              cb->src_pos.y + h <= pixman_image_get_height(cv->img);
    if (ok) {
        /* Through a copy: source and destination overlap in a scroll. */
        pixman_image_t *tmp = pixman_image_create_bits(PIXMAN_x8r8g8b8, w, h, NULL, 0);
        pixman_image_composite32(PIXMAN_OP_SRC, cv->img, NULL, tmp, cb->src_pos.x,
                                 cb->src_pos.y, 0, 0, 0, 0, w, h);
        pixman_image_set_clip_region32(cv->img, &r);
        pixman_image_composite32(PIXMAN_OP_SRC, tmp, NULL, cv->img, 0, 0, 0, 0, box->left,
                                 box->top, w, h);
        pixman_image_set_clip_region32(cv->img, NULL);
        pixman_image_unref(tmp);
        /* What was lossy in the source is lossy where it went. */
        pixman_region32_t moved;
        pixman_region32_init(&moved);
        pixman_region32_copy(&moved, &cv->lossy);
        pixman_region32_translate(&moved, box->left - cb->src_pos.x, box->top - cb->src_pos.y);
        pixman_region32_intersect(&moved, &moved, &r);
        pixman_region32_subtract(&cv->lossy, &cv->lossy, &r);
        pixman_region32_union(&cv->lossy, &cv->lossy, &moved);
        pixman_region32_fini(&moved);
    }
    pixman_region32_fini(&r);
    return ok;
}

/* A payload decoder of tests/codecs (test_jpeg_decode, test_lz_rgb_decode). */
typedef int (*CanvasDecoder)(const uint8_t *p, size_t size, uint32_t width, uint32_t height,
                             uint32_t *out);

/* The image s's payload decoded as x8r8g8b8, or NULL when the decoder
 * refuses it. */
static pixman_image_t *decode_image(const SpiceMsgImage *s, CanvasDecoder decode)
{
    pixman_image_t *img = pixman_image_create_bits(PIXMAN_x8r8g8b8, (int)s->width,
                                                   (int)s->height, NULL, 0);
    if (img && (pixman_image_get_stride(img) != (int)s->width * 4 ||
                decode(s->data.data, s->data.count, s->width, s->height,
                       pixman_image_get_data(img)) != 0)) {
        pixman_image_unref(img);
        img = NULL;
    }
    return img;
}

/* A GLZ_RGB image as x8r8g8b8, or NULL if the payload is not exact GLZ
 * for the canvas's window (which then keeps the image, as the client's). */
static pixman_image_t *decode_glz(TestCanvas *cv, const SpiceMsgImage *s)
{
    pixman_image_t *img = pixman_image_create_bits(PIXMAN_x8r8g8b8, (int)s->width,
                                                   (int)s->height, NULL, 0);
    if (img && (pixman_image_get_stride(img) != (int)s->width * 4 ||
                test_glz_decode(cv->glz, s->data.data, s->data.count, s->width, s->height,
                                pixman_image_get_data(img), NULL) != 0)) {
        pixman_image_unref(img);
        img = NULL;
    }
    cv->glz_images += img != NULL;
    return img;
}

/* A ZLIB_GLZ_RGB image: inflated to exactly glz_data_size bytes (bounded:
 * a GLZ payload is never larger than the raw pixels plus its header), then
 * decoded as GLZ_RGB. */
static pixman_image_t *decode_zlib_glz(TestCanvas *cv, const SpiceMsgImage *s)
{
    uLongf n = s->glz_data_size;
    if (n == 0 || n > (uint64_t)s->width * s->height * 4 + 4096) {
        return NULL;
    }
    uint8_t *glz = g_malloc(n);
    pixman_image_t *img = NULL;
    if (uncompress(glz, &n, s->data.data, s->data.count) == Z_OK && n == s->glz_data_size) {
        SpiceMsgImage inner = *s;
        inner.type = SPICE_IMAGE_TYPE_GLZ_RGB;
        inner.data = (SpiceWireArray){ glz, (uint32_t)n };
        img = decode_glz(cv, &inner);
        cv->zlib_glz_images += img != NULL;
    }
    g_free(glz);
    return img;
}

/* The source of a DRAW_COPY as a pixman image (a new reference): a raw
 * top-down 32-bit bitmap, cached when it says CACHE_ME, or a cached one. */
static pixman_image_t *canvas_source(TestCanvas *cv, const SpiceMsgImage *s, TestCanvasKind *kind,
                                     bool *lossy)
{
    *lossy = false;
    if (s->type == SPICE_IMAGE_TYPE_FROM_CACHE) {
        *kind = TEST_CANVAS_FROM_CACHE;
        pixman_image_t *img = g_hash_table_lookup(cv->cache, &s->id);
        return img ? pixman_image_ref(img) : NULL;
    }
    pixman_image_t *img = NULL;
    if (s->type == SPICE_IMAGE_TYPE_JPEG) {
        /* Never cached: a cached image must be exact. */
        *lossy = true;
        cv->jpeg_images++;
        return (s->flags & SPICE_IMAGE_FLAGS_CACHE_ME) ? NULL : decode_image(s, test_jpeg_decode);
    } else if (s->type == SPICE_IMAGE_TYPE_LZ_RGB) {
        img = decode_image(s, test_lz_rgb_decode);
    } else if (s->type == SPICE_IMAGE_TYPE_GLZ_RGB) {
        img = decode_glz(cv, s);
    } else if (s->type == SPICE_IMAGE_TYPE_ZLIB_GLZ_RGB) {
        img = decode_zlib_glz(cv, s);
    } else if (s->type == SPICE_IMAGE_TYPE_BITMAP &&
               s->bitmap_format == SPICE_BITMAP_FMT_32BIT &&
               (s->bitmap_flags & SPICE_BITMAP_FLAGS_TOP_DOWN)) {
        /* Our own copy: the message body goes when the message is applied. */
        img = pixman_image_create_bits(PIXMAN_x8r8g8b8, (int)s->width, (int)s->height, NULL,
                                       0);
        for (uint32_t y = 0; img && y < s->height; y++) {
            memcpy((uint8_t *)pixman_image_get_data(img) +
                       (size_t)y * (size_t)pixman_image_get_stride(img),
                   s->data.data + (size_t)y * s->bitmap_stride, (size_t)s->width * 4);
        }
    }
    if (img && (s->flags & SPICE_IMAGE_FLAGS_CACHE_ME)) {
        if (g_hash_table_contains(cv->cache, &s->id)) {
            return img; /* an id cached twice: the model counts it bad */
        }
        g_hash_table_insert(cv->cache, g_memdup2(&s->id, sizeof(s->id)), pixman_image_ref(img));
        cv->cache_pixels += (uint64_t)s->width * s->height;
        cv->cache_pixels_max = MAX(cv->cache_pixels_max, cv->cache_pixels);
        cv->cached++;
    }
    return img;
}

static bool canvas_draw_copy(TestCanvas *cv, const SpiceMsgDrawCopy *c, TestCanvasKind *kind)
{
    pixman_region32_t r;
    if (!canvas_region(cv, &c->base, &r)) {
        return false;
    }
    bool had = c->src.type != SPICE_IMAGE_TYPE_FROM_CACHE &&
               g_hash_table_contains(cv->cache, &c->src.id) &&
               (c->src.flags & SPICE_IMAGE_FLAGS_CACHE_ME);
    bool lossy;
    pixman_image_t *src = canvas_source(cv, &c->src, kind, &lossy);
    const SpiceMsgRect *box = &c->base.box, *sa = &c->src_area;
    int w = box->right - box->left, h = box->bottom - box->top;
    bool ok = src != NULL && !had && c->rop_descriptor == SPICE_ROPD_OP_PUT && sa->left >= 0 &&
              sa->top >= 0 && sa->right - sa->left == w && sa->bottom - sa->top == h &&
              sa->right <= pixman_image_get_width(src) &&
              sa->bottom <= pixman_image_get_height(src);
    if (ok) {
        pixman_image_set_clip_region32(cv->img, &r);
        pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, cv->img, sa->left, sa->top, 0, 0,
                                 box->left, box->top, w, h);
        pixman_image_set_clip_region32(cv->img, NULL);
        if (lossy) {
            pixman_region32_union(&cv->lossy, &cv->lossy, &r);
        } else {
            pixman_region32_subtract(&cv->lossy, &cv->lossy, &r);
        }
    }
    if (src) {
        pixman_image_unref(src);
    }
    pixman_region32_fini(&r);
    return ok;
}

/* INVAL_LIST: every id must be one the cache holds. */
static bool canvas_inval_list(TestCanvas *cv, const SpiceMsgDisplayInvalList *l)
{
    bool ok = true;
    for (uint32_t i = 0; i < l->count; i++) {
        uint8_t type;
        uint64_t id = spice_msg_resource_at(&l->resources, i, &type);
        pixman_image_t *img = g_hash_table_lookup(cv->cache, &id);
        if (type != SPICE_RES_TYPE_PIXMAP || img == NULL) {
            ok = false;
            continue;
        }
        cv->cache_pixels -= (uint64_t)pixman_image_get_width(img) *
                            (uint64_t)pixman_image_get_height(img);
        g_hash_table_remove(cv->cache, &id);
        cv->invalidated++;
    }
    return ok;
}

uint32_t test_canvas_pixel(pixman_image_t *img, int x, int y)
{
    const uint8_t *row = (const uint8_t *)pixman_image_get_data(img) +
                         (size_t)y * (size_t)pixman_image_get_stride(img);
    uint32_t px;
    memcpy(&px, row + (size_t)x * 4, sizeof(px));
    return px & 0xffffff;
}

void test_canvas_apply(TestCanvas *cv, int type, const uint8_t *body, uint32_t size)
{
    if (type < SPICE_MSG_BASE_LAST) {
        return; /* base-channel duties: test_channel_read did them */
    }
    SpiceMsg m;
    bool parsed = spice_msg_parse(SPICE_CHANNEL_DISPLAY, (uint16_t)type, body, size, &m) == 0;
    bool ok = parsed;
    TestCanvasKind kind = TEST_CANVAS_OTHER;
    switch (type) {
    case SPICE_MSG_DISPLAY_SURFACE_CREATE: {
        const SpiceMsgSurfaceCreate *sc = &m.u.surface_create;
        ok = parsed && cv->img == NULL && sc->width > 0 && sc->height > 0 &&
             sc->width <= TEST_CANVAS_MAX_SIDE && sc->height <= TEST_CANVAS_MAX_SIDE;
        if (ok) {
            cv->img = pixman_image_create_bits(PIXMAN_x8r8g8b8, (int)sc->width,
                                               (int)sc->height, NULL, 0);
        }
        return;
    }
    case SPICE_MSG_DISPLAY_DRAW_FILL:
        kind = TEST_CANVAS_FILL;
        ok = parsed && canvas_fill(cv, &m.u.draw_fill);
        break;
    case SPICE_MSG_DISPLAY_COPY_BITS:
        kind = TEST_CANVAS_COPY_BITS;
        ok = parsed && canvas_copy_bits(cv, &m.u.copy_bits);
        break;
    case SPICE_MSG_DISPLAY_DRAW_COPY:
        kind = TEST_CANVAS_DRAW_COPY;
        ok = parsed && canvas_draw_copy(cv, &m.u.draw_copy, &kind);
        break;
    case SPICE_MSG_DISPLAY_INVAL_LIST:
        kind = TEST_CANVAS_INVAL;
        ok = parsed && canvas_inval_list(cv, &m.u.inval_list);
        break;
    case SPICE_MSG_DISPLAY_INVAL_ALL_PIXMAPS:
        kind = TEST_CANVAS_INVAL;
        if (parsed) {
            cv->invalidated += g_hash_table_size(cv->cache);
            g_hash_table_remove_all(cv->cache);
            cv->cache_pixels = 0;
        }
        break;
    case SPICE_MSG_DISPLAY_MARK:
    case SPICE_MSG_DISPLAY_INVAL_ALL_PALETTES:
    case SPICE_MSG_DISPLAY_MONITORS_CONFIG:
        return;
    default:
        ok = false; /* any other drawing would leave the model behind */
        break;
    }
    cv->count[kind]++;
    cv->bytes += size;
    if (!ok) {
        if (cv->bad++ < TEST_CANVAS_MAX_REPORTED) {
            fprintf(stderr, "message %d (%u bytes) not applied by the model\n", type, size);
        }
        return;
    }
    if ((kind == TEST_CANVAS_DRAW_COPY || kind == TEST_CANVAS_FROM_CACHE) &&
        test_canvas_pixel(cv->img, pixman_image_get_width(cv->img) - 1,
                          pixman_image_get_height(cv->img) - 1) == (cv->tag & 0xffffff)) {
        cv->tag_seen = true;
    }
}

gpointer test_canvas_pump(gpointer data)
{
    TestCanvas *cv = data;
    cv->tag_seen = false;
    while (!cv->tag_seen) {
        uint8_t *body;
        uint32_t size;
        int type = test_channel_read(&cv->ch, &body, &size, cv->max_message, cv->io_timeout_ms);
        if (type < 0) {
            fprintf(stderr, "reader: no tag %06x: read failed or timed out\n", cv->tag);
            cv->failed = true;
            break;
        }
        test_canvas_apply(cv, type, body, size);
        g_free(body);
    }
    return NULL;
}
