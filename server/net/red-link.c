/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-link.c: link handshake state machine. */
#include "config.h"

#include "red-link.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "red-log.h"
#include "red-sasl.h"
#include "red-ticket.h"

typedef enum {
    LINK_TLS_HANDSHAKE,
    LINK_READ_MAGIC,
    LINK_READ_HEADER,
    LINK_READ_MESS,
    LINK_READ_MECHANISM,
    LINK_READ_TICKET,
    LINK_SASL,
} LinkState;

struct RedLink {
    const SpiceCoreInterface *core;
    RedLinkPolicy policy;
    RedStream *stream;
    SpiceWatch *watch;
    SpiceTimer *timer;
    LinkState state;
    uint8_t buf[SPICE_LINK_MAX_SIZE];
    uint8_t *in;                /* where the wanted bytes go: buf, or the SASL exchange's */
    size_t want, have;
    RedSasl *sasl;
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
    red_sasl_free(l->sasl);
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

/* Answers the link message with err (header + all-zero reply) and closes. */
static void link_refuse(RedLink *l, uint32_t err, const char *why)
{
    link_send_error(l, err);
    link_fail(l, err, why);
}

static uint32_t read_le32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void link_expect(RedLink *l, LinkState state, size_t n)
{
    l->state = state;
    l->in = l->buf;
    l->want = n;
    l->have = 0;
}

/* The next bytes the SASL exchange wants. */
static void link_expect_sasl(RedLink *l)
{
    l->state = LINK_SASL;
    l->in = red_sasl_want(l->sasl, &l->want);
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

/* The client is who it says: is the channel there for it? */
static void link_authenticated(RedLink *l)
{
    uint32_t err = l->policy.check_channel(l->policy.opaque, &l->req);
    link_send_result(l, err);
    if (err != SPICE_LINK_ERR_OK) {
        (void)red_stream_flush(l->stream);
        link_fail(l, err, "channel refused");
        return;
    }
    link_succeed(l);
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
    link_authenticated(l);
}

/* Answers the link message; returns false if the link is gone. */
static bool link_reply(RedLink *l)
{
    SpiceLinkCaps caps = { 0 };
    SpiceWireWriter w;
    bool mini = spice_link_caps_has(l->req.caps.common, l->req.caps.num_common,
                                    SPICE_COMMON_CAP_MINI_HEADER);
    l->client_auth_selection = spice_link_caps_has(l->req.caps.common, l->req.caps.num_common,
                                                   SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION);
    bool client_sasl = spice_link_caps_has(l->req.caps.common, l->req.caps.num_common,
                                           SPICE_COMMON_CAP_AUTH_SASL);
    if (l->policy.sasl && !l->client_auth_selection) {
        link_refuse(l, SPICE_LINK_ERR_VERSION_MISMATCH, "SASL is on and the client cannot select it");
        return false;
    }
    /* A SASL client does not use the key (spice-server sends zeros). */
    if (!(l->policy.sasl && client_sasl)) {
        l->key = red_ticket_key_new();
    }
    spice_wire_writer_init(&w);
    if (!mini || (l->key == NULL && !(l->policy.sasl && client_sasl))) {
        /* Every client of the last decade has mini headers (spice-gtk
         * always sets the cap); we do not implement the 18-byte header. */
        spice_link_reply_write(&w, SPICE_LINK_ERR_ERROR, NULL, NULL);
        (void)red_stream_write(l->stream, w.data, w.len);
        spice_wire_writer_finish(&w);
        link_fail(l, SPICE_LINK_ERR_ERROR, mini ? "no key" : "client without MINI_HEADER");
        return false;
    }
    spice_link_caps_set(caps.common, &caps.num_common, SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION);
    spice_link_caps_set(caps.common, &caps.num_common,
                        l->policy.sasl ? SPICE_COMMON_CAP_AUTH_SASL : SPICE_COMMON_CAP_AUTH_SPICE);
    spice_link_caps_set(caps.common, &caps.num_common, SPICE_COMMON_CAP_MINI_HEADER);
    l->policy.channel_caps(l->policy.opaque, l->req.channel_type, &caps);
    spice_link_reply_write(&w, SPICE_LINK_ERR_OK, l->key ? red_ticket_key_public_der(l->key) : NULL,
                           &caps);
    int ret = red_stream_write(l->stream, w.data, w.len);
    spice_wire_writer_finish(&w);
    if (ret != 0) {
        link_fail(l, SPICE_LINK_ERR_ERROR, "write failed");
        return false;
    }
    if (l->client_auth_selection) {
        link_expect(l, LINK_READ_MECHANISM, 4);
    } else {
        link_expect(l, LINK_READ_TICKET, RED_TICKET_ENCRYPTED_SIZE);
    }
    return true;
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
            link_refuse(l, err, "bad link header");
            return false;
        }
        link_expect(l, LINK_READ_MESS, size);
        return true;
    case LINK_READ_MESS:
        err = spice_link_mess_parse(l->buf, l->have, &l->req);
        if (err != SPICE_LINK_ERR_OK) {
            link_refuse(l, err, "bad link message");
            return false;
        }
        err = l->policy.check_security(l->policy.opaque, l->req.channel_type,
                                       red_stream_is_tls(l->stream));
        if (err != SPICE_LINK_ERR_OK) {
            red_log_info("link: channel type %u must be linked %s", l->req.channel_type,
                         err == SPICE_LINK_ERR_NEED_SECURED ? "over TLS" : "in clear");
            link_refuse(l, err, "wrong channel security");
            return false;
        }
        if (l->policy.sasl && (l->sasl = red_sasl_new(l->stream)) == NULL) {
            /* In clear: no mechanism with a security layer is configured. */
            bool tls = red_stream_is_tls(l->stream);
            link_refuse(l, tls ? SPICE_LINK_ERR_ERROR : SPICE_LINK_ERR_NEED_SECURED,
                        tls ? "SASL did not start" : "no SASL mechanism for a plain link");
            return false;
        }
        return link_reply(l);
    case LINK_READ_MECHANISM: {
        uint32_t mech = read_le32(l->buf);
        if (l->policy.sasl && mech == SPICE_COMMON_CAP_AUTH_SASL) {
            if (red_sasl_begin(l->sasl) != 0) {
                link_fail(l, SPICE_LINK_ERR_ERROR, "SASL did not start");
                return false;
            }
            link_expect_sasl(l);
            return true;
        }
        if (l->policy.sasl || mech != SPICE_COMMON_CAP_AUTH_SPICE) {
            red_log_info("link: auth mechanism %u refused (SASL %s)", mech,
                         l->policy.sasl ? "required" : "off");
            link_send_result(l, SPICE_LINK_ERR_INVALID_DATA);
            (void)red_stream_flush(l->stream);
            link_fail(l, SPICE_LINK_ERR_INVALID_DATA, "unsupported auth mechanism");
            return false;
        }
        link_expect(l, LINK_READ_TICKET, RED_TICKET_ENCRYPTED_SIZE);
        return true;
    }
    case LINK_SASL:
        switch (red_sasl_step(l->sasl)) {
        case RED_SASL_CONTINUE:
            link_expect_sasl(l);
            return true;
        case RED_SASL_DONE:
            link_authenticated(l);
            return false;
        case RED_SASL_INVALID:
            link_refuse(l, SPICE_LINK_ERR_INVALID_DATA, "SASL mechanism not offered");
            return false;
        case RED_SASL_FAILED:
            break;
        }
        (void)red_stream_flush(l->stream);
        link_fail(l, SPICE_LINK_ERR_PERMISSION_DENIED, "SASL authentication failed");
        return false;
    case LINK_READ_TICKET:
        link_check_ticket(l);
        return false;
    case LINK_TLS_HANDSHAKE:
        break; /* never a read step: link_tls_step runs it */
    }
    return false;
}

