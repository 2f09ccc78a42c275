/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gkms-device.c: the KMS layer: framebuffers, planes, damage, cursor and
 * the commit gate around suspend/resume. */
#include "config.h"

#include "gkms-backend.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

#include "gkms-log.h"

struct GkmsDumb {
    GkmsDevice *dev;
    pixman_image_t *image;      /* over memory in guest RAM */
};

struct GkmsSurface {
    GkmsDevice *dev;
    uint32_t id;
    uint32_t width, height;
};

typedef struct GkmsPlane {
    GkmsSurface *surface;
    int32_t x, y;
} GkmsPlane;

struct GkmsDevice {
    const GkmsBackendOps *ops;
    void *be;
    GkmsDumb *fb;               /* scanned out */
    GkmsMode mode;
    bool mode_set;
    GkmsPlane planes[GKMS_MAX_OVERLAYS];
    GkmsSurface *surfaces[GKMS_MAX_SURFACES + 1];
    pixman_image_t *cursor;     /* kept for resume */
    uint16_t cursor_hot_x, cursor_hot_y;
    int16_t cursor_x, cursor_y;
    bool suspended;
    unsigned faults;
    unsigned suspends, resumes;
    char error[160];
};

static int fail(GkmsDevice *dev, int err, const char *what)
{
    g_strlcpy(dev->error, what, sizeof(dev->error));
    return -err;
}

GkmsDevice *gkms_device_new(const GkmsBackendOps *ops, void *be)
{
    GkmsDevice *dev = g_new0(GkmsDevice, 1);
    dev->ops = ops;
    dev->be = be;
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
    if (dev->cursor) {
        pixman_image_unref(dev->cursor);
    }
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
    if (dumb->dev->fb == dumb) {
        gkms_log_warn("kms: destroying the scanned-out framebuffer");
        dumb->dev->fb = NULL;
    }
    pixman_image_unref(dumb->image);
    g_free(dumb);
}

