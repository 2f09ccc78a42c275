/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gkms-device.c: the KMS layer: framebuffers, surfaces, damage, the
 * commit of a staged state (gkms-state.c) and the commit gate around
 * suspend/resume, which replays the committed state. */
#include "config.h"

#include "gkms-private.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

#include "gkms-log.h"

GkmsDevice *gkms_device_new(const GkmsBackendOps *ops, void *be)
{
    GkmsDevice *dev = g_new0(GkmsDevice, 1);
    dev->ops = ops;
    dev->be = be;
    dev->committed.dev = dev;
    return dev;
}

GkmsDevice *gkms_open_qxl(const Gbus *bus, unsigned index)
{
    const GkmsBackendOps *ops;
    void *be = gqxl_kms_open(bus, index, &ops);
    return be ? gkms_device_new(ops, be) : NULL;
}

void gkms_close(GkmsDevice *dev)
{
    if (dev == NULL) {
        return;
    }
    gkms_state_clear(&dev->committed);
    dev->ops->destroy(dev->be);
    g_free(dev);
}

unsigned gkms_connector_modes(GkmsDevice *dev, GkmsMode *modes, unsigned max)
{
    return dev->ops->get_modes(dev->be, modes, max);
}

GkmsDumb *gkms_dumb_create(GkmsDevice *dev, uint32_t width, uint32_t height)
{
    if (width == 0 || height == 0 || width > 8192 || height > 8192) {
        return NULL;
    }
    GkmsDumb *d = g_new0(GkmsDumb, 1);
    d->dev = dev;
    d->image = pixman_image_create_bits(PIXMAN_x8r8g8b8, (int)width, (int)height, NULL, 0);
    if (d->image == NULL) {
        g_free(d);
        return NULL;
    }
    return d;
}

pixman_image_t *gkms_dumb_map(GkmsDumb *dumb)
{
    return dumb->image;
}

void gkms_dumb_destroy(GkmsDumb *dumb)
{
    if (dumb == NULL) {
        return;
    }
    if (dumb->dev->committed.fb == dumb) {
        gkms_log_warn("kms: destroying the scanned-out framebuffer");
        dumb->dev->committed.fb = NULL;
    }
    pixman_image_unref(dumb->image);
    g_free(dumb);
}

/* Blits the framebuffer's damage, then the overlays intersecting it, as
 * the committed state has them. */
static int redraw(GkmsDevice *dev, const pixman_box32_t *rects, unsigned n)
{
    const GkmsState *cs = &dev->committed;
    if (!cs->crtc_on || cs->fb == NULL || !dev->scanout_live) {
        return 0;
    }
    pixman_region32_t damage;
    pixman_region32_init_rects(&damage, rects, (int)n);
    pixman_region32_intersect_rect(&damage, &damage, 0, 0, cs->mode.width, cs->mode.height);
    int nb;
    pixman_box32_t *boxes = pixman_region32_rectangles(&damage, &nb);
    int ret = 0;
    for (int i = 0; i < nb && ret == 0; i++) {
        ret = dev->ops->scanout_blit(dev->be, cs->fb->image, &boxes[i]);
    }
    for (unsigned p = 0; p < GKMS_MAX_OVERLAYS && ret == 0; p++) {
        const GkmsPlane *pl = &cs->planes[p];
        if (pl->surface == NULL) {
            continue;
        }
        pixman_region32_t ov;
        pixman_region32_init_rect(&ov, pl->x, pl->y, pl->surface->width, pl->surface->height);
        pixman_region32_intersect(&ov, &ov, &damage);
        pixman_box32_t *ob = pixman_region32_rectangles(&ov, &nb);
        for (int i = 0; i < nb && ret == 0; i++) {
            pixman_box32_t src = { ob[i].x1 - pl->x, ob[i].y1 - pl->y, ob[i].x2 - pl->x,
                                   ob[i].y2 - pl->y };
            ret = dev->ops->surface_present(dev->be, pl->surface->id, &src, ob[i].x1, ob[i].y1);
        }
        pixman_region32_fini(&ov);
    }
    pixman_region32_fini(&damage);
    return ret ? gkms_fail(dev, EIO, "device refused a draw") : 0;
}

