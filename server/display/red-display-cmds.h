/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-display-cmds.h (internal to the worker): drawing commands for one
 * display client: fills, copy-bits and images from its pixmap cache that
 * the client redoes on its own canvas instead of receiving their pixels.
 *
 * The rule that keeps the client's canvas converging to the primary is in
 * display-channel.c's header comment; this module keeps each client's small
 * bounded queue of commands not yet sent and rewrites its damage as each
 * command is taken.
 *
 * Thread: the display worker.
 */
#ifndef RED_DISPLAY_CMDS_H
#define RED_DISPLAY_CMDS_H

#include <stdbool.h>

#include <pixman.h>

#include "red-image-cache.h"
#include "red-render.h"

typedef struct DisplayClient DisplayClient;

/* Commands a client may have waiting for its socket (ack window closed or
 * send queue over the high-water mark).  Past this the next drawing is
 * damage instead: a slow client costs at most this many commands of at
 * most DISPLAY_CMD_MAX_RECTS rectangles each (about 1 MiB). */
#define DISPLAY_MAX_QUEUED_CMDS 256
/* A clip of more rectangles than this is sent as pixels: a command's clip
 * list grows with the rectangles, the pixels of a thin sliver do not. */
#define DISPLAY_CMD_MAX_RECTS 256
/* Pixels of images (CACHE_ME) a client may have waiting: past this the
 * next image is damage.  With the command bound, a slow client holds at
 * most this much of the worker's memory in images. */
#define DISPLAY_MAX_QUEUED_IMAGE_PIXELS (2u * 1024 * 1024)

/* An image drawing (RED_DRAW_OP_IMAGE) as the worker knows it, once for
 * all clients. */
typedef struct DisplayImage {
    RedImageDigest digest;
    uint64_t sample;            /* red_image_sample */
    bool seen;                  /* drawn before, lately (red_image_seen_note) */
} DisplayImage;

/* init/finish: the queue inside dc (no allocation of dc). */
void red_display_cmds_init(DisplayClient *dc);
void red_display_cmds_finish(DisplayClient *dc);
/* Drops the queued commands (the client gets a new surface, or none). */
void red_display_cmds_clear(DisplayClient *dc);

/* The primary changed inside `box` by the drawing `op` (a RedDrawOp of
 * red-render.h, RED_DRAW_OP_PIXELS for anything a client cannot redo;
 * `image` set for RED_DRAW_OP_IMAGE when the digest could be made).
 * Sends or queues the command when that is exact and cheaper than the
 * pixels, else adds the area to the client's damage.  An image goes from
 * the client's cache when it holds it, into the cache (CACHE_ME, after an
 * INVAL_LIST of what makes room) when it was drawn before or the guest
 * marked it cacheable, else as damage.  Returns -1 when the client was
 * closed by a failed send (dc may be freed), else 0. */
int red_display_cmds_add(DisplayClient *dc, const pixman_box32_t *box, const RedDrawOp *op,
                         const DisplayImage *image);

/* Is the client's queue half way to either bound?  A batch held open
 * (red-worker-commands.c) is sent then, before drawings turn to damage. */
bool red_display_cmds_half_full(const DisplayClient *dc);

/* Sends queued commands while the client can take them.  Returns 1 when
 * the queue is empty (damage may be sent now), 0 when commands still wait,
 * -1 when the client was closed (dc may be freed). */
int red_display_cmds_flush(DisplayClient *dc);

#endif /* RED_DISPLAY_CMDS_H */
