/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gkms.h: the guest KMS driver's API, shaped like DRM's.
 *
 * One connector (the device's modes), one CRTC, a primary plane scanning
 * out a framebuffer made from a dumb buffer, overlay planes scanning out
 * device surfaces (off-screen surfaces in device memory, drawn by the
 * device), and a cursor plane.  The scanout is composed by the device:
 * framebuffer damage becomes image copies onto the primary surface, and
 * each overlay is copied on top, in plane order.
 *
 * Suspend/resume follow the seed-004 sequence (see gkms_suspend); while
 * suspended every commit is refused with -EBUSY, like DRM's
 * drm_mode_config_helper_suspend blocks userspace.
 *
 * Ownership: dumb buffers and surfaces belong to the device they were made
 * on and must be destroyed before it.  Threads: one guest thread per device.
 */
#ifndef GKMS_H
#define GKMS_H

#include <stdbool.h>
#include <stdint.h>

#include <pixman.h>

/* The guest bus the userspace driver finds its device on (guest-bus/gbus.h);
 * only a handle here, so that the API builds without it (gkms-drm.c). */
typedef struct Gbus Gbus;

#define GKMS_MAX_MODES 32
#define GKMS_MAX_OVERLAYS 8

typedef struct GkmsDevice GkmsDevice;
typedef struct GkmsDumb GkmsDumb;
typedef struct GkmsSurface GkmsSurface;

typedef struct GkmsMode {
    uint32_t width, height;
} GkmsMode;

/* Deliberate faults, for tests that check the device side notices a driver
 * that breaks the S3 sequence. */
typedef enum GkmsFault {
    GKMS_FAULT_NONE = 0,
    GKMS_FAULT_SKIP_FLUSH_RELEASE = 1 << 0,
    GKMS_FAULT_DESTROY_BEFORE_FLUSH = 1 << 1,
    GKMS_FAULT_SKIP_EVICT = 1 << 2,
} GkmsFault;

typedef struct GkmsStats {
    uint64_t commands_submitted, commands_released;
    unsigned commands_outstanding;  /* submitted and not released yet */
    unsigned device_allocations;    /* live allocations in command memory */
    unsigned surfaces;              /* live device surfaces (overlays) */
    uint64_t resource_creations;    /* surfaces (re)created, primary included */
    unsigned suspends, resumes;
} GkmsStats;

/* Probes the index-th QXL device on the bus and sets it up. NULL on
 * failure (logged). */
GkmsDevice *gkms_open_qxl(const Gbus *bus, unsigned index);
/* Probes the index-th virtio-gpu device (guest-kms/virtio): suspend uses
 * freeze_mode when negotiated, else resume recreates every resource.
 * NULL on failure (logged). */
GkmsDevice *gkms_open_virtio_gpu(const Gbus *bus, unsigned index);
void gkms_close(GkmsDevice *dev); /* NULL ok */

/* ---- connector ---- */
unsigned gkms_connector_modes(GkmsDevice *dev, GkmsMode *modes, unsigned max);

/* ---- dumb buffers (guest RAM), mapped as x8r8g8b8 pixman images ---- */
GkmsDumb *gkms_dumb_create(GkmsDevice *dev, uint32_t width, uint32_t height);
pixman_image_t *gkms_dumb_map(GkmsDumb *dumb);
void gkms_dumb_destroy(GkmsDumb *dumb); /* NULL ok; not while scanned out */

/* ---- CRTC / primary plane ---- */
/* Mode set: the framebuffer fb (at least the mode's size) is scanned out. */
int gkms_crtc_set(GkmsDevice *dev, GkmsDumb *fb, const GkmsMode *mode);
/* Scans out another framebuffer (full-frame update). */
int gkms_page_flip(GkmsDevice *dev, GkmsDumb *fb);
/* The current framebuffer changed inside these rectangles. */
int gkms_fb_dirty(GkmsDevice *dev, const pixman_box32_t *rects, unsigned n);

/* ---- device surfaces and overlay planes ---- */
GkmsSurface *gkms_surface_create(GkmsDevice *dev, uint32_t width, uint32_t height);
void gkms_surface_destroy(GkmsSurface *s); /* NULL ok; also unsets its plane */
int gkms_surface_fill(GkmsSurface *s, const pixman_box32_t *box, uint32_t xrgb);
int gkms_surface_upload(GkmsSurface *s, pixman_image_t *src, const pixman_box32_t *src_box,
                        int32_t x, int32_t y);
/* Overlay plane `index` shows surface s (NULL: disabled) at (x, y). */
int gkms_plane_set(GkmsDevice *dev, unsigned index, GkmsSurface *s, int32_t x, int32_t y);
/* Re-composes the overlays over the scanout (after drawing into them). */
int gkms_planes_commit(GkmsDevice *dev);

/* ---- cursor plane ---- */
int gkms_cursor_set(GkmsDevice *dev, pixman_image_t *argb, uint16_t hot_x, uint16_t hot_y);
int gkms_cursor_move(GkmsDevice *dev, int16_t x, int16_t y);

/* ---- atomic commits: stage, check, commit ----
 * A GkmsState is a whole display configuration: the CRTC (mode and
 * framebuffer), the overlay planes, the cursor.  Stage changes on a copy
 * of the committed state, check it, commit it, like DRM's atomic API: a
 * commit checks first and changes nothing if the check fails.  Suspend
 * and resume replay the committed state.  gkms_crtc_set, gkms_page_flip,
 * gkms_plane_set and gkms_cursor_set/move above are each one staged
 * change, committed at once. */
typedef struct GkmsState GkmsState;
/* A copy of the committed state, to change; free with gkms_state_free. */
GkmsState *gkms_state_new(GkmsDevice *dev);
void gkms_state_free(GkmsState *st); /* NULL ok */
/* A full mode set: the scanout is made anew for mode, showing fb. */
void gkms_state_set_crtc(GkmsState *st, GkmsDumb *fb, const GkmsMode *mode);
/* Another framebuffer in the same mode (a page flip). */
void gkms_state_set_fb(GkmsState *st, GkmsDumb *fb);
/* Overlay plane `index` shows surface s (NULL: disabled) at (x, y). */
void gkms_state_set_plane(GkmsState *st, unsigned index, GkmsSurface *s, int32_t x, int32_t y);
/* The cursor image (a reference is taken) and its hot spot. */
void gkms_state_set_cursor(GkmsState *st, pixman_image_t *argb, uint16_t hot_x, uint16_t hot_y);
void gkms_state_move_cursor(GkmsState *st, int16_t x, int16_t y);
/* 0 if the device can show st; else -EBUSY (suspended) or -EINVAL, with
 * gkms_last_error() saying why.  The device is not touched. */
int gkms_state_check(GkmsDevice *dev, const GkmsState *st);
/* Checks, then makes st the committed state: the scanout for a mode set,
 * a redraw of what changed, the cursor.  0, the check's error, or -EIO if
 * the device refused a step (the committed state then says what the
 * device shows). */
int gkms_state_commit(GkmsDevice *dev, const GkmsState *st);

/* ---- read-back, for tests ---- */
/* Has the device render every queued command into device memory (QXL:
 * QXL_IO_FLUSH_SURFACES_ASYNC), so that gkms_scanout_pixels shows it.
 * 0, -EBUSY while suspended, -EIO if the device did not complete it,
 * -ENOTSUP if the backend cannot. */
int gkms_flush(GkmsDevice *dev);
/* The scanout as the device holds it (x8r8g8b8, mode-sized, *stride bytes
 * per row), read from device memory: what a screenshot shows after
 * gkms_flush.  NULL if no mode is set or the backend cannot.  Valid until
 * the next mode set, suspend or close; the x byte is undefined. */
const void *gkms_scanout_pixels(GkmsDevice *dev, uint32_t *stride);

/* ---- power management ---- */
/* Freeze: stop commits, drain both rings, flush every surface into device
 * memory, save the surfaces to backing store, destroy them, flush the
 * release ring and take back every command; each wait has a deadline.
 * 0; -EBUSY if already suspended; -EIO with a log line naming the step
 * that failed (commits stay refused until gkms_resume). */
int gkms_suspend(GkmsDevice *dev);
/* Thaw after the machine's wake reset: reset, interrupt mask, memslots,
 * primary and surfaces with KEEP_DATA from the backing store, then the
 * committed state replayed: cursor, full redraw.  0; -EINVAL if not
 * suspended; -EIO if the device failed (logged). */
int gkms_resume(GkmsDevice *dev);
void gkms_set_faults(GkmsDevice *dev, unsigned faults);

void gkms_get_stats(GkmsDevice *dev, GkmsStats *out);
/* Last error text of a failed call ("" if none). */
const char *gkms_last_error(GkmsDevice *dev);

#endif /* GKMS_H */
