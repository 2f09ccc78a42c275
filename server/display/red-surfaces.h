/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-surfaces.h: the surfaces of one QXL instance.
 *
 * A surface is a pixman image over device memory (the guest's VRAM or RAM,
 * already translated): rendering writes the guest-visible pixels.  Surface 0
 * is the primary.  A negative stride means the first line is the last one in
 * memory, as QEMU's simple display creates it.
 *
 * The primary is shadowed (red_surface_shadow): drawing goes to a copy of
 * our own, and the guest's memory gets the pixels at the sync points the QXL
 * ABI defines, where spice-server renders its pending drawables: update
 * area, flush surfaces, VM stop.  Drawing not synced when the guest destroys
 * the primary never reaches its memory (spice-server drops those drawables
 * too).  QEMU reads the primary from guest memory for its screendump after
 * an update area, so a Linux guest, which blanks the screen just before it
 * destroys the primary on the way into S3, still shows the last synced
 * picture there, as on spice-server.  After a flush the device memory holds
 * the final picture of every surface (what the S3 sequence relies on).
 *
 * Thread: the display worker (display-channel reads surface 0 on the same
 * thread).
 */
#ifndef RED_SURFACES_H
#define RED_SURFACES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pixman.h>

#include "red-row-ring.h"

/* QEMU's default is 1024 surfaces and the QXL ROM cannot say more than
 * 65536; refuse a device that claims more. */
#define RED_SURFACES_MAX 65536
/* 16K x 16K is past any real monitor; it bounds every size computation. */
#define RED_SURFACE_MAX_DIM 16384

typedef struct RedSurface {
    bool exists;
    uint32_t width, height;
    int32_t stride;            /* as the guest gave it */
    uint32_t format;           /* SPICE_SURFACE_FMT_* */
    uint8_t *mem;              /* start of the memory range */
    pixman_image_t *image;     /* drawn into and read: over mem, or the shadow */
    bool owns_mem;             /* a snapshot: mem is ours (g_malloc), not the guest's */
    /* Shadowed only: image is over `shadow`; guest_image is over mem and
     * lags behind by `unsynced`.  The shadow holds shadow_rows rows, more
     * than height: the surface's first row is row shadow_top of them, and
     * a scroll moves it (red_surface_scroll).  Where shadow_ring.base is
     * set the shadow is that ring's memory and its rows wrap around. */
    uint8_t *shadow;
    uint32_t shadow_rows, shadow_top;
    RedRowRing shadow_ring;
    /* A scroll's rows outside the band that it left to copy (`defer`):
     * rows [strip_y1, strip_y2) of the surface are to take the rows
     * strip_dy above them (below: strip_dy < 0).  Until then those rows
     * hold other pixels: red_surface_strip_settle copies them, or
     * red_surface_strip_drop forgets them once something overwrote them. */
    bool strip_pending;
    int32_t strip_y1, strip_y2, strip_dy;
    uint64_t strips_dropped;   /* copies saved so (a count for tests) */
    pixman_image_t *guest_image;
    pixman_region32_t unsynced;
} RedSurface;

typedef struct RedSurfaces {
    uint32_t count;
    RedSurface *surfaces;
} RedSurfaces;

/* init/finish: no allocation of the struct itself. n = 0 or too big: -1. */
int red_surfaces_init(RedSurfaces *s, uint32_t n);
void red_surfaces_finish(RedSurfaces *s);
size_t red_surfaces_count_live(const RedSurfaces *s);
/* The surface if id is in range and it exists, else NULL. */
RedSurface *red_surfaces_get(RedSurfaces *s, uint32_t id);

/* Bytes of memory a surface of this geometry covers, or 0 if the geometry
 * is invalid (format unknown, size 0 or past the limits, |stride| shorter
 * than a line or not a multiple of 4). */
uint64_t red_surface_mem_size(uint32_t width, uint32_t height, int32_t stride, uint32_t format);

