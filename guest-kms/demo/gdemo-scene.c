/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gdemo-scene.c: layout, animation and drawing of the demo desktop. */
#include "config.h"

#include "gdemo-scene.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

/* Colours, x8r8g8b8 (Tango palette: it reads as "a desktop"). */
#define C_TOPBAR 0x1e2024
#define C_TOPBAR_TEXT 0xeeeeec
#define C_COUNTER_TEXT 0x9fd3ff
#define C_FRAME 0x2e3436
#define C_TITLE 0x3465a4
#define C_TITLE_TEXT 0xffffff
#define C_TERM_BODY 0x121417
#define C_TERM_PROMPT 0x8ae234
#define C_TERM_TEXT 0xd3d7cf
#define C_DIALOG_BODY 0xeeeeec
#define C_DIALOG_TEXT 0x2e3436
#define C_TROUGH 0xbabdb6
#define C_PROGRESS 0x4e9a06
#define C_OV_TITLE 0xc4a000
#define C_OV_BODY 0xfdf6e3
#define C_OV_TEXT 0x202020
#define C_SPIN_ROW 0x586e75
#define C_SPIN_OFF 0x93a1a1
#define C_SPIN_ON 0xdc322f
/* Drop shadows: 30 % black, premultiplied. */
#define SHADOW_ARGB 0x4c000000u
#define SHADOW_OFFSET 5

#define MARGIN 20
#define PAD 8
#define BALL_SIZE 28
#define COUNTER_CHARS 26        /* "frame " and 20 digits (any uint64_t) */

/* Speeds, in pixels (or steps) per tick: at 10-20 frames a second the
 * ball crosses the screen in a few seconds, the overlay in half a minute. */
#define BALL_DX 5
#define BALL_DY 3
#define CURSOR_DX 4
#define CURSOR_DY 3
#define OV_TICKS_PER_PX_X 2
#define OV_TICKS_PER_PX_Y 4
#define PROGRESS_TICKS_PER_PERCENT 2
#define BLINK_TICKS 8
#define SPIN_TICKS 3

static const char *const term_lines[] = {
    "user@guest:~$ uname -sr",
    "Linux 6.1.0-18-amd64",
    "user@guest:~$ cat /sys/power/state",
    "freeze mem disk",
    "user@guest:~$ echo mem > /sys/power/state",
    "[ S3: suspended ... resumed ]",
    "user@guest:~$ ",
};
#define TERM_COLS 44
#define PROMPT_COLS 14          /* strlen("user@guest:~$ ") */

static const char *const ov_lines[] = {
    "I am an overlay plane:",
    "a QXL off-screen surface,",
    "composed by the device.",
};
#define OV_COLS 30

/* 0, 1, ..., range, range - 1, ..., 1, 0, ...: a bounce, in integers so
 * that every machine draws the same picture. */
static int32_t triangle(uint64_t v, int32_t range)
{
    if (range <= 0) {
        return 0;
    }
    uint64_t period = 2 * (uint64_t)range, p = v % period;
    return (int32_t)(p <= (uint64_t)range ? p : period - p);
}

static pixman_color_t colour_of(uint32_t argb)
{
    return (pixman_color_t){
        .red = (uint16_t)((argb >> 16 & 0xff) * 0x101),
        .green = (uint16_t)((argb >> 8 & 0xff) * 0x101),
        .blue = (uint16_t)((argb & 0xff) * 0x101),
        .alpha = (uint16_t)((argb >> 24) * 0x101),
    };
}

static pixman_box32_t box_xywh(int32_t x, int32_t y, int32_t w, int32_t h)
{
    return (pixman_box32_t){ x, y, x + w, y + h };
}

static void fill(pixman_image_t *img, pixman_box32_t box, uint32_t xrgb)
{
    pixman_color_t c = colour_of(0xff000000u | xrgb);
    pixman_image_fill_boxes(PIXMAN_OP_SRC, img, &c, 1, &box);
}

