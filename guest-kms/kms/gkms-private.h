/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gkms-private.h (internal to guest-kms/kms): the objects behind gkms.h's
 * handles, shared by the device (gkms-device.c) and the staged state
 * (gkms-state.c). */
#ifndef GKMS_PRIVATE_H
#define GKMS_PRIVATE_H

#include <glib.h>

#include "gkms-backend.h"

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

/* A whole display configuration.  The device holds the committed one;
 * gkms_state_new() hands out copies to stage changes on. */
struct GkmsState {
    GkmsDevice *dev;
    bool crtc_on;               /* a mode is set and fb scanned out */
    GkmsMode mode;
    GkmsDumb *fb;
    GkmsPlane planes[GKMS_MAX_OVERLAYS];
    pixman_image_t *cursor;     /* a reference; NULL: none set yet */
    uint16_t cursor_hot_x, cursor_hot_y;
    int16_t cursor_x, cursor_y;
    /* Staging only: what a commit must do beyond comparing states. */
    bool modeset;               /* set_crtc: a full mode set, like SETCRTC */
    bool cursor_update;         /* set_cursor: send the image, even the same one */
    const char *invalid;        /* a setter's argument that check refuses */
};

struct GkmsDevice {
    const GkmsBackendOps *ops;
    void *be;
    GkmsState committed;        /* what the device shows (or showed, asleep) */
    bool scanout_live;          /* the backend's scanout exists */
    GkmsSurface *surfaces[GKMS_MAX_SURFACES + 1];
    bool suspended;
    unsigned faults;
    unsigned suspends, resumes;
    char error[160];
};

/* The device's last error: records what, returns -err. */
static inline int gkms_fail(GkmsDevice *dev, int err, const char *what)
{
    g_strlcpy(dev->error, what, sizeof(dev->error));
    return -err;
}

/* gkms-state.c: copies of a state, with their own cursor reference. */
void gkms_state_copy(GkmsState *dst, const GkmsState *src);
void gkms_state_clear(GkmsState *st);

#endif /* GKMS_PRIVATE_H */
