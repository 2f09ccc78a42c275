/* SPDX-License-Identifier: GPL-2.0-or-later */
/* display-fixture.h: the display-client tests' fixture (prefix dc_): our
 * library behind <spice.h> with a fake QXL device (test-qxl-server.h) and
 * one client (test-client.h) whose display channel is read into the canvas
 * model of test-canvas.h, and the scenes those tests draw.
 *
 * Every phase ends with a "tag": an 8x8 bitmap at the bottom-right corner
 * in a colour of its own, drawn last.  It is pixels, and damage goes out
 * after every command and in top-to-bottom order, so the message that
 * brings the tag's last pixel is the last one of the phase: the reader
 * stops there (bounded wait), and the server's surface is read after a
 * completed flush.  Nothing is timed.
 */
#ifndef DISPLAY_FIXTURE_H
#define DISPLAY_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <pixman.h>

#include "test-canvas.h"
#include "test-client.h"
#include "test-qxl-server.h"

#define DC_WIDTH 640
#define DC_HEIGHT 480
#define DC_TAG 8
#define DC_IO_TIMEOUT_MS 20000
#define DC_FLUSH_TIMEOUT_MS 20000
#define DC_RELEASE_TIMEOUT_MS 10000
#define DC_MAX_MESSAGE ((uint32_t)DC_WIDTH * DC_HEIGHT * 4 + 4096)
#define DC_COOKIE 0x4443ull /* "DC" */
#define DC_MAX_REPORTED 8

typedef struct Dc {
    TestQxlServer *ts;
    int main_fd, display_fd;
    unsigned flushes;
    unsigned icons;             /* dc_icon's so far: picks the next cell */
    TestCanvas cv;
} Dc;

/* Runs the reader on its own thread while `draw` submits a phase. */
typedef void (*DcDraw)(Dc *dc, GRand *rnd, pixman_region32_t *drawn);

typedef struct DcPhase {
    uint64_t count[TEST_CANVAS_KINDS];
    uint64_t bytes;
    uint64_t drawn_area;      /* pixels the phase's drawables changed (union) */
} DcPhase;

/* A client with no pixmap cache (0), or one of `cache_pixels` pixels, of a
 * server with the image setting `comp` (dc_start: raw images). */
bool dc_start_with(Dc *dc, int rcvbuf, int64_t cache_pixels, TestQxlServerCompression comp);
/* dc_start_with, and the server's link test answered before the display
 * channel links: its third PONG pong_delay_ms late (a slow link), or not
 * at all for -1 (no verdict: a fast link). */
bool dc_start_on_link(Dc *dc, int rcvbuf, int64_t cache_pixels, TestQxlServerCompression comp,
                      int pong_delay_ms);
/* Answers the link test of a client started with pong_delay_ms -1, now
 * (its third PONG pong_delay_ms late), and returns once the display
 * worker has the verdict. */
void dc_answer_link_test(Dc *dc, unsigned pong_delay_ms);
bool dc_start(Dc *dc, int rcvbuf, int64_t cache_pixels);
void dc_stop(Dc *dc);
/* Flushes the device's surfaces (async, waited for). */
void dc_flush(Dc *dc);
/* Copies px (the box's size, top row first, packed) to the box as a
 * bitmap; cache_id != 0 marks it QXL_IMAGE_CACHE. */
void dc_put_pixels(Dc *dc, const QXLRect *box, const uint32_t *px, uint64_t cache_id);
/* A bitmap of the box's size, pixels from `seed`, copied to the box. */
void dc_bitmap(Dc *dc, const QXLRect *box, uint32_t seed);
/* Draws the tag and flushes: after this the surface is final and the
 * client's last message is the tag. */
void dc_end_phase(Dc *dc, uint32_t tag);
/* The model equals the server's surface (RGB; read after a flush). */
void dc_check_converged(Dc *dc, const char *phase);
/* Runs the reader on its own thread while `draw` submits a phase, ends the
 * phase, prints what came and checks convergence. */
DcPhase dc_phase(Dc *dc, const char *name, uint32_t tag, DcDraw draw, GRand *rnd);

/* Scenes and their parts; `drawn` collects the area they changed. */
void dc_draw_background(Dc *dc, GRand *rnd, pixman_region32_t *drawn);
/* A random box of 16..128 pixels a side inside the surface. */
QXLRect dc_random_box(GRand *rnd);
/* A clip of two or three rectangles of the box (each at least 16x8). */
unsigned dc_random_clip(GRand *rnd, const QXLRect *box, QXLRect *clip);
void dc_region_add(pixman_region32_t *drawn, const QXLRect *box, const QXLRect *clip,
                   unsigned n_clip);

#define DC_ICON 64
#define DC_ICON_KINDS 4
#define DC_ICON_REPEATS 10
/* Icon k (its own pixels) in the next of the surface's DC_ICON-sided
 * cells, in an order that visits each before any comes again: no icon of
 * a phase of up to DC_ICON_CELLS hides another, so none is skipped
 * (server/display/red-cull.h) and the counts stay exact.  cache_id != 0
 * marks it QXL_IMAGE_CACHE as a Windows driver does (Linux's never
 * does). */
#define DC_ICON_CELLS ((DC_WIDTH / DC_ICON) * (DC_HEIGHT / DC_ICON))
void dc_icon(Dc *dc, unsigned k, uint64_t cache_id, pixman_region32_t *drawn);
/* DC_ICON_KINDS icons drawn DC_ICON_REPEATS times each, unmarked, then a
 * marked one thrice. */
void dc_draw_icons(Dc *dc, GRand *rnd, pixman_region32_t *drawn);

/* A real client's picture (a P6 PPM as spice-watch.py writes it) as
 * DC_WIDTH x DC_HEIGHT RGB bytes (g_free), or NULL if unusable. */
uint8_t *dc_load_ppm(const char *path);
/* Pixel (x, y) of such a picture as 0xrrggbb. */
uint32_t dc_ppm_pixel(const uint8_t *rgb, uint32_t x, uint32_t y);

/* Compares a real client's picture (NULL: none) with the server; the
 * reply line goes in `reply`. */
typedef void (*DcCompare)(Dc *dc, const uint8_t *rgb, GString *reply);

/* A DcCompare: "SAME", or "DIFF n" (n pixels differ, -1: no picture; the
 * first few named on stderr). */
void dc_compare_exact(Dc *dc, const uint8_t *rgb, GString *reply);

/* Serves `scene` to real clients (a server without password, images as
 * `comp`), driven by lines on stdin:
 *   draw          the scene and the tag, flushed: "DRAWN"
 *   compare PATH  `compare`'s reply for the PPM at PATH
 *   quit (or EOF) tears down.
 * Prints "SERVER-READY port=N" first.  Returns the exit status: 0 if every
 * check held. */
int dc_serve(TestQxlServerCompression comp, DcDraw scene, DcCompare compare);

#endif /* DISPLAY_FIXTURE_H */
