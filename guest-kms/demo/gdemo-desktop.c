/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gdemo-desktop.c: the demo desktop on a GkmsDevice: mode set, the
 * framebuffer, the overlay surface and the cursor, and per-frame damage.
 *
 * The picture lives in two images we own (the framebuffer and a shadow of
 * the overlay surface), always drawn at `drawn.tick`.  What the device has
 * been sent is tracked separately (pending damage, the spinner cell the
 * surface shows, the plane and cursor positions), so a frame refused with
 * -EBUSY during a suspend is not lost: the next accepted frame sends the
 * difference from what the device last accepted. */
#include "config.h"

#include "gdemo.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

#include "gdemo-font.h"
#include "gdemo-scene.h"
#include "gkms-log.h"

#define OVERLAY_PLANE 0
/* ARGB arrow, hot spot at its tip. */
#define CURSOR_W 12
#define CURSOR_H 19

struct GdemoDesktop {
    GkmsDevice *dev;
    GkmsMode mode;
    GdemoFont *font;
    GdemoScene scene;
    GkmsDumb *fb;
    pixman_image_t *fb_img;     /* mapping of fb */
    GkmsSurface *ov;
    pixman_image_t *ov_img;     /* what the overlay surface must hold */
    pixman_image_t *cursor;
    GdemoState drawn;           /* fb_img and ov_img show this */

    /* What the device has accepted. */
    pixman_region32_t pending;  /* fb damage not sent yet */
    int ov_spin_sent;           /* -1: surface contents unknown */
    bool ov_placed, ov_commit_pending;
    int32_t ov_x_sent, ov_y_sent;
    bool cursor_placed;
    int32_t cursor_x_sent, cursor_y_sent;
    uint64_t accepted;          /* gkms calls that succeeded */
};

static const char *const cursor_shape[CURSOR_H] = {
    "X           ",
    "XX          ",
    "X.X         ",
    "X..X        ",
    "X...X       ",
    "X....X      ",
    "X.....X     ",
    "X......X    ",
    "X.......X   ",
    "X........X  ",
    "X.........X ",
    "X......XXXXX",
    "X...X..X    ",
    "X..XX..X    ",
    "X.X  X..X   ",
    "XX   X..X   ",
    "X     X..X  ",
    "      X..X  ",
    "       XX   ",
};

/* The arrow every desktop has: a table, since there is nothing to
 * rasterise at this size. */
static pixman_image_t *create_cursor(void)
{
    pixman_image_t *img = pixman_image_create_bits(PIXMAN_a8r8g8b8, CURSOR_W, CURSOR_H, NULL, 0);
    if (img == NULL) {
        return NULL;
    }
    uint32_t *px = pixman_image_get_data(img);
    int stride = pixman_image_get_stride(img) / 4;
    for (int y = 0; y < CURSOR_H; y++) {
        for (int x = 0; x < CURSOR_W; x++) {
            char c = cursor_shape[y][x];
            px[y * stride + x] = c == 'X' ? 0xff000000u : c == '.' ? 0xffffffffu : 0;
        }
    }
    return img;
}

static int16_t clamp16(int32_t v)
{
    return (int16_t)CLAMP(v, INT16_MIN, INT16_MAX);
}

/* The largest mode (by area) within want_w x want_h, else the first. */
static bool pick_mode(GkmsDevice *dev, uint32_t want_w, uint32_t want_h, GkmsMode *out)
{
    GkmsMode modes[GKMS_MAX_MODES];
    unsigned n = gkms_connector_modes(dev, modes, GKMS_MAX_MODES);
    if (n == 0) {
        return false;
    }
    *out = modes[0];
    uint64_t best = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t area = (uint64_t)modes[i].width * modes[i].height;
        if (modes[i].width <= want_w && modes[i].height <= want_h && area > best) {
            best = area;
            *out = modes[i];
        }
    }
    return true;
}

/* Counts what the device accepted (a frame refused before anything got
 * through is rolled back). */
static int accepted(GdemoDesktop *d, int ret)
{
    d->accepted += ret == 0;
    return ret;
}

/* The whole overlay surface from scratch, the way a driver would: fills
 * for the flat parts, one upload for the text. */
static int overlay_paint_device(GdemoDesktop *d)
{
    const GdemoScene *s = &d->scene;
    int ret = 0;
    for (unsigned i = 0; i < GDEMO_OVERLAY_FILLS && ret == 0; i++) {
        const GdemoFill *f = &s->ov_fills[i];
        ret = accepted(d, gkms_surface_fill(d->ov, &f->box, f->xrgb));
        if (ret == 0 && i == 2) {
            /* Text after the body fill, before the spinner row. */
            ret = accepted(d, gkms_surface_upload(d->ov, d->ov_img, &s->ov_text, s->ov_text.x1,
                                                  s->ov_text.y1));
        }
    }
    for (unsigned i = 0; i < GDEMO_SPIN_CELLS && ret == 0; i++) {
        GdemoFill c = gdemo_scene_spin_cell(s, i, d->drawn.spin);
        ret = accepted(d, gkms_surface_fill(d->ov, &c.box, c.xrgb));
    }
    return ret;
}

