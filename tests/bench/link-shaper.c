/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link-shaper: a slow network link on loopback, for the display benchmark.
 *
 * A TCP relay on 127.0.0.1: every connection accepted on the listening port
 * is paired with a new connection to 127.0.0.1:TARGET, and bytes are relayed
 * both ways through a model of one link shared by all connections:
 *   - per direction, a token bucket of RATE Mbit/s with a burst of
 *     SHAPER_BURST_BYTES sets when each read chunk has left the sender
 *     (chunks leave in arrival order, across connections: one FIFO queue);
 *   - each chunk is delivered DELAY ms after it left (propagation);
 *   - each direction of each connection holds at most QUEUE KiB plus the
 *     bytes in flight (rate x delay); when full the relay stops reading that
 *     socket, whose receive buffer is small (SHAPER_SOCKET_RCVBUF), so TCP
 *     flow control pushes back on the sender, as a full router queue and a
 *     closing window do.
 * A rate of 0 means no rate limit (the delay still applies): the relay then
 * only counts bytes.
 *
 * Prints "link-shaper port=P" on stdout once listening, and on exit the
 * bytes relayed each way ("link-shaper up=N down=N connections=N", up =
 * towards the target) on stderr.  Runs until SIGTERM/SIGINT or --lifetime
 * seconds.  One thread, one poll loop, no busy waiting: poll sleeps until a
 * socket is ready or the next chunk is due.
 *
 * Usage: link-shaper --target PORT [--listen PORT] [--rate MBIT]
 *                    [--delay MS] [--queue KIB] [--lifetime S]
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* spice-gtk opens one connection per channel (a handful); a few sessions
 * in a row stay well under this. */
#define SHAPER_MAX_CONNS 64
/* Largest read: the granularity of the departure times (13 ms at 10 Mbit/s). */
#define SHAPER_CHUNK 16384
/* Chunk records per direction of a connection; reading stops when full. */
#define SHAPER_MAX_CHUNKS 1024
/* Token bucket depth: a couple of full-size Ethernet bursts. */
#define SHAPER_BURST_BYTES 16384
/* The receive buffer of each relayed socket (the kernel doubles it): small,
 * so that what waits for the link is the queue the model says, not the
 * megabytes an autotuned buffer would take from the sender first (a link
 * that queued that much would hide the sender's own pacing). */
#define SHAPER_SOCKET_RCVBUF 32768
#define SHAPER_MAX_RATE_MBIT 100000
#define SHAPER_MAX_DELAY_MS 10000
#define SHAPER_MAX_QUEUE_KIB 65536
#define SHAPER_MAX_LIFETIME_S 86400
#define SHAPER_NS 1000000000ull

/* One direction of the link, shared by every connection. */
typedef struct ShaperLink {
    uint64_t rate_bps;       /* bytes per second, 0 = unlimited */
    uint64_t delay_ns;
    uint64_t busy_until_ns;  /* when the link has sent what it was given */
    uint64_t bytes;          /* relayed (written to the receiver) */
} ShaperLink;

typedef struct ShaperChunk {
    uint64_t due_ns;         /* deliverable from then on */
    uint32_t len;
} ShaperChunk;

/* One direction of one connection: a byte ring and its chunk records. */
typedef struct ShaperPipe {
    int from, to;
    ShaperLink *link;
    uint8_t *buf;
    size_t size, head, queued;       /* ring of `size` bytes, `queued` from head */
    ShaperChunk chunks[SHAPER_MAX_CHUNKS];
    unsigned chunk_head, n_chunks;
    bool eof;                        /* the sender closed its side */
    bool shut;                       /* ... and we passed that on */
} ShaperPipe;

typedef struct ShaperConn {
    bool used;
    int client_fd, target_fd;
    ShaperPipe up, down;             /* client -> target, target -> client */
} ShaperConn;

typedef struct Shaper {
    int listen_fd, target_port;
    size_t pipe_bytes;
    ShaperLink up, down;
    ShaperConn conns[SHAPER_MAX_CONNS];
    uint64_t n_connections;
} Shaper;

static volatile sig_atomic_t shaper_stop;

static void shaper_on_signal(int sig)
{
    (void)sig;
    shaper_stop = 1;
}

