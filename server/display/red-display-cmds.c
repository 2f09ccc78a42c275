/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-display-cmds.c: fills, copy-bits and cached images sent to a
 * display client as DRAW_FILL, COPY_BITS and DRAW_COPY, with their clip,
 * and the damage rewrite each one needs (the rule: display-channel.c's
 * header comment). */
#include "config.h"

#include "red-display-cmds.h"

#include <string.h>

#include "red-box.h"
#include "red-image-codec.h"
#include "red-log.h"
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
/* DRAW_COPY's body: image offset (4), source area (16), rop (2), scale
 * mode (1), mask (13); then the image descriptor (id 8, type 1, flags 1,
 * width 4, height 4), all a FROM_CACHE image is. */
#define CMD_DRAW_COPY_BODY_BYTES (4 + 16 + 2 + 1 + 13)
#define CMD_IMAGE_DESCRIPTOR_BYTES 18
/* An INVAL_LIST holds at most this many ids (its count is 16-bit). */
#define CMD_INVAL_LIST_MAX 4096

/* A command waiting for the client's socket: its own copy of the op. */
typedef struct DisplayCmd {
    RedDrawOp op;               /* IMAGE: op.image held only for CACHE_ME */
    uint64_t image_id;          /* IMAGE: the id in the client's cache */
    bool cache_me;              /* IMAGE: the pixels go, to be cached */
    RedImageDigest digest;      /* IMAGE: its key in the client's cache */
    /* CACHE_ME: the INVAL_LIST ids that must reach the client before it,
     * counted as dc->inval_sent counts them (all ids put in cache_inval by
     * the time its room was made); ids evicted by later images go after
     * it (it may be one of them). */
    uint64_t inval_mark;
} DisplayCmd;

/* What the scan for covered commands (cmds_drop_covered) reads of each
 * queued one, kept apart from the commands in an array of its own: it runs
 * over the whole queue on each new fill or image, and a walk through the
 * commands themselves touched two or three cache lines apiece. */
typedef struct DisplayCmdKey {
    pixman_box32_t extents;     /* of op.region */
    bool barrier;               /* a copy-bits: the scan stops there */
    bool keep;                  /* a CACHE_ME image: never dropped */
} DisplayCmdKey;

/* The commands waiting for the client's socket, oldest first: entries
 * head .. head + len - 1 of both arrays. */
struct DisplayCmdQueue {
    unsigned head, len;
    DisplayCmd *cmd[DISPLAY_MAX_QUEUED_CMDS];
    DisplayCmdKey key[DISPLAY_MAX_QUEUED_CMDS];
};

/* Pixels a queued command holds (a CACHE_ME image's). */
static uint64_t cmd_image_pixels(const DisplayCmd *c)
{
    return c->op.image ? (uint64_t)c->op.width * c->op.height : 0;
}

static void display_cmd_free(gpointer p)
{
    DisplayCmd *c = p;
    pixman_region32_fini(&c->op.region);
    if (c->op.image) {
        pixman_image_unref(c->op.image);
    }
    g_free(c);
}

void red_display_cmds_init(DisplayClient *dc)
{
    dc->cmds = g_new0(DisplayCmdQueue, 1);
    dc->queued_image_pixels = 0;
}

/* Appends c; the caller checked there is room (len < the capacity). */
static void queue_push(DisplayCmdQueue *q, DisplayCmd *c)
{
    if (q->head + q->len == DISPLAY_MAX_QUEUED_CMDS) {
        memmove(q->cmd, q->cmd + q->head, q->len * sizeof(q->cmd[0]));
        memmove(q->key, q->key + q->head, q->len * sizeof(q->key[0]));
        q->head = 0;
    }
    unsigned i = q->head + q->len++;
    q->cmd[i] = c;
    q->key[i] = (DisplayCmdKey){ .extents = c->op.region.extents,
                                 .barrier = c->op.kind == RED_DRAW_OP_COPY_BITS,
                                 .keep = c->cache_me };
}

static DisplayCmd *queue_pop_head(DisplayCmdQueue *q)
{
    DisplayCmd *c = q->cmd[q->head];
    q->len--;
    q->head = q->len ? q->head + 1 : 0;
    return c;
}

