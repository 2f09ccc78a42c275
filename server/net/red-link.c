/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-link.c: link handshake state machine. */
#include "config.h"

#include "red-link.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "red-log.h"
#include "red-ticket.h"

typedef enum {
    LINK_READ_MAGIC,
    LINK_READ_HEADER,
    LINK_READ_MESS,
    LINK_READ_MECHANISM,
    LINK_READ_TICKET,
} LinkState;

struct RedLink {
    const SpiceCoreInterface *core;
    RedLinkPolicy policy;
    RedStream *stream;
    SpiceWatch *watch;
    SpiceTimer *timer;
    LinkState state;
    uint8_t buf[SPICE_LINK_MAX_SIZE];
    size_t want, have;
    SpiceLinkRequest req;
    RedTicketKey *key;
    bool client_auth_selection;
};

static void link_free(RedLink *l)
{
    if (l->watch) {
        l->core->watch_remove(l->watch);
    }
    if (l->timer) {
        l->core->timer_remove(l->timer);
    }
    red_ticket_key_free(l->key);
    red_stream_free(l->stream);
    free(l);
}

static void link_fail(RedLink *l, uint32_t err, const char *why)
{
    red_log_info("link: closing client: %s (link error %u)", why, err);
    RedLinkPolicy p = l->policy;
    if (p.finished) {
        p.finished(p.opaque, l); /* while l is still a valid pointer */
    }
    link_free(l);
}

static void link_send_result(RedLink *l, uint32_t result)
{
    uint8_t b[4] = { (uint8_t)result, (uint8_t)(result >> 8), (uint8_t)(result >> 16),
                     (uint8_t)(result >> 24) };
    (void)red_stream_write(l->stream, b, sizeof(b));
}

/* A link reply carrying only an error code (header and SpiceLinkReply). */
static void link_send_error(RedLink *l, uint32_t err)
{
    SpiceWireWriter w;
    spice_wire_writer_init(&w);
    spice_link_reply_write(&w, err, NULL, NULL);
    (void)red_stream_write(l->stream, w.data, w.len);
    spice_wire_writer_finish(&w);
}

static uint32_t read_le32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void link_expect(RedLink *l, LinkState state, size_t n)
{
    l->state = state;
    l->want = n;
    l->have = 0;
}

static void link_succeed(RedLink *l)
{
    RedStream *stream = l->stream;
    RedLinkPolicy p = l->policy;
    SpiceLinkRequest req = l->req;
    l->stream = NULL;
    if (p.finished) {
        p.finished(p.opaque, l); /* while l is still a valid pointer */
    }
    link_free(l);
    p.linked(p.opaque, stream, &req);
}

static void link_check_ticket(RedLink *l)
{
    char password[SPICE_MAX_PASSWORD_LENGTH + 1];
    if (red_ticket_decrypt(l->key, l->buf, password) != 0 ||
        !l->policy.check_ticket(l->policy.opaque, password)) {
        memset(password, 0, sizeof(password));
        link_send_result(l, SPICE_LINK_ERR_PERMISSION_DENIED);
        (void)red_stream_flush(l->stream);
        link_fail(l, SPICE_LINK_ERR_PERMISSION_DENIED, "ticket refused");
        return;
    }
    memset(password, 0, sizeof(password));
    uint32_t err = l->policy.check_channel(l->policy.opaque, &l->req);
    link_send_result(l, err);
    if (err != SPICE_LINK_ERR_OK) {
        (void)red_stream_flush(l->stream);
        link_fail(l, err, "channel refused");
        return;
    }
    link_succeed(l);
}

static void link_reply(RedLink *l)
{
    SpiceLinkCaps caps = { 0 };
    SpiceWireWriter w;
    bool mini = spice_link_caps_has(l->req.caps.common, l->req.caps.num_common,
                                    SPICE_COMMON_CAP_MINI_HEADER);
    l->client_auth_selection = spice_link_caps_has(l->req.caps.common, l->req.caps.num_common,
                                                   SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION);
    l->key = red_ticket_key_new();
    spice_wire_writer_init(&w);
    if (!mini || l->key == NULL) {
        /* Every client of the last decade has mini headers (spice-gtk
         * always sets the cap); we do not implement the 18-byte header. */
        spice_link_reply_write(&w, SPICE_LINK_ERR_ERROR, NULL, NULL);
        (void)red_stream_write(l->stream, w.data, w.len);
        spice_wire_writer_finish(&w);
        link_fail(l, SPICE_LINK_ERR_ERROR, mini ? "no key" : "client without MINI_HEADER");
        return;
    }
    spice_link_caps_set(caps.common, &caps.num_common, SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION);
    spice_link_caps_set(caps.common, &caps.num_common, SPICE_COMMON_CAP_AUTH_SPICE);
    spice_link_caps_set(caps.common, &caps.num_common, SPICE_COMMON_CAP_MINI_HEADER);
    l->policy.channel_caps(l->policy.opaque, l->req.channel_type, &caps);
    spice_link_reply_write(&w, SPICE_LINK_ERR_OK, red_ticket_key_public_der(l->key), &caps);
    int ret = red_stream_write(l->stream, w.data, w.len);
    spice_wire_writer_finish(&w);
    if (ret != 0) {
        link_fail(l, SPICE_LINK_ERR_ERROR, "write failed");
        return;
    }
    if (l->client_auth_selection) {
        link_expect(l, LINK_READ_MECHANISM, 4);
    } else {
        link_expect(l, LINK_READ_TICKET, RED_TICKET_ENCRYPTED_SIZE);
    }
}

