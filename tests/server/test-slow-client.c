/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-slow-client: a display client that stops reading must neither block
 * the display worker nor make the server hold an unbounded amount of data
 * for it, while a normal client (another session) keeps getting frames.
 *
 * Each case starts a server (through <spice.h> only) with a fake QXL device
 * and a 640x480 primary, links a normal display client (reads everything,
 * acks per window) and a stuck one (small receive buffer, never reads), then
 * plays STUCK_FRAMES draws, each submitted and flushed with
 * spice_qxl_flush_surfaces_async.  Pass/fail is decided by events and byte
 * counts, never by how fast anything ran:
 *
 *  - every flush completes (bounded wait): the worker is not blocked;
 *  - the normal client receives the last draw (its tag is in the pixel the
 *    reader watches): it is served while the stuck one is connected;
 *  - every command is released after the loop: nothing of the guest is held
 *    for the stuck client.
 *
 * Cases, each with the bound that only the server feature it names keeps:
 *  - the silent client never acks.  The draws are small tiles, so many small
 *    messages fit in the socket buffers: only the ack window stops the server
 *    after two windows of messages.  Then it stays untouched for the server's
 *    stall limit (RED_CLIENT_STALL_MS) plus a margin and must find EOF: the
 *    server closed it because it blocked without progress.
 *  - the lying client sends ACK_SYNC and then one ACK per message the normal
 *    client gets, so the ack window never closes.  The draws are full frames
 *    (300 MB in all).  The server runs with its stall limit off
 *    (S3D_CLIENT_STALL_MS=0), which would otherwise close the liar during
 *    the draws and drop its queue.  It is drained after the loop, while it
 *    is still connected: what it reads is what the server queued for it,
 *    which the send high-water mark (RED_SEND_HIGH_WATER) keeps to a few MiB.  A
 *    server without that mark would queue up to its hard pending limit and
 *    close the client (checked: it must still be open), or queue everything
 *    (checked: the byte bound is far below the 300 MB rendered).
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
#define STUCK_STALL_MARGIN_MS 20000

/* The stuck client's receive buffer: small, so that what the server sends
 * piles up on the server's side instead of in our kernel. */
#define STUCK_RCVBUF 16384
/* Largest display message we accept: a full-screen raw frame plus headers. */
#define STUCK_MAX_MESSAGE (STUCK_FRAME_BYTES + 4096)

/* The server's send high-water mark (server/channels/red-channel-client.h,
 * RED_SEND_HIGH_WATER): producers stop while this much is queued.  One
 * message may cross it, and after the drain unblocks the server it may send
 * the stuck client's merged damage: a few full frames of slack. */
#define STUCK_HIGH_WATER (4ull << 20)
#define STUCK_FRAME_SLACK (3 * (STUCK_FRAME_BYTES + 4096))
/* The hard pending limit at which the server closes a client instead
 * (server/net/red-stream.h, RED_STREAM_MAX_PENDING): the lying client's
 * bound must stay well below it, or hitting it would pass. */
#define STUCK_PENDING_LIMIT (64ull << 20)
/* Messages a server may send besides its window: SET_ACK and the surface
 * set-up (INVAL_ALL_PALETTES, SURFACE_CREATE, first DRAW_COPY, MARK) that
 * goes out after one window check. */
#define STUCK_WINDOW_SLACK 8
/* The largest ack window a server may ask for and still be checked here:
 * spice-gtk and our server use 20 (server/channels/red-channel-client.h,
 * RED_ACK_WINDOW); stock uses 20 on LANs and 40 on WANs. */
#define STUCK_ACK_WINDOW_MAX 40
/* The silent client's draws: TILE x TILE squares, one per frame, left to
 * right and top to bottom.  A few KiB each, so that hundreds of them fit in
 * the socket buffers and the ack window is what must stop the server. */
#define STUCK_TILE 32
#define STUCK_TILES_PER_ROW (STUCK_WIDTH / STUCK_TILE)

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
    int32_t watch_x, watch_y; /* the pixel whose tag tells the last draw */
    GThread *thread;
    GMutex lock;
    GCond changed;
    uint32_t last_tag;        /* the watched pixel in the newest draw covering it */
    uint64_t draws;
    uint64_t liar_acks;
    bool failed;              /* a read or an answer failed */
} GoodReader;

/* The tag in pixel (x, y) of a raw DRAW_COPY that covers it, else 0.  Our
 * server ships raw bitmaps top-down, x8r8g8b8, stride = box width * 4. */
static uint32_t stuck_tag_of(const SpiceMsgDrawCopy *c, int32_t x, int32_t y)
{
    const SpiceMsgRect *box = &c->base.box;
    if (c->src.type != SPICE_IMAGE_TYPE_BITMAP ||
        x < box->left || x >= box->right || y < box->top || y >= box->bottom) {
        return 0;
    }
    uint64_t at = ((uint64_t)(y - box->top) * (uint64_t)(box->right - box->left) +
                   (uint64_t)(x - box->left)) * 4;
    if (c->src.data.count < at + 4) {
        return 0;
    }
    const uint8_t *p = c->src.data.data + at;
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
            tag = stuck_tag_of(&m.u.draw_copy, r->watch_x, r->watch_y);
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

/* Draw n's pixels (w x h): a pattern that changes every draw, tag n in the
 * first pixel. */
static void stuck_fill(uint32_t *px, uint32_t w, uint32_t h, uint32_t n)
{
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            px[(size_t)y * w + x] = ((x + n) ^ y) * 0x010305u & 0xffffff;
        }
    }
    px[0] = n;
}