static int full_redraw(GkmsDevice *dev)
{
    pixman_box32_t all = { 0, 0, (int32_t)dev->committed.mode.width,
                           (int32_t)dev->committed.mode.height };
    return redraw(dev, &all, 1);
}

static bool plane_equal(const GkmsPlane *a, const GkmsPlane *b)
{
    return a->surface == b->surface && a->x == b->x && a->y == b->y;
}

static void plane_box(const GkmsPlane *pl, pixman_box32_t *r, unsigned *n)
{
    if (pl->surface) {
        r[(*n)++] = (pixman_box32_t){ pl->x, pl->y, pl->x + (int32_t)pl->surface->width,
                                      pl->y + (int32_t)pl->surface->height };
    }
}

/* The device side of a commit: the scanout for a mode set, the damage the
 * change makes, the cursor.  The committed state is the new one from the
 * moment the scanout matches it, so a device that fails half-way leaves
 * the books saying what it shows. */
int gkms_state_commit(GkmsDevice *dev, const GkmsState *next)
{
    int ret = gkms_state_check(dev, next);
    if (ret) {
        return ret;
    }
    GkmsState old;
    gkms_state_copy(&old, &dev->committed);
    bool full = false;
    if (next->crtc_on && (next->modeset || !dev->scanout_live)) {
        if (dev->scanout_live && dev->ops->scanout_destroy(dev->be) != 0) {
            gkms_state_clear(&old);
            return gkms_fail(dev, EIO, "cannot destroy the old scanout");
        }
        dev->scanout_live = false;
        if (dev->ops->scanout_create(dev->be, next->mode.width, next->mode.height, false) != 0) {
            dev->committed.crtc_on = false;
            gkms_state_clear(&old);
            return gkms_fail(dev, EIO, "cannot create the scanout");
        }
        dev->scanout_live = true;
        full = true;
    }
    gkms_state_clear(&dev->committed);
    gkms_state_copy(&dev->committed, next);
    dev->committed.modeset = false;
    dev->committed.cursor_update = false;
    dev->committed.invalid = NULL;
    full |= next->fb != old.fb;

    if (full) {
        ret = full_redraw(dev);
    } else {
        pixman_box32_t r[2 * GKMS_MAX_OVERLAYS];
        unsigned n = 0;
        for (unsigned p = 0; p < GKMS_MAX_OVERLAYS; p++) {
            if (!plane_equal(&old.planes[p], &next->planes[p])) {
                /* What the plane covered before and covers now both change. */
                plane_box(&old.planes[p], r, &n);
                plane_box(&next->planes[p], r, &n);
            }
        }
        ret = n ? redraw(dev, r, n) : 0;
    }
    if (ret == 0 && next->cursor && next->cursor_update) {
        ret = dev->ops->cursor_set(dev->be, next->cursor, next->cursor_hot_x, next->cursor_hot_y,
                                   next->cursor_x, next->cursor_y) ? gkms_fail(dev, EIO, "cursor")
                                                                   : 0;
    } else if (ret == 0 && (next->cursor_x != old.cursor_x || next->cursor_y != old.cursor_y)) {
        ret = dev->ops->cursor_move(dev->be, next->cursor_x, next->cursor_y)
                  ? gkms_fail(dev, EIO, "cursor") : 0;
    }
    gkms_state_clear(&old);
    return ret;
}

/* The single-call forms: a state staged and committed at once. */
typedef void (*StageFn)(GkmsState *st, const void *arg);

static int commit_one(GkmsDevice *dev, StageFn stage, const void *arg)
{
    GkmsState *st = gkms_state_new(dev);
    stage(st, arg);
    int ret = gkms_state_commit(dev, st);
    gkms_state_free(st);
    return ret;
}

typedef struct CrtcArg { GkmsDumb *fb; const GkmsMode *mode; } CrtcArg;
static void stage_crtc(GkmsState *st, const void *arg)
{
    const CrtcArg *a = arg;
    gkms_state_set_crtc(st, a->fb, a->mode);
}

