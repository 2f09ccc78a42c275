/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-stream.c: non-blocking socket I/O with an output queue. */
#include "config.h"

#include "red-stream.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct RedStream {
    int fd;
    uint8_t *out;       /* queued bytes are out[head, len) */
    size_t head, len, cap;
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

ssize_t red_stream_read(RedStream *s, void *buf, size_t n)
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

size_t red_stream_pending(const RedStream *s)
{
    return s->len - s->head;
}

int red_stream_flush(RedStream *s)
{
    while (s->head < s->len) {
        ssize_t w = send(s->fd, s->out + s->head, s->len - s->head, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            }
            return -1;
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

int red_stream_write(RedStream *s, const void *data, size_t n)
{
    const uint8_t *p = data;
    /* Fast path: nothing queued, try the socket directly (no copy). */
    while (s->head == s->len && n > 0) {
        ssize_t w = send(s->fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            }
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return n > 0 ? enqueue(s, p, n) : 0;
}
