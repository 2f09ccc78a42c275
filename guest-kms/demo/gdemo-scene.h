/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gdemo-scene.h (internal): the demo's picture as a pure function of the
 * tick: the layout for a mode, the animated state at a tick, and drawing
 * with pixman.  No device here: gdemo-desktop.c sends what this draws.
 *
 * Drawing is exact and position independent (fills, copies of images
 * rendered once, a8 glyph masks), so redrawing a clipped damage region
 * gives the same pixels as drawing the whole screen: the incremental
 * screen and gdemo_expected() can be compared pixel for pixel. */
#ifndef GDEMO_SCENE_H
#define GDEMO_SCENE_H

#include <stdbool.h>
#include <stdint.h>

#include <pixman.h>

#include "gdemo-font.h"

#define GDEMO_SPIN_CELLS 8

/* The animated values at one tick. */
typedef struct GdemoState {
    uint64_t tick;
    unsigned percent;           /* progress bar, 0..100 */
    bool blink_on;              /* terminal cursor shown */
    int32_t ball_x, ball_y;     /* top-left of the ball's box */
    int32_t ov_x, ov_y;         /* overlay plane position */
    unsigned spin;              /* lit spinner cell on the overlay */
    int32_t cursor_x, cursor_y; /* hot spot */
} GdemoState;

/* A solid rectangle on the overlay surface. */
typedef struct GdemoFill {
    pixman_box32_t box;
    uint32_t xrgb;
} GdemoFill;

#define GDEMO_OVERLAY_FILLS 4

typedef struct GdemoScene {
    int32_t w, h;
    const GdemoFont *font;
    int32_t fw, fh;             /* font cell */
    int32_t bar_h;              /* top bar */
    pixman_box32_t counter;     /* "frame N" field */
    pixman_box32_t term;        /* terminal window (frame included) */
    pixman_box32_t term_cursor; /* its blinking block */
    pixman_box32_t copy;        /* copy dialog */
    pixman_box32_t progress;    /* bar and percentage text */
    int32_t ball_size;
    /* overlay window, in surface coordinates */
    int32_t ov_w, ov_h;
    int32_t ov_x0, ov_y0, ov_range_x, ov_range_y;
    pixman_box32_t ov_text;     /* uploaded from the shadow image */
    GdemoFill ov_fills[GDEMO_OVERLAY_FILLS]; /* frame, title, body, spinner row */
    pixman_image_t *background; /* the gradient, rendered once */
    pixman_image_t *ball;       /* a8r8g8b8 sprite, rendered once */
} GdemoScene;

/* Lays out a w x h screen and renders the cached images.  -1 if out of
 * memory.  font must outlive the scene. */
int gdemo_scene_init(GdemoScene *s, int32_t w, int32_t h, const GdemoFont *font);
void gdemo_scene_finish(GdemoScene *s);

void gdemo_scene_state(const GdemoScene *s, uint64_t tick, GdemoState *out);

/* Adds to damage the framebuffer boxes whose pixels may differ between
 * states a and b (nothing if they are equal). */
void gdemo_scene_fb_damage(const GdemoScene *s, const GdemoState *a, const GdemoState *b,
                           pixman_region32_t *damage);
/* Draws the framebuffer at st, only inside clip (NULL: all of it). */
void gdemo_scene_draw_fb(const GdemoScene *s, pixman_image_t *fb, const GdemoState *st,
                         pixman_region32_t *clip);

/* The overlay window at spinner position spin, into an ov_w x ov_h
 * image: the fills, the text, the spinner cells. */
void gdemo_scene_draw_overlay(const GdemoScene *s, pixman_image_t *ov, unsigned spin);
/* Applies f to img, as the device's fill would. */
void gdemo_scene_fill(pixman_image_t *img, const GdemoFill *f);
/* Spinner cell i when cell `spin` is lit. */
GdemoFill gdemo_scene_spin_cell(const GdemoScene *s, unsigned i, unsigned spin);

/* The boxes that move (see gdemo_moving_boxes). */
unsigned gdemo_scene_moving_boxes(const GdemoScene *s, const GdemoState *st,
                                  pixman_box32_t *boxes, unsigned max);

#endif /* GDEMO_SCENE_H */
