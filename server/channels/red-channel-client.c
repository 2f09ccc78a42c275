/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-channel-client.c: framing, acks and the send queue of one client. */
#include "config.h"

#include "red-channel-client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "red-env.h"
#include "red-log.h"

struct RedChannelClient {
    const SpiceCoreInterface *loop;
    RedStream *stream;
    SpiceWatch *watch;
    SpiceLinkRequest req;
    RedChannelClientOps ops;
    void *opaque;

    uint8_t header[SPICE_WIRE_MINI_HEADER_SIZE];
    size_t header_have;
    uint8_t *body;
    uint32_t body_size, body_have;
    uint16_t body_type;

    SpiceWireWriter out;
    bool use_acks;
    uint32_t ack_generation;
    uint32_t client_generation;
    uint32_t unacked;

    SpiceTimer *stall_timer;    /* armed while blocked without progress; NULL: never */
    unsigned stall_ms;
    bool stall_armed;
    size_t stall_unsent;        /* the socket's unsent bytes when it was (re)armed */

    bool read_paused;   /* the owner has no room for another message */
    SpiceTimer *resume_timer; /* reads what the stream kept, after a pause */
    bool want_drained;  /* on_writable once the queue is empty */
    /* The uncork's flush made the room that the owner stopped for: no WRITE
     * event saw the block end, so the next one offers on_writable. */
    bool owe_writable;
    /* Under a send-ahead limit (red_channel_client_set_send_ahead) the
     * socket's own counters change between the refusal and the event, so
     * every WRITE event then offers on_writable; ahead_wait: WRITE is
     * watched only for the link to take bytes sent ahead. */
    bool ahead_limit, ahead_wait;
    bool closed;        /* no more I/O; on_closed pending or done */
    bool peer_closed;   /* closed because the client closed its socket */
    bool closed_notified;
    int in_handler;     /* depth of I/O callbacks on the stack */
    int corked;         /* depth of red_channel_client_cork */
};

/* The stall limit: RED_CLIENT_STALL_MS unless S3D_CLIENT_STALL_MS names
 * another (operators on slow links, and tests that must see what the high
 * water mark alone holds). */
static unsigned rcc_stall_limit_ms(void)
{
    return red_env_ms("S3D_CLIENT_STALL_MS", RED_CLIENT_STALL_MS, RED_CLIENT_STALL_MAX_MS);
}

/* A write that failed because the client went away (it closed or reset
 * the socket while we were sending): the client left, nothing failed. */
static void rcc_note_write_error(RedChannelClient *rcc, int err)
{
    rcc->peer_closed = err == EPIPE || err == ECONNRESET;
}

/* WRITE while bytes wait in our queue, or while the link has as many
 * ahead as it may (red_stream_set_send_ahead): the socket turns writable
 * when it took enough of them. */
static void rcc_update_watch(RedChannelClient *rcc)
{
    /* Corked bytes wait for the uncork, not for the socket. */
    if (rcc->watch && rcc->corked == 0) {
        bool pending = red_stream_pending(rcc->stream) > 0;
        rcc->ahead_wait = !pending && red_stream_ahead_full(rcc->stream);
        bool write = pending || rcc->ahead_wait || rcc->owe_writable;
        rcc->loop->watch_update_mask(rcc->watch,
                                     (rcc->read_paused ? 0 : SPICE_WATCH_EVENT_READ) |
                                     (write ? SPICE_WATCH_EVENT_WRITE : 0));
    }
}

static void rcc_notify_closed(RedChannelClient *rcc)
{
    if (rcc->closed && !rcc->closed_notified && rcc->in_handler == 0) {
        rcc->closed_notified = true;
        rcc->ops.on_closed(rcc, rcc->opaque);
    }
}

static void rcc_stall_arm(RedChannelClient *rcc)
{
    rcc->loop->timer_start(rcc->stall_timer, rcc->stall_ms);
    rcc->stall_armed = true;
    rcc->stall_unsent = red_stream_unsent(rcc->stream);
}

static void rcc_stall_fired(void *opaque)
{
    RedChannelClient *rcc = opaque;
    rcc->stall_armed = false;
    if (rcc->closed || red_channel_client_can_send(rcc)) {
        return;
    }
    /* Blocked on the ack window with our own queue empty, a slow link is
     * still taking bytes, out of the socket: that is progress too (a
     * client whose acks come once per window of big messages waits longer
     * than the limit on a link of a few Mbit/s). */
    if (red_stream_unsent(rcc->stream) < rcc->stall_unsent) {
        rcc_stall_arm(rcc);
        return;
    }
    red_channel_client_close(rcc, "stopped reading: blocked without progress for "
                             "the stall limit (RED_CLIENT_STALL_MS)");
    /* on_closed has run (no handler on the stack): rcc may be gone. */
}

