/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gkms-state.c: staged display states and their check, like DRM's atomic
 * state and atomic_check: a copy of the committed state is changed by the
 * setters, which only record; gkms_state_check() says whether the device
 * could show it, without touching the device. */
#include "config.h"

#include "gkms-private.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

void gkms_state_copy(GkmsState *dst, const GkmsState *src)
{
    *dst = *src;
    if (dst->cursor) {
        pixman_image_ref(dst->cursor);
    }
}

void gkms_state_clear(GkmsState *st)
{
    if (st->cursor) {
        pixman_image_unref(st->cursor);
    }
    memset(st, 0, sizeof(*st));
}

GkmsState *gkms_state_new(GkmsDevice *dev)
{
    GkmsState *st = g_new0(GkmsState, 1);
    gkms_state_copy(st, &dev->committed);
    st->dev = dev;
    st->modeset = false;
    st->cursor_update = false;
    st->invalid = NULL;
    return st;
}

void gkms_state_free(GkmsState *st)
{
    if (st) {
        gkms_state_clear(st);
        g_free(st);
    }
}

void gkms_state_set_crtc(GkmsState *st, GkmsDumb *fb, const GkmsMode *mode)
{
    if (fb == NULL || mode == NULL) {
        st->invalid = "a mode set needs a framebuffer and a mode";
        return;
    }
    st->crtc_on = true;
    st->fb = fb;
    st->mode = *mode;
    st->modeset = true;
}

void gkms_state_set_fb(GkmsState *st, GkmsDumb *fb)
{
    if (fb == NULL) {
        st->invalid = "no framebuffer";
        return;
    }
    st->fb = fb;
}

void gkms_state_set_plane(GkmsState *st, unsigned index, GkmsSurface *s, int32_t x, int32_t y)
{
    if (index >= GKMS_MAX_OVERLAYS) {
        st->invalid = "no such plane";
        return;
    }
    st->planes[index] = (GkmsPlane){ s, x, y };
}

void gkms_state_set_cursor(GkmsState *st, pixman_image_t *argb, uint16_t hot_x, uint16_t hot_y)
{
    if (argb == NULL) {
        st->invalid = "no cursor image";
        return;
    }
    if (st->cursor) {
        pixman_image_unref(st->cursor);
    }
    st->cursor = pixman_image_ref(argb);
    st->cursor_hot_x = hot_x;
    st->cursor_hot_y = hot_y;
    st->cursor_update = true;
}

void gkms_state_move_cursor(GkmsState *st, int16_t x, int16_t y)
{
    st->cursor_x = x;
    st->cursor_y = y;
}

int gkms_state_check(GkmsDevice *dev, const GkmsState *st)
{
    if (st->dev != dev) {
        return gkms_fail(dev, EINVAL, "a state of another device");
    }
    if (dev->suspended) {
        return gkms_fail(dev, EBUSY, "suspended");
    }
    if (st->invalid) {
        return gkms_fail(dev, EINVAL, st->invalid);
    }
    if (st->crtc_on && (st->fb != dev->committed.fb || st->modeset)) {
        /* (A committed framebuffer destroyed under the CRTC stays NULL, a
         * black scanout, until a new one comes.) */
        if (st->fb == NULL) {
            return gkms_fail(dev, EINVAL, "no framebuffer scanned out");
        }
        if (st->fb->dev != dev) {
            return gkms_fail(dev, EINVAL, "a framebuffer of another device");
        }
        if (st->mode.width == 0 || st->mode.height == 0 ||
            (uint32_t)pixman_image_get_width(st->fb->image) < st->mode.width ||
            (uint32_t)pixman_image_get_height(st->fb->image) < st->mode.height) {
            return gkms_fail(dev, EINVAL, "framebuffer smaller than the mode");
        }
    } else if (!st->crtc_on && st->fb != dev->committed.fb) {
        return gkms_fail(dev, EINVAL, "no mode set");
    }
    for (unsigned p = 0; p < GKMS_MAX_OVERLAYS; p++) {
        const GkmsSurface *s = st->planes[p].surface;
        if (s && (s->dev != dev || dev->surfaces[s->id] != s)) {
            return gkms_fail(dev, EINVAL, "a plane shows a surface the device does not have");
        }
    }
    return 0;
}
