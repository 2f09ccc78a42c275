/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* display-channel.c: the display channel's clients, served by the worker.
 *
 * Clients of several sessions may watch the same display; each is served on
 * its own: a newcomer gets SURFACE_CREATE and the whole primary in one
 * draw, then the updates, and closes with its session.
 *
 * Each client keeps a damage region: the part of the primary surface it has
 * not received since it last changed.  Rendering adds to every client's
 * damage; sending takes rectangles out of it and ships the current pixels
 * of that area (raw, or LZ4 when the client has the cap).  A slow client
 * therefore never makes the worker queue frames: its damage just merges, and
 * it converges to the current picture as soon as it reads again.
 */
#include "config.h"

#include "red-worker-private.h"

#include <string.h>

#include "red-log.h"
#include "red-lz4.h"

/* Updates after the first full frame are cut into bands of at most this many
 * bytes of pixels, so one message never holds the socket for long. */
#define DISPLAY_MAX_UPDATE_BYTES (256u * 1024)

/* What clients are shown: the guest's primary, else the picture kept from
 * the last one (see display_channel_keep_primary), else nothing. */
static const RedSurface *primary(RedWorker *w)
{
    if (w->surfaces.count && w->surfaces.surfaces[0].exists) {
        return &w->surfaces.surfaces[0];
    }
    return w->kept.exists ? &w->kept : NULL;
}

static void display_client_remove(DisplayClient *dc)
{
    RedWorker *w = dc->worker;
    w->display_clients = g_list_remove(w->display_clients, dc);
    w->stats.display_clients = g_list_length(w->display_clients);
    red_worker_report_clients(w);
    pixman_region32_fini(&dc->damage);
    if (!red_channel_client_peer_closed(dc->rcc) && !w->closing_all) {
        w->events.client_failed(w->events.opaque, dc->session_id);
    }
    red_channel_client_free(dc->rcc);
    if (dc->connection) {
        w->events.client_closed(w->events.opaque, dc->connection);
    }
    g_free(dc);
}

/* Copies the area's pixels, top-down x8r8g8b8 with stride width*4, into a
 * new buffer; converts with pixman when the surface is not 32-bit. */
static uint8_t *copy_area(const RedSurface *s, const pixman_box32_t *b, uint32_t *stride_out)
{
    uint32_t w = (uint32_t)(b->x2 - b->x1), h = (uint32_t)(b->y2 - b->y1);
    uint32_t stride = w * 4;
    uint8_t *buf = g_malloc((size_t)stride * h);
    pixman_image_t *dst = pixman_image_create_bits(PIXMAN_x8r8g8b8, (int)w, (int)h,
                                                   (uint32_t *)buf, (int)stride);
    pixman_image_composite32(PIXMAN_OP_SRC, s->image, NULL, dst, b->x1, b->y1, 0, 0, 0, 0,
                             (int)w, (int)h);
    pixman_image_unref(dst);
    *stride_out = stride;
    return buf;
}

static int send_area(DisplayClient *dc, const RedSurface *s, const pixman_box32_t *b)
{
    uint32_t stride;
    uint8_t *pixels = copy_area(s, b, &stride);
    uint32_t w = (uint32_t)(b->x2 - b->x1), h = (uint32_t)(b->y2 - b->y1);
    SpiceMsg m = { .type = SPICE_MSG_DISPLAY_DRAW_COPY };
    SpiceMsgDrawCopy *c = &m.u.draw_copy;
    c->base.surface_id = 0;
    c->base.box = (SpiceMsgRect){ b->y1, b->x1, b->y2, b->x2 };
    c->base.clip.type = SPICE_CLIP_TYPE_NONE;
    c->src_area = (SpiceMsgRect){ 0, 0, (int32_t)h, (int32_t)w };
    c->rop_descriptor = SPICE_ROPD_OP_PUT;
    c->src.width = w;
    c->src.height = h;
    uint8_t *lz4 = NULL;
    size_t lz4_size = 0;
    if (dc->lz4 && red_lz4_encode(pixels, w, h, stride, &lz4, &lz4_size) == 0 &&
        lz4_size < (size_t)stride * h) {
        c->src.type = SPICE_IMAGE_TYPE_LZ4;
        c->src.data = (SpiceWireArray){ lz4, (uint32_t)lz4_size };
    } else {
        c->src.type = SPICE_IMAGE_TYPE_BITMAP;
        c->src.bitmap_format = SPICE_BITMAP_FMT_32BIT;
        c->src.bitmap_flags = SPICE_BITMAP_FLAGS_TOP_DOWN;
        c->src.bitmap_x = w;
        c->src.bitmap_y = h;
        c->src.bitmap_stride = stride;
        c->src.data = (SpiceWireArray){ pixels, stride * h };
    }
    RedWorker *worker = dc->worker;
    int ret = red_channel_client_send(dc->rcc, &m); /* may free dc */
    g_free(lz4);
    g_free(pixels);
    worker->stats.frames_sent++;
    return ret;
}