static void text(const GdemoScene *s, pixman_image_t *img, int32_t x, int32_t y, const char *str,
                 uint32_t xrgb)
{
    gdemo_font_draw(s->font, img, x, y, str, 0xff000000u | xrgb);
}

static int32_t title_h(const GdemoScene *s)
{
    return s->fh + 6;
}

/* Top of text line n of a window. */
static int32_t line_y(const GdemoScene *s, const pixman_box32_t *win, int n)
{
    return win->y1 + title_h(s) + PAD + n * s->fh;
}

static int render_background(GdemoScene *s)
{
    s->background = pixman_image_create_bits(PIXMAN_x8r8g8b8, s->w, s->h, NULL, 0);
    if (s->background == NULL) {
        return -1;
    }
    pixman_gradient_stop_t stops[] = {
        { pixman_int_to_fixed(0), colour_of(0xff204a87) },
        { pixman_double_to_fixed(0.6), colour_of(0xff3b5998) },
        { pixman_int_to_fixed(1), colour_of(0xff5c3566) },
    };
    /* Direction (w/3, h), stretched so that the far corner is exactly the
     * last stop: no pixel relies on the pad repeat, which this pixman
     * leaves black in part of the screen under our build. */
    double dx = s->w / 3.0, dy = s->h, k = (s->w * dx + s->h * dy) / (dx * dx + dy * dy);
    pixman_point_fixed_t p1 = { 0, 0 }, p2 = { pixman_double_to_fixed(dx * k),
                                               pixman_double_to_fixed(dy * k) };
    pixman_image_t *grad = pixman_image_create_linear_gradient(&p1, &p2, stops, 3);
    if (grad == NULL) {
        return -1;
    }
    /* Past the end point the last colour continues (not transparent). */
    pixman_image_set_repeat(grad, PIXMAN_REPEAT_PAD);
    pixman_image_composite32(PIXMAN_OP_SRC, grad, NULL, s->background, 0, 0, 0, 0, 0, 0, s->w,
                             s->h);
    pixman_image_unref(grad);
    return 0;
}

/* A shaded ball, lit from the top left, transparent around it. */
static int render_ball(GdemoScene *s)
{
    s->ball = pixman_image_create_bits(PIXMAN_a8r8g8b8, BALL_SIZE, BALL_SIZE, NULL, 0);
    if (s->ball == NULL) {
        return -1;
    }
    pixman_gradient_stop_t stops[] = {
        { pixman_int_to_fixed(0), colour_of(0xffffffff) },
        { pixman_double_to_fixed(0.35), colour_of(0xffef2929) },
        { pixman_int_to_fixed(1), colour_of(0xff7a0e0e) },
    };
    double r = BALL_SIZE / 2.0;
    /* The highlight's centre, up and left of the ball's. */
    pixman_fixed_t hl = pixman_double_to_fixed(r * 0.65);
    pixman_point_fixed_t inner = { hl, hl };
    pixman_point_fixed_t outer = { pixman_double_to_fixed(r), pixman_double_to_fixed(r) };
    pixman_image_t *grad = pixman_image_create_radial_gradient(&inner, &outer, 0,
                                                               pixman_double_to_fixed(r - 0.5),
                                                               stops, 3);
    if (grad == NULL) {
        return -1;
    }
    /* REPEAT_NONE: outside the outer circle the gradient is transparent. */
    pixman_image_composite32(PIXMAN_OP_SRC, grad, NULL, s->ball, 0, 0, 0, 0, 0, 0, BALL_SIZE,
                             BALL_SIZE);
    pixman_image_unref(grad);
    return 0;
}

