/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-canvas.h: a display client's canvas, modelled as spice-gtk's canvas
 * applies messages: SURFACE_CREATE, DRAW_FILL (solid), COPY_BITS,
 * DRAW_COPY of images put 1:1 (raw 32-bit bitmaps, LZ_RGB, JPEG), and the
 * pixmap cache (CACHE_ME, FROM_CACHE, INVAL_LIST, INVAL_ALL_PIXMAPS).  It
 * keeps the region where it shows JPEG pixels (`lossy`), as a server must.  Tests read a
 * display channel into it and compare it with the server's surface.
 *
 * A phase of drawing ends with a "tag": a bitmap in a colour of its own
 * drawn last at the bottom-right corner; the reader stops when the corner
 * shows it (see test-draw-commands.c).
 */
#ifndef TEST_CANVAS_H
#define TEST_CANVAS_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <pixman.h>

#include "test-client.h"

typedef enum TestCanvasKind {
    TEST_CANVAS_FILL,
    TEST_CANVAS_COPY_BITS,
    TEST_CANVAS_DRAW_COPY,      /* of pixels (CACHE_ME or not) */
    TEST_CANVAS_FROM_CACHE,     /* DRAW_COPY of a cached image */
    TEST_CANVAS_INVAL,          /* INVAL_LIST, INVAL_ALL_PIXMAPS */
    TEST_CANVAS_OTHER,
    TEST_CANVAS_KINDS
} TestCanvasKind;

extern const char *const test_canvas_kind_names[TEST_CANVAS_KINDS];

typedef struct TestCanvas {
    TestChannel ch;
    unsigned io_timeout_ms;
    uint32_t max_message;
    pixman_image_t *img;        /* NULL before SURFACE_CREATE */
    GHashTable *cache;          /* id (guint64*) -> pixman_image_t*; cached images */
    uint64_t cache_pixels;      /* pixels the cache holds */
    uint64_t cache_pixels_max;  /* the most it ever held */
    uint64_t cached;            /* images it was told to cache */
    uint64_t invalidated;       /* ids it was told to drop */
    uint64_t jpeg_images;       /* JPEG images drawn */
    struct TestGlzWindow *glz;  /* the images GLZ payloads may refer to */
    uint64_t glz_images;        /* GLZ_RGB images decoded (ZLIB_GLZ_RGB's too) */
    uint64_t zlib_glz_images;   /* ZLIB_GLZ_RGB images decoded */
    pixman_region32_t lossy;    /* where the canvas shows JPEG pixels */
    uint64_t count[TEST_CANVAS_KINDS];
    uint64_t bytes;             /* body bytes of drawing messages */
    unsigned bad;               /* messages the model could not apply */
    uint32_t tag;               /* the phase ends when the corner shows it */
    bool tag_seen, failed;
} TestCanvas;

/* A canvas reading display channel fd (which acks). */
void test_canvas_init(TestCanvas *cv, int fd, unsigned io_timeout_ms, uint32_t max_message);
void test_canvas_finish(TestCanvas *cv);

/* Applies one message (type, body) to the model; counts it. */
void test_canvas_apply(TestCanvas *cv, int type, const uint8_t *body, uint32_t size);

/* Reads and applies messages until the tag shows (tag_seen), or a read
 * fails (failed).  A GThreadFunc: data is the TestCanvas. */
gpointer test_canvas_pump(gpointer data);

/* The RGB of pixel (x, y) of an x8r8g8b8 image. */
uint32_t test_canvas_pixel(pixman_image_t *img, int x, int y);

#endif /* TEST_CANVAS_H */
