/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-display-cmds.c: fills and copy-bits sent to a display client as
 * DRAW_FILL and COPY_BITS, with their clip, and the damage rewrite each one
 * needs (the rule: display-channel.c's header comment). */
#include "config.h"

#include "red-display-cmds.h"

#include <string.h>

#include "red-worker-private.h"

/* Wire bytes of a command besides its clip rectangles: mini header (6),
 * DisplayBase without the clip list (surface 4, box 16, clip type 1), the
 * clip count when there is a list (4), and the body: DRAW_FILL's brush
 * (type 1, colour 4), rop (2) and mask (flags 1, pos 8, bitmap 4), or
 * COPY_BITS's source point (8). */
#define CMD_HEADER_BYTES (6 + 4 + 16 + 1)
#define CMD_CLIP_COUNT_BYTES 4
#define CMD_FILL_BODY_BYTES (1 + 4 + 2 + 1 + 8 + 4)
#define CMD_COPY_BITS_BODY_BYTES 8

/* A command waiting for the client's socket: its own copy of the op. */
typedef struct DisplayCmd {
    RedDrawOp op;
} DisplayCmd;

static void display_cmd_free(gpointer p)
{
    DisplayCmd *c = p;
    pixman_region32_fini(&c->op.region);
    g_free(c);
}

void red_display_cmds_init(DisplayClient *dc)
{
    g_queue_init(&dc->cmds);
}

void red_display_cmds_clear(DisplayClient *dc)
{
    g_queue_clear_full(&dc->cmds, display_cmd_free);
}

void red_display_cmds_finish(DisplayClient *dc)
{
    red_display_cmds_clear(dc);
}

static uint64_t cmd_wire_bytes(const RedDrawOp *op, int n_rects)
{
    uint64_t bytes = CMD_HEADER_BYTES;
    if (n_rects > 1) {
        bytes += CMD_CLIP_COUNT_BYTES + (uint64_t)n_rects * SPICE_MSG_RECT_WIRE_SIZE;
    }
    return bytes + (op->kind == RED_DRAW_OP_FILL ? CMD_FILL_BODY_BYTES : CMD_COPY_BITS_BODY_BYTES);
}

static uint64_t region_area(const pixman_region32_t *r)
{
    int n;
    const pixman_box32_t *b = pixman_region32_rectangles((pixman_region32_t *)r, &n);
    uint64_t area = 0;
    for (int i = 0; i < n; i++) {
        area += (uint64_t)(b[i].x2 - b[i].x1) * (uint64_t)(b[i].y2 - b[i].y1);
    }
    return area;
}

/* The part of the copy-bits destination whose source the client does not
 * have yet: the client's damage moved by the copy, inside the region. */
static void copy_bits_stale(const DisplayClient *dc, const RedDrawOp *op, pixman_region32_t *out)
{
    pixman_region32_init(out);
    pixman_region32_copy(out, (pixman_region32_t *)&dc->damage);
    pixman_region32_translate(out, op->dx, op->dy);
    pixman_region32_intersect(out, out, (pixman_region32_t *)&op->region);
}

/* Is the command worth sending instead of the pixels?  Pixels cost at
 * least a byte each even compressed, in practice (LZ4 of a solid area
 * stays near that with its message around it, raw is 4): a command that
 * is smaller than its area in pixels is the cheaper one.  A copy whose
 * whole source is still damage would save nothing: its pixels go anyway. */
static bool cmd_worth_it(const DisplayClient *dc, const RedDrawOp *op)
{
    int n = pixman_region32_n_rects((pixman_region32_t *)&op->region);
    if (n == 0 || n > DISPLAY_CMD_MAX_RECTS ||
        cmd_wire_bytes(op, n) > region_area(&op->region)) {
        return false;
    }
    if (op->kind != RED_DRAW_OP_COPY_BITS) {
        return true;
    }
    pixman_region32_t stale;
    copy_bits_stale(dc, op, &stale);
    bool all_stale = pixman_region32_equal(&stale, (pixman_region32_t *)&op->region);
    pixman_region32_fini(&stale);
    return !all_stale;
}

/* The client's damage after the command is (to be) on its queue: a fill
 * makes its region right; a copy makes its region right except where the
 * source was damage, which moves with the copy. */
static void damage_after_cmd(DisplayClient *dc, const RedDrawOp *op)
{
    pixman_region32_t stale;
    pixman_region32_init(&stale);
    if (op->kind == RED_DRAW_OP_COPY_BITS) {
        pixman_region32_fini(&stale);
        copy_bits_stale(dc, op, &stale);
    }
    pixman_region32_subtract(&dc->damage, &dc->damage, (pixman_region32_t *)&op->region);
    pixman_region32_union(&dc->damage, &dc->damage, &stale);
    pixman_region32_fini(&stale);
}

static int send_cmd(DisplayClient *dc, const RedDrawOp *op)
{
    int n;
    const pixman_box32_t *rects = pixman_region32_rectangles((pixman_region32_t *)&op->region,
                                                             &n);
    const pixman_box32_t *ext = pixman_region32_extents((pixman_region32_t *)&op->region);
    SpiceMsgDisplayBase base = {
        .surface_id = 0,
        .box = { ext->y1, ext->x1, ext->y2, ext->x2 },
        .clip.type = SPICE_CLIP_TYPE_NONE,
    };
    uint8_t *wire_rects = NULL;
    if (n > 1) {
        /* The list of rects as the wire has them; n <= DISPLAY_CMD_MAX_RECTS. */
        SpiceMsgRect *r = g_new(SpiceMsgRect, n);
        for (int i = 0; i < n; i++) {
            r[i] = (SpiceMsgRect){ rects[i].y1, rects[i].x1, rects[i].y2, rects[i].x2 };
        }
        wire_rects = g_malloc((size_t)n * SPICE_MSG_RECT_WIRE_SIZE);
        spice_msg_rects_encode(r, (uint32_t)n, wire_rects);
        g_free(r);
        base.clip.type = SPICE_CLIP_TYPE_RECTS;
        base.clip.rects = (SpiceWireArray){ wire_rects, (uint32_t)n };
    }
    SpiceMsg m;
    memset(&m, 0, sizeof(m));
    if (op->kind == RED_DRAW_OP_FILL) {
        m.type = SPICE_MSG_DISPLAY_DRAW_FILL;
        m.u.draw_fill.base = base;
        m.u.draw_fill.brush_type = SPICE_BRUSH_TYPE_SOLID;
        m.u.draw_fill.brush_color = op->color;
        /* What the server drew: a plain put of the colour, whatever rop
         * the guest asked for (red-render.c draws every rop as a put). */
        m.u.draw_fill.rop_descriptor = SPICE_ROPD_OP_PUT;
    } else {
        m.type = SPICE_MSG_DISPLAY_COPY_BITS;
        m.u.copy_bits.base = base;
        m.u.copy_bits.src_pos = (SpiceMsgPoint){ ext->x1 - op->dx, ext->y1 - op->dy };
    }
    RedWorker *w = dc->worker;
    int ret = red_channel_client_send(dc->rcc, &m); /* may free dc */
    g_free(wire_rects);
    if (ret == 0) {
        w->stats.frames_sent++;
    }
    return ret;
}

int red_display_cmds_add(DisplayClient *dc, const pixman_box32_t *box, const RedDrawOp *op)
{
    /* Before its first full picture a client needs no damage (that picture
     * is read when it goes); otherwise a drawing the client cannot redo, one
     * not worth a command, or one with no room left on the queue becomes
     * damage: always right, since the pixels are read when they go. */
    /* A copy from inside a video stream the client shows would copy its
     * lossy frame out of the stream (red-video.h): pixels instead. */
    bool from_video = op->kind == RED_DRAW_OP_COPY_BITS &&
                      red_video_client_overlaps(dc, &op->region, -op->dx, -op->dy);
    if (!dc->surface_sent || op->kind == RED_DRAW_OP_PIXELS || !cmd_worth_it(dc, op) ||
        from_video || g_queue_get_length(&dc->cmds) >= DISPLAY_MAX_QUEUED_CMDS) {
        if (op->kind == RED_DRAW_OP_PIXELS) {
            pixman_region32_union_rect(&dc->damage, &dc->damage, box->x1, box->y1,
                                       (unsigned)(box->x2 - box->x1),
                                       (unsigned)(box->y2 - box->y1));
        } else {
            pixman_region32_union(&dc->damage, &dc->damage, (pixman_region32_t *)&op->region);
        }
        return 0;
    }
    damage_after_cmd(dc, op);
    if (g_queue_is_empty(&dc->cmds) && red_channel_client_can_send(dc->rcc)) {
        return send_cmd(dc, op);
    }
    DisplayCmd *c = g_new0(DisplayCmd, 1);
    c->op = *op;
    pixman_region32_init(&c->op.region);
    pixman_region32_copy(&c->op.region, (pixman_region32_t *)&op->region);
    g_queue_push_tail(&dc->cmds, c);
    return 0;
}

int red_display_cmds_flush(DisplayClient *dc)
{
    while (!g_queue_is_empty(&dc->cmds)) {
        if (!red_channel_client_can_send(dc->rcc)) {
            return 0;
        }
        DisplayCmd *c = g_queue_pop_head(&dc->cmds);
        int ret = send_cmd(dc, &c->op); /* may free dc */
        display_cmd_free(c);
        if (ret != 0) {
            return -1;
        }
    }
    return 1;
}