/* Handles a completed read; returns false if the link is gone. */
static bool link_step(RedLink *l)
{
    uint32_t err, size;
    switch (l->state) {
    case LINK_READ_MAGIC:
        /* A peer that is not a SPICE client (4 bytes of anything) gets the
         * error reply at once, as from the real server, rather than
         * waiting for a 16-byte header that may never come. */
        if (read_le32(l->buf) != SPICE_MAGIC) {
            link_send_error(l, SPICE_LINK_ERR_INVALID_MAGIC);
            /* Take what else it sent (once: a flood gets no loop), so the
             * close is a FIN after our reply, not a reset that drops it. */
            (void)red_stream_read(l->stream, l->buf, sizeof(l->buf));
            link_fail(l, SPICE_LINK_ERR_INVALID_MAGIC, "bad magic");
            return false;
        }
        l->state = LINK_READ_HEADER;
        l->want = SPICE_LINK_HEADER_SIZE; /* the rest of the header, after the magic */
        return true;
    case LINK_READ_HEADER:
        err = spice_link_header_parse(l->buf, &size);
        if (err != SPICE_LINK_ERR_OK) {
            link_send_error(l, err);
            link_fail(l, err, "bad link header");
            return false;
        }
        link_expect(l, LINK_READ_MESS, size);
        return true;
    case LINK_READ_MESS:
        err = spice_link_mess_parse(l->buf, l->have, &l->req);
        if (err != SPICE_LINK_ERR_OK) {
            link_send_error(l, err);
            link_fail(l, err, "bad link message");
            return false;
        }
        link_reply(l);
        return l->state != LINK_READ_MESS;
    case LINK_READ_MECHANISM: {
        uint32_t mech = read_le32(l->buf);
        if (mech != SPICE_COMMON_CAP_AUTH_SPICE) {
            link_send_result(l, SPICE_LINK_ERR_INVALID_DATA);
            (void)red_stream_flush(l->stream);
            link_fail(l, SPICE_LINK_ERR_INVALID_DATA, "unsupported auth mechanism");
            return false;
        }
        link_expect(l, LINK_READ_TICKET, RED_TICKET_ENCRYPTED_SIZE);
        return true;
    }
    case LINK_READ_TICKET:
        link_check_ticket(l);
        return false;
    }
    return false;
}

static void link_on_io(int fd, int event, void *opaque)
{
    RedLink *l = opaque;
    (void)fd;
    if (event & SPICE_WATCH_EVENT_WRITE) {
        if (red_stream_flush(l->stream) != 0) {
            link_fail(l, SPICE_LINK_ERR_ERROR, "write failed");
            return;
        }
    }
    if (event & SPICE_WATCH_EVENT_READ) {
        for (;;) {
            ssize_t r = red_stream_read(l->stream, l->buf + l->have, l->want - l->have);
            if (r < 0) {
                link_fail(l, SPICE_LINK_ERR_ERROR, "peer closed during link");
                return;
            }
            if (r == 0) {
                break;
            }
            l->have += (size_t)r;
            if (l->have == l->want && !link_step(l)) {
                return;
            }
        }
    }
    l->core->watch_update_mask(l->watch, SPICE_WATCH_EVENT_READ |
                               (red_stream_pending(l->stream) ? SPICE_WATCH_EVENT_WRITE : 0));
}

static void link_on_timeout(void *opaque)
{
    link_fail(opaque, SPICE_LINK_ERR_ERROR, "link timed out");
}

RedLink *red_link_start(const SpiceCoreInterface *core, int fd, const RedLinkPolicy *policy)
{
    RedLink *l = calloc(1, sizeof(*l));
    if (l == NULL || (l->stream = red_stream_new(fd)) == NULL) {
        free(l);
        close(fd);
        return NULL;
    }
    l->core = core;
    l->policy = *policy;
    link_expect(l, LINK_READ_MAGIC, sizeof(uint32_t));
    l->watch = core->watch_add(fd, SPICE_WATCH_EVENT_READ, link_on_io, l);
    l->timer = core->timer_add(link_on_timeout, l);
    if (l->timer) {
        core->timer_start(l->timer, RED_LINK_TIMEOUT_MS);
    }
    return l;
}

void red_link_abort(RedLink *link)
{
    link_free(link);
}
