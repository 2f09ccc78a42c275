/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-stream.h: a non-blocking client socket with an output queue, in
 * clear or under TLS.
 *
 * Writes never block: what the kernel does not take is queued and sent when
 * the socket is writable again (the owner watches for WRITE while
 * red_stream_pending() > 0).  A client that lets more than
 * RED_STREAM_MAX_PENDING bytes pile up is too slow; the owner closes it.
 * Under TLS (red_stream_enable_tls, then red_stream_tls_accept until DONE)
 * the same calls move application bytes through OpenSSL, so every channel
 * gets TLS without knowing it.  A read may leave decrypted bytes inside
 * OpenSSL that the socket no longer signals: readers must read until
 * red_stream_read returns 0, as they do for a socket anyway.
 * A SASL security layer (red_stream_start_sasl_layer, after a SASL exchange
 * on a plain link negotiated one) works the same way: every byte written is
 * sasl_encode'd, every byte read sasl_decode'd, and decoded bytes may wait
 * in the stream as they do in OpenSSL.
 * Thread safety: a stream belongs to one thread at a time (the main thread
 * during the link, then the thread of its channel).
 */
#ifndef RED_STREAM_H
#define RED_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/types.h>

/* A full-screen raw frame of 4K is 33 MiB; two of them queued is too slow. */
#define RED_STREAM_MAX_PENDING (64u << 20)

typedef struct RedStream RedStream;
struct sasl_conn; /* Cyrus SASL's sasl_conn_t */

/* Takes ownership of fd (made non-blocking, TCP_NODELAY). NULL on ENOMEM. */
RedStream *red_stream_new(int fd);
/* Closes the socket and frees the queue. NULL is fine. */
void red_stream_free(RedStream *s);
int red_stream_fd(const RedStream *s);

typedef enum RedStreamTlsStatus {
    RED_STREAM_TLS_DONE,        /* handshake complete: data phase */
    RED_STREAM_TLS_WANT_READ,   /* call again when the socket is readable */
    RED_STREAM_TLS_WANT_WRITE,  /* call again when the socket is writable */
    RED_STREAM_TLS_FAILED,      /* not a TLS client, or a failed handshake (logged) */
} RedStreamTlsStatus;

/* Puts a fresh stream (nothing read or written yet) under TLS as the server
 * side, with the certificates of ctx (which the stream references, so ctx
 * may be freed by its owner first).  Returns 0, or -1 (ENOMEM). */
int red_stream_enable_tls(RedStream *s, SSL_CTX *ctx);
/* Advances the server handshake as far as the socket allows. */
RedStreamTlsStatus red_stream_tls_accept(RedStream *s);
/* Is the stream under TLS? */
bool red_stream_is_tls(const RedStream *s);
/* The strength of the negotiated TLS cipher in bits; 0 in clear. */
int red_stream_tls_bits(const RedStream *s);

/* From now on, every byte goes through the SASL security layer of conn (a
 * completed server exchange whose SSF is not 0), which the stream takes
 * over and disposes of.  Plain streams only.  Returns 0, or -1 (conn is
 * disposed of). */
int red_stream_start_sasl_layer(RedStream *s, struct sasl_conn *conn);

/* Does the stream hold bytes already read from the socket and not yet
 * returned (inside OpenSSL, or decoded by the SASL layer)?  The socket
 * does not signal those: a reader that stopped before reading until 0
 * must come back for them itself. */
bool red_stream_has_buffered(const RedStream *s);

/* Reads up to n bytes. Returns the count, 0 if nothing is available now, or
 * -1 when the peer closed or the socket failed (errno set; EPIPE for EOF). */
ssize_t red_stream_read(RedStream *s, void *buf, size_t n);

/* Queues n bytes and sends as much as the socket takes. Returns 0, or -1 if
 * the socket failed or the queue would pass RED_STREAM_MAX_PENDING. */
int red_stream_write(RedStream *s, const void *data, size_t n);
/* Sends queued bytes. Returns 0 (some may remain) or -1 on socket error. */
int red_stream_flush(RedStream *s);
/* Corked, red_stream_write only queues, up to RED_STREAM_CORK_BYTES (past
 * that it sends what waits and writes on as usual): the owner writes a
 * batch of small messages, uncorks and calls red_stream_flush, and the
 * peer gets them in one packet instead of one each.  A no-op under TLS
 * (see red_stream_set_corked: spice-gtk stalls on a record that holds
 * several messages). */
#define RED_STREAM_CORK_BYTES (64u << 10)
void red_stream_set_corked(RedStream *s, bool corked);
size_t red_stream_pending(const RedStream *s);
/* Bytes the socket still holds on the way to the peer (written, not yet
 * acknowledged by it: SIOCOUTQ); 0 when unknown.  A slow link drains this
 * while our own queue is empty. */
size_t red_stream_unsent(const RedStream *s);

/* Keeps at most about `bytes` ahead of the link: red_stream_ahead_full()
 * says when our queue and the bytes the socket has not sent yet reach it,
 * and the socket turns writable again (TCP_NOTSENT_LOWAT) once the link
 * took enough, so an owner that watches for WRITE while full is woken
 * without polling.  0 lifts the limit.  -1 where the socket cannot tell
 * (not TCP): no limit then. */
int red_stream_set_send_ahead(RedStream *s, size_t bytes);
bool red_stream_ahead_full(const RedStream *s);

#endif /* RED_STREAM_H */