/* Advances the TLS handshake; returns false while it is not done (the
 * watch then waits for what OpenSSL asked for) or when the link is gone. */
static bool link_tls_step(RedLink *l)
{
    switch (red_stream_tls_accept(l->stream)) {
    case RED_STREAM_TLS_DONE:
        link_expect(l, LINK_READ_MAGIC, sizeof(uint32_t));
        return true;
    case RED_STREAM_TLS_WANT_READ:
        l->core->watch_update_mask(l->watch, SPICE_WATCH_EVENT_READ);
        return false;
    case RED_STREAM_TLS_WANT_WRITE:
        l->core->watch_update_mask(l->watch, SPICE_WATCH_EVENT_WRITE);
        return false;
    case RED_STREAM_TLS_FAILED:
        break;
    }
    link_fail(l, SPICE_LINK_ERR_ERROR, "TLS handshake failed");
    return false;
}

static void link_on_io(int fd, int event, void *opaque)
{
    RedLink *l = opaque;
    (void)fd;
    if (l->state == LINK_TLS_HANDSHAKE) {
        if (!link_tls_step(l)) {
            return;
        }
        /* The client's link message may already sit decrypted in OpenSSL,
         * where the socket no longer signals it: read now. */
        event = SPICE_WATCH_EVENT_READ;
    }
    if (event & SPICE_WATCH_EVENT_WRITE) {
        if (red_stream_flush(l->stream) != 0) {
            link_fail(l, SPICE_LINK_ERR_ERROR, "write failed");
            return;
        }
    }
    if (event & SPICE_WATCH_EVENT_READ) {
        for (;;) {
            ssize_t r = red_stream_read(l->stream, l->in + l->have, l->want - l->have);
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

RedLink *red_link_start(const SpiceCoreInterface *core, int fd, SSL_CTX *tls,
                        const RedLinkPolicy *policy)
{
    RedLink *l = calloc(1, sizeof(*l));
    if (l == NULL || (l->stream = red_stream_new(fd)) == NULL) {
        free(l);
        close(fd);
        return NULL;
    }
    if (tls && red_stream_enable_tls(l->stream, tls) != 0) {
        red_stream_free(l->stream);
        free(l);
        return NULL;
    }
    l->core = core;
    l->policy = *policy;
    /* The first event of a TLS link is the client's hello; a plain one
     * starts with the magic. */
    link_expect(l, tls ? LINK_TLS_HANDSHAKE : LINK_READ_MAGIC, tls ? 0 : sizeof(uint32_t));
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
