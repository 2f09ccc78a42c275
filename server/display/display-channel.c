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
 * of that area (raw or compressed: red-image-codec.h).  A slow client
 * therefore never makes the worker queue frames: its damage just merges, and
 * it converges to the current picture as soon as it reads again.
 *
 * Drawing commands (red-display-cmds.c).  A solid fill or a copy-bits on
 * the primary goes to a client as DRAW_FILL or COPY_BITS with its clip,
 * which the client redoes on its own canvas, when that is exact (the
 * server drew a plain put of one colour, or moved pixels within the
 * surface) and cheaper than the pixels.  The rule that keeps this right:
 *
 *   Let C be the client's canvas once it has applied every message queued
 *   for it (in the socket queue, then on its command queue), and S the
 *   primary.  Invariant: C equals S outside the client's damage D.
 *
 *   - Damage is sent only when the command queue is empty, and what goes
 *     is S read at that moment: the area leaves D.
 *   - A fill of region R may be queued whatever D is: afterwards C = S on
 *     R, so D becomes D - R.
 *   - A copy of region R from R - delta may be queued whatever D is:
 *     afterwards C = S on R except where the source was in D, so D becomes
 *     (D - R) + (R & (D + delta)); no flush of the source is needed.
 *   - Anything else, or a command when the client's command queue is full
 *     (DISPLAY_MAX_QUEUED_CMDS), or one that would not be cheaper, is
 *     folded into damage instead: D becomes D + R, always right because C
 *     did not change.
 *
 * Commands are queued only while the client cannot take them (ack window
 * or high-water mark), a bounded queue, so a slow client still costs a
 * bounded amount of memory: past the bound it gets damage, which merges.
 * Every step keeps the invariant, and an idle guest leaves the client with
 * an empty queue and no damage once it reads: C = S.
 *
 * Video streams (red-video.c) weaken it while they live: inside a stream
 * the client shows lossy frames, so C equals S outside D and outside the
 * streams the client has.  Frames are damage (the stream's area read when
 * it goes), so they too wait for the command queue; a copy-bits whose
 * source meets a stream goes as pixels; and a stream's end puts its area
 * into D, which restores the invariant as stated.
 *
 * Lossy images (red-image-lossy.h) weaken it the same way where a client
 * may get them: an area of D sent as JPEG goes into the client's lossy
 * region L, and C equals S outside D and L.  Anything that makes an area
 * exact takes it out of L (damage sent lossless, a fill, an image); a
 * copy-bits whose source meets L goes as pixels, since the client would
 * copy its JPEG approximation.  L never grows but by a JPEG, so a client
 * that gets no JPEG keeps the invariant as first stated.
 *
 * Cached images (red-image-cache.h) are commands like fills: a DRAW_COPY
 * of an image put 1:1, whose pixels are in the message (CACHE_ME) or in
 * the client's pixmap cache (FROM_CACHE); afterwards C = S on its region.
 */
#include "config.h"

#include "red-worker-private.h"

#include <inttypes.h>
#include <string.h>

#include "red-display-cmds.h"
#include "red-env.h"
#include "red-log.h"
#include "red-image-codec.h"
#include "red-image-lossy.h"

/* Updates after the first full frame are cut into bands of at most this many
 * bytes of pixels, so one message never holds the socket for long. */
#define DISPLAY_MAX_UPDATE_BYTES (256u * 1024)
/* On a measured link, a display client is sent at most this far ahead of
 * what the link delivers (red_channel_client_set_send_ahead): what is drawn
 * meanwhile merges, so the client shows the guest at most about this late
 * (plus one message), not the seconds a 4 MiB queue takes on a slow link.
 * Never less than DISPLAY_AHEAD_MIN_BYTES (a few messages). */
#define DISPLAY_AHEAD_MS 250u
#define DISPLAY_AHEAD_MIN_BYTES (64u * 1024)

