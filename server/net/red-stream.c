/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-stream.c: non-blocking socket I/O with an output queue; plain,
 * through an OpenSSL SSL object on the same socket, or through a SASL
 * security layer. */
#include "config.h"

#include "red-stream.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/sockios.h>

#include <glib.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sasl/sasl.h>

#include "red-log.h"

/* Encoded bytes read from the socket in one go under a SASL layer (what
 * spice-gtk reads; a packet may span reads). */
#define SASL_READ_CHUNK 8192

struct RedStream {
    int fd;
    SSL *ssl;           /* NULL: plain socket */
    sasl_conn_t *sasl;  /* NULL: no SASL security layer */
    unsigned sasl_out_max; /* the largest chunk sasl_encode takes */
    uint8_t *dec;       /* decoded bytes not read yet are dec[dec_head, dec_len) */
    size_t dec_head, dec_len;
    uint8_t *out;       /* queued bytes are out[head, len) */
    size_t head, len, cap;
    size_t ahead;       /* red_stream_set_send_ahead; 0: none */
    bool corked;        /* red_stream_set_corked */
};

RedStream *red_stream_new(int fd)
{
    RedStream *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    s->fd = fd;
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) {
        (void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    }
    int one = 1;
    /* Fails harmlessly on unix sockets. */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return s;
}

void red_stream_free(RedStream *s)
{
    if (s == NULL) {
        return;
    }
    /* No close_notify: the peer learns from the TCP close, and a hostile
     * peer must not make us wait for its answer. */
    SSL_free(s->ssl);
    if (s->sasl) {
        sasl_dispose(&s->sasl);
    }
    g_free(s->dec);
    if (s->fd >= 0) {
        close(s->fd);
    }
    free(s->out);
    free(s);
}

int red_stream_fd(const RedStream *s)
{
    return s->fd;
}

/* Logs why OpenSSL gave up on this stream and empties the thread's error
 * queue, so that the next stream served by this thread starts clean. */
static void tls_log_error(RedStream *s, const char *what, int ssl_error)
{
    unsigned long e = ERR_get_error();
    red_log_info("tls: fd %d: %s failed: %s (ssl error %d)", s->fd, what,
                 e ? ERR_reason_error_string(e) : (ssl_error == SSL_ERROR_SYSCALL ? "peer closed"
                                                                               : "no reason"),
                 ssl_error);
    ERR_clear_error();
}

/* OpenSSL's socket BIO writes with write(2), which raises SIGPIPE when the
 * peer is gone and kills a host that does not ignore it: a client closing
 * at the right moment must cost only its connection.  This BIO is the same
 * with send(MSG_NOSIGNAL); its data is the fd. */
static int nosig_bio_write(BIO *b, const char *buf, int n)
{
    BIO_clear_retry_flags(b);
    ssize_t w = send((int)(intptr_t)BIO_get_data(b), buf, (size_t)n, MSG_NOSIGNAL);
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        BIO_set_retry_write(b);
    }
    return (int)w;
}

static int nosig_bio_read(BIO *b, char *buf, int n)
{
    BIO_clear_retry_flags(b);
    ssize_t r = recv((int)(intptr_t)BIO_get_data(b), buf, (size_t)n, 0);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        BIO_set_retry_read(b);
    }
    return (int)r;
}

static long nosig_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b;
    (void)num;
    (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0; /* nothing is buffered here */
}

static BIO_METHOD *nosig_bio_method(void)
{
    static gsize once;
    static BIO_METHOD *method;
    if (g_once_init_enter(&once)) {
        BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
                                     "s3display socket");
        if (m && (BIO_meth_set_write(m, nosig_bio_write) != 1 ||
                  BIO_meth_set_read(m, nosig_bio_read) != 1 ||
                  BIO_meth_set_ctrl(m, nosig_bio_ctrl) != 1)) {
            BIO_meth_free(m);
            m = NULL;
        }
        method = m; /* process lifetime, shared by every stream */
        g_once_init_leave(&once, 1);
    }
    return method;
}