static uint64_t shaper_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * SHAPER_NS + (uint64_t)ts.tv_nsec;
}

/* When a chunk of len bytes read now is delivered: it leaves once the link
 * has sent what came before it (the bucket lets a burst go at once), then
 * travels for the delay. */
static uint64_t shaper_link_due(ShaperLink *l, uint64_t now, size_t len)
{
    if (l->rate_bps == 0) {
        return now + l->delay_ns;
    }
    uint64_t burst_ns = (uint64_t)SHAPER_BURST_BYTES * SHAPER_NS / l->rate_bps;
    uint64_t start = l->busy_until_ns + burst_ns > now ? l->busy_until_ns : now - burst_ns;
    l->busy_until_ns = start + (uint64_t)len * SHAPER_NS / l->rate_bps;
    return (l->busy_until_ns > now ? l->busy_until_ns : now) + l->delay_ns;
}

static int shaper_pipe_init(ShaperPipe *p, int from, int to, ShaperLink *link, size_t size)
{
    memset(p, 0, sizeof(*p));
    p->from = from;
    p->to = to;
    p->link = link;
    p->size = size;
    p->buf = malloc(size);
    return p->buf != NULL ? 0 : -1;
}

static bool shaper_pipe_can_read(const ShaperPipe *p)
{
    return !p->eof && p->queued < p->size && p->n_chunks < SHAPER_MAX_CHUNKS;
}

static bool shaper_pipe_due(const ShaperPipe *p, uint64_t now)
{
    return p->n_chunks > 0 && p->chunks[p->chunk_head].due_ns <= now;
}

/* Reads one chunk.  Returns 0, or -1 when the connection must close. */
static int shaper_pipe_read(ShaperPipe *p, uint64_t now)
{
    size_t tail = (p->head + p->queued) % p->size;
    size_t room = p->size - p->queued;
    size_t contiguous = p->size - tail;
    size_t want = room < contiguous ? room : contiguous;
    if (want > SHAPER_CHUNK) {
        want = SHAPER_CHUNK;
    }
    ssize_t n = read(p->from, p->buf + tail, want);
    if (n < 0) {
        return errno == EAGAIN || errno == EINTR ? 0 : -1;
    }
    if (n == 0) {
        p->eof = true;
        return 0;
    }
    unsigned slot = (p->chunk_head + p->n_chunks) % SHAPER_MAX_CHUNKS;
    p->chunks[slot] = (ShaperChunk){ .due_ns = shaper_link_due(p->link, now, (size_t)n),
                                     .len = (uint32_t)n };
    p->n_chunks++;
    p->queued += (size_t)n;
    return 0;
}

/* Writes what is due.  Returns 0, or -1 when the connection must close. */
static int shaper_pipe_write(ShaperPipe *p, uint64_t now)
{
    while (shaper_pipe_due(p, now)) {
        ShaperChunk *c = &p->chunks[p->chunk_head];
        size_t contiguous = p->size - p->head;
        size_t want = c->len < contiguous ? c->len : contiguous;
        ssize_t n = send(p->to, p->buf + p->head, want, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            return errno == EAGAIN || errno == EINTR ? 0 : -1;
        }
        p->head = (p->head + (size_t)n) % p->size;
        p->queued -= (size_t)n;
        p->link->bytes += (uint64_t)n;
        c->len -= (uint32_t)n;
        if (c->len == 0) {
            p->chunk_head = (p->chunk_head + 1) % SHAPER_MAX_CHUNKS;
            p->n_chunks--;
        }
    }
    if (p->eof && p->queued == 0 && !p->shut) {
        shutdown(p->to, SHUT_WR);
        p->shut = true;
    }
    return 0;
}

static void shaper_conn_close(ShaperConn *c)
{
    close(c->client_fd);
    close(c->target_fd);
    free(c->up.buf);
    free(c->down.buf);
    c->used = false;
}