int gkms_crtc_set(GkmsDevice *dev, GkmsDumb *fb, const GkmsMode *mode)
{
    CrtcArg a = { fb, mode };
    return commit_one(dev, stage_crtc, &a);
}

static void stage_fb(GkmsState *st, const void *arg)
{
    gkms_state_set_fb(st, (GkmsDumb *)arg);
}

int gkms_page_flip(GkmsDevice *dev, GkmsDumb *fb)
{
    if (!dev->committed.crtc_on && !dev->suspended) {
        return gkms_fail(dev, EINVAL, "no mode set");
    }
    return commit_one(dev, stage_fb, fb);
}

typedef struct PlaneArg { unsigned index; GkmsSurface *s; int32_t x, y; } PlaneArg;
static void stage_plane(GkmsState *st, const void *arg)
{
    const PlaneArg *a = arg;
    gkms_state_set_plane(st, a->index, a->s, a->x, a->y);
}

int gkms_plane_set(GkmsDevice *dev, unsigned index, GkmsSurface *s, int32_t x, int32_t y)
{
    PlaneArg a = { index, s, x, y };
    return commit_one(dev, stage_plane, &a);
}

typedef struct CursorArg { pixman_image_t *argb; uint16_t hot_x, hot_y; } CursorArg;
static void stage_cursor(GkmsState *st, const void *arg)
{
    const CursorArg *a = arg;
    gkms_state_set_cursor(st, a->argb, a->hot_x, a->hot_y);
}

int gkms_cursor_set(GkmsDevice *dev, pixman_image_t *argb, uint16_t hot_x, uint16_t hot_y)
{
    CursorArg a = { argb, hot_x, hot_y };
    return commit_one(dev, stage_cursor, &a);
}

typedef struct MoveArg { int16_t x, y; } MoveArg;
static void stage_move(GkmsState *st, const void *arg)
{
    const MoveArg *a = arg;
    gkms_state_move_cursor(st, a->x, a->y);
}

int gkms_cursor_move(GkmsDevice *dev, int16_t x, int16_t y)
{
    MoveArg a = { x, y };
    return commit_one(dev, stage_move, &a);
}

int gkms_fb_dirty(GkmsDevice *dev, const pixman_box32_t *rects, unsigned n)
{
    if (dev->suspended) {
        return gkms_fail(dev, EBUSY, "suspended");
    }
    if (!dev->committed.crtc_on || dev->committed.fb == NULL) {
        return gkms_fail(dev, EINVAL, "no framebuffer scanned out");
    }
    return redraw(dev, rects, n);
}

GkmsSurface *gkms_surface_create(GkmsDevice *dev, uint32_t width, uint32_t height)
{
    if (dev->suspended) {
        gkms_fail(dev, EBUSY, "suspended");
        return NULL;
    }
    for (uint32_t id = 1; id <= GKMS_MAX_SURFACES; id++) {
        if (dev->surfaces[id] == NULL) {
            if (dev->ops->surface_create(dev->be, id, width, height) != 0) {
                gkms_fail(dev, ENOMEM, "device cannot create the surface");
                return NULL;
            }
            GkmsSurface *s = g_new0(GkmsSurface, 1);
            *s = (GkmsSurface){ dev, id, width, height };
            dev->surfaces[id] = s;
            return s;
        }
    }
    gkms_fail(dev, ENOSPC, "no free surface id");
    return NULL;
}

void gkms_surface_destroy(GkmsSurface *s)
{
    if (s == NULL) {
        return;
    }
    GkmsDevice *dev = s->dev;
    for (unsigned p = 0; p < GKMS_MAX_OVERLAYS; p++) {
        if (dev->committed.planes[p].surface == s) {
            dev->committed.planes[p].surface = NULL;
        }
    }
    dev->ops->surface_destroy(dev->be, s->id);
    dev->surfaces[s->id] = NULL;
    g_free(s);
}

int gkms_surface_fill(GkmsSurface *s, const pixman_box32_t *box, uint32_t xrgb)
{
    if (s->dev->suspended) {
        return gkms_fail(s->dev, EBUSY, "suspended");
    }
    return s->dev->ops->surface_fill(s->dev->be, s->id, box, xrgb) ? gkms_fail(s->dev, EIO, "fill")
                                                                   : 0;
}