int red_stream_enable_tls(RedStream *s, SSL_CTX *ctx)
{
    BIO_METHOD *method = nosig_bio_method();
    BIO *bio = method ? BIO_new(method) : NULL;
    s->ssl = bio ? SSL_new(ctx) : NULL;
    if (s->ssl == NULL) {
        BIO_free(bio);
        ERR_clear_error();
        errno = ENOMEM;
        return -1;
    }
    BIO_set_data(bio, (void *)(intptr_t)s->fd);
    BIO_set_init(bio, 1);
    SSL_set_bio(s->ssl, bio, bio); /* the SSL owns bio now */
    /* Our output queue may move its bytes (realloc, compaction) and may
     * hand OpenSSL more than it took last time; both modes allow that. */
    SSL_set_mode(s->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_set_accept_state(s->ssl);
    return 0;
}

RedStreamTlsStatus red_stream_tls_accept(RedStream *s)
{
    ERR_clear_error();
    int r = SSL_accept(s->ssl);
    if (r == 1) {
        return RED_STREAM_TLS_DONE;
    }
    int err = SSL_get_error(s->ssl, r);
    if (err == SSL_ERROR_WANT_READ) {
        return RED_STREAM_TLS_WANT_READ;
    }
    if (err == SSL_ERROR_WANT_WRITE) {
        return RED_STREAM_TLS_WANT_WRITE;
    }
    tls_log_error(s, "handshake", err);
    return RED_STREAM_TLS_FAILED;
}

bool red_stream_is_tls(const RedStream *s)
{
    return s->ssl != NULL;
}

int red_stream_tls_bits(const RedStream *s)
{
    return s->ssl ? SSL_get_cipher_bits(s->ssl, NULL) : 0;
}

/* One SSL_read: the count, 0 if more bytes must arrive first, -1 when the
 * peer closed (close_notify or a TCP close mid-record) or broke TLS. */
static ssize_t tls_read(RedStream *s, void *buf, size_t n)
{
    ERR_clear_error();
    int r = SSL_read(s->ssl, buf, n > INT_MAX ? INT_MAX : (int)n);
    if (r > 0) {
        return r;
    }
    int err = SSL_get_error(s->ssl, r);
    /* WANT_WRITE: OpenSSL must answer the peer first (a TLS 1.3 key
     * update) and the socket is full; the answer goes out with our next
     * write, and the peer's data waits for it. */
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        return 0;
    }
    if (err != SSL_ERROR_ZERO_RETURN) {
        tls_log_error(s, "read", err);
    }
    errno = EPIPE;
    return -1;
}

static ssize_t socket_read(RedStream *s, void *buf, size_t n)
{
    for (;;) {
        ssize_t r = recv(s->fd, buf, n, 0);
        if (r > 0) {
            return r;
        }
        if (r == 0) {
            errno = EPIPE;
            return -1;
        }
        if (errno == EINTR) {
            continue;
        }
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    }
}

int red_stream_start_sasl_layer(RedStream *s, sasl_conn_t *conn)
{
    const void *val = NULL;
    if (s->ssl || s->sasl || sasl_getprop(conn, SASL_MAXOUTBUF, &val) != SASL_OK ||
        val == NULL || *(const unsigned *)val == 0) {
        red_log_warn("sasl: cannot start the security layer");
        sasl_dispose(&conn);
        return -1;
    }
    s->sasl = conn;
    s->sasl_out_max = *(const unsigned *)val;
    return 0;
}

/* Decoded bytes first; else what the socket has, decoded.  A SASL packet
 * split across reads decodes to nothing until its end came. */
static ssize_t sasl_read(RedStream *s, void *buf, size_t n)
{
    while (s->dec_head == s->dec_len) {
        uint8_t raw[SASL_READ_CHUNK];
        ssize_t r = socket_read(s, raw, sizeof(raw));
        if (r <= 0) {
            return r;
        }
        const char *plain = NULL;
        unsigned plain_len = 0;
        int err = sasl_decode(s->sasl, (const char *)raw, (unsigned)r, &plain, &plain_len);
        if (err != SASL_OK) {
            red_log_warn("sasl: the client's data does not decode: %s",
                         sasl_errstring(err, NULL, NULL));
            errno = EPROTO;
            return -1;
        }
        /* plain points into the SASL connection until the next decode. */
        s->dec = g_realloc(s->dec, plain_len ? plain_len : 1);
        memcpy(s->dec, plain, plain_len);
        s->dec_head = 0;
        s->dec_len = plain_len;
    }
    size_t k = MIN(n, s->dec_len - s->dec_head);
    memcpy(buf, s->dec + s->dec_head, k);
    s->dec_head += k;
    return (ssize_t)k;
}

bool red_stream_has_buffered(const RedStream *s)
{
    return (s->ssl && SSL_pending(s->ssl) > 0) || s->dec_head < s->dec_len;
}

ssize_t red_stream_read(RedStream *s, void *buf, size_t n)
{
    if (s->ssl) {
        return tls_read(s, buf, n);
    }
    return s->sasl ? sasl_read(s, buf, n) : socket_read(s, buf, n);
}

/* Sends what the transport takes now: the count (> 0), 0 when it would
 * block, -1 on error. */
static ssize_t stream_send(RedStream *s, const uint8_t *p, size_t n)
{
    if (s->ssl) {
        ERR_clear_error();
        int w = SSL_write(s->ssl, p, n > INT_MAX ? INT_MAX : (int)n);
        if (w > 0) {
            return w;
        }
        int err = SSL_get_error(s->ssl, w);
        /* WANT_READ cannot come from a renegotiation (the context refuses
         * them); it is treated as a full socket, retried on the next event. */
        if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
            return 0;
        }
        tls_log_error(s, "write", err);
        errno = EPIPE;
        return -1;
    }
    for (;;) {
        ssize_t w = send(s->fd, p, n, MSG_NOSIGNAL);
        if (w >= 0) {
            return w;
        }
        if (errno == EINTR) {
            continue;
        }
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    }
}