/* Takes out entry i (an index into the arrays), keeping the others' order. */
static void queue_remove(DisplayCmdQueue *q, unsigned i)
{
    unsigned after = q->head + q->len - 1 - i;
    memmove(q->cmd + i, q->cmd + i + 1, after * sizeof(q->cmd[0]));
    memmove(q->key + i, q->key + i + 1, after * sizeof(q->key[0]));
    q->len--;
}

void red_display_cmds_clear(DisplayClient *dc)
{
    /* An image that will not go will not be in the client's cache: forget
     * it, so nothing refers to it.  (Ids waiting to be invalidated stay in
     * dc->cache_inval: the client still holds those.) */
    DisplayCmdQueue *q = dc->cmds;
    while (q->len) {
        DisplayCmd *c = queue_pop_head(q);
        if (c->op.kind == RED_DRAW_OP_IMAGE && c->cache_me && dc->cache) {
            red_image_cache_forget(dc->cache, &c->digest);
        }
        display_cmd_free(c);
    }
    dc->queued_image_pixels = 0;
}

void red_display_cmds_finish(DisplayClient *dc)
{
    red_display_cmds_clear(dc);
    g_free(dc->cmds);
    dc->cmds = NULL;
}

/* The destination box of the op: an image's own rectangle (the client maps
 * it 1:1 onto that), else the region's extents. */
static pixman_box32_t cmd_box(const RedDrawOp *op)
{
    if (op->kind == RED_DRAW_OP_IMAGE) {
        return (pixman_box32_t){ op->x, op->y, op->x + (int32_t)op->width,
                                 op->y + (int32_t)op->height };
    }
    return *pixman_region32_extents((pixman_region32_t *)&op->region);
}

/* Does the region need a clip list: is it less than its box? */
static bool cmd_needs_clip(const RedDrawOp *op)
{
    pixman_box32_t box = cmd_box(op);
    return pixman_region32_contains_rectangle((pixman_region32_t *)&op->region, &box) !=
           PIXMAN_REGION_IN;
}

/* Wire bytes of the command, an image counted as FROM_CACHE. */
static uint64_t cmd_wire_bytes(const RedDrawOp *op, int n_rects)
{
    uint64_t bytes = CMD_HEADER_BYTES;
    if (cmd_needs_clip(op)) {
        bytes += CMD_CLIP_COUNT_BYTES + (uint64_t)n_rects * SPICE_MSG_RECT_WIRE_SIZE;
    }
    switch (op->kind) {
    case RED_DRAW_OP_FILL:
        return bytes + CMD_FILL_BODY_BYTES;
    case RED_DRAW_OP_IMAGE:
        return bytes + CMD_DRAW_COPY_BODY_BYTES + CMD_IMAGE_DESCRIPTOR_BYTES;
    default:
        return bytes + CMD_COPY_BITS_BODY_BYTES;
    }
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
 * whole source is still damage would save nothing: its pixels go anyway.
 * (An image that is not cached yet is judged in image_plan.) */
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
 * or an image makes its region right; a copy makes its region right except
 * where the source was damage, which moves with the copy. */
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
    /* Exact now (a copy's source was, or it is damage just added). */
    pixman_region32_subtract(&dc->lossy, &dc->lossy, (pixman_region32_t *)&op->region);
}

/* Does the copy's source meet what the client shows lossy? */
static bool copy_from_lossy(DisplayClient *dc, const RedDrawOp *op)
{
    if (!pixman_region32_not_empty(&dc->lossy)) {
        return false;
    }
    pixman_region32_t src;
    pixman_region32_init(&src);
    pixman_region32_copy(&src, (pixman_region32_t *)&op->region);
    pixman_region32_translate(&src, -op->dx, -op->dy);
    pixman_region32_intersect(&src, &src, &dc->lossy);
    bool meets = pixman_region32_not_empty(&src);
    pixman_region32_fini(&src);
    return meets;
}

/* Tells the client to drop the ids evicted from its cache (INVAL_LIST)
 * up to `mark`, before the image that needed their room goes. */
