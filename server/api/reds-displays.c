// SPDX-License-Identifier: LGPL-2.1-or-later
/* reds-displays.c: QXL instances, their workers and their channels.
 *
 * The QXLState the header leaves opaque is our RedsQxl: from a QXLInstance
 * the spice_qxl_* calls reach its worker, and remove_interface its server. */
#include "config.h"

#include "reds-displays.h"

#include "inputs-channel.h"
#include "red-audio.h"
#include "main-channel.h"
#include "red-image-codec.h"
#include "red-image-lossy.h"
#include "red-log.h"
#include "red-net-test.h"
#include "reds-connection.h"
#include "reds-video-codecs.h"

typedef struct RedsQxl {
    RedsState *reds;
    QXLInstance *qxl;
    RedWorker *worker;
    /* The one piece of the server a worker reaches (through the events
     * below): red_main_queue_post is callable from any thread. */
    RedMainQueue *main_queue;
} RedsQxl;

/* ---- the worker's events (worker thread): queued for the main thread ---- */

static void qxl_client_closed(void *opaque, RedsConnection *connection)
{
    RedsQxl *q = opaque;
    RedMainEvent e = { .type = RED_MAIN_EVENT_CONNECTION_CLOSED, .u.connection = connection };
    red_main_queue_post(q->main_queue, &e);
}

static void qxl_client_failed(void *opaque, uint32_t session_id)
{
    RedsQxl *q = opaque;
    RedMainEvent e = { .type = RED_MAIN_EVENT_SESSION_FAILED, .u.session_id = session_id };
    red_main_queue_post(q->main_queue, &e);
}

static void qxl_primary_created(void *opaque, uint32_t width, uint32_t height)
{
    RedsQxl *q = opaque;
    RedMainEvent e = { .type = RED_MAIN_EVENT_PRIMARY_SIZE, .u.size = { width, height } };
    red_main_queue_post(q->main_queue, &e);
}

static void qxl_video_latency(void *opaque, uint32_t session_id, uint32_t latency_ms)
{
    RedsQxl *q = opaque;
    RedMainEvent e = { .type = RED_MAIN_EVENT_VIDEO_LATENCY,
                       .u.latency = { session_id, latency_ms } };
    red_main_queue_post(q->main_queue, &e);
}

void reds_displays_on_main_event(void *opaque, const RedMainEvent *event)
{
    RedsState *reds = opaque;
    switch (event->type) {
    case RED_MAIN_EVENT_CONNECTION_CLOSED:
        reds_connection_closed(reds, event->u.connection);
        break;
    case RED_MAIN_EVENT_SESSION_FAILED:
        /* A no-op when the session ended already (that is what closed the
         * client, or the server is going). */
        red_sessions_end(reds->sessions, event->u.session_id, "display or cursor channel failed");
        break;
    case RED_MAIN_EVENT_PRIMARY_SIZE:
        inputs_channel_set_tablet_size(reds->inputs_channel, event->u.size.width,
                                       event->u.size.height);
        break;
    case RED_MAIN_EVENT_VIDEO_LATENCY:
        red_audio_set_video_latency(reds->audio, event->u.latency.session_id,
                                    event->u.latency.ms);
        break;
    }
}

/* ---- the display and cursor channel classes (main thread) ---------------- */

/* A display or cursor client linked: the worker of its instance serves it. */
static void qxl_link(void *opaque, void *instance, RedStream *stream,
                     const SpiceLinkRequest *req)
{
    RedsState *reds = opaque;
    RedsQxl *q = instance;
    RedsConnection *c = reds_connection_new(reds, red_stream_fd(stream), req->channel_type,
                                            req->channel_id, req->connection_id);
    reds_connection_opened(reds, c);
    /* The setting is read here, on the main thread, and travels with the
     * client: the worker never reads RedsState. */
    uint64_t link_bps = main_channel_session_bps(reds->main_channel, req->connection_id);
    bool slow = red_net_bps_low(link_bps);
    RedWorkerRequest r = { .op = RED_WORKER_ATTACH_CLIENT, .stream = stream, .link = *req,
                           .connection = c,
                           .compression = reds->image_compression,
                           .lossy_images = red_image_lossy_allowed(reds->jpeg_compression,
                                                                   reds->image_compression, slow),
                           .zlib_glz = red_image_zlib_glz_wanted(reds->zlib_glz_compression, slow),
                           /* our only video encoder is the built-in MJPEG one */
                           .streaming_video = reds_video_codecs_allow_mjpeg(reds)
                                                  ? reds->streaming_video
                                                  : SPICE_STREAM_VIDEO_OFF,
                           .audio_clock = red_audio_session_hears(reds->audio,
                                                                  req->connection_id),
                           .link_bps = link_bps };
    red_worker_request(q->worker, &r);
}