static void layout_overlay(GdemoScene *s)
{
    int32_t th = title_h(s), cell = s->fh;
    int32_t row_y = th + PAD + (int32_t)G_N_ELEMENTS(ov_lines) * s->fh + PAD;
    s->ov_w = OV_COLS * s->fw + 2 * PAD;
    s->ov_h = row_y + cell + 8 + PAD;
    s->ov_fills[0] = (GdemoFill){ box_xywh(0, 0, s->ov_w, s->ov_h), C_FRAME };
    s->ov_fills[1] = (GdemoFill){ box_xywh(1, 1, s->ov_w - 2, th - 1), C_OV_TITLE };
    s->ov_fills[2] = (GdemoFill){ box_xywh(1, th, s->ov_w - 2, s->ov_h - th - 1), C_OV_BODY };
    s->ov_fills[3] = (GdemoFill){ box_xywh(PAD, row_y, s->ov_w - 2 * PAD, cell + 8), C_SPIN_ROW };
    s->ov_text = box_xywh(1, 1, s->ov_w - 2, row_y - 1);
    s->ov_x0 = MARGIN * 2;
    s->ov_y0 = MAX(s->bar_h, s->h - s->ov_h - MARGIN * 2);
    s->ov_range_x = MAX(0, s->w - s->ov_w - s->ov_x0 - MARGIN * 2);
    s->ov_range_y = MIN(s->ov_y0 - s->bar_h, 3 * MARGIN / 2);
}

int gdemo_scene_init(GdemoScene *s, int32_t w, int32_t h, const GdemoFont *font)
{
    memset(s, 0, sizeof(*s));
    s->w = w;
    s->h = h;
    s->font = font;
    s->fw = (int32_t)gdemo_font_width(font);
    s->fh = (int32_t)gdemo_font_height(font);
    s->bar_h = s->fh + 8;
    s->counter = box_xywh(w - PAD - COUNTER_CHARS * s->fw, 4, COUNTER_CHARS * s->fw, s->fh);

    int32_t th = title_h(s);
    s->term = box_xywh(MARGIN, s->bar_h + MARGIN, TERM_COLS * s->fw + 2 * PAD,
                       th + 2 * PAD + (int32_t)G_N_ELEMENTS(term_lines) * s->fh);
    s->term_cursor = box_xywh(s->term.x1 + PAD + PROMPT_COLS * s->fw,
                              line_y(s, &s->term, (int)G_N_ELEMENTS(term_lines) - 1), s->fw, s->fh);
    int32_t copy_w = 34 * s->fw + 2 * PAD;
    s->copy = box_xywh(MAX(MARGIN, w - copy_w - MARGIN),
                       s->term.y1 + (s->term.y2 - s->term.y1) * 2 / 3, copy_w,
                       th + 2 * PAD + 6 * s->fh);
    s->progress = (pixman_box32_t){ s->copy.x1 + PAD, line_y(s, &s->copy, 2),
                                    s->copy.x2 - PAD, line_y(s, &s->copy, 5) };
    s->ball_size = BALL_SIZE;
    layout_overlay(s);
    if (render_background(s) != 0 || render_ball(s) != 0) {
        gdemo_scene_finish(s);
        return -1;
    }
    return 0;
}

void gdemo_scene_finish(GdemoScene *s)
{
    if (s->background) {
        pixman_image_unref(s->background);
    }
    if (s->ball) {
        pixman_image_unref(s->ball);
    }
    s->background = s->ball = NULL;
}

void gdemo_scene_state(const GdemoScene *s, uint64_t t, GdemoState *out)
{
    int32_t below_bar = s->h - s->bar_h;
    *out = (GdemoState){
        .tick = t,
        .percent = (unsigned)(t / PROGRESS_TICKS_PER_PERCENT % 101),
        .blink_on = t / BLINK_TICKS % 2 == 0,
        .ball_x = triangle(t * BALL_DX, s->w - BALL_SIZE),
        .ball_y = s->bar_h + triangle(t * BALL_DY, below_bar - BALL_SIZE),
        .ov_x = s->ov_x0 + triangle(t / OV_TICKS_PER_PX_X, s->ov_range_x),
        .ov_y = s->ov_y0 - triangle(t / OV_TICKS_PER_PX_Y, s->ov_range_y),
        .spin = (unsigned)(t / SPIN_TICKS % GDEMO_SPIN_CELLS),
        /* Offset in phase from the ball so they do not move together. */
        .cursor_x = PAD + triangle(t * CURSOR_DX, s->w - 4 * PAD),
        .cursor_y = s->bar_h + triangle(t * CURSOR_DY + 97, below_bar - 4 * PAD),
    };
}