/* Creates surface id over mem (red_surface_mem_size bytes, translated by the
 * caller).  Without keep_data the memory is cleared, as the real server
 * does; with it the guest's pixels are the surface's content.  -1 if id is
 * out of range, already exists, or the geometry is invalid. */
int red_surface_create(RedSurfaces *s, uint32_t id, uint32_t width, uint32_t height,
                       int32_t stride, uint32_t format, uint8_t *mem, bool keep_data);
/* Destroys surface id if it exists; out of range or absent is a no-op.  A
 * shadowed surface's unsynced drawing is dropped, not written to the guest. */
void red_surface_destroy(RedSurfaces *s, uint32_t id);

/* Shadows surface id (it must exist, unshadowed): from now on it is drawn
 * in a copy of its pixels in memory of ours, which red_surface_sync writes
 * to the guest's.  -1 if memory is short: the surface stays drawn in place. */
int red_surface_shadow(RedSurfaces *s, uint32_t id);
/* A full-width scroll of a shadowed surface, as a COPY_BITS does it: rows
 * band->y1 to band->y2 take the pixels of the rows dy further down (dy < 0:
 * further up; the source rows lie in the surface).  Instead of moving the
 * band, the surface's first row moves in the shadow and only the rows
 * outside the band follow (a terminal or a page that scrolls under a
 * toolbar moves a few rows, not the screen).  A shadow whose rows wrap
 * around never moves the rest; in one that does not, once per spare rows'
 * worth of scrolling the whole surface moves to the end of the shadow's
 * spare rows that puts all of them ahead of the scroll.  The image
 * is then over another address: read surf->image again after a scroll.
 * false, with nothing changed, where that is not cheaper than moving the
 * band: not shadowed, not the full width, more rows outside the band than
 * half of it, dy past the spare rows.  The caller marks the band drawn. */
bool red_surface_scroll(RedSurface *surf, const pixman_box32_t *band, int32_t dy, bool defer);
/* With `defer`, the rows outside the band on the side the scroll leaves
 * (below it when dy > 0) are not copied yet where their pixels lie in the
 * surface after the scroll (they do, in the band's new rows): the strip is
 * pending, and the caller settles or drops it before anything else reads
 * or writes the surface (red-render.h: only the next drawable, when it
 * overwrites the strip whole).  A pending strip is settled first. */
/* Copies a pending strip's rows into place; nothing if none is pending. */
void red_surface_strip_settle(RedSurface *surf);
/* Whether a pending strip lies inside box. */
bool red_surface_strip_inside(const RedSurface *surf, const pixman_box32_t *box);
/* Forgets a pending strip whose rows were all overwritten since. */
void red_surface_strip_drop(RedSurface *surf);
/* Notes that `box` of surf was drawn (a no-op unless it is shadowed). */
void red_surface_mark_drawn(RedSurface *surf, const pixman_box32_t *box);
/* Writes the unsynced pixels inside `area` (all of them if NULL) to the
 * guest's memory.  A no-op unless surf is shadowed. */
void red_surface_sync(RedSurface *surf, const pixman_box32_t *area);

/* Makes *snap a copy of src's pixels in memory of its own (same size and
 * format, top-down): the picture the display keeps while the guest has no
 * primary.  0, or -1 (snap left empty) if src does not exist or memory is
 * short. */
int red_surface_snapshot(RedSurface *snap, const RedSurface *src);
/* Frees a snapshot's memory and empties it; an empty one is a no-op. */
void red_surface_snapshot_free(RedSurface *snap);
/* Adds to *out the bands of rows in which a and b (same width and height)
 * hold different pixels; all of b if their size or format differ. */
void red_surface_diff_rows(const RedSurface *a, const RedSurface *b, pixman_region32_t *out);

/* The pixman format of a SPICE_SURFACE_FMT_*, 0 if unknown. */
pixman_format_code_t red_surface_pixman_format(uint32_t format);

#endif /* RED_SURFACES_H */