/* Queues r (copied) to every instance's worker; none after teardown freed
 * the list (audio clients closed late tell no worker). */
static void request_every_worker(RedsState *reds, const RedWorkerRequest *r)
{
    for (guint i = 0; reds->qxls && i < reds->qxls->len; i++) {
        RedsQxl *q = g_ptr_array_index(reds->qxls, i);
        red_worker_request(q->worker, r);
    }
}

/* A session ended: every worker closes that session's clients of one
 * channel type (the request is queued, not waited for: the worker posts
 * their CONNECTION_CLOSED events back, and a link of that session that is
 * still in the queue is attached first and then closed, in order). */
static void qxl_session_ended(RedsState *reds, uint8_t channel_type, uint32_t session_id)
{
    RedWorkerRequest r = { .op = RED_WORKER_DETACH_SESSION,
                           .link = { .channel_type = channel_type, .connection_id = session_id } };
    request_every_worker(reds, &r);
}

static void display_session_ended(void *opaque, uint32_t session_id, const char *why)
{
    (void)why;
    qxl_session_ended(opaque, SPICE_CHANNEL_DISPLAY, session_id);
}

static void cursor_session_ended(void *opaque, uint32_t session_id, const char *why)
{
    (void)why;
    qxl_session_ended(opaque, SPICE_CHANNEL_CURSOR, session_id);
}

/* Display and cursor clients leave with their session; at the registry's
 * close_all (server teardown) the workers close them when destroyed. */
static const RedChannelClass display_class = { .type = SPICE_CHANNEL_DISPLAY, .link = qxl_link,
                                               .session_ended = display_session_ended };
static const RedChannelClass cursor_class = { .type = SPICE_CHANNEL_CURSOR, .link = qxl_link,
                                              .session_ended = cursor_session_ended };

int reds_displays_register(RedsState *reds)
{
    if (red_channel_registry_add_class(reds->registry, &display_class, reds) != 0 ||
        red_channel_registry_add_class(reds->registry, &cursor_class, reds) != 0) {
        return -1;
    }
    return 0;
}

/* ---- instances (main thread) ---------------------------------------------- */

int reds_displays_add(RedsState *reds, QXLInstance *qxl)
{
    if (!reds->initialized || qxl->id < 0 || qxl->id > 255) {
        red_log_warn("add_interface qxl: bad id %d or server not initialised", qxl->id);
        return -1;
    }
    uint8_t id = (uint8_t)qxl->id;
    if (red_channel_registry_offers(reds->registry, SPICE_CHANNEL_DISPLAY, id)) {
        red_log_warn("add_interface qxl: id %d already used", qxl->id);
        return -1;
    }
    RedsQxl *q = g_new0(RedsQxl, 1);
    q->reds = reds;
    q->qxl = qxl;
    q->main_queue = reds->main_queue;
    RedWorkerEvents events = { .opaque = q, .client_closed = qxl_client_closed,
                               .client_failed = qxl_client_failed,
                               .primary_created = qxl_primary_created,
                               .video_latency = qxl_video_latency };
    q->worker = red_worker_new(qxl, &events, reds->vm_running);
    if (q->worker == NULL) {
        g_free(q);
        return -1;
    }
    /* Display first, then cursor: the order of CHANNELS_LIST. */
    red_channel_registry_add(reds->registry, SPICE_CHANNEL_DISPLAY, id, q);
    red_channel_registry_add(reds->registry, SPICE_CHANNEL_CURSOR, id, q);
    qxl->st = (QXLState *)q;
    g_ptr_array_add(reds->qxls, q);
    red_worker_attach(q->worker);
    return 0;
}