static int overlay_update_device(GdemoDesktop *d)
{
    unsigned spin = d->drawn.spin;
    int ret;
    if (d->ov_spin_sent < 0) {
        ret = overlay_paint_device(d);
    } else if ((unsigned)d->ov_spin_sent != spin) {
        GdemoFill off = gdemo_scene_spin_cell(&d->scene, (unsigned)d->ov_spin_sent, spin);
        GdemoFill on = gdemo_scene_spin_cell(&d->scene, spin, spin);
        ret = accepted(d, gkms_surface_fill(d->ov, &off.box, off.xrgb));
        if (ret) {
            return ret; /* nothing changed on the device */
        }
        ret = accepted(d, gkms_surface_fill(d->ov, &on.box, on.xrgb));
    } else {
        return 0;
    }
    /* Half done is unknown: repaint it all next time. */
    d->ov_spin_sent = ret ? -1 : (int)spin;
    d->ov_commit_pending |= ret == 0;
    return ret;
}

/* Sends the device what it lacks of the drawn picture: overlay contents
 * first (so the fb damage and the plane move present the new ones), then
 * fb damage, plane, cursor.  Each step records what got through, so a
 * step that fails is retried by the next frame. */
static int send_pending(GdemoDesktop *d)
{
    const GdemoState *st = &d->drawn;
    int ret = overlay_update_device(d);
    if (ret) {
        return ret;
    }
    if (pixman_region32_not_empty(&d->pending)) {
        int n;
        pixman_box32_t *rects = pixman_region32_rectangles(&d->pending, &n);
        ret = accepted(d, gkms_fb_dirty(d->dev, rects, (unsigned)n));
        if (ret) {
            return ret;
        }
        pixman_region32_clear(&d->pending);
    }
    if (!d->ov_placed || d->ov_x_sent != st->ov_x || d->ov_y_sent != st->ov_y) {
        ret = accepted(d, gkms_plane_set(d->dev, OVERLAY_PLANE, d->ov, st->ov_x, st->ov_y));
        if (ret) {
            return ret;
        }
        d->ov_placed = true;
        d->ov_x_sent = st->ov_x;
        d->ov_y_sent = st->ov_y;
        d->ov_commit_pending = false; /* a move redraws the whole plane */
    }
    if (d->ov_commit_pending) {
        ret = accepted(d, gkms_planes_commit(d->dev));
        if (ret) {
            return ret;
        }
        d->ov_commit_pending = false;
    }
    if (!d->cursor_placed || d->cursor_x_sent != st->cursor_x || d->cursor_y_sent != st->cursor_y) {
        ret = accepted(d, gkms_cursor_move(d->dev, clamp16(st->cursor_x),
                                           clamp16(st->cursor_y)));
        if (ret) {
            return ret;
        }
        d->cursor_placed = true;
        d->cursor_x_sent = st->cursor_x;
        d->cursor_y_sent = st->cursor_y;
    }
    return 0;
}

static GdemoDesktop *failed(GdemoDesktop *d, const char *step)
{
    gkms_log_warn("demo: %s failed: %s", step, gkms_last_error(d->dev));
    gdemo_free(d);
    return NULL;
}

GdemoDesktop *gdemo_new(GkmsDevice *dev, uint32_t want_w, uint32_t want_h)
{
    GdemoDesktop *d = g_new0(GdemoDesktop, 1);
    d->dev = dev;
    d->ov_spin_sent = -1;
    pixman_region32_init(&d->pending);
    if (!pick_mode(dev, want_w, want_h, &d->mode)) {
        return failed(d, "mode choice (no mode on the connector)");
    }
    d->font = gdemo_font_create(NULL);
    if (gdemo_scene_init(&d->scene, (int32_t)d->mode.width, (int32_t)d->mode.height,
                         d->font) != 0) {
        return failed(d, "scene (out of memory)");
    }
    gdemo_scene_state(&d->scene, 0, &d->drawn);
    d->fb = gkms_dumb_create(dev, d->mode.width, d->mode.height);
    if (d->fb == NULL) {
        return failed(d, "framebuffer");
    }
    d->fb_img = gkms_dumb_map(d->fb);
    gdemo_scene_draw_fb(&d->scene, d->fb_img, &d->drawn, NULL);
    if (gkms_crtc_set(dev, d->fb, &d->mode) != 0) {
        return failed(d, "mode set");
    }
    d->ov = gkms_surface_create(dev, (uint32_t)d->scene.ov_w, (uint32_t)d->scene.ov_h);
    d->ov_img = pixman_image_create_bits(PIXMAN_x8r8g8b8, d->scene.ov_w, d->scene.ov_h, NULL, 0);
    if (d->ov == NULL || d->ov_img == NULL) {
        return failed(d, "overlay surface");
    }
    gdemo_scene_draw_overlay(&d->scene, d->ov_img, d->drawn.spin);
    d->cursor = create_cursor();
    if (d->cursor == NULL || gkms_cursor_set(dev, d->cursor, 0, 0) != 0) {
        return failed(d, "cursor");
    }
    if (send_pending(d) != 0) {
        return failed(d, "first frame");
    }
    return d;
}

