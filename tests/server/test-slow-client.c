/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-slow-client: a display client that stops reading must neither block
 * the display worker nor make the server hold an unbounded amount of data
 * for it, while a normal client (another session) keeps getting frames.
 *
 * Each case starts a server (through <spice.h> only) with a fake QXL device
 * and a 640x480 primary, links a normal display client (reads everything,
 * acks per window) and a stuck one (small receive buffer, never reads), then
 * plays STUCK_FRAMES full-screen copies, each submitted and flushed with
 * spice_qxl_flush_surfaces_async.  Pass/fail is decided by events and byte
 * counts, never by how fast anything ran:
 *
 *  - every flush completes (bounded wait): the worker is not blocked;
 *  - the normal client receives the last frame (its tag is in pixel (0,0)):
 *    it is served while the stuck one is connected;
 *  - every command is released after the loop: nothing of the guest is held
 *    for the stuck client;
 *  - what the server sends the stuck client stays bounded: at most 2 ack
 *    windows of messages when it never acked, at most STUCK_MAX_QUEUED_BYTES
 *    when it acked without reading.  The loop renders more than twice that
 *    bound, so a server that queued every frame for the stuck client fails;
 *  - the stuck client is closed once it kept the server blocked without
 *    progress for the server's stall limit (RED_CLIENT_STALL_MS): the test
 *    leaves it untouched that long plus a margin, then finds EOF after the
 *    bounded data.
 *
 * Cases: the silent client never acks; the lying client sends ACK_SYNC and
 * then one ACK per message the normal client gets, so the ack window never
 * closes and only the server's queue limit can stop it.
 */
#include "config.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "test-client.h"
#include "test-qxl-server.h"
#include "test-util.h"

#define STUCK_WIDTH 640
#define STUCK_HEIGHT 480
#define STUCK_FRAME_BYTES ((uint64_t)STUCK_WIDTH * STUCK_HEIGHT * 4)
/* Enough frames that queueing them all (STUCK_FRAMES * 1.2 MB = 300 MB)
 * passes twice the bound below. */
#define STUCK_FRAMES 256

/* Deadlines, generous for ASan on a loaded CI machine; reaching one is a
 * failure (a hang), not a speed measurement. */
#define STUCK_IO_TIMEOUT_MS 10000
#define STUCK_FLUSH_TIMEOUT_MS 10000
#define STUCK_LAST_FRAME_TIMEOUT_MS 20000
#define STUCK_RELEASE_TIMEOUT_MS 10000
/* Draining the stuck client ends after this long without data: a bounded
 * wait whose only effect when it is short is to count fewer bytes. */
#define STUCK_DRAIN_QUIET_MS 1000
/* The server's stall limit (server/channels/red-channel-client.h,
 * RED_CLIENT_STALL_MS) and the margin we give its timer. */
#define STUCK_SERVER_STALL_MS 10000
#define STUCK_STALL_MARGIN_MS 3000

/* The stuck client's receive buffer: small, so that what the server sends
 * piles up on the server's side instead of in our kernel. */
#define STUCK_RCVBUF 16384
/* Largest display message we accept: a full-screen raw frame plus headers. */
#define STUCK_MAX_MESSAGE (STUCK_FRAME_BYTES + 4096)

/* What the server may hold for one client that acks but never reads: our
 * server's RED_STREAM_MAX_PENDING (64 MiB, after which it closes the
 * client), what it may still send in two ack windows once the acks stop
 * (bounded here by full frames), and the kernel's socket buffers (loopback
 * send buffers autotune up to tcp_wmem's 4 MiB; 16 MiB of slack). */
#define STUCK_PENDING_LIMIT (64ull << 20)
#define STUCK_KERNEL_SLACK (16ull << 20)
/* Messages a server may send besides its window: SET_ACK and the surface
 * set-up (INVAL_ALL_PALETTES, SURFACE_CREATE, first DRAW_COPY, MARK) that
 * goes out after one window check. */