static int send_surface_create(DisplayClient *dc, const RedSurface *s)
{
    /* The client canvas is always 32-bit xRGB (spicy-screenshot handles only
     * that); we convert when sending. */
    SpiceMsg m = { .type = SPICE_MSG_DISPLAY_SURFACE_CREATE,
                   .u.surface_create = { 0, s->width, s->height, SPICE_SURFACE_FMT_32_xRGB,
                                         SPICE_SURFACE_FLAGS_PRIMARY } };
    SpiceMsg inval = { .type = SPICE_MSG_DISPLAY_INVAL_ALL_PALETTES };
    if (red_channel_client_send(dc->rcc, &inval) != 0 ||
        red_channel_client_send(dc->rcc, &m) != 0) {
        return -1;
    }
    /* The first draw covers the whole surface in one message: spicy-screenshot
     * saves on the first invalidate it sees. */
    pixman_box32_t all = { 0, 0, (int32_t)s->width, (int32_t)s->height };
    if (send_area(dc, s, &all) != 0) {
        return -1;
    }
    SpiceMsg mark = { .type = SPICE_MSG_DISPLAY_MARK };
    if (red_channel_client_send(dc->rcc, &mark) != 0) {
        return -1;
    }
    dc->surface_sent = true;
    pixman_region32_clear(&dc->damage);
    return 0;
}

/* Sends what the client is missing, as far as its ack window allows. */
static void display_client_push(DisplayClient *dc)
{
    const RedSurface *s = primary(dc->worker);
    if (s == NULL) {
        return;
    }
    if (!dc->surface_sent) {
        if (red_channel_client_can_send(dc->rcc)) {
            send_surface_create(dc, s);
        }
        return;
    }
    uint32_t max_rows = MAX(1u, DISPLAY_MAX_UPDATE_BYTES / (s->width * 4));
    while (pixman_region32_not_empty(&dc->damage) && red_channel_client_can_send(dc->rcc)) {
        pixman_box32_t b = *pixman_region32_rectangles(&dc->damage, NULL);
        if ((uint32_t)(b.y2 - b.y1) > max_rows) {
            b.y2 = b.y1 + (int32_t)max_rows;
        }
        pixman_region32_t sent;
        pixman_region32_init_rect(&sent, b.x1, b.y1, (unsigned)(b.x2 - b.x1),
                                  (unsigned)(b.y2 - b.y1));
        pixman_region32_subtract(&dc->damage, &dc->damage, &sent);
        pixman_region32_fini(&sent);
        if (send_area(dc, s, &b) != 0) {
            return; /* closing; on_closed frees it */
        }
    }
}

static bool display_handle_message(RedChannelClient *rcc, const SpiceMsgc *msg, void *opaque)
{
    (void)rcc;
    (void)opaque;
    switch (msg->type) {
    case SPICE_MSGC_DISPLAY_INIT:
    case SPICE_MSGC_DISPLAY_STREAM_REPORT:
    case SPICE_MSGC_DISPLAY_PREFERRED_COMPRESSION:
    case SPICE_MSGC_DISPLAY_PREFERRED_VIDEO_CODEC_TYPE:
    case SPICE_MSGC_DISPLAY_GL_DRAW_DONE:
        return true; /* nothing to configure: no caches, no streams */
    default:
        return false;
    }
}

static void display_on_writable(RedChannelClient *rcc, void *opaque)
{
    (void)rcc;
    display_client_push(opaque);
}

static void display_on_closed(RedChannelClient *rcc, void *opaque)
{
    (void)rcc;
    display_client_remove(opaque);
}

