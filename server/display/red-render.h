/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-render.h: executes the commands of the QXL display ring.
 *
 * Drawables are rendered with pixman straight into the destination
 * surface's image (its device memory, or the primary's shadow: see
 * red-surfaces.h); surface commands create and destroy surfaces.
 * Every guest structure is read through the memslots with its size and
 * copied into locals before it is checked and used.  A command that is
 * invalid is not rendered (logged, counted as a guest error), but its
 * release info is still returned whenever the command itself was readable,
 * so the guest gets its memory back.
 *
 * Supported: FILL (solid and pattern brush), OPAQUE and COPY and BLEND
 * (rendered as a copy: the Linux and QEMU paths only send OP_PUT), COPY_BITS,
 * ALPHA_BLEND, COMPOSITE, BLACKNESS, WHITENESS, INVERS, with NONE or RECTS
 * clipping and scaling.  ROP3, STROKE, TEXT and TRANSPARENT, which no
 * current driver emits, are logged as unsupported and released.
 *
 * Thread: the display worker.
 */
#ifndef RED_RENDER_H
#define RED_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include <pixman.h>
#include <spice.h>

#include "red-memslot.h"
#include "red-surfaces.h"

/* Clip lists past this are not from a real desktop (Linux sends one rect
 * per damage clip, at most a few hundred). */
#define RED_RENDER_MAX_CLIP_RECTS 65536
/* Image copies smaller than this are never classified (the smallest video
 * stream, red-video.h's RED_VIDEO_MIN_AREA). */
#define RED_RENDER_NATURAL_MIN_AREA (96 * 96)
/* Nor those thinner than this: a strip is a text line, a ticker or a
 * progress bar, never a film's frame (a scrolling terminal draws a
 * 1024x16 line per frame at the same place, at video rate). */
#define RED_RENDER_NATURAL_MIN_SIDE 32

typedef struct RedRenderer {
    RedMemSlots *slots;
    RedSurfaces *surfaces;
    /* Set: results carry the drawing operation (RedDrawOp) of fills and
     * copy-bits, and every result must be red_command_result_finish()ed. */
    bool record_ops;
    /* Asked with an image copy's bbox: true, the copy is classified
     * (RedCommandResult.natural).  It costs a pass over samples, so only
     * where someone reads the verdict: streaming-video=filter, and not
     * inside a live stream (red-video.h).  NULL: never classify. */
    bool (*natural_wanted)(void *opaque, const QXLRect *bbox);
    void *natural_opaque;
    /* Set by the caller for one red_render_command when the next command
     * it will render is a drawable: a full-width scroll may then leave the
     * rows outside its band pending (red_surface_scroll's defer), and that
     * drawable either overwrites them whole (the copy is saved: a
     * terminal's new line after its scroll) or has them copied first.  The
     * caller calls red_render_settle before anything else touches the
     * surfaces. */
    bool defer_strip;
    RedSurface *strip_surface;  /* the surface with a pending strip, if any */
} RedRenderer;

typedef enum RedCommandKind {
    RED_CMD_NONE,              /* nothing visible (NOP, UPDATE, MESSAGE, error) */
    RED_CMD_DRAWN,             /* pixels changed inside `damage` */
    RED_CMD_SURFACE_CREATED,
    RED_CMD_SURFACE_DESTROYED,
} RedCommandKind;

/* What a drawable did to its surface, when a client can redo it exactly
 * from its own canvas (display-channel.c sends it as a drawing command). */
typedef enum RedDrawOpKind {
    RED_DRAW_OP_PIXELS,        /* anything else: only the pixels tell */
    RED_DRAW_OP_FILL,          /* `region` set to `color` (x8r8g8b8, 32-bit surface) */
    RED_DRAW_OP_COPY_BITS,     /* `region` got the pixels at (x - dx, y - dy) */
    RED_DRAW_OP_IMAGE,         /* `region` got `image` put at (x, y), 1:1 */
} RedDrawOpKind;

/* Images up to this many pixels are kept with their op (a copy, since
 * the guest's memory goes back after rendering, or a view of the shadow
 * they were just put on), so that clients with a pixmap cache can get them
 * as cached images; bigger ones are pixels. */
#define RED_DRAW_OP_MAX_IMAGE_PIXELS (512u * 512u)

typedef struct RedDrawOp {
    RedDrawOpKind kind;
    uint32_t color;
    int32_t dx, dy;
    int32_t x, y;              /* IMAGE: where its top-left pixel went */
    uint32_t width, height;    /* IMAGE: its size */
    pixman_image_t *image;     /* IMAGE: x8r8g8b8, the source area as put */
    /* IMAGE: `image` is a view of the surface's own pixels at (x, y), not
     * a copy: right only until the next command draws.  Whoever keeps the
     * image past this command takes red_draw_op_keep_image(). */
    bool image_borrowed;
    bool cacheable;            /* IMAGE: the guest marked it QXL_IMAGE_CACHE */
    pixman_region32_t region;  /* exactly the pixels written (bbox and clip) */
} RedDrawOp;

typedef struct RedCommandResult {
    RedCommandKind kind;
    uint32_t surface_id;
    pixman_box32_t damage;          /* RED_CMD_DRAWN: extents of what changed */
    uint32_t draw_type;             /* RED_CMD_DRAWN: QXL_DRAW_* of the drawable */
    /* RED_CMD_DRAWN: an image copy on the primary, at least
     * RED_RENDER_NATURAL_MIN_AREA, whose source looks like a film's frame
     * (red_image_is_natural): what streaming-video=filter streams. */
    bool natural;
    QXLReleaseInfo *release_info;   /* to pass to release_resource; NULL if none */
    RedDrawOp op;                   /* record_ops: RED_CMD_DRAWN's operation */
} RedCommandResult;

/* Executes one command (type QXL_CMD_*, flags from QXLCommandExt).
 * 0, or -1 for a guest error (res->release_info may still be set). */
int red_render_command(RedRenderer *r, uint32_t group_id, QXLPHYSICAL addr, uint32_t type,
                       uint32_t flags, RedCommandResult *res);
/* Frees what a result of a record_ops renderer holds. */
void red_command_result_finish(RedCommandResult *res);
/* Copies a strip a scroll left pending (defer_strip) into place. */
void red_render_settle(RedRenderer *r);
/* A reference to an IMAGE op's image to keep: a compact copy (stride =
 * width * 4) when it is borrowed, else the image itself.  NULL if memory
 * is short. */
pixman_image_t *red_draw_op_keep_image(const RedDrawOp *op);

#endif /* RED_RENDER_H */