size_t red_stream_pending(const RedStream *s)
{
    return s->len - s->head;
}

size_t red_stream_unsent(const RedStream *s)
{
    int n = 0;
    if (s->fd < 0 || ioctl(s->fd, SIOCOUTQ, &n) != 0 || n < 0) {
        return 0;
    }
    return (size_t)n;
}

int red_stream_set_send_ahead(RedStream *s, size_t bytes)
{
    /* 0: INT_MAX, as good as the kernel's default (no limit). */
    int lowat = bytes ? (int)MIN(bytes, (size_t)INT_MAX) : INT_MAX;
    if (setsockopt(s->fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof(lowat)) != 0) {
        s->ahead = 0;
        return -1;
    }
    s->ahead = bytes;
    return 0;
}

bool red_stream_ahead_full(const RedStream *s)
{
    if (s->ahead == 0) {
        return false;
    }
    int notsent = 0;
    if (ioctl(s->fd, SIOCOUTQNSD, &notsent) != 0 || notsent < 0) {
        notsent = 0;
    }
    return red_stream_pending(s) + (size_t)notsent >= s->ahead;
}

int red_stream_flush(RedStream *s)
{
    while (s->head < s->len) {
        ssize_t w = stream_send(s, s->out + s->head, s->len - s->head);
        if (w < 0) {
            return -1;
        }
        if (w == 0) {
            break;
        }
        s->head += (size_t)w;
    }
    if (s->head == s->len) {
        s->head = s->len = 0;
    }
    return 0;
}

static int enqueue(RedStream *s, const uint8_t *p, size_t n)
{
    if (n > RED_STREAM_MAX_PENDING - red_stream_pending(s)) {
        errno = ENOBUFS;
        return -1;
    }
    if (s->head > 0 && s->len + n > s->cap) {
        /* Compact before growing: the sent prefix is dead. */
        memmove(s->out, s->out + s->head, s->len - s->head);
        s->len -= s->head;
        s->head = 0;
    }
    if (s->len + n > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + n) {
            cap *= 2;
        }
        uint8_t *q = realloc(s->out, cap);
        if (q == NULL) {
            return -1;
        }
        s->out = q;
        s->cap = cap;
    }
    memcpy(s->out + s->len, p, n);
    s->len += n;
    return 0;
}

void red_stream_set_corked(RedStream *s, bool corked)
{
    /* Under TLS each write stays its own record: spice-gtk reads the
     * second message of a record only when the socket says readable again
     * (the record's rest waits inside its OpenSSL), so a batch in one
     * record stalls it.  spice-server's cork is TCP's, under its records. */
    s->corked = corked && s->ssl == NULL;
}

static int transport_write(RedStream *s, const void *data, size_t n)
{
    const uint8_t *p = data;
    if (s->corked) {
        if (red_stream_pending(s) + n <= RED_STREAM_CORK_BYTES) {
            return enqueue(s, p, n);
        }
        /* A full batch: what waits goes first, then this as usual. */
        if (red_stream_flush(s) != 0) {
            return -1;
        }
    }
    /* Fast path: nothing queued, try the socket directly (no copy).  Under
     * TLS, bytes OpenSSL refused stay at the head of what we queue, so the
     * retry hands it the same bytes first, as it requires. */
    while (s->head == s->len && n > 0) {
        ssize_t w = stream_send(s, p, n);
        if (w < 0) {
            return -1;
        }
        if (w == 0) {
            break;
        }
        p += w;
        n -= (size_t)w;
    }
    return n > 0 ? enqueue(s, p, n) : 0;
}

/* Each chunk is encoded whole and queued whole: the peer decodes packets in
 * order, so what the socket does not take waits in the queue as bytes. */
static int sasl_write(RedStream *s, const uint8_t *p, size_t n)
{
    while (n > 0) {
        unsigned chunk = (unsigned)MIN(n, (size_t)s->sasl_out_max);
        const char *enc = NULL;
        unsigned enc_len = 0;
        int err = sasl_encode(s->sasl, (const char *)p, chunk, &enc, &enc_len);
        if (err != SASL_OK) {
            red_log_warn("sasl: cannot encode: %s", sasl_errstring(err, NULL, NULL));
            errno = EPROTO;
            return -1;
        }
        if (transport_write(s, enc, enc_len) != 0) {
            return -1;
        }
        p += chunk;
        n -= chunk;
    }
    return 0;
}

int red_stream_write(RedStream *s, const void *data, size_t n)
{
    return s->sasl ? sasl_write(s, data, n) : transport_write(s, data, n);
}
