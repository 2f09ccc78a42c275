// SPDX-License-Identifier: GPL-2.0-or-later
/* test-channel-cork: corked sends (red_stream_set_corked,
 * red_channel_client_cork) over a SOCK_SEQPACKET pair, where every write
 * is one record the peer reads whole, so the test sees writes:
 *  - a corked stream queues and its flush is one write; past
 *    RED_STREAM_CORK_BYTES it writes what waits and goes on as usual;
 *    uncorked, each write is its own;
 *  - a channel client's messages between cork and uncork (nested) leave in
 *    one write at the outermost uncork;
 *  - a client closed while corked hears on_closed once, at the uncork, not
 *    inside the send that closed it;
 *  - an owner that stopped sending at the high water mark hears
 *    on_writable when the uncork's own flush makes the room. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>
#include <spice.h>

#include "red-channel-client.h"
#include "red-stream.h"
#include "red-worker-loop.h"
#include "test-util.h"

/* The size of the next record waiting at fd, -1 if none (EAGAIN). */
static ssize_t next_record(int fd, uint8_t *buf, size_t cap)
{
    ssize_t n = recv(fd, buf, cap, MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? -1 : n;
}

static void pair(int sv[2])
{
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    int big = 1 << 20;
    (void)setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
    (void)setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
}

static void test_stream_cork_batches_writes(void)
{
    int sv[2];
    pair(sv);
    RedStream *s = red_stream_new(sv[0]);
    CHECK(s != NULL);
    size_t cap = 2 * RED_STREAM_CORK_BYTES;
    uint8_t *buf = g_malloc0(cap);

    /* Uncorked: one write each. */
    CHECK(red_stream_write(s, "abc", 3) == 0);
    CHECK(red_stream_write(s, "defg", 4) == 0);
    CHECK_EQ_U64(next_record(sv[1], buf, cap), 3);
    CHECK_EQ_U64(next_record(sv[1], buf, cap), 4);

    /* Corked: nothing leaves until the flush, then all in one. */
    red_stream_set_corked(s, true);
    for (int i = 0; i < 3; i++) {
        CHECK(red_stream_write(s, "0123456789", 10) == 0);
    }
    CHECK(next_record(sv[1], buf, cap) == -1);
    CHECK_EQ_U64(red_stream_pending(s), 30);
    red_stream_set_corked(s, false);
    CHECK(red_stream_flush(s) == 0);
    CHECK_EQ_U64(red_stream_pending(s), 0);
    CHECK_EQ_U64(next_record(sv[1], buf, cap), 30);
    CHECK(memcmp(buf + 20, "0123456789", 10) == 0);
    CHECK(next_record(sv[1], buf, cap) == -1);

    /* Past the cork's bytes: what waits goes, then the new write. */
    red_stream_set_corked(s, true);
    size_t a = RED_STREAM_CORK_BYTES - 4096, b = 8192;
    memset(buf, 'a', a);
    CHECK(red_stream_write(s, buf, a) == 0);
    CHECK(next_record(sv[1], buf, cap) == -1);
    memset(buf, 'b', b);
    CHECK(red_stream_write(s, buf, b) == 0);
    CHECK_EQ_U64(next_record(sv[1], buf, cap), a);
    CHECK(buf[0] == 'a' && buf[a - 1] == 'a');
    CHECK_EQ_U64(next_record(sv[1], buf, cap), b);
    CHECK(buf[0] == 'b');
    CHECK_EQ_U64(red_stream_pending(s), 0);

    g_free(buf);
    red_stream_free(s);
    close(sv[1]);
}

typedef struct Peer {
    RedChannelClient *rcc;
    unsigned closed_calls, writable_calls;
    bool closed_during_send;
    bool in_send;
} Peer;

static bool peer_handle(RedChannelClient *rcc, const SpiceMsgc *msg, void *opaque)
{
    (void)rcc;
    (void)msg;
    (void)opaque;
    return true;
}

static void peer_closed(RedChannelClient *rcc, void *opaque)
{
    Peer *p = opaque;
    (void)rcc;
    p->closed_calls++;
    p->closed_during_send |= p->in_send;
}

static void peer_writable(RedChannelClient *rcc, void *opaque)
{
    Peer *p = opaque;
    (void)rcc;
    p->writable_calls++;
}

static const RedChannelClientOps peer_ops = {
    .handle_message = peer_handle,
    .on_writable = peer_writable,
    .on_closed = peer_closed,
};

static RedChannelClient *peer_open_channel(const SpiceCoreInterface *core, int fd, Peer *p,
                                           uint8_t channel_type)
{
    SpiceLinkRequest req = { .channel_type = channel_type };
    p->rcc = red_channel_client_new(core, red_stream_new(fd), &req, false, &peer_ops, p);
    CHECK(p->rcc != NULL);
    return p->rcc;
}

static RedChannelClient *peer_open(const SpiceCoreInterface *core, int fd, Peer *p)
{
    return peer_open_channel(core, fd, p, SPICE_CHANNEL_DISPLAY);
}

static void test_channel_cork_one_write(void)
{
    GMainContext *context = g_main_context_new();
    RedWorkerLoop *loop = red_worker_loop_new(context);
    int sv[2];
    pair(sv);
    Peer p = { 0 };
    RedChannelClient *rcc = peer_open(red_worker_loop_core(loop), sv[0], &p);
    SpiceMsg mark = { .type = SPICE_MSG_DISPLAY_MARK };
    uint8_t buf[256];

    /* Not corked: one record per message (a mini header, no body). */
    CHECK(red_channel_client_send(rcc, &mark) == 0);
    CHECK(red_channel_client_send(rcc, &mark) == 0);
    ssize_t one = next_record(sv[1], buf, sizeof(buf));
    CHECK(one > 0);
    CHECK_EQ_U64(next_record(sv[1], buf, sizeof(buf)), one);

    /* Corked, nested: all five at the outermost uncork, in one. */
    red_channel_client_cork(rcc);
    CHECK(red_channel_client_send(rcc, &mark) == 0);
    red_channel_client_cork(rcc);
    for (int i = 0; i < 4; i++) {
        CHECK(red_channel_client_send(rcc, &mark) == 0);
    }
    CHECK(red_channel_client_can_send(rcc));
    red_channel_client_uncork(rcc);
    CHECK(next_record(sv[1], buf, sizeof(buf)) == -1);
    red_channel_client_uncork(rcc);
    CHECK_EQ_U64(next_record(sv[1], buf, sizeof(buf)), 5 * one);
    CHECK(next_record(sv[1], buf, sizeof(buf)) == -1);
    CHECK_EQ_U64(p.closed_calls, 0);

    /* Closed while corked (the peer went, then a send fails): on_closed
     * comes once, at the uncork. */
    red_channel_client_cork(rcc);
    CHECK(red_channel_client_send(rcc, &mark) == 0);
    close(sv[1]);
    p.in_send = true;
    red_channel_client_close(rcc, "test closes it while corked");
    CHECK(red_channel_client_send(rcc, &mark) != 0);
    p.in_send = false;
    CHECK_EQ_U64(p.closed_calls, 0);
    red_channel_client_uncork(rcc);
    CHECK_EQ_U64(p.closed_calls, 1);
    CHECK(!p.closed_during_send);

    red_channel_client_free(rcc);
    red_worker_loop_free(loop);
    g_main_context_unref(context);
}

/* Reads what waits at fd (a stream socket) until nothing does. */
static void drain(int fd)
{
    uint8_t buf[64 << 10];
    while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0) {
    }
}