/* Arms the stall timer when the client blocks us, re-arms it on progress
 * (bytes written or an ack while still blocked), cancels it when unblocked. */
static void rcc_watch_stall(RedChannelClient *rcc, bool progress)
{
    if (rcc->stall_timer == NULL || rcc->closed) {
        return;
    }
    bool blocked = !red_channel_client_can_send(rcc);
    if (blocked && (!rcc->stall_armed || progress)) {
        rcc_stall_arm(rcc);
    } else if (!blocked && rcc->stall_armed) {
        rcc->loop->timer_cancel(rcc->stall_timer);
        rcc->stall_armed = false;
    }
}

void red_channel_client_close(RedChannelClient *rcc, const char *why)
{
    if (rcc->closed) {
        return;
    }
    red_log_info("channel %u:%u: closing client: %s", rcc->req.channel_type,
                 rcc->req.channel_id, why);
    rcc->closed = true;
    if (rcc->watch) {
        rcc->loop->watch_remove(rcc->watch);
        rcc->watch = NULL;
    }
    rcc_notify_closed(rcc);
}

static bool rcc_handle_base(RedChannelClient *rcc, const SpiceMsgc *m)
{
    switch (m->type) {
    case SPICE_MSGC_ACK_SYNC:
        rcc->client_generation = m->u.ack_sync.generation;
        return true;
    case SPICE_MSGC_ACK:
        /* An ACK for an older SET_ACK generation does not count. */
        if (rcc->client_generation == rcc->ack_generation) {
            bool was_blocked = !red_channel_client_can_send(rcc);
            rcc->unacked = rcc->unacked > RED_ACK_WINDOW ? rcc->unacked - RED_ACK_WINDOW : 0;
            if (was_blocked && red_channel_client_can_send(rcc) && rcc->ops.on_writable) {
                rcc->ops.on_writable(rcc, rcc->opaque);
            }
        }
        return true;
    case SPICE_MSGC_PONG:
        if (rcc->ops.on_pong) {
            rcc->ops.on_pong(rcc, &m->u.pong, rcc->opaque);
        }
        return true;
    default: /* DISCONNECTING, MIGRATE_*: nothing to do */
        return true;
    }
}

static void rcc_dispatch(RedChannelClient *rcc)
{
    SpiceMsgc m;
    if (spice_msgc_parse(rcc->req.channel_type, rcc->body_type, rcc->body, rcc->body_size, &m) != 0) {
        red_log_warn("channel %u:%u: bad client message type %u size %u: %s",
                     rcc->req.channel_type, rcc->req.channel_id, rcc->body_type,
                     rcc->body_size, errno == ENOTSUP ? "unknown type" : "malformed");
        red_channel_client_close(rcc, "bad message");
        return;
    }
    bool keep = m.type <= SPICE_MSG_BASE_LAST ? rcc_handle_base(rcc, &m)
                                              : rcc->ops.handle_message(rcc, &m, rcc->opaque);
    if (!keep) {
        red_channel_client_close(rcc, "message refused by channel");
    }
}

/* Reads what the socket has; returns false when the client went away. */
static bool rcc_read(RedChannelClient *rcc)
{
    while (!rcc->closed && !rcc->read_paused) {
        ssize_t r;
        if (rcc->header_have < sizeof(rcc->header)) {
            r = red_stream_read(rcc->stream, rcc->header + rcc->header_have,
                                sizeof(rcc->header) - rcc->header_have);
            if (r <= 0) {
                return r == 0;
            }
            rcc->header_have += (size_t)r;
            if (rcc->header_have < sizeof(rcc->header)) {
                continue;
            }
            rcc->body_type = (uint16_t)(rcc->header[0] | rcc->header[1] << 8);
            rcc->body_size = (uint32_t)rcc->header[2] | (uint32_t)rcc->header[3] << 8 |
                             (uint32_t)rcc->header[4] << 16 | (uint32_t)rcc->header[5] << 24;
            if (rcc->body_size > RED_CLIENT_MAX_MESSAGE) {
                red_log_warn("channel %u:%u: client message type %u too large: %u bytes",
                             rcc->req.channel_type, rcc->req.channel_id, rcc->body_type,
                             rcc->body_size);
                red_channel_client_close(rcc, "oversized message");
                return false;
            }
            free(rcc->body);
            rcc->body = malloc(rcc->body_size ? rcc->body_size : 1);
            rcc->body_have = 0;
            if (rcc->body == NULL) {
                red_channel_client_close(rcc, "out of memory");
                return false;
            }
        }
        if (rcc->body_have < rcc->body_size) {
            r = red_stream_read(rcc->stream, rcc->body + rcc->body_have,
                                rcc->body_size - rcc->body_have);
            if (r <= 0) {
                return r == 0;
            }
            rcc->body_have += (uint32_t)r;
            if (rcc->body_have < rcc->body_size) {
                continue;
            }
        }
        rcc->header_have = 0;
        rcc_dispatch(rcc);
    }
    return rcc->read_paused && !rcc->closed;
}