static void qxl_free(RedsQxl *q)
{
    uint8_t id = (uint8_t)q->qxl->id;
    red_channel_registry_remove(q->reds->registry, SPICE_CHANNEL_DISPLAY, id);
    red_channel_registry_remove(q->reds->registry, SPICE_CHANNEL_CURSOR, id);
    red_worker_free(q->worker);
    q->qxl->st = NULL;
    g_free(q);
}

int reds_displays_remove(QXLInstance *qxl)
{
    RedsQxl *q = (RedsQxl *)qxl->st;
    if (q == NULL) {
        return -1;
    }
    g_ptr_array_remove(q->reds->qxls, q);
    qxl_free(q);
    return 0;
}

void reds_displays_remove_all(RedsState *reds)
{
    for (guint i = 0; i < reds->qxls->len; i++) {
        qxl_free(g_ptr_array_index(reds->qxls, i));
    }
    g_ptr_array_set_size(reds->qxls, 0);
}

void reds_displays_set_running(RedsState *reds, bool running)
{
    reds->vm_running = running;
    RedWorkerRequest r = { .op = running ? RED_WORKER_START : RED_WORKER_STOP };
    request_every_worker(reds, &r);
}

void reds_set_audio_clock(RedsState *reds, uint32_t session_id, bool on)
{
    RedWorkerRequest r = { .op = RED_WORKER_AUDIO_CLOCK, .link = { .connection_id = session_id },
                           .audio_clock = on };
    request_every_worker(reds, &r);
}

void reds_set_session_link(RedsState *reds, uint32_t session_id, uint64_t bits_per_sec)
{
    bool low_bandwidth = red_net_bps_low(bits_per_sec);
    RedWorkerRequest r = {
        .op = RED_WORKER_SESSION_LINK, .link = { .connection_id = session_id },
        .lossy_images = red_image_lossy_allowed(reds->jpeg_compression, reds->image_compression,
                                                low_bandwidth),
        .zlib_glz = red_image_zlib_glz_wanted(reds->zlib_glz_compression, low_bandwidth),
        .link_bps = bits_per_sec
    };
    request_every_worker(reds, &r);
}

/* client_monitors_config came with QXLInterface 3.3. */
static int (*client_monitors_config_of(QXLInstance *qxl))(QXLInstance *, VDAgentMonitorsConfig *)
{
    const QXLInterface *qif = SPICE_CONTAINEROF(qxl->base.sif, QXLInterface, base);
    if (qif->base.major_version != 3 || qif->base.minor_version < 3) {
        return NULL;
    }
    return qif->client_monitors_config;
}

bool reds_take_monitors_config(RedsState *reds)
{
    if (reds->qxls == NULL || reds->qxls->len == 0) {
        return false;
    }
    for (guint i = 0; i < reds->qxls->len; i++) {
        QXLInstance *qxl = ((RedsQxl *)g_ptr_array_index(reds->qxls, i))->qxl;
        int (*take)(QXLInstance *, VDAgentMonitorsConfig *) = client_monitors_config_of(qxl);
        if (take == NULL || !take(qxl, NULL)) {
            return false;
        }
    }
    return true;
}

void reds_client_monitors_config(RedsState *reds, VDAgentMonitorsConfig *config)
{
    for (guint i = 0; reds->qxls && i < reds->qxls->len; i++) {
        QXLInstance *qxl = ((RedsQxl *)g_ptr_array_index(reds->qxls, i))->qxl;
        int (*take)(QXLInstance *, VDAgentMonitorsConfig *) = client_monitors_config_of(qxl);
        if (take == NULL || !take(qxl, config)) {
            /* A device that cannot take it now is normal (upstream says so too). */
            red_log_debug("display %d did not take the client's monitors config", qxl->id);
        }
    }
}

RedWorker *reds_displays_worker(QXLInstance *qxl)
{
    RedsQxl *q = qxl ? (RedsQxl *)qxl->st : NULL;
    return q ? q->worker : NULL;
}