#define STUCK_WINDOW_SLACK 8

#define STUCK_COOKIE 0x53544f434bull /* "STOCK" */

typedef enum StuckKind {
    STUCK_SILENT,     /* never reads, never acks */
    STUCK_LYING,      /* never reads, acks anyway */
} StuckKind;

/* The normal client's reader thread and what it saw. */
typedef struct GoodReader {
    TestChannel ch;
    int liar_fd;              /* STUCK_LYING: where to send the liar's ACKs, else -1 */
    uint8_t liar_channel;
    GThread *thread;
    GMutex lock;
    GCond changed;
    uint32_t last_tag;        /* pixel (0,0) of the newest full-width top band */
    uint64_t draws;
    uint64_t liar_acks;
    bool failed;              /* a read or an answer failed */
} GoodReader;

static uint32_t stuck_tag_of(const SpiceMsgDrawCopy *c)
{
    if (c->base.box.top != 0 || c->base.box.left != 0 ||
        c->src.type != SPICE_IMAGE_TYPE_BITMAP || c->src.data.count < 4) {
        return 0;
    }
    const uint8_t *p = c->src.data.data;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

static gpointer good_reader_run(gpointer data)
{
    GoodReader *r = data;
    for (;;) {
        uint8_t *body;
        uint32_t size;
        int type = test_channel_read(&r->ch, &body, &size, STUCK_MAX_MESSAGE,
                                     STUCK_IO_TIMEOUT_MS);
        if (type < 0) {
            g_mutex_lock(&r->lock);
            r->failed = true;
            g_cond_broadcast(&r->changed);
            g_mutex_unlock(&r->lock);
            return NULL;
        }
        uint32_t tag = 0;
        SpiceMsg m;
        if (type == SPICE_MSG_DISPLAY_DRAW_COPY &&
            spice_msg_parse(SPICE_CHANNEL_DISPLAY, (uint16_t)type, body, size, &m) == 0) {
            tag = stuck_tag_of(&m.u.draw_copy);
        }
        g_free(body);
        /* The liar acks at the pace of a healthy client. */
        if (r->liar_fd >= 0) {
            SpiceMsgc ack = { .type = SPICE_MSGC_ACK };
            if (test_client_send_msgc(r->liar_fd, r->liar_channel, &ack) == 0) {
                r->liar_acks++;
            } else {
                r->liar_fd = -1; /* the server closed the liar: allowed */
            }
        }
        g_mutex_lock(&r->lock);
        if (type == SPICE_MSG_DISPLAY_DRAW_COPY) {
            r->draws++;
        }
        if (tag != 0) {
            r->last_tag = tag;
        }
        g_cond_broadcast(&r->changed);
        g_mutex_unlock(&r->lock);
    }
}

/* Waits until the reader saw frame `tag` at (0,0), failed, or timed out. */
static bool good_reader_wait_tag(GoodReader *r, uint32_t tag, unsigned timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
    g_mutex_lock(&r->lock);
    while (r->last_tag != tag && !r->failed &&
           g_cond_wait_until(&r->changed, &r->lock, deadline)) {
    }
    bool seen = r->last_tag == tag;
    g_mutex_unlock(&r->lock);
    return seen;
}

/* Frame n: a pattern that changes every frame, tag n in pixel (0,0). */
static void stuck_fill_frame(uint32_t *px, uint32_t n)
{
    for (uint32_t y = 0; y < STUCK_HEIGHT; y++) {
        for (uint32_t x = 0; x < STUCK_WIDTH; x++) {
            px[(size_t)y * STUCK_WIDTH + x] = ((x + n) ^ y) * 0x010305u & 0xffffff;
        }
    }
    px[0] = n;
}

typedef struct DrainResult {
    uint64_t messages, bytes;
    uint32_t ack_window;      /* from the SET_ACK among the drained messages */
    bool closed;
} DrainResult;

/* Reads everything the server queued for the stuck client, without acking. */
static DrainResult stuck_drain(int fd)
{
    TestChannel ch;
    test_channel_init(&ch, fd, SPICE_CHANNEL_DISPLAY, false);
    for (;;) {
        uint8_t *body;
        uint32_t size;
        if (test_channel_read(&ch, &body, &size, STUCK_MAX_MESSAGE, STUCK_DRAIN_QUIET_MS) < 0) {
            break;
        }
        g_free(body);
    }
    DrainResult d = { .messages = ch.messages, .bytes = ch.bytes, .ack_window = ch.ack_window };
    d.closed = test_client_wait_closed(fd, 0);
    return d;
}

static int stuck_link_display(int port, uint32_t session, int rcvbuf)
{
    int fd = test_client_connect(port, rcvbuf);
    CHECK(fd >= 0);
    if (fd < 0) {
        return -1;
    }
    uint32_t r = test_client_link_display(fd, 0, session, TEST_QXL_SERVER_PASSWORD,
                                          TEST_CLIENT_DISPLAY_PLAIN, STUCK_IO_TIMEOUT_MS);
    CHECK_EQ_U64(r, SPICE_LINK_ERR_OK);
    return fd;
}

static void stuck_run(StuckKind kind)
{
    TestQxlServer *ts = test_qxl_server_create(STUCK_WIDTH, STUCK_HEIGHT, TEST_QXL_SERVER_RAW);
    CHECK(ts != NULL);
    if (ts == NULL) {
        return;
    }
    uint32_t session = 0;
    int main_fd = test_client_open_session(ts->port, TEST_QXL_SERVER_PASSWORD, &session,
                                           STUCK_IO_TIMEOUT_MS);
    CHECK(main_fd >= 0);
    SpiceMsgc attach = { .type = SPICE_MSGC_MAIN_ATTACH_CHANNELS };
    CHECK(main_fd >= 0 && test_client_send_msgc(main_fd, SPICE_CHANNEL_MAIN, &attach) == 0);

    /* The stuck client is a client of its own: when the server closes its
     * display for the stall, its session ends, not the normal one's. */
    uint32_t stuck_session = 0;
    int stuck_main_fd = test_client_open_session(ts->port, TEST_QXL_SERVER_PASSWORD,
                                                 &stuck_session, STUCK_IO_TIMEOUT_MS);
    CHECK(stuck_main_fd >= 0);
    int good_fd = stuck_link_display(ts->port, session, 0);
    int stuck_fd = stuck_link_display(ts->port, stuck_session, STUCK_RCVBUF);

    GoodReader r = { .liar_fd = -1, .liar_channel = SPICE_CHANNEL_DISPLAY };
    g_mutex_init(&r.lock);
    g_cond_init(&r.changed);
    test_channel_init(&r.ch, good_fd, SPICE_CHANNEL_DISPLAY, true);
    if (kind == STUCK_LYING && stuck_fd >= 0) {
        /* Read only the SET_ACK, to sync to its generation; from then on
         * the acks are lies. */
        TestChannel liar;
        test_channel_init(&liar, stuck_fd, SPICE_CHANNEL_DISPLAY, false);
        uint8_t *body;
        uint32_t size;
        int type = test_channel_read(&liar, &body, &size, STUCK_MAX_MESSAGE,
                                     STUCK_IO_TIMEOUT_MS);
        CHECK_EQ_U64(type, SPICE_MSG_SET_ACK);
        if (type >= 0) {
            g_free(body);
        }
        r.liar_fd = stuck_fd;
    }
    r.thread = g_thread_new("good-reader", good_reader_run, &r);

    QXLInstance *qin = fake_qxl_get_instance(ts->qxl);
    uint32_t *px = g_new(uint32_t, (size_t)STUCK_WIDTH * STUCK_HEIGHT);
    QXLRect all = { .top = 0, .left = 0, .bottom = STUCK_HEIGHT, .right = STUCK_WIDTH };
    unsigned flushed = 0;
    for (uint32_t n = 1; n <= STUCK_FRAMES; n++) {
        stuck_fill_frame(px, n);
        FakeQxlBitmap bmp = { .pixels = px, .width = STUCK_WIDTH, .height = STUCK_HEIGHT,
                              .data = FAKE_QXL_BITMAP_DIRECT, .rows = FAKE_QXL_TOP_DOWN };
        if (fake_qxl_submit_copy(ts->qxl, &all, &bmp) != 0) {
            CHECK(!"frame submitted");
            break;
        }
        spice_qxl_flush_surfaces_async(qin, STUCK_COOKIE);
        flushed = fake_qxl_wait_async_count(ts->qxl, STUCK_COOKIE, n, STUCK_FLUSH_TIMEOUT_MS);
        if (flushed < n) {
            fprintf(stderr, "flush of frame %u did not complete: worker blocked?\n", n);
            CHECK(flushed >= n);
            break;
        }
    }
    g_free(px);
    CHECK_EQ_U64(flushed, STUCK_FRAMES);
    CHECK(good_reader_wait_tag(&r, STUCK_FRAMES, STUCK_LAST_FRAME_TIMEOUT_MS));
    CHECK(fake_qxl_wait_all_released(ts->qxl, STUCK_RELEASE_TIMEOUT_MS));

    /* Stop the normal client before draining: the liar's acks stop with it. */
    shutdown(good_fd, SHUT_RDWR);
    g_thread_join(r.thread);
    printf("normal client: %" PRIu64 " draw messages, %" PRIu64 " bytes, last frame %u; "
           "liar acks %" PRIu64 "\n", r.draws, r.ch.bytes, r.last_tag, r.liar_acks);

    /* Not a single byte read from the stuck client until the server's stall
     * limit has passed: reading would be progress. */
    g_usleep((STUCK_SERVER_STALL_MS + STUCK_STALL_MARGIN_MS) * (gulong)1000);
    DrainResult d = stuck_drain(stuck_fd);
    CHECK(d.closed);
    printf("stuck client: %s after %" PRIu64 " messages, %" PRIu64 " bytes (window %u); "
           "%" PRIu64 " bytes rendered for it\n", d.closed ? "closed" : "open",
           d.messages, d.bytes, d.ack_window, (uint64_t)STUCK_FRAMES * STUCK_FRAME_BYTES);
    uint64_t byte_bound = STUCK_PENDING_LIMIT + STUCK_KERNEL_SLACK +
                          2 * (uint64_t)MAX(d.ack_window, 1) * (STUCK_FRAME_BYTES + 4096);
    /* The bound has to be tighter than queueing everything, or this test
     * could not tell a bounded server from an unbounded one. */
    CHECK((uint64_t)STUCK_FRAMES * STUCK_FRAME_BYTES > 2 * byte_bound ||
          kind == STUCK_SILENT);
    /* The bounds hold for what the stuck client could read before the
     * server closed it as much as for what it finds on an open socket. */
    if (kind == STUCK_SILENT) {
        CHECK(d.ack_window > 0);
        CHECK(d.messages <= 2 * (uint64_t)d.ack_window + STUCK_WINDOW_SLACK);
    }
    CHECK(d.bytes <= byte_bound);

    close(stuck_fd);
    if (stuck_main_fd >= 0) {
        close(stuck_main_fd);
    }
    close(good_fd);
    if (main_fd >= 0) {
        close(main_fd);
    }
    CHECK(test_qxl_server_destroy(ts, STUCK_RELEASE_TIMEOUT_MS));
    g_mutex_clear(&r.lock);
    g_cond_clear(&r.changed);
}

static void test_silent_client_is_bounded(void)
{
    stuck_run(STUCK_SILENT);
}

static void test_acking_client_that_never_reads(void)
{
    stuck_run(STUCK_LYING);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_silent_client_is_bounded),
        TEST_CASE(test_acking_client_that_never_reads),
    };
    return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