/* Blits the framebuffer's damage, then the overlays intersecting it. */
static int redraw(GkmsDevice *dev, const pixman_box32_t *rects, unsigned n)
{
    pixman_box32_t screen = { 0, 0, (int32_t)dev->mode.width, (int32_t)dev->mode.height };
    pixman_region32_t damage;
    pixman_region32_init_rects(&damage, rects, (int)n);
    pixman_region32_intersect_rect(&damage, &damage, 0, 0, dev->mode.width, dev->mode.height);
    int nb;
    pixman_box32_t *boxes = pixman_region32_rectangles(&damage, &nb);
    int ret = 0;
    for (int i = 0; i < nb && ret == 0; i++) {
        ret = dev->ops->scanout_blit(dev->be, dev->fb->image, &boxes[i]);
    }
    for (unsigned p = 0; p < GKMS_MAX_OVERLAYS && ret == 0; p++) {
        GkmsPlane *pl = &dev->planes[p];
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
    (void)screen;
    return ret ? fail(dev, EIO, "device refused a draw") : 0;
}

static int full_redraw(GkmsDevice *dev)
{
    pixman_box32_t all = { 0, 0, (int32_t)dev->mode.width, (int32_t)dev->mode.height };
    return redraw(dev, &all, 1);
}

int gkms_crtc_set(GkmsDevice *dev, GkmsDumb *fb, const GkmsMode *mode)
{
    if (dev->suspended) {
        return fail(dev, EBUSY, "suspended");
    }
    if (fb == NULL || mode == NULL ||
        (uint32_t)pixman_image_get_width(fb->image) < mode->width ||
        (uint32_t)pixman_image_get_height(fb->image) < mode->height) {
        return fail(dev, EINVAL, "framebuffer smaller than the mode");
    }
    if (dev->mode_set && dev->ops->scanout_destroy(dev->be) != 0) {
        return fail(dev, EIO, "cannot destroy the old scanout");
    }
    dev->mode_set = false;
    if (dev->ops->scanout_create(dev->be, mode->width, mode->height, false) != 0) {
        return fail(dev, EIO, "cannot create the scanout");
    }
    dev->mode = *mode;
    dev->mode_set = true;
    dev->fb = fb;
    return full_redraw(dev);
}

int gkms_page_flip(GkmsDevice *dev, GkmsDumb *fb)
{
    if (dev->suspended) {
        return fail(dev, EBUSY, "suspended");
    }
    if (!dev->mode_set || fb == NULL) {
        return fail(dev, EINVAL, "no mode set");
    }
    dev->fb = fb;
    return full_redraw(dev);
}

int gkms_fb_dirty(GkmsDevice *dev, const pixman_box32_t *rects, unsigned n)
{
    if (dev->suspended) {
        return fail(dev, EBUSY, "suspended");
    }
    if (!dev->mode_set || dev->fb == NULL) {
        return fail(dev, EINVAL, "no framebuffer scanned out");
    }
    return redraw(dev, rects, n);
}

GkmsSurface *gkms_surface_create(GkmsDevice *dev, uint32_t width, uint32_t height)
{
    if (dev->suspended) {
        fail(dev, EBUSY, "suspended");
        return NULL;
    }
    for (uint32_t id = 1; id <= GKMS_MAX_SURFACES; id++) {
        if (dev->surfaces[id] == NULL) {
            if (dev->ops->surface_create(dev->be, id, width, height) != 0) {
                fail(dev, ENOMEM, "device cannot create the surface");
                return NULL;
            }
            GkmsSurface *s = g_new0(GkmsSurface, 1);
            *s = (GkmsSurface){ dev, id, width, height };
            dev->surfaces[id] = s;
            return s;
        }
    }
    fail(dev, ENOSPC, "no free surface id");
    return NULL;
}

void gkms_surface_destroy(GkmsSurface *s)
{
    if (s == NULL) {
        return;
    }
    GkmsDevice *dev = s->dev;
    for (unsigned p = 0; p < GKMS_MAX_OVERLAYS; p++) {
        if (dev->planes[p].surface == s) {
            dev->planes[p].surface = NULL;
        }
    }
    dev->ops->surface_destroy(dev->be, s->id);
    dev->surfaces[s->id] = NULL;
    g_free(s);
}

int gkms_surface_fill(GkmsSurface *s, const pixman_box32_t *box, uint32_t xrgb)
{
    if (s->dev->suspended) {
        return fail(s->dev, EBUSY, "suspended");
    }
    return s->dev->ops->surface_fill(s->dev->be, s->id, box, xrgb) ? fail(s->dev, EIO, "fill") : 0;
}

int gkms_surface_upload(GkmsSurface *s, pixman_image_t *src, const pixman_box32_t *box,
                        int32_t x, int32_t y)
{
    if (s->dev->suspended) {
        return fail(s->dev, EBUSY, "suspended");
    }
    return s->dev->ops->surface_upload(s->dev->be, s->id, src, box, x, y)
               ? fail(s->dev, EIO, "upload") : 0;
}

int gkms_plane_set(GkmsDevice *dev, unsigned index, GkmsSurface *s, int32_t x, int32_t y)
{
    if (dev->suspended) {
        return fail(dev, EBUSY, "suspended");
    }
    if (index >= GKMS_MAX_OVERLAYS) {
        return fail(dev, EINVAL, "no such plane");
    }
    GkmsPlane old = dev->planes[index];
    dev->planes[index] = (GkmsPlane){ s, x, y };
    if (!dev->mode_set || dev->fb == NULL) {
        return 0;
    }
    /* What the plane covered before and covers now both change. */
    pixman_box32_t r[2];
    unsigned n = 0;
    if (old.surface) {
        r[n++] = (pixman_box32_t){ old.x, old.y, old.x + (int32_t)old.surface->width,
                                   old.y + (int32_t)old.surface->height };
    }
    if (s) {
        r[n++] = (pixman_box32_t){ x, y, x + (int32_t)s->width, y + (int32_t)s->height };
    }
    return n ? redraw(dev, r, n) : 0;
}

int gkms_planes_commit(GkmsDevice *dev)
{
    if (dev->suspended) {
        return fail(dev, EBUSY, "suspended");
    }
    pixman_box32_t r[GKMS_MAX_OVERLAYS];
    unsigned n = 0;
    for (unsigned p = 0; p < GKMS_MAX_OVERLAYS; p++) {
        GkmsPlane *pl = &dev->planes[p];
        if (pl->surface) {
            r[n++] = (pixman_box32_t){ pl->x, pl->y, pl->x + (int32_t)pl->surface->width,
                                       pl->y + (int32_t)pl->surface->height };
        }
    }
    return n && dev->mode_set ? redraw(dev, r, n) : 0;
}

int gkms_cursor_set(GkmsDevice *dev, pixman_image_t *argb, uint16_t hot_x, uint16_t hot_y)
{
    if (dev->suspended) {
        return fail(dev, EBUSY, "suspended");
    }
    if (dev->cursor) {
        pixman_image_unref(dev->cursor);
    }
    dev->cursor = pixman_image_ref(argb);
    dev->cursor_hot_x = hot_x;
    dev->cursor_hot_y = hot_y;
    return dev->ops->cursor_set(dev->be, argb, hot_x, hot_y, dev->cursor_x, dev->cursor_y)
               ? fail(dev, EIO, "cursor") : 0;
}

int gkms_cursor_move(GkmsDevice *dev, int16_t x, int16_t y)
{
    if (dev->suspended) {
        return fail(dev, EBUSY, "suspended");
    }
    dev->cursor_x = x;
    dev->cursor_y = y;
    return dev->ops->cursor_move(dev->be, x, y) ? fail(dev, EIO, "cursor") : 0;
}

int gkms_suspend(GkmsDevice *dev)
{
    if (dev->suspended) {
        return fail(dev, EBUSY, "already suspended");
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

int gkms_resume(GkmsDevice *dev)
{
    if (!dev->suspended) {
        return fail(dev, EINVAL, "not suspended");
    }
    if (dev->ops->resume(dev->be, dev->error, sizeof(dev->error)) != 0) {
        gkms_log_warn("kms: resume failed: %s", dev->error);
        return -EIO;
    }
    dev->suspended = false;
    dev->resumes++;
    int ret = 0;
    if (dev->cursor) {
        ret = dev->ops->cursor_set(dev->be, dev->cursor, dev->cursor_hot_x, dev->cursor_hot_y,
                                   dev->cursor_x, dev->cursor_y);
    }
    /* The primary kept its pixels (KEEP_DATA); redraw anyway, as a driver
     * must: the device may have lost what was not flushed. */
    if (ret == 0 && dev->mode_set && dev->fb) {
        ret = full_redraw(dev);
    }
    return ret ? fail(dev, EIO, "redraw after resume failed") : 0;
}

int gkms_flush(GkmsDevice *dev)
{
    if (dev->suspended) {
        return fail(dev, EBUSY, "suspended");
    }
    if (dev->ops->flush == NULL) {
        return fail(dev, ENOTSUP, "the backend cannot flush");
    }
    return dev->ops->flush(dev->be) ? fail(dev, EIO, "flush: no completion") : 0;
}

const void *gkms_scanout_pixels(GkmsDevice *dev, uint32_t *stride)
{
    if (!dev->mode_set || dev->suspended || dev->ops->scanout_pixels == NULL) {
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