static const RedChannelClientOps display_ops = {
    .handle_message = display_handle_message,
    .on_writable = display_on_writable,
    .on_closed = display_on_closed,
};

void display_channel_attach(RedWorker *w, RedStream *stream, const SpiceLinkRequest *req,
                            RedsConnection *conn, bool compress)
{
    DisplayClient *dc = g_new0(DisplayClient, 1);
    dc->worker = w;
    dc->connection = conn;
    dc->session_id = req->connection_id;
    pixman_region32_init(&dc->damage);
    dc->rcc = red_channel_client_new(red_worker_loop_core(w->loop), stream, req, true,
                                     &display_ops, dc);
    if (dc->rcc == NULL) {
        pixman_region32_fini(&dc->damage);
        if (conn) {
            w->events.client_closed(w->events.opaque, conn);
        }
        g_free(dc);
        return;
    }
    dc->lz4 = compress && red_channel_client_has_cap(dc->rcc, SPICE_DISPLAY_CAP_LZ4_COMPRESSION);
    w->display_clients = g_list_append(w->display_clients, dc);
    w->stats.display_clients = g_list_length(w->display_clients);
    red_worker_report_clients(w);
    display_client_push(dc);
}

/* Tells every client that had the kept picture (or a primary) that it is
 * gone: SURFACE_DESTROY, nothing left to send. */
static void destroy_on_clients(RedWorker *w)
{
    for (GList *l = w->display_clients, *next; l; l = next) {
        next = l->next;
        DisplayClient *dc = l->data;
        bool was_sent = dc->surface_sent;
        dc->surface_sent = false;
        pixman_region32_clear(&dc->damage);
        if (was_sent) {
            SpiceMsg m = { .type = SPICE_MSG_DISPLAY_SURFACE_DESTROY, .u.surface_destroy = { 0 } };
            red_channel_client_send(dc->rcc, &m); /* may free dc */
        }
    }
}

void display_channel_primary_created(RedWorker *w)
{
    const RedSurface *s = primary(w);
    if (s == NULL) {
        return;
    }
    if (w->kept.exists && s != &w->kept && s->width == w->kept.width &&
        s->height == w->kept.height) {
        /* The same size as the kept picture (a resume): the clients' surface
         * just continues; they get the rows in which the new primary differs
         * from what they show (none when the guest restored it). */
        pixman_region32_t diff;
        pixman_region32_init(&diff);
        red_surface_diff_rows(&w->kept, s, &diff);
        for (GList *l = w->display_clients; l; l = l->next) {
            DisplayClient *dc = l->data;
            pixman_region32_union(&dc->damage, &dc->damage, &diff);
        }
        pixman_region32_fini(&diff);
    } else {
        destroy_on_clients(w);
    }
    red_surface_snapshot_free(&w->kept);
    display_channel_push_all(w);
    w->events.primary_created(w->events.opaque, s->width, s->height);
}

void display_channel_keep_primary(RedWorker *w)
{
    red_surface_snapshot_free(&w->kept);
    if (red_surface_snapshot(&w->kept, primary(w)) != 0) {
        red_log_warn("no memory to keep the last picture: the display clients lose it");
        destroy_on_clients(w);
    }
    /* Each client's damage stays: what it has not got yet comes from the
     * kept copy, so every client ends with exactly the last picture. */
}

void display_channel_primary_destroyed(RedWorker *w)
{
    red_surface_snapshot_free(&w->kept);
    destroy_on_clients(w);
}

void display_channel_damage(RedWorker *w, const pixman_box32_t *box)
{
    if (box->x2 <= box->x1 || box->y2 <= box->y1) {
        return;
    }
    for (GList *l = w->display_clients; l; l = l->next) {
        DisplayClient *dc = l->data;
        pixman_region32_union_rect(&dc->damage, &dc->damage, box->x1, box->y1,
                                   (unsigned)(box->x2 - box->x1), (unsigned)(box->y2 - box->y1));
    }
}

void display_channel_push_all(RedWorker *w)
{
    for (GList *l = w->display_clients, *next; l; l = next) {
        next = l->next;
        display_client_push(l->data);
    }
}

void display_channel_close_all(RedWorker *w)
{
    while (w->display_clients) {
        DisplayClient *dc = w->display_clients->data;
        red_channel_client_close(dc->rcc, "server shutting down");
    }
}