/* Draws the framebuffer and the overlay's shadow at `to`, adding the
 * framebuffer damage to pending. */
static void draw_to(GdemoDesktop *d, const GdemoState *to)
{
    pixman_region32_t damage;
    pixman_region32_init(&damage);
    gdemo_scene_fb_damage(&d->scene, &d->drawn, to, &damage);
    gdemo_scene_draw_fb(&d->scene, d->fb_img, to, &damage);
    pixman_region32_union(&d->pending, &d->pending, &damage);
    pixman_region32_fini(&damage);
    if (to->spin != d->drawn.spin) {
        /* Only the two cells change; the device gets the same fills. */
        GdemoFill off = gdemo_scene_spin_cell(&d->scene, d->drawn.spin, to->spin);
        GdemoFill on = gdemo_scene_spin_cell(&d->scene, to->spin, to->spin);
        gdemo_scene_fill(d->ov_img, &off);
        gdemo_scene_fill(d->ov_img, &on);
    }
    d->drawn = *to;
}

int gdemo_frame(GdemoDesktop *d, uint64_t tick)
{
    if (tick == d->drawn.tick) {
        return send_pending(d);
    }
    GdemoState prev = d->drawn, next;
    gdemo_scene_state(&d->scene, tick, &next);
    draw_to(d, &next);
    uint64_t before = d->accepted;
    int ret = send_pending(d);
    if (ret == -EBUSY && d->accepted == before) {
        /* Suspended: go back to the frame the device holds, so that the
         * resume's full redraw shows the screen as it was before the
         * suspend (what the S3 tests compare), not half of a later one.
         * The extra pending damage only resends equal pixels. */
        draw_to(d, &prev);
    }
    return ret;
}

pixman_image_t *gdemo_expected(GdemoDesktop *d, uint64_t tick)
{
    const GdemoScene *s = &d->scene;
    GdemoState st;
    gdemo_scene_state(s, tick, &st);
    pixman_image_t *img = pixman_image_create_bits(PIXMAN_x8r8g8b8, s->w, s->h, NULL, 0);
    pixman_image_t *ov = pixman_image_create_bits(PIXMAN_x8r8g8b8, s->ov_w, s->ov_h, NULL, 0);
    if (img && ov) {
        gdemo_scene_draw_fb(s, img, &st, NULL);
        gdemo_scene_draw_overlay(s, ov, st.spin);
        pixman_image_composite32(PIXMAN_OP_SRC, ov, NULL, img, 0, 0, 0, 0, st.ov_x, st.ov_y,
                                 s->ov_w, s->ov_h);
    } else if (img) {
        pixman_image_unref(img);
        img = NULL;
    }
    if (ov) {
        pixman_image_unref(ov);
    }
    return img;
}

void gdemo_cursor_position(GdemoDesktop *d, uint64_t tick, int32_t *x, int32_t *y)
{
    GdemoState st;
    gdemo_scene_state(&d->scene, tick, &st);
    *x = st.cursor_x;
    *y = st.cursor_y;
}

unsigned gdemo_moving_boxes(GdemoDesktop *d, uint64_t tick, pixman_box32_t *boxes, unsigned max)
{
    GdemoState st;
    gdemo_scene_state(&d->scene, tick, &st);
    return gdemo_scene_moving_boxes(&d->scene, &st, boxes, max);
}

void gdemo_get_mode(GdemoDesktop *d, GkmsMode *out)
{
    *out = d->mode;
}

void gdemo_free(GdemoDesktop *d)
{
    if (d == NULL) {
        return;
    }
    gkms_surface_destroy(d->ov);
    gkms_dumb_destroy(d->fb);
    if (d->ov_img) {
        pixman_image_unref(d->ov_img);
    }
    if (d->cursor) {
        pixman_image_unref(d->cursor);
    }
    gdemo_scene_finish(&d->scene);
    gdemo_font_destroy(d->font);
    pixman_region32_fini(&d->pending);
    g_free(d);
}