static pixman_box32_t ball_box(const GdemoState *st)
{
    return box_xywh(st->ball_x, st->ball_y, BALL_SIZE, BALL_SIZE);
}

void gdemo_scene_fb_damage(const GdemoScene *s, const GdemoState *a, const GdemoState *b,
                           pixman_region32_t *damage)
{
    pixman_box32_t r[5];
    int n = 0;
    if (a->tick != b->tick) {
        r[n++] = s->counter;
    }
    if (a->blink_on != b->blink_on) {
        r[n++] = s->term_cursor;
    }
    if (a->percent != b->percent) {
        r[n++] = s->progress;
    }
    if (a->ball_x != b->ball_x || a->ball_y != b->ball_y) {
        r[n++] = ball_box(a);
        r[n++] = ball_box(b);
    }
    for (int i = 0; i < n; i++) {
        pixman_region32_union_rect(damage, damage, r[i].x1, r[i].y1,
                                   (unsigned)(r[i].x2 - r[i].x1), (unsigned)(r[i].y2 - r[i].y1));
    }
}

/* Frame, title bar and body of a window, with its drop shadow. */
static void draw_window(const GdemoScene *s, pixman_image_t *img, const pixman_box32_t *b,
                        const char *title, uint32_t body)
{
    pixman_color_t shadow = colour_of(SHADOW_ARGB);
    pixman_box32_t sb = { b->x1 + SHADOW_OFFSET, b->y1 + SHADOW_OFFSET, b->x2 + SHADOW_OFFSET,
                          b->y2 + SHADOW_OFFSET };
    pixman_image_fill_boxes(PIXMAN_OP_OVER, img, &shadow, 1, &sb);
    fill(img, *b, C_FRAME);
    int32_t th = title_h(s);
    fill(img, (pixman_box32_t){ b->x1 + 1, b->y1 + 1, b->x2 - 1, b->y1 + th }, C_TITLE);
    text(s, img, b->x1 + PAD, b->y1 + 3, title, C_TITLE_TEXT);
    fill(img, (pixman_box32_t){ b->x1 + 1, b->y1 + th, b->x2 - 1, b->y2 - 1 }, body);
}

static void draw_terminal(const GdemoScene *s, pixman_image_t *img, const GdemoState *st)
{
    draw_window(s, img, &s->term, "Terminal", C_TERM_BODY);
    for (size_t i = 0; i < G_N_ELEMENTS(term_lines); i++) {
        const char *l = term_lines[i];
        int32_t y = line_y(s, &s->term, (int)i);
        if (strncmp(l, "user@", 5) == 0) {
            /* The prompt in green, the command in grey, like bash. */
            char prompt[PROMPT_COLS + 1];
            g_strlcpy(prompt, l, sizeof(prompt));
            text(s, img, s->term.x1 + PAD, y, prompt, C_TERM_PROMPT);
            text(s, img, s->term.x1 + PAD + PROMPT_COLS * s->fw, y, l + PROMPT_COLS, C_TERM_TEXT);
        } else {
            text(s, img, s->term.x1 + PAD, y, l, C_TERM_TEXT);
        }
    }
    if (st->blink_on) {
        fill(img, s->term_cursor, C_TERM_TEXT);
    }
}