/* Where draw n (1-based) goes: the whole screen, or its own tile. */
static QXLRect stuck_box(StuckKind kind, uint32_t n)
{
    if (kind == STUCK_LYING) {
        return (QXLRect){ .top = 0, .left = 0, .bottom = STUCK_HEIGHT, .right = STUCK_WIDTH };
    }
    int32_t col = (int32_t)((n - 1) % STUCK_TILES_PER_ROW), row = (int32_t)((n - 1) / STUCK_TILES_PER_ROW);
    return (QXLRect){ .top = row * STUCK_TILE, .left = col * STUCK_TILE,
                      .bottom = (row + 1) * STUCK_TILE, .right = (col + 1) * STUCK_TILE };
}

/* What the kernel may hold between the server and the stuck client: the
 * server's send buffer can autotune up to tcp_wmem's maximum, plus our
 * small receive buffer (doubled by the kernel) and 1 MiB of slack. */
static uint64_t stuck_kernel_slack(void)
{
    uint64_t wmem_max = 4ull << 20;
    FILE *f = fopen("/proc/sys/net/ipv4/tcp_wmem", "r");
    if (f) {
        unsigned long long lo, def, hi;
        if (fscanf(f, "%llu %llu %llu", &lo, &def, &hi) == 3) {
            wmem_max = hi;
        }
        fclose(f);
    }
    return wmem_max + 2 * STUCK_RCVBUF + (1ull << 20);
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

G_STATIC_ASSERT((STUCK_FRAMES - 1) / STUCK_TILES_PER_ROW < STUCK_HEIGHT / STUCK_TILE);

static void stuck_run(StuckKind kind)
{
    /* The liar never reads, so the stall limit would close it while the
     * draws go on and drop what the server queued for it; with the limit
     * off, only the high-water mark can keep that queue small. */
    if (kind == STUCK_LYING) {
        g_setenv("S3D_CLIENT_STALL_MS", "0", TRUE);
    } else {
        g_unsetenv("S3D_CLIENT_STALL_MS");
    }
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

    QXLRect last = stuck_box(kind, STUCK_FRAMES);
    GoodReader r = { .liar_fd = -1, .liar_channel = SPICE_CHANNEL_DISPLAY,
                     .watch_x = last.left, .watch_y = last.top };
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
    uint64_t rendered = 0;
    unsigned flushed = 0;
    for (uint32_t n = 1; n <= STUCK_FRAMES; n++) {
        QXLRect box = stuck_box(kind, n);
        uint32_t w = (uint32_t)(box.right - box.left), h = (uint32_t)(box.bottom - box.top);
        stuck_fill(px, w, h, n);
        FakeQxlBitmap bmp = { .pixels = px, .width = w, .height = h,
                              .data = FAKE_QXL_BITMAP_DIRECT, .rows = FAKE_QXL_TOP_DOWN };
        if (fake_qxl_submit_copy(ts->qxl, &box, &bmp) != 0) {
            CHECK(!"draw submitted");
            break;
        }
        rendered += (uint64_t)w * h * 4;
        spice_qxl_flush_surfaces_async(qin, STUCK_COOKIE);
        flushed = fake_qxl_wait_async_count(ts->qxl, STUCK_COOKIE, n, STUCK_FLUSH_TIMEOUT_MS);
        if (flushed < n) {
            fprintf(stderr, "flush of draw %u did not complete: worker blocked?\n", n);
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
    printf("normal client: %" PRIu64 " draw messages, %" PRIu64 " bytes, last draw %u; "
           "liar acks %" PRIu64 "\n", r.draws, r.ch.bytes, r.last_tag, r.liar_acks);

    /* Drained at once, while the server still holds it: what it reads is
     * what the server let through for it. */
    DrainResult d = stuck_drain(stuck_fd);
    printf("stuck client: %s after %" PRIu64 " messages, %" PRIu64 " bytes (window %u); "
           "%" PRIu64 " bytes rendered\n", d.closed ? "closed" : "open",
           d.messages, d.bytes, d.ack_window, rendered);
    CHECK(!d.closed);
    if (kind == STUCK_SILENT) {
        /* Small draws: without the window the server's queue and the
         * socket buffers would have let every one of them through. */
        CHECK(d.ack_window > 0 && d.ack_window <= STUCK_ACK_WINDOW_MAX);
        CHECK(STUCK_FRAMES > 4 * STUCK_ACK_WINDOW_MAX);
        CHECK(d.messages <= 2 * (uint64_t)d.ack_window + STUCK_WINDOW_SLACK);
        /* It never acks, so it still blocks the server without progress:
         * the server must close it once its stall limit has passed.  The
         * wait ends at the close; its length only bounds a hang. */
        CHECK(test_client_wait_closed(stuck_fd, STUCK_SERVER_STALL_MS + STUCK_STALL_MARGIN_MS));
    } else {
        uint64_t bound = STUCK_HIGH_WATER + STUCK_FRAME_SLACK + stuck_kernel_slack();
        /* The bound has to be tighter than the server's hard limit and than
         * queueing everything, or it could not tell them apart. */
        CHECK(bound < STUCK_PENDING_LIMIT / 2);
        CHECK(rendered > 4 * bound);
        CHECK(d.bytes <= bound);
    }

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