static int shaper_connect_target(int port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    int rcvbuf = SHAPER_SOCKET_RCVBUF; /* before connect: it sets the window scale */
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    /* Loopback: the connect completes (or is refused) at once. */
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void shaper_accept(Shaper *s)
{
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
        return;
    }
    ShaperConn *c = NULL;
    for (unsigned i = 0; i < SHAPER_MAX_CONNS && c == NULL; i++) {
        c = s->conns[i].used ? NULL : &s->conns[i];
    }
    int tfd = c != NULL ? shaper_connect_target(s->target_port) : -1;
    if (tfd < 0) {
        fprintf(stderr, "link-shaper: %s; connection dropped\n",
                c == NULL ? "too many connections" : "the target refused");
        close(fd);
        return;
    }
    int one = 1;
    /* The shaper decides when bytes go; Nagle must not add its own delay. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(tfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    memset(c, 0, sizeof(*c));
    c->client_fd = fd;
    c->target_fd = tfd;
    if (shaper_pipe_init(&c->up, fd, tfd, &s->up, s->pipe_bytes) != 0 ||
        shaper_pipe_init(&c->down, tfd, fd, &s->down, s->pipe_bytes) != 0) {
        fprintf(stderr, "link-shaper: out of memory; connection dropped\n");
        c->used = true;
        shaper_conn_close(c);
        return;
    }
    c->used = true;
    s->n_connections++;
}

/* Which events a pipe's two sockets wait for. */
static void shaper_pipe_events(const ShaperPipe *p, uint64_t now, short *from_ev, short *to_ev)
{
    if (shaper_pipe_can_read(p)) {
        *from_ev |= POLLIN;
    }
    if (shaper_pipe_due(p, now)) {
        *to_ev |= POLLOUT;
    }
}

/* Milliseconds until the next chunk not yet due becomes due (rounded up),
 * -1 when none is waiting. */
static int shaper_next_due_ms(const Shaper *s, uint64_t now)
{
    uint64_t next = UINT64_MAX;
    for (unsigned i = 0; i < SHAPER_MAX_CONNS; i++) {
        const ShaperConn *c = &s->conns[i];
        const ShaperPipe *pipes[2] = { &c->up, &c->down };
        for (unsigned k = 0; c->used && k < 2; k++) {
            const ShaperPipe *p = pipes[k];
            if (p->n_chunks > 0 && p->chunks[p->chunk_head].due_ns > now &&
                p->chunks[p->chunk_head].due_ns < next) {
                next = p->chunks[p->chunk_head].due_ns;
            }
        }
    }
    if (next == UINT64_MAX) {
        return -1;
    }
    return (int)((next - now + 999999) / 1000000);
}

static void shaper_run(Shaper *s, uint64_t end_ns)
{
    struct pollfd fds[1 + 2 * SHAPER_MAX_CONNS];
    while (!shaper_stop) {
        uint64_t now = shaper_now_ns();
        if (now >= end_ns) {
            break;
        }
        unsigned n = 0;
        fds[n++] = (struct pollfd){ .fd = s->listen_fd, .events = POLLIN };
        for (unsigned i = 0; i < SHAPER_MAX_CONNS; i++) {
            ShaperConn *c = &s->conns[i];
            short cev = 0, tev = 0;
            if (c->used) {
                shaper_pipe_events(&c->up, now, &cev, &tev);
                shaper_pipe_events(&c->down, now, &tev, &cev);
            }
            /* fd -1 is ignored by poll (a slot per connection keeps the
             * index arithmetic simple); so is a socket we wait nothing
             * from, or its hang-up would wake poll again and again. */
            fds[n++] = (struct pollfd){ .fd = cev ? c->client_fd : -1, .events = cev };
            fds[n++] = (struct pollfd){ .fd = tev ? c->target_fd : -1, .events = tev };
        }
        int timeout = shaper_next_due_ms(s, now);
        uint64_t left_ms = (end_ns - now) / 1000000 + 1;
        if (timeout < 0 || (uint64_t)timeout > left_ms) {
            timeout = (int)(left_ms < 1000 ? left_ms : 1000);
        }
        if (poll(fds, n, timeout) < 0 && errno != EINTR) {
            perror("link-shaper: poll");
            return;
        }
        now = shaper_now_ns();
        if (fds[0].revents & POLLIN) {
            shaper_accept(s);
        }
        for (unsigned i = 0; i < SHAPER_MAX_CONNS; i++) {
            ShaperConn *c = &s->conns[i];
            if (!c->used) {
                continue;
            }
            short cre = fds[1 + 2 * i].revents, tre = fds[2 + 2 * i].revents;
            int bad = 0;
            /* POLLHUP/POLLERR: read to learn EOF or the error. */
            if (cre & (POLLIN | POLLHUP | POLLERR) && shaper_pipe_can_read(&c->up)) {
                bad |= shaper_pipe_read(&c->up, now);
            }
            if (tre & (POLLIN | POLLHUP | POLLERR) && shaper_pipe_can_read(&c->down)) {
                bad |= shaper_pipe_read(&c->down, now);
            }
            bad |= shaper_pipe_write(&c->up, now);
            bad |= shaper_pipe_write(&c->down, now);
            if (bad != 0 || (c->up.shut && c->down.shut)) {
                shaper_conn_close(c);
            }
        }
    }
}

static int shaper_listen(int port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(a);
    int one = 1, rcvbuf = SHAPER_SOCKET_RCVBUF; /* accepted sockets inherit it */
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) != 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        perror("link-shaper: listen");
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    printf("link-shaper port=%d\n", ntohs(a.sin_port));
    fflush(stdout);
    return fd;
}

