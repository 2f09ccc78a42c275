/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-channel-client.h: one client's connection to one channel in the data
 * phase: mini-header framing, the client-message gate, acks, the send queue.
 *
 * Driven by the SpiceCoreInterface of the thread that owns it: the host's
 * core for the main and inputs channels, the display worker's own loop for
 * display and cursor channels.  All functions must be called on that thread.
 *
 * Every received body goes through spice_msgc_parse(); a malformed, unknown
 * or oversized message closes this client (logged with the type and size),
 * never anything else.  Base messages (ACK_SYNC, ACK, DISCONNECTING,
 * MIGRATE_*) are handled here, PONG too unless ops->on_pong takes it;
 * channel messages go to ops->handle_message.
 */
#ifndef RED_CHANNEL_CLIENT_H
#define RED_CHANNEL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include <spice.h>

#include "red-stream.h"
#include "spice-link.h"
#include "spice-messages.h"

/* spice-gtk answers one ACK per window; the real server uses 20 on LANs. */
#define RED_ACK_WINDOW 20
/* No client message we accept comes near this (agent data is 2 KiB chunks). */
#define RED_CLIENT_MAX_MESSAGE (1u << 20)
/* Producers stop adding frames while this much is queued for the socket. */
#define RED_SEND_HIGH_WATER (4u << 20)
/* A client that keeps us blocked (queue over the high water mark, or the
 * ack window full) without taking a byte or sending an ack for this long
 * has stopped reading: it is closed, so that it holds nothing for ever.
 * Long enough for any live link to move some bytes.  The environment
 * variable S3D_CLIENT_STALL_MS, read when a channel client is created,
 * replaces it (0: never close a stalled client, which then still holds at
 * most the high water mark; at most RED_CLIENT_STALL_MAX_MS). */
#define RED_CLIENT_STALL_MS 10000
#define RED_CLIENT_STALL_MAX_MS (3600u * 1000)

typedef struct RedChannelClient RedChannelClient;

typedef struct RedChannelClientOps {
    /* A channel message (type > 100). Return false to close the client. */
    bool (*handle_message)(RedChannelClient *rcc, const SpiceMsgc *msg, void *opaque);
    /* The queue drained or the ack window reopened: a producer may send. */
    void (*on_writable)(RedChannelClient *rcc, void *opaque);
    /* The connection is gone (peer closed, error, bad input, or
     * red_channel_client_close). The owner must red_channel_client_free it,
     * and may do so inside this callback. */
    void (*on_closed)(RedChannelClient *rcc, void *opaque);
    /* Optional: a PONG (the answer to a PING this channel sent). */
    void (*on_pong)(RedChannelClient *rcc, const SpiceMsgcPong *pong, void *opaque);
} RedChannelClientOps;

RedChannelClient *red_channel_client_new(const SpiceCoreInterface *loop, RedStream *stream,
                                         const SpiceLinkRequest *req, bool use_acks,
                                         const RedChannelClientOps *ops, void *opaque);
void red_channel_client_free(RedChannelClient *rcc); /* NULL ok; closes the socket */

/* Marshals and queues one message. Returns 0, or -1 (the client is then
 * being closed: slow, gone, or the message did not marshal). */
int red_channel_client_send(RedChannelClient *rcc, const SpiceMsg *msg);
/* Between cork and uncork (they nest), messages sent wait in our queue
 * (up to RED_STREAM_CORK_BYTES, see red-stream.h) and uncork writes them
 * together: a push of many small messages costs one write and one packet,
 * as spice-server corks its pushes.  Flow control (can_send) counts them
 * as sent.  A close meanwhile reaches on_closed at the outermost uncork,
 * which may so free rcc and its owner: the caller must not touch either
 * after it. */
void red_channel_client_cork(RedChannelClient *rcc);
void red_channel_client_uncork(RedChannelClient *rcc);
/* True while the ack window is open, the socket queue is below the high
 * water mark and the send-ahead limit (if any) is not reached: a producer
 * should wait for on_writable otherwise. */
bool red_channel_client_can_send(const RedChannelClient *rcc);
/* On a link measured slow, producers that merge what waits (the display)
 * keep at most about `bytes` ahead of it (our queue and what the socket
 * has not sent), instead of the high water mark: what the client shows is
 * then at most that far behind.  can_send turns false at the limit and
 * on_writable comes when the link took enough.  0 lifts the limit. */
void red_channel_client_set_send_ahead(RedChannelClient *rcc, size_t bytes);
/* Bytes queued for the socket and not written yet: a producer that would
 * rather drop data than delay it (audio) keeps this small. */
size_t red_channel_client_queued(const RedChannelClient *rcc);
/* Asks for one on_writable call when the queue is next empty (written to
 * the socket): a producer holding data back until then (audio). */
void red_channel_client_notify_drained(RedChannelClient *rcc);
/* Stops (paused) or resumes reading the client's messages: an owner with no
 * room for another message pauses, and the client's bytes wait in the
 * socket (TCP back-pressure).  Safe inside handle_message: no message after
 * the current one is dispatched until resumed. */
void red_channel_client_pause_read(RedChannelClient *rcc, bool paused);
/* Closes with a log line; on_closed follows (deferred if inside a handler). */
void red_channel_client_close(RedChannelClient *rcc, const char *why);

/* After on_closed: true when the client closed or reset its socket (it left
 * this channel; seen as EOF, or EPIPE/ECONNRESET on a write), false when we
 * closed it (bad input, another write error, a stall, or
 * red_channel_client_close): a failure that ends the client's session. */
bool red_channel_client_peer_closed(const RedChannelClient *rcc);

bool red_channel_client_has_cap(const RedChannelClient *rcc, unsigned cap);
uint8_t red_channel_client_type(const RedChannelClient *rcc);
uint8_t red_channel_client_id(const RedChannelClient *rcc);
int red_channel_client_fd(const RedChannelClient *rcc);

#endif /* RED_CHANNEL_CLIENT_H */