int gkms_surface_upload(GkmsSurface *s, pixman_image_t *src, const pixman_box32_t *box,
                        int32_t x, int32_t y)
{
    if (s->dev->suspended) {
        return gkms_fail(s->dev, EBUSY, "suspended");
    }
    return s->dev->ops->surface_upload(s->dev->be, s->id, src, box, x, y)
               ? gkms_fail(s->dev, EIO, "upload") : 0;
}

int gkms_planes_commit(GkmsDevice *dev)
{
    if (dev->suspended) {
        return gkms_fail(dev, EBUSY, "suspended");
    }
    pixman_box32_t r[GKMS_MAX_OVERLAYS];
    unsigned n = 0;
    for (unsigned p = 0; p < GKMS_MAX_OVERLAYS; p++) {
        plane_box(&dev->committed.planes[p], r, &n);
    }
    return n ? redraw(dev, r, n) : 0;
}

int gkms_suspend(GkmsDevice *dev)
{
    if (dev->suspended) {
        return gkms_fail(dev, EBUSY, "already suspended");
    }
    /* Step 0: no commit gets through from here on. */
    dev->suspended = true;
    if (dev->ops->suspend(dev->be, dev->faults, dev->error, sizeof(dev->error)) != 0) {
        gkms_log_warn("kms: suspend failed: %s", dev->error);
        return -EIO;
    }
    dev->suspends++;
    return 0;
}

/* After the backend's resume re-created the scanout and the surfaces:
 * the committed state again, cursor and every pixel. */
static int replay_committed(GkmsDevice *dev)
{
    const GkmsState *cs = &dev->committed;
    int ret = 0;
    if (cs->cursor) {
        ret = dev->ops->cursor_set(dev->be, cs->cursor, cs->cursor_hot_x, cs->cursor_hot_y,
                                   cs->cursor_x, cs->cursor_y);
    }
    /* The primary kept its pixels (KEEP_DATA); redraw anyway, as a driver
     * must: the device may have lost what was not flushed. */
    if (ret == 0) {
        ret = full_redraw(dev);
    }
    return ret ? gkms_fail(dev, EIO, "redraw after resume failed") : 0;
}

int gkms_resume(GkmsDevice *dev)
{
    if (!dev->suspended) {
        return gkms_fail(dev, EINVAL, "not suspended");
    }
    if (dev->ops->resume(dev->be, dev->error, sizeof(dev->error)) != 0) {
        gkms_log_warn("kms: resume failed: %s", dev->error);
        return -EIO;
    }
    dev->suspended = false;
    dev->resumes++;
    return replay_committed(dev);
}

int gkms_flush(GkmsDevice *dev)
{
    if (dev->suspended) {
        return gkms_fail(dev, EBUSY, "suspended");
    }
    if (dev->ops->flush == NULL) {
        return gkms_fail(dev, ENOTSUP, "the backend cannot flush");
    }
    return dev->ops->flush(dev->be) ? gkms_fail(dev, EIO, "flush: no completion") : 0;
}

const void *gkms_scanout_pixels(GkmsDevice *dev, uint32_t *stride)
{
    if (!dev->committed.crtc_on || !dev->scanout_live || dev->suspended ||
        dev->ops->scanout_pixels == NULL) {
        return NULL;
    }
    return dev->ops->scanout_pixels(dev->be, stride);
}

void gkms_set_faults(GkmsDevice *dev, unsigned faults)
{
    dev->faults = faults;
}

void gkms_get_stats(GkmsDevice *dev, GkmsStats *out)
{
    memset(out, 0, sizeof(*out));
    dev->ops->stats(dev->be, out);
    out->suspends = dev->suspends;
    out->resumes = dev->resumes;
    for (uint32_t id = 1; id <= GKMS_MAX_SURFACES; id++) {
        out->surfaces += dev->surfaces[id] != NULL;
    }
}

const char *gkms_last_error(GkmsDevice *dev)
{
    return dev->error;
}