/* Parses a decimal option value in 0..max. */
static int shaper_number(const char *opt, const char *v, unsigned long max, unsigned long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long n = v != NULL ? strtoul(v, &end, 10) : 0;
    if (v == NULL || *v == '\0' || *end != '\0' || errno != 0 || n > max) {
        fprintf(stderr, "link-shaper: bad %s %s (0..%lu)\n", opt, v ? v : "(missing)", max);
        return -1;
    }
    *out = n;
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long target = 0, listen_port = 0, rate = 0, delay = 0, queue = 64, lifetime = 3600;
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int r;
        if (strcmp(a, "--target") == 0) {
            r = shaper_number(a, v, 65535, &target);
        } else if (strcmp(a, "--listen") == 0) {
            r = shaper_number(a, v, 65535, &listen_port);
        } else if (strcmp(a, "--rate") == 0) {
            r = shaper_number(a, v, SHAPER_MAX_RATE_MBIT, &rate);
        } else if (strcmp(a, "--delay") == 0) {
            r = shaper_number(a, v, SHAPER_MAX_DELAY_MS, &delay);
        } else if (strcmp(a, "--queue") == 0) {
            r = shaper_number(a, v, SHAPER_MAX_QUEUE_KIB, &queue);
        } else if (strcmp(a, "--lifetime") == 0) {
            r = shaper_number(a, v, SHAPER_MAX_LIFETIME_S, &lifetime);
        } else {
            r = -1;
        }
        if (r != 0) {
            fprintf(stderr, "usage: %s --target PORT [--listen PORT] [--rate MBIT] "
                    "[--delay MS] [--queue KIB] [--lifetime S]\n", argv[0]);
            return 2;
        }
    }
    if (target == 0 || queue == 0 || lifetime == 0) {
        fprintf(stderr, "link-shaper: --target, a queue and a lifetime are needed\n");
        return 2;
    }
    static Shaper s; /* large (the connection table): not on the stack */
    s.target_port = (int)target;
    s.up.rate_bps = s.down.rate_bps = (uint64_t)rate * 1000000 / 8;
    s.up.delay_ns = s.down.delay_ns = (uint64_t)delay * 1000000;
    /* The queue plus what is in flight on the wire (rate x delay). */
    s.pipe_bytes = (size_t)queue * 1024 + (size_t)(s.down.rate_bps * delay / 1000);

    struct sigaction sa = { .sa_handler = shaper_on_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    s.listen_fd = shaper_listen((int)listen_port);
    if (s.listen_fd < 0) {
        return 1;
    }
    shaper_run(&s, shaper_now_ns() + (uint64_t)lifetime * SHAPER_NS);
    for (unsigned i = 0; i < SHAPER_MAX_CONNS; i++) {
        if (s.conns[i].used) {
            shaper_conn_close(&s.conns[i]);
        }
    }
    close(s.listen_fd);
    fprintf(stderr, "link-shaper up=%llu down=%llu connections=%llu\n",
            (unsigned long long)s.up.bytes, (unsigned long long)s.down.bytes,
            (unsigned long long)s.n_connections);
    return 0;
}