/* How long a linked display client may take to send DISPLAY_INIT (stock's
 * DISPLAY_CLIENT_TIMEOUT; spice-gtk sends it right after the link); tests
 * shorten it with S3D_DISPLAY_INIT_WAIT_MS. */
#define DISPLAY_INIT_WAIT_MS 30000u

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
    red_source_clear(&dc->init_timer);
    w->display_clients = g_list_remove(w->display_clients, dc);
    w->stats.display_clients = g_list_length(w->display_clients);
    red_worker_report_clients(w);
    pixman_region32_fini(&dc->damage);
    pixman_region32_fini(&dc->lossy);
    red_display_cmds_finish(dc);
    red_image_cache_free(dc->cache);
    red_glz_dict_destroy(dc->glz);
    if (dc->cache_inval) {
        g_array_free(dc->cache_inval, TRUE);
    }
    if (!red_channel_client_peer_closed(dc->rcc) && !w->closing_all) {
        w->events.client_failed(w->events.opaque, dc->session_id);
    }
    red_channel_client_free(dc->rcc);
    if (dc->connection) {
        w->events.client_closed(w->events.opaque, dc->connection);
    }
    g_free(dc);
}

/* A copy of area b of s: top-down x8r8g8b8, stride = width * 4. */
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

const uint8_t *display_area_pixels(const RedSurface *s, const pixman_box32_t *b, bool lasting,
                                   uint32_t *stride, uint8_t **copy)
{
    pixman_format_code_t fmt = pixman_image_get_format(s->image);
    int img_stride = pixman_image_get_stride(s->image); /* < 0: a bottom-up guest surface */
    bool in_place = lasting ? (s->shadow != NULL || s->owns_mem) && fmt == PIXMAN_x8r8g8b8 &&
                                  img_stride == (b->x2 - b->x1) * 4
                            : (fmt == PIXMAN_x8r8g8b8 || fmt == PIXMAN_a8r8g8b8) && img_stride > 0;
    *copy = NULL;
    if (in_place) {
        *stride = (uint32_t)img_stride;
        return (const uint8_t *)pixman_image_get_data(s->image) + (size_t)b->y1 * *stride +
               (size_t)b->x1 * 4;
    }
    *copy = copy_area(s, b, stride);
    return *copy;
}

static int send_area(DisplayClient *dc, const RedSurface *s, const pixman_box32_t *b)
{
    uint32_t stride;
    uint8_t *copy;
    const uint8_t *pixels = display_area_pixels(s, b, true, &stride, &copy);
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
    uint8_t *payload = NULL;
    size_t payload_size = 0;
    /* Photographic areas as JPEG where allowed; the client's canvas then
     * differs from the surface there (dc->lossy) until the area is sent
     * again exactly. */
    if (dc->lossy_images &&
        red_image_encode_lossy(pixels, w, h, stride, &payload, &payload_size) == 0) {
        c->src.type = SPICE_IMAGE_TYPE_JPEG;
        pixman_region32_union_rect(&dc->lossy, &dc->lossy, b->x1, b->y1, w, h);
    } else {
        RedImagePolicy policy = { dc->codecs, dc->glz, dc->zlib_glz };
        RedImagePayload out;
        c->src.type = red_image_encode(&policy, pixels, w, h, stride, &out);
        payload = out.data;
        payload_size = out.size;
        c->src.glz_data_size = out.glz_size;
        pixman_region32_t exact;
        pixman_region32_init_rect(&exact, b->x1, b->y1, w, h);
        pixman_region32_subtract(&dc->lossy, &dc->lossy, &exact);
        pixman_region32_fini(&exact);
    }
    if (payload) {
        c->src.data = (SpiceWireArray){ payload, (uint32_t)payload_size };
    } else {
        c->src.bitmap_format = SPICE_BITMAP_FMT_32BIT;
        c->src.bitmap_flags = SPICE_BITMAP_FLAGS_TOP_DOWN;
        c->src.bitmap_x = w;
        c->src.bitmap_y = h;
        c->src.bitmap_stride = stride;
        c->src.data = (SpiceWireArray){ (uint8_t *)pixels, stride * h };
    }
    RedWorker *worker = dc->worker;
    int ret = red_channel_client_send(dc->rcc, &m); /* may free dc */
    g_free(payload);
    g_free(copy);
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
    /* (dc->lossy: send_area set it for the whole new surface) */
    red_display_cmds_clear(dc);
    return 0;
}