/* Corked, the owner sends until the queue passes the high water mark and
 * stops; the peer then reads all that reached it, and goes on reading.  The
 * uncork writes what waits, and the room that makes ends the block where no
 * WRITE event sees it end: on_writable still comes (at the next event), or
 * what the owner stopped for would wait for ever.  (The display channel
 * stalled so with a full frame's damage unsent: test-send-ahead, under
 * load.) */
static void test_uncork_room_offers_writable(void)
{
    GMainContext *context = g_main_context_new();
    RedWorkerLoop *loop = red_worker_loop_new(context);
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    Peer p = { 0 };
    RedChannelClient *rcc = peer_open_channel(red_worker_loop_core(loop), sv[0], &p,
                                              SPICE_CHANNEL_MAIN);
    /* Smaller than what the socket takes once read: the uncork's flush
     * brings the queue under the mark. */
    static uint8_t chunk[16 << 10];
    SpiceMsg data = { .type = SPICE_MSG_MAIN_AGENT_DATA, .u.raw = { chunk, sizeof(chunk) } };
    red_channel_client_cork(rcc);
    unsigned sends = 0;
    while (red_channel_client_can_send(rcc) && sends++ < 2 * RED_SEND_HIGH_WATER / sizeof(chunk)) {
        CHECK(red_channel_client_send(rcc, &data) == 0);
    }
    CHECK(!red_channel_client_can_send(rcc));
    drain(sv[1]);
    red_channel_client_uncork(rcc);
    CHECK(red_channel_client_can_send(rcc));
    /* The peer reads on, so the socket turns writable. */
    for (int i = 0; i < 1000 && p.writable_calls == 0; i++) {
        drain(sv[1]);
        g_main_context_iteration(context, FALSE);
    }
    CHECK_EQ_U64(p.writable_calls, 1);
    CHECK_EQ_U64(p.closed_calls, 0);

    red_channel_client_free(rcc);
    red_worker_loop_free(loop);
    g_main_context_unref(context);
    close(sv[1]);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_stream_cork_batches_writes),
        TEST_CASE(test_channel_cork_one_write),
        TEST_CASE(test_uncork_room_offers_writable),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