static int send_cache_inval(DisplayClient *dc, uint64_t mark)
{
    GArray *ids = dc->cache_inval;
    while (ids && ids->len > 0 && dc->inval_sent < mark) {
        uint32_t n = (uint32_t)MIN((uint64_t)MIN(ids->len, CMD_INVAL_LIST_MAX),
                                   mark - dc->inval_sent);
        dc->inval_sent += n;
        uint8_t *wire = g_malloc((size_t)n * SPICE_MSG_RESOURCE_WIRE_SIZE);
        spice_msg_resources_encode(SPICE_RES_TYPE_PIXMAP, (const uint64_t *)(void *)ids->data,
                                   n, wire);
        SpiceMsg m = { .type = SPICE_MSG_DISPLAY_INVAL_LIST,
                       .u.inval_list = { (uint16_t)n, { wire, n } } };
        g_array_remove_range(ids, 0, n);
        int ret = red_channel_client_send(dc->rcc, &m); /* may free dc */
        g_free(wire);
        if (ret != 0) {
            return -1;
        }
    }
    return 0;
}

/* DRAW_COPY's image: FROM_CACHE, or the pixels (encoded as the client's
 * codecs say) with CACHE_ME.  *payload is the encoder's buffer to free. */
static void image_message(DisplayClient *dc, const DisplayCmd *c, SpiceMsgDrawCopy *dcopy,
                          uint8_t **payload)
{
    SpiceMsgImage *img = &dcopy->src;
    uint32_t w = c->op.width, h = c->op.height;
    img->id = c->image_id;
    img->width = w;
    img->height = h;
    dcopy->src_area = (SpiceMsgRect){ 0, 0, (int32_t)h, (int32_t)w };
    dcopy->rop_descriptor = SPICE_ROPD_OP_PUT;
    dcopy->scale_mode = SPICE_IMAGE_SCALE_MODE_NEAREST;
    *payload = NULL;
    if (!c->cache_me) {
        img->type = SPICE_IMAGE_TYPE_FROM_CACHE;
        return;
    }
    img->flags = SPICE_IMAGE_FLAGS_CACHE_ME;
    uint8_t *pixels = (uint8_t *)pixman_image_get_data(c->op.image);
    uint32_t stride = (uint32_t)pixman_image_get_stride(c->op.image);
    RedImagePolicy policy = { dc->codecs, dc->glz, dc->zlib_glz };
    RedImagePayload out;
    img->type = red_image_encode(&policy, pixels, w, h, stride, &out);
    *payload = out.data;
    if (*payload) {
        img->data = (SpiceWireArray){ *payload, (uint32_t)out.size };
        img->glz_data_size = out.glz_size;
    } else {
        img->bitmap_format = SPICE_BITMAP_FMT_32BIT;
        img->bitmap_flags = SPICE_BITMAP_FLAGS_TOP_DOWN;
        img->bitmap_x = w;
        img->bitmap_y = h;
        img->bitmap_stride = stride;
        img->data = (SpiceWireArray){ pixels, stride * h };
    }
}