/* Sends what the stream queued; false when the socket failed, and the
 * client is then closed. */
static bool rcc_flush(RedChannelClient *rcc)
{
    if (red_stream_flush(rcc->stream) != 0) {
        rcc_note_write_error(rcc, errno);
        red_channel_client_close(rcc, "write failed");
        return false;
    }
    return true;
}

static void rcc_on_io(int fd, int event, void *opaque)
{
    RedChannelClient *rcc = opaque;
    (void)fd;
    rcc->in_handler++;
    size_t pending_before = red_stream_pending(rcc->stream);
    uint32_t unacked_before = rcc->unacked;
    if ((event & SPICE_WATCH_EVENT_WRITE) && !rcc->closed) {
        bool was_blocked = rcc->owe_writable || !red_channel_client_can_send(rcc) ||
                           rcc->ahead_limit;
        rcc->owe_writable = false;
        if (rcc_flush(rcc) && rcc->ops.on_writable &&
            ((was_blocked && red_channel_client_can_send(rcc)) ||
             (rcc->want_drained && red_stream_pending(rcc->stream) == 0))) {
            rcc->want_drained = false;
            rcc->ops.on_writable(rcc, rcc->opaque);
        }
    }
    if ((event & SPICE_WATCH_EVENT_READ) && !rcc->closed) {
        if (!rcc_read(rcc) && !rcc->closed) {
            rcc->peer_closed = true;
            red_channel_client_close(rcc, "peer closed");
        }
    }
    if (!rcc->closed) {
        rcc_update_watch(rcc);
        rcc_watch_stall(rcc, red_stream_pending(rcc->stream) < pending_before ||
                             rcc->unacked < unacked_before);
    }
    rcc->in_handler--;
    rcc_notify_closed(rcc);
}

RedChannelClient *red_channel_client_new(const SpiceCoreInterface *loop, RedStream *stream,
                                         const SpiceLinkRequest *req, bool use_acks,
                                         const RedChannelClientOps *ops, void *opaque)
{
    RedChannelClient *rcc = calloc(1, sizeof(*rcc));
    if (rcc == NULL) {
        red_stream_free(stream);
        return NULL;
    }
    rcc->loop = loop;
    rcc->stream = stream;
    rcc->req = *req;
    rcc->ops = *ops;
    rcc->opaque = opaque;
    rcc->use_acks = use_acks;
    spice_wire_writer_init(&rcc->out);
    rcc->watch = loop->watch_add(red_stream_fd(stream), SPICE_WATCH_EVENT_READ, rcc_on_io, rcc);
    rcc->stall_ms = rcc_stall_limit_ms();
    rcc->stall_timer = rcc->stall_ms ? loop->timer_add(rcc_stall_fired, rcc) : NULL;
    if (use_acks) {
        rcc->ack_generation = 1;
        SpiceMsg ack = { .type = SPICE_MSG_SET_ACK,
                         .u.set_ack = { rcc->ack_generation, RED_ACK_WINDOW } };
        (void)red_channel_client_send(rcc, &ack);
        rcc->unacked = 0; /* SET_ACK itself is not part of the window */
    }
    return rcc;
}

void red_channel_client_free(RedChannelClient *rcc)
{
    if (rcc == NULL) {
        return;
    }
    if (rcc->watch) {
        rcc->loop->watch_remove(rcc->watch);
    }
    if (rcc->stall_timer) {
        rcc->loop->timer_remove(rcc->stall_timer);
    }
    if (rcc->resume_timer) {
        rcc->loop->timer_remove(rcc->resume_timer);
    }
    red_stream_free(rcc->stream);
    spice_wire_writer_finish(&rcc->out);
    free(rcc->body);
    free(rcc);
}