/* Sends what the client is missing, as far as its ack window allows. */
static void display_client_push_corked(DisplayClient *dc)
{
    const RedSurface *s = primary(dc->worker);
    if (s == NULL || !dc->init_received) {
        return; /* its caches and GLZ window are set up by DISPLAY_INIT */
    }
    if (!dc->surface_sent) {
        if (red_channel_client_can_send(dc->rcc)) {
            send_surface_create(dc, s);
        }
        return;
    }
    /* Commands first: damage read now is right only after them. */
    if (red_display_cmds_flush(dc) <= 0) {
        return; /* commands still wait, or the client is closing */
    }
    /* Then live video streams: a frame is damage too (the stream's area
     * read now), and takes the damage inside the stream. */
    if (red_video_client_push(dc, s) != 0) {
        return; /* closing; on_closed frees it */
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

/* The same, its messages written together (a frame of tiles or fills is
 * one packet, not one each).  The client may be gone after it. */
static void display_client_push(DisplayClient *dc)
{
    RedChannelClient *rcc = dc->rcc;
    red_channel_client_cork(rcc);
    display_client_push_corked(dc);
    red_channel_client_uncork(rcc); /* may free dc */
}

/* DISPLAY_INIT: the client's pixmap cache size and GLZ window (both in
 * pixels, as spice-gtk counts them).  A negative size is a lie: the client
 * is closed. */
static bool display_handle_init(DisplayClient *dc, const SpiceMsgcDisplayInit *init)
{
    if (init->pixmap_cache_size < 0 || init->glz_dictionary_window_size < 0) {
        red_log_warn("display client: DISPLAY_INIT pixmap cache size %" PRId64
                     ", dictionary size %d: negative",
                     init->pixmap_cache_size, init->glz_dictionary_window_size);
        return false;
    }
    if (dc->init_received) {
        /* Our count of its cache is kept: a second INIT cannot tell us the
         * client dropped what it holds. */
        red_log_warn("display client: second DISPLAY_INIT ignored");
        return true;
    }
    dc->init_received = true;
    red_source_clear(&dc->init_timer);
    red_log_debug("display client: DISPLAY_INIT: pixmap cache %" PRId64
                  " pixels, GLZ window %d pixels%s",
                  init->pixmap_cache_size, init->glz_dictionary_window_size,
                  dc->glz_allowed ? "" : " (GLZ not for this channel)");
    if (init->pixmap_cache_size > 0) {
        dc->cache = red_image_cache_new((uint64_t)init->pixmap_cache_size);
    }
    /* One window per client session in spice-gtk, for all its display
     * channels: only the first channel's images use it, or two channels'
     * ids would clash.  A new connection starts a new window (ids from 0),
     * as the client's does. */
    if (dc->glz_allowed && init->glz_dictionary_window_size > 0) {
        dc->glz = red_glz_dict_create((uint32_t)init->glz_dictionary_window_size);
    }
    display_client_push(dc); /* what was held for it */
    return true;
}

/* A display client that links but never sends DISPLAY_INIT gets nothing,
 * and is closed after as long as stock waits for it. */
static gboolean display_init_overdue(gpointer data)
{
    DisplayClient *dc = data;
    g_source_unref(dc->init_timer);
    dc->init_timer = NULL;
    red_log_warn("display client: no DISPLAY_INIT in time: closed");
    red_channel_client_close(dc->rcc, "no DISPLAY_INIT"); /* may free dc */
    return G_SOURCE_REMOVE;
}

static bool display_handle_message(RedChannelClient *rcc, const SpiceMsgc *msg, void *opaque)
{
    (void)rcc;
    switch (msg->type) {
    case SPICE_MSGC_DISPLAY_STREAM_REPORT:
        return red_video_client_report(opaque, &msg->u.stream_report);
    case SPICE_MSGC_DISPLAY_INIT:
        return display_handle_init(opaque, &msg->u.display_init);
    case SPICE_MSGC_DISPLAY_PREFERRED_COMPRESSION:
    case SPICE_MSGC_DISPLAY_PREFERRED_VIDEO_CODEC_TYPE:
    case SPICE_MSGC_DISPLAY_GL_DRAW_DONE:
        return true; /* nothing to configure */
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

void display_client_set_link(DisplayClient *dc, uint64_t bits_per_sec)
{
    uint64_t ahead = bits_per_sec / 8 * DISPLAY_AHEAD_MS / 1000;
    ahead = MAX(ahead, DISPLAY_AHEAD_MIN_BYTES);
    /* A link that fast never holds back a queue under the high water mark. */
    bool limited = bits_per_sec != 0 && ahead < RED_SEND_HIGH_WATER;
    red_channel_client_set_send_ahead(dc->rcc, limited ? (size_t)ahead : 0);
    /* The time the limit lets wait, at least DISPLAY_AHEAD_MS. */
    uint64_t ahead_ms = limited ? ahead * 8 * 1000 / bits_per_sec : 0;
    red_video_client_set_link(&dc->video, bits_per_sec, (uint32_t)MIN(ahead_ms, 10000));
}

void display_channel_attach(RedWorker *w, const RedWorkerRequest *r)
{
    const SpiceLinkRequest *req = &r->link;
    RedsConnection *conn = r->connection;
    DisplayClient *dc = g_new0(DisplayClient, 1);
    dc->worker = w;
    dc->connection = conn;
    dc->session_id = req->connection_id;
    dc->lossy_images = r->lossy_images;
    dc->zlib_glz = r->zlib_glz;
    pixman_region32_init(&dc->damage);
    pixman_region32_init(&dc->lossy);
    red_display_cmds_init(dc);
    dc->rcc = red_channel_client_new(red_worker_loop_core(w->loop), r->stream, req, true,
                                     &display_ops, dc);
    if (dc->rcc == NULL) {
        pixman_region32_fini(&dc->damage);
        pixman_region32_fini(&dc->lossy);
        red_display_cmds_finish(dc);
        if (conn) {
            w->events.client_closed(w->events.opaque, conn);
        }
        g_free(dc);
        return;
    }
    dc->glz_allowed = red_image_codecs_want_glz(r->compression) && req->channel_id == 0;
    dc->codecs = red_image_codecs_for(r->compression, red_channel_client_has_cap(
                                          dc->rcc, SPICE_DISPLAY_CAP_LZ4_COMPRESSION));
    /* A client without MULTI_CODEC predates codec choice and takes MJPEG. */
    bool mjpeg = !red_channel_client_has_cap(dc->rcc, SPICE_DISPLAY_CAP_MULTI_CODEC) ||
                 red_channel_client_has_cap(dc->rcc, SPICE_DISPLAY_CAP_CODEC_MJPEG);
    red_video_client_init(&dc->video, w, r->streaming_video, mjpeg,
                          red_channel_client_has_cap(dc->rcc, SPICE_DISPLAY_CAP_STREAM_REPORT));
    dc->video.audio_clock = r->audio_clock;
    display_client_set_link(dc, r->link_bps);
    w->display_clients = g_list_append(w->display_clients, dc);
    w->stats.display_clients = g_list_length(w->display_clients);
    red_worker_report_clients(w);
    /* Nothing goes out before DISPLAY_INIT (display_client_push): an image
     * sent before the client's GLZ window is known is lost to the window,
     * and its repeats cost full price. */
    dc->init_timer = g_timeout_source_new(red_env_ms("S3D_DISPLAY_INIT_WAIT_MS",
                                                     DISPLAY_INIT_WAIT_MS, DISPLAY_INIT_WAIT_MS));
    g_source_set_callback(dc->init_timer, display_init_overdue, dc, NULL);
    g_source_attach(dc->init_timer, w->context);
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
        pixman_region32_clear(&dc->lossy);
        red_display_cmds_clear(dc);
        if (was_sent) {
            if (red_video_client_drop_all(dc) != 0) {
                continue; /* it went */
            }
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
    red_video_end_all(w);
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
    red_video_end_all(w); /* the kept picture is still: clients get it lossless */
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
    red_video_end_all(w);
    red_surface_snapshot_free(&w->kept);
    destroy_on_clients(w);
}

/* The digest of an image drawing, made once for all clients, and only
 * when one of them has a cache.  The full digest reads every pixel: it is
 * made only when the image's sample says that a client may hold it, that
 * it was seen lately, or the guest marks it for the cache; any other image
 * goes as pixels (image_plan's answer without a digest). */
static bool display_image_of(RedWorker *w, const RedDrawOp *op, DisplayImage *image)
{
    if (op->kind != RED_DRAW_OP_IMAGE) {
        return false;
    }
    bool any_cache = false;
    for (GList *l = w->display_clients; l && !any_cache; l = l->next) {
        any_cache = ((DisplayClient *)l->data)->cache != NULL;
    }
    if (!any_cache || red_image_sample(op->image, &image->sample) != 0) {
        return false;
    }
    image->seen = red_image_seen_note(w->images_seen, image->sample);
    bool may_be_held = false;
    for (GList *l = w->display_clients; l && !may_be_held; l = l->next) {
        DisplayClient *dc = l->data;
        may_be_held = dc->cache != NULL && red_image_cache_may_hold(dc->cache, image->sample);
    }
    if (!image->seen && !may_be_held && !op->cacheable) {
        return false;
    }
    return red_image_digest(op->image, &image->digest) == 0;
}

void display_channel_drawn(RedWorker *w, const pixman_box32_t *box, const RedDrawOp *op)
{
    if (box->x2 <= box->x1 || box->y2 <= box->y1) {
        return;
    }
    DisplayImage image;
    bool has_image = display_image_of(w, op, &image);
    for (GList *l = w->display_clients, *next; l; l = next) {
        next = l->next; /* a failed send frees only that client */
        red_display_cmds_add(l->data, box, op, has_image ? &image : NULL);
    }
}

void display_channel_push_all(RedWorker *w)
{
    for (GList *l = w->display_clients, *next; l; l = next) {
        next = l->next;
        display_client_push(l->data);
    }
}

void display_channel_cork_all(RedWorker *w)
{
    w->cork_depth++;
    for (GList *l = w->display_clients; l; l = l->next) {
        DisplayClient *dc = l->data;
        if (!dc->batch_corked) {
            dc->batch_corked = true;
            red_channel_client_cork(dc->rcc);
        }
    }
}

void display_channel_uncork_all(RedWorker *w)
{
    if (w->cork_depth == 0 || --w->cork_depth > 0) {
        return; /* an outer batch holds the clients */
    }
    for (GList *l = w->display_clients, *next; l; l = next) {
        next = l->next; /* an uncork frees only its own client */
        DisplayClient *dc = l->data;
        if (dc->batch_corked) {
            dc->batch_corked = false;
            /* The batch's commands waited for its end (red_display_cmds_add);
             * a path that drains without a push sends them here. */
            if (red_display_cmds_flush(dc) < 0) {
                continue; /* closed: dc is freed */
            }
            red_channel_client_uncork(dc->rcc); /* may free dc */
        }
    }
}

void display_channel_close_all(RedWorker *w)
{
    while (w->display_clients) {
        DisplayClient *dc = w->display_clients->data;
        red_channel_client_close(dc->rcc, "server shutting down");
    }
}

