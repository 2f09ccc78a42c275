/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gdemo.h: the demo desktop, drawn through the guest KMS API (gkms.h).
 *
 * A gradient background, a top bar ("s3-display demo", "frame N"), two
 * windows in the framebuffer (a terminal with a blinking cursor, a copy
 * dialog with a progress bar), a third window on an overlay plane (a device
 * surface) that drifts slowly, a bouncing ball, and an arrow cursor on a
 * path.  The picture is a pure function of the tick number: no clocks, no
 * randomness, so screenshots taken before a suspend and after the wake can
 * be compared with the picture gdemo_expected() renders.
 *
 * Each gdemo_frame() sends only what changed since the last frame the
 * device accepted: framebuffer damage rectangles, overlay cell fills or a
 * plane move, a cursor move.  Work refused while the device is suspended
 * is kept and sent by the next successful frame.
 *
 * Threads: all calls on the device's guest thread.  Ownership: the desktop
 * holds its framebuffer, overlay surface and cursor image on dev, and must
 * be freed before dev is closed.
 */
#ifndef GDEMO_H
#define GDEMO_H

#include <stdint.h>

#include <pixman.h>

#include "gkms.h"

typedef struct GdemoDesktop GdemoDesktop;

/* Sets the mode (the largest mode, by area, of at most want_w x want_h
 * that the connector offers, or the first mode), creates the framebuffer,
 * the overlay surface and the cursor, and draws tick 0.  The console font
 * GDEMO_FONT_PATH is used if readable, else a built-in one.  NULL on
 * failure (logged with gkms_last_error). */
GdemoDesktop *gdemo_new(GkmsDevice *dev, uint32_t want_w, uint32_t want_h);

/* Advances the animation to `tick` (any value, in any order) and sends the
 * damage.  0; -EBUSY while the device is suspended (call again later: the
 * unsent work is kept); another negative errno from gkms on error. */
int gdemo_frame(GdemoDesktop *d, uint64_t tick);

/* What the screen must show at `tick`: framebuffer and overlay composed,
 * without the cursor, in a new x8r8g8b8 image of the mode's size (the
 * caller unrefs it).  NULL if out of memory.  For tests. */
pixman_image_t *gdemo_expected(GdemoDesktop *d, uint64_t tick);

/* Where the cursor's hot spot is at `tick`. */
void gdemo_cursor_position(GdemoDesktop *d, uint64_t tick, int32_t *x, int32_t *y);

/* The screen boxes whose pixels may differ between `tick` and any other
 * tick (the animated parts, the overlay where it is at `tick`); at most
 * max written, count returned.  For tests: outside the union of these boxes
 * for two ticks, their pictures are equal. */
unsigned gdemo_moving_boxes(GdemoDesktop *d, uint64_t tick, pixman_box32_t *boxes, unsigned max);

void gdemo_get_mode(GdemoDesktop *d, GkmsMode *out);
/* Destroys the overlay surface and the framebuffer.  NULL ok. */
void gdemo_free(GdemoDesktop *d);

#endif /* GDEMO_H */