static void draw_copy_dialog(const GdemoScene *s, pixman_image_t *img, const GdemoState *st)
{
    draw_window(s, img, &s->copy, "Copy files", C_DIALOG_BODY);
    text(s, img, s->copy.x1 + PAD, line_y(s, &s->copy, 0), "Copying guest-image.qcow2",
         C_DIALOG_TEXT);
    text(s, img, s->copy.x1 + PAD, line_y(s, &s->copy, 1), "to /mnt/backup/", C_DIALOG_TEXT);
    pixman_box32_t bar = { s->progress.x1, s->progress.y1 + 4, s->progress.x2,
                           s->progress.y1 + 4 + s->fh };
    fill(img, bar, C_FRAME);
    fill(img, (pixman_box32_t){ bar.x1 + 1, bar.y1 + 1, bar.x2 - 1, bar.y2 - 1 }, C_TROUGH);
    int32_t inner = bar.x2 - bar.x1 - 2;
    int32_t done = (int32_t)((int64_t)inner * st->percent / 100);
    if (done > 0) {
        fill(img, (pixman_box32_t){ bar.x1 + 1, bar.y1 + 1, bar.x1 + 1 + done, bar.y2 - 1 },
             C_PROGRESS);
    }
    char pct[32];
    snprintf(pct, sizeof(pct), "%u%% complete", st->percent);
    text(s, img, s->progress.x1, bar.y2 + 4, pct, C_DIALOG_TEXT);
}

void gdemo_scene_draw_fb(const GdemoScene *s, pixman_image_t *fb, const GdemoState *st,
                         pixman_region32_t *clip)
{
    if (clip) {
        pixman_image_set_clip_region32(fb, clip);
    }
    pixman_image_composite32(PIXMAN_OP_SRC, s->background, NULL, fb, 0, 0, 0, 0, 0, 0, s->w, s->h);
    fill(fb, box_xywh(0, 0, s->w, s->bar_h), C_TOPBAR);
    text(s, fb, PAD, 4, "s3-display demo", C_TOPBAR_TEXT);
    char counter[COUNTER_CHARS + 16];
    snprintf(counter, sizeof(counter), "frame %" PRIu64, st->tick);
    text(s, fb, s->counter.x1, s->counter.y1, counter, C_COUNTER_TEXT);
    /* Back to front: the ball is a desktop toy above the windows. */
    draw_terminal(s, fb, st);
    draw_copy_dialog(s, fb, st);
    pixman_image_composite32(PIXMAN_OP_OVER, s->ball, NULL, fb, 0, 0, 0, 0, st->ball_x,
                             st->ball_y, BALL_SIZE, BALL_SIZE);
    if (clip) {
        pixman_image_set_clip_region32(fb, NULL);
    }
}

void gdemo_scene_fill(pixman_image_t *img, const GdemoFill *f)
{
    fill(img, f->box, f->xrgb);
}

GdemoFill gdemo_scene_spin_cell(const GdemoScene *s, unsigned i, unsigned spin)
{
    int32_t cell = s->fh;
    const pixman_box32_t *row = &s->ov_fills[3].box;
    return (GdemoFill){ box_xywh(row->x1 + 4 + (int32_t)i * (cell + 6), row->y1 + 4, cell, cell),
                        i == spin ? C_SPIN_ON : C_SPIN_OFF };
}

void gdemo_scene_draw_overlay(const GdemoScene *s, pixman_image_t *ov, unsigned spin)
{
    for (unsigned i = 0; i < GDEMO_OVERLAY_FILLS; i++) {
        fill(ov, s->ov_fills[i].box, s->ov_fills[i].xrgb);
    }
    text(s, ov, PAD, 3, "Overlay plane", C_TITLE_TEXT);
    for (size_t i = 0; i < G_N_ELEMENTS(ov_lines); i++) {
        text(s, ov, PAD, title_h(s) + PAD + (int32_t)i * s->fh, ov_lines[i], C_OV_TEXT);
    }
    for (unsigned i = 0; i < GDEMO_SPIN_CELLS; i++) {
        GdemoFill c = gdemo_scene_spin_cell(s, i, spin);
        fill(ov, c.box, c.xrgb);
    }
}

unsigned gdemo_scene_moving_boxes(const GdemoScene *s, const GdemoState *st,
                                  pixman_box32_t *boxes, unsigned max)
{
    pixman_box32_t all[] = {
        s->counter, s->term_cursor, s->progress, ball_box(st),
        box_xywh(st->ov_x, st->ov_y, s->ov_w, s->ov_h),
    };
    unsigned n = MIN(max, (unsigned)G_N_ELEMENTS(all));
    memcpy(boxes, all, n * sizeof(*boxes));
    return n;
}