int red_channel_client_send(RedChannelClient *rcc, const SpiceMsg *msg)
{
    if (rcc->closed) {
        return -1;
    }
    spice_wire_writer_reset(&rcc->out);
    if (spice_msg_marshal(&rcc->out, rcc->req.channel_type, msg) != 0) {
        red_log_warn("channel %u:%u: cannot marshal message type %u", rcc->req.channel_type,
                     rcc->req.channel_id, msg->type);
        red_channel_client_close(rcc, "marshal failed");
        return -1;
    }
    if (red_stream_write(rcc->stream, rcc->out.data, rcc->out.len) != 0) {
        rcc_note_write_error(rcc, errno);
        red_channel_client_close(rcc, errno == ENOBUFS ? "client too slow" : "write failed");
        return -1;
    }
    /* Keep big buffers from lingering after a full-screen frame. */
    if (rcc->out.cap > (1u << 20)) {
        spice_wire_writer_finish(&rcc->out);
        spice_wire_writer_init(&rcc->out);
    }
    if (rcc->use_acks) {
        rcc->unacked++;
    }
    rcc_update_watch(rcc);
    rcc_watch_stall(rcc, false);
    return 0;
}

void red_channel_client_cork(RedChannelClient *rcc)
{
    rcc->in_handler++; /* a close waits for the uncork to report it */
    if (rcc->corked++ == 0 && !rcc->closed) {
        red_stream_set_corked(rcc->stream, true);
    }
}

void red_channel_client_uncork(RedChannelClient *rcc)
{
    if (--rcc->corked == 0 && !rcc->closed) {
        bool was_blocked = !red_channel_client_can_send(rcc);
        red_stream_set_corked(rcc->stream, false);
        if (rcc_flush(rcc)) {
            rcc->owe_writable |= was_blocked && red_channel_client_can_send(rcc);
            rcc_update_watch(rcc);
            rcc_watch_stall(rcc, false);
        }
    }
    rcc->in_handler--;
    rcc_notify_closed(rcc); /* may free rcc */
}

static void rcc_resume_fired(void *opaque)
{
    RedChannelClient *rcc = opaque;
    if (!rcc->closed && !rcc->read_paused) {
        rcc_on_io(red_stream_fd(rcc->stream), SPICE_WATCH_EVENT_READ, rcc);
        /* on_closed may have run: rcc may be gone. */
    }
}

void red_channel_client_pause_read(RedChannelClient *rcc, bool paused)
{
    if (rcc->closed || rcc->read_paused == paused) {
        return;
    }
    rcc->read_paused = paused;
    rcc_update_watch(rcc);
    /* Bytes the stream already took from the socket (TLS, SASL) raise no
     * READ event: read them from the loop, now that there is room. */
    if (!paused && red_stream_has_buffered(rcc->stream)) {
        if (rcc->resume_timer == NULL) {
            rcc->resume_timer = rcc->loop->timer_add(rcc_resume_fired, rcc);
        }
        if (rcc->resume_timer) {
            rcc->loop->timer_start(rcc->resume_timer, 0);
        }
    }
}

bool red_channel_client_can_send(const RedChannelClient *rcc)
{
    return !rcc->closed && (!rcc->use_acks || rcc->unacked < 2 * RED_ACK_WINDOW) &&
           red_stream_pending(rcc->stream) < RED_SEND_HIGH_WATER &&
           !red_stream_ahead_full(rcc->stream);
}

void red_channel_client_set_send_ahead(RedChannelClient *rcc, size_t bytes)
{
    if (!rcc->closed && red_stream_set_send_ahead(rcc->stream, bytes) == 0) {
        rcc->ahead_limit = bytes > 0;
        rcc_update_watch(rcc);
    }
}

size_t red_channel_client_queued(const RedChannelClient *rcc)
{
    return red_stream_pending(rcc->stream);
}

void red_channel_client_notify_drained(RedChannelClient *rcc)
{
    rcc->want_drained = true;
}

bool red_channel_client_peer_closed(const RedChannelClient *rcc)
{
    return rcc->peer_closed;
}

bool red_channel_client_has_cap(const RedChannelClient *rcc, unsigned cap)
{
    return spice_link_caps_has(rcc->req.caps.channel, rcc->req.caps.num_channel, cap);
}

uint8_t red_channel_client_type(const RedChannelClient *rcc)
{
    return rcc->req.channel_type;
}

uint8_t red_channel_client_id(const RedChannelClient *rcc)
{
    return rcc->req.channel_id;
}

int red_channel_client_fd(const RedChannelClient *rcc)
{
    return red_stream_fd(rcc->stream);
}