static int send_cmd(DisplayClient *dc, const DisplayCmd *c)
{
    const RedDrawOp *op = &c->op;
    if (op->kind == RED_DRAW_OP_IMAGE && c->cache_me &&
        send_cache_inval(dc, c->inval_mark) != 0) {
        return -1;
    }
    int n;
    const pixman_box32_t *rects = pixman_region32_rectangles((pixman_region32_t *)&op->region,
                                                             &n);
    pixman_box32_t box = cmd_box(op);
    SpiceMsgDisplayBase base = {
        .surface_id = 0,
        .box = { box.y1, box.x1, box.y2, box.x2 },
        .clip.type = SPICE_CLIP_TYPE_NONE,
    };
    uint8_t *wire_rects = NULL;
    if (cmd_needs_clip(op)) {
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
    uint8_t *payload = NULL;
    if (op->kind == RED_DRAW_OP_FILL) {
        m.type = SPICE_MSG_DISPLAY_DRAW_FILL;
        m.u.draw_fill.base = base;
        m.u.draw_fill.brush_type = SPICE_BRUSH_TYPE_SOLID;
        m.u.draw_fill.brush_color = op->color;
        /* What the server drew: a plain put of the colour, whatever rop
         * the guest asked for (red-render.c draws every rop as a put). */
        m.u.draw_fill.rop_descriptor = SPICE_ROPD_OP_PUT;
    } else if (op->kind == RED_DRAW_OP_IMAGE) {
        m.type = SPICE_MSG_DISPLAY_DRAW_COPY;
        m.u.draw_copy.base = base;
        image_message(dc, c, &m.u.draw_copy, &payload);
    } else {
        m.type = SPICE_MSG_DISPLAY_COPY_BITS;
        m.u.copy_bits.base = base;
        m.u.copy_bits.src_pos = (SpiceMsgPoint){ box.x1 - op->dx, box.y1 - op->dy };
    }
    RedWorker *w = dc->worker;
    int ret = red_channel_client_send(dc->rcc, &m); /* may free dc */
    g_free(wire_rects);
    g_free(payload);
    if (ret == 0) {
        w->stats.frames_sent++;
    }
    return ret;
}

/* How an image drawing goes to this client: 1 as a command (c filled in:
 * FROM_CACHE, or CACHE_ME with its room made), 0 as damage. */
static int image_plan(DisplayClient *dc, const RedDrawOp *op, const DisplayImage *image,
                      bool queued, DisplayCmd *c)
{
    if (dc->cache == NULL || image == NULL) {
        return 0;
    }
    uint64_t id = red_image_cache_find(dc->cache, &image->digest);
    if (id != 0) {
        c->image_id = id;
        c->cache_me = false;
        return cmd_worth_it(dc, op) ? 1 : 0;
    }
    /* Not held: worth sending whole (and keeping) only if it will be
     * drawn again, and if most of it shows now (else its visible part as
     * pixels is cheaper). */
    uint64_t pixels = (uint64_t)op->width * op->height;
    int n = pixman_region32_n_rects((pixman_region32_t *)&op->region);
    if (!(image->seen || op->cacheable) || n == 0 || n > DISPLAY_CMD_MAX_RECTS ||
        region_area(&op->region) * 4 < pixels ||
        (queued && dc->queued_image_pixels + pixels > DISPLAY_MAX_QUEUED_IMAGE_PIXELS)) {
        return 0;
    }
    /* The pixels go with it: a copy of its own when the op only borrows
     * them (they change with the next command). */
    pixman_image_t *keep = red_draw_op_keep_image(op);
    if (keep == NULL) {
        return 0;
    }
    if (dc->cache_inval == NULL) {
        dc->cache_inval = g_array_new(FALSE, FALSE, sizeof(guint64));
    }
    id = red_image_cache_add(dc->cache, &image->digest, image->sample, pixels,
                             dc->cache_inval);
    c->inval_mark = dc->inval_sent + dc->cache_inval->len;
    if (id == 0) {
        pixman_image_unref(keep);
        return 0;
    }
    c->image_id = id;
    c->cache_me = true;
    c->op.image = keep;
    c->digest = image->digest;
    return 1;
}

/* Is all of `inner` inside `outer`?  The caller saw that outer's extents
 * hold inner's (most queued commands fail that test, which needs no
 * region operation). */
static bool region_covers(const pixman_region32_t *outer, const pixman_region32_t *inner)
{
    if (pixman_region32_n_rects((pixman_region32_t *)outer) == 1) {
        return true; /* a rectangle holding the other's extents */
    }
    pixman_region32_t rest;
    pixman_region32_init(&rest);
    pixman_region32_subtract(&rest, (pixman_region32_t *)inner, (pixman_region32_t *)outer);
    bool covered = !pixman_region32_not_empty(&rest);
    pixman_region32_fini(&rest);
    return covered;
}

/* A fill or an image about to be queued puts every pixel of `region`:
 * queued commands whose whole region it covers would be overwritten on the
 * client before anyone saw them, so they are dropped, as a guest's
 * drawables hidden before they are shown.  Looked back only to the last
 * copy-bits (it may read what lies under the new command), and a CACHE_ME
 * image stays (the client's cache counts on it). */
static void cmds_drop_covered(DisplayClient *dc, const pixman_region32_t *region)
{
    DisplayCmdQueue *q = dc->cmds;
    for (unsigned i = q->head + q->len; i-- > q->head;) {
        const DisplayCmdKey *k = &q->key[i];
        if (k->barrier) {
            return;
        }
        if (k->keep || !red_box_inside(&k->extents, &region->extents) ||
            !region_covers(region, &q->cmd[i]->op.region)) {
            continue;
        }
        DisplayCmd *c = q->cmd[i];
        queue_remove(q, i);
        display_cmd_free(c);
    }
}

int red_display_cmds_add(DisplayClient *dc, const pixman_box32_t *box, const RedDrawOp *op,
                         const DisplayImage *image)
{
    /* Before its first full picture a client needs no damage (that picture
     * is read when it goes); otherwise a drawing the client cannot redo, one
     * not worth a command, or one with no room left on the queue becomes
     * damage: always right, since the pixels are read when they go. */
    /* A copy from inside a video stream the client shows would copy its
     * lossy frame out of the stream (red-video.h), one from a JPEG area
     * its approximation: pixels instead.  An image inside a stream is the
     * stream's business (its next frame). */
    bool video = (op->kind == RED_DRAW_OP_COPY_BITS &&
                  (red_video_client_overlaps(dc, &op->region, -op->dx, -op->dy) ||
                   copy_from_lossy(dc, op))) ||
                 (op->kind == RED_DRAW_OP_IMAGE &&
                  red_video_client_overlaps(dc, &op->region, 0, 0));
    /* In a batch of the guest's commands (display_channel_cork_all) a
     * command waits for the batch's end, where the cork sends it anyway,
     * so that later ones of the batch can drop it (cmds_drop_covered). */
    bool queued = dc->batch_corked || dc->cmds->len != 0 ||
                  !red_channel_client_can_send(dc->rcc);
    /* cmd.op.image is set by image_plan, owned, when the pixels go. */
    DisplayCmd cmd = { .op = *op };
    cmd.op.image = NULL;
    cmd.op.image_borrowed = false;
    bool as_cmd = dc->surface_sent && op->kind != RED_DRAW_OP_PIXELS && !video &&
                  dc->cmds->len < DISPLAY_MAX_QUEUED_CMDS;
    if (as_cmd) {
        as_cmd = op->kind == RED_DRAW_OP_IMAGE ? image_plan(dc, op, image, queued, &cmd) == 1
                                               : cmd_worth_it(dc, op);
    }
    if (!as_cmd) {
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
    if (!queued) {
        int ret = send_cmd(dc, &cmd); /* may free dc, not cmd */
        if (cmd.op.image) {
            pixman_image_unref(cmd.op.image);
        }
        return ret;
    }
    if (op->kind == RED_DRAW_OP_FILL || op->kind == RED_DRAW_OP_IMAGE) {
        cmds_drop_covered(dc, &op->region);
    }
    DisplayCmd *c = g_new0(DisplayCmd, 1);
    *c = cmd;
    pixman_region32_init(&c->op.region);
    pixman_region32_copy(&c->op.region, (pixman_region32_t *)&op->region);
    /* The image's pixels are kept only when they go (CACHE_ME, image_plan):
     * a FROM_CACHE needs its size alone. */
    dc->queued_image_pixels += cmd_image_pixels(c);
    queue_push(dc->cmds, c);
    return 0;
}

bool red_display_cmds_half_full(const DisplayClient *dc)
{
    return dc->cmds->len >= DISPLAY_MAX_QUEUED_CMDS / 2 ||
           dc->queued_image_pixels >= DISPLAY_MAX_QUEUED_IMAGE_PIXELS / 2;
}

int red_display_cmds_flush(DisplayClient *dc)
{
    while (dc->cmds->len != 0) {
        if (!red_channel_client_can_send(dc->rcc)) {
            return 0;
        }
        DisplayCmd *c = queue_pop_head(dc->cmds);
        dc->queued_image_pixels -= cmd_image_pixels(c);
        int ret = send_cmd(dc, c); /* may free dc */
        display_cmd_free(c);
        if (ret != 0) {
            return -1;
        }
    }
    return 1;
}
