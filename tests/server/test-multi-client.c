/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-multi-client: several clients on our server at once.
 *
 * A server (driven through <spice.h>, linked with libserver-core for
 * RED_SESSION_MAX_CLIENTS) with a fake QXL device and a small primary; the
 * test thread plays whole clients (main, inputs, display, cursor) with our
 * minimal client, every read bounded by a deadline.  Pass/fail is decided by
 * what the clients receive and by sockets closing, never by time:
 *
 *  - two clients at once: the second one's link ends nothing of the first;
 *    each display gets the current picture when it links and every update
 *    after, equal to the device's surface; the cursor reaches both;
 *  - one client goes (its main channel closes, or one of its channels fails
 *    on a bad message): all of its channels close, and the other client's
 *    channels all keep working; a client closing one channel keeps the rest;
 *  - RED_SESSION_MAX_CLIENTS clients at once; the next one gets
 *    SPICE_LINK_ERR_CHANNEL_NOT_AVAILABLE, and no one is disconnected;
 *  - a channel quoting an unknown, zero or ended connection id is refused
 *    with SPICE_LINK_ERR_BAD_CONNECTION_ID;
 *  - the host changing the ticket (disconnect_if_connected) ends every
 *    session, and spice_server_get_num_clients counts them.
 */
#include "config.h"

#include <unistd.h>

#include <glib.h>

#include "red-session.h"
#include "test-client.h"
#include "test-qxl-server.h"
#include "test-util.h"

#define MC_WIDTH 64
#define MC_HEIGHT 48
/* Deadlines, generous for ASan on a loaded machine; reaching one is a
 * failure (a hang), not a speed measurement. */
#define MC_IO_TIMEOUT_MS 10000
#define MC_FLUSH_TIMEOUT_MS 10000
/* A client reads at most this many messages while waiting for a picture or
 * a reply: bounds a loop over a server that keeps sending the wrong thing. */
#define MC_MAX_MESSAGES 4096
#define MC_MAX_MESSAGE ((uint32_t)MC_WIDTH * MC_HEIGHT * 4 + 4096)
#define MC_COOKIE 0x4d43ull /* "MC" */

typedef struct Client {
    uint32_t session;
    TestChannel main, inputs, display, cursor;
    uint32_t canvas[MC_WIDTH * MC_HEIGHT]; /* what its display shows */
    bool surface;                          /* got SURFACE_CREATE */
} Client;

static TestQxlServer *ts;
static unsigned flushes;

static int link_channel(uint8_t type, uint32_t session)
{
    int fd = test_client_connect(ts->port, 0);
    if (fd < 0) {
        return -1;
    }
    uint32_t r = type == SPICE_CHANNEL_DISPLAY
        ? test_client_link_display(fd, 0, session, TEST_QXL_SERVER_PASSWORD,
                                   TEST_CLIENT_DISPLAY_PLAIN, MC_IO_TIMEOUT_MS)
        : test_client_link(fd, type, session, TEST_QXL_SERVER_PASSWORD, MC_IO_TIMEOUT_MS);
    if (r != SPICE_LINK_ERR_OK) {
        fprintf(stderr, "link of channel %u for session %u: error %u\n", type, session, r);
        close(fd);
        return -1;
    }
    return fd;
}

/* The link error a channel of type quoting session gets. */
static uint32_t link_error(uint8_t type, uint32_t session)
{
    int fd = test_client_connect(ts->port, 0);
    if (fd < 0) {
        return TEST_CLIENT_LINK_FAILED;
    }
    uint32_t r = test_client_link(fd, type, session, TEST_QXL_SERVER_PASSWORD,
                                  MC_IO_TIMEOUT_MS);
    close(fd);
    return r;
}

/* A whole client: main, then its other channels quoting its session. */
static bool client_open(Client *c)
{
    memset(c, 0, sizeof(*c));
    int fd = test_client_open_session(ts->port, TEST_QXL_SERVER_PASSWORD, &c->session,
                                      MC_IO_TIMEOUT_MS);
    test_channel_init(&c->main, fd, SPICE_CHANNEL_MAIN, true);
    test_channel_init(&c->inputs, link_channel(SPICE_CHANNEL_INPUTS, c->session),
                      SPICE_CHANNEL_INPUTS, true);
    test_channel_init(&c->display, link_channel(SPICE_CHANNEL_DISPLAY, c->session),
                      SPICE_CHANNEL_DISPLAY, true);
    test_channel_init(&c->cursor, link_channel(SPICE_CHANNEL_CURSOR, c->session),
                      SPICE_CHANNEL_CURSOR, true);
    return c->main.fd >= 0 && c->inputs.fd >= 0 && c->display.fd >= 0 && c->cursor.fd >= 0;
}

static void client_close(Client *c)
{
    TestChannel *chs[] = { &c->cursor, &c->display, &c->inputs, &c->main };
    for (size_t i = 0; i < G_N_ELEMENTS(chs); i++) {
        if (chs[i]->fd >= 0) {
            close(chs[i]->fd);
            chs[i]->fd = -1;
        }
    }
}

/* Reads ch until a message of type want; false on EOF, timeout or after
 * MC_MAX_MESSAGES others. */
static bool wait_message(TestChannel *ch, int want)
{
    for (int i = 0; i < MC_MAX_MESSAGES; i++) {
        uint8_t *body;
        uint32_t size;
        int type = test_channel_read(ch, &body, &size, MC_MAX_MESSAGE, MC_IO_TIMEOUT_MS);
        if (type < 0) {
            return false;
        }
        g_free(body);
        if (type == want) {
            return true;
        }
    }
    return false;
}

/* Main and inputs answer a request: proof that they are still served. */
static bool main_answers(Client *c)
{
    SpiceMsgc m = { .type = SPICE_MSGC_MAIN_MOUSE_MODE_REQUEST,
                    .u.mouse_mode_request.mode = SPICE_MOUSE_MODE_SERVER };
    return test_client_send_msgc(c->main.fd, SPICE_CHANNEL_MAIN, &m) == 0 &&
           wait_message(&c->main, SPICE_MSG_MAIN_MOUSE_MODE);
}

static bool inputs_answer(Client *c)
{
    SpiceMsgc m = { .type = SPICE_MSGC_INPUTS_MOUSE_MOTION, .u.mouse_motion = { 1, 1, 0 } };
    for (int i = 0; i < SPICE_INPUT_MOTION_ACK_BUNCH; i++) {
        if (test_client_send_msgc(c->inputs.fd, SPICE_CHANNEL_INPUTS, &m) != 0) {
            return false;
        }
    }
    return wait_message(&c->inputs, SPICE_MSG_INPUTS_MOUSE_MOTION_ACK);
}

/* Draws a raw DRAW_COPY into the canvas; false if it does not fit. */
static bool apply_draw(Client *c, const SpiceMsgDrawCopy *d)
{
    const SpiceMsgRect *b = &d->base.box;
    if (d->src.type != SPICE_IMAGE_TYPE_BITMAP || b->left < 0 || b->top < 0 ||
        b->right > MC_WIDTH || b->bottom > MC_HEIGHT || b->right <= b->left ||
        b->bottom <= b->top || d->src.width != (uint32_t)(b->right - b->left) ||
        d->src.height != (uint32_t)(b->bottom - b->top) ||
        (uint64_t)d->src.bitmap_stride * d->src.height > d->src.data.count ||
        d->src.bitmap_stride < d->src.width * 4) {
        return false;
    }
    for (uint32_t y = 0; y < d->src.height; y++) {
        const uint8_t *row = d->src.data.data + (size_t)y * d->src.bitmap_stride;
        memcpy(&c->canvas[(size_t)(b->top + (int32_t)y) * MC_WIDTH + (size_t)b->left], row,
               (size_t)d->src.width * 4);
    }
    return true;
}

/* Fills the box (within its clip rectangles, if any) with a solid
 * DRAW_FILL's colour, as the server sends fills; false if it does not fit. */
static bool apply_fill(Client *c, const SpiceMsgDrawFill *f)
{
    const SpiceMsgRect *b = &f->base.box;
    if (f->brush_type != SPICE_BRUSH_TYPE_SOLID || f->rop_descriptor != SPICE_ROPD_OP_PUT ||
        b->left < 0 || b->top < 0 || b->right > MC_WIDTH || b->bottom > MC_HEIGHT) {
        return false;
    }
    bool clipped = f->base.clip.type == SPICE_CLIP_TYPE_RECTS;
    uint32_t n = clipped ? f->base.clip.rects.count : 1;
    for (uint32_t i = 0; i < n; i++) {
        SpiceMsgRect r = clipped ? spice_msg_rect_at(&f->base.clip.rects, i) : *b;
        for (int32_t y = MAX(r.top, b->top); y < MIN(r.bottom, b->bottom); y++) {
            for (int32_t x = MAX(r.left, b->left); x < MIN(r.right, b->right); x++) {
                c->canvas[(size_t)y * MC_WIDTH + (size_t)x] = f->brush_color;
            }
        }
    }
    return true;
}

static bool canvas_is(const Client *c, uint32_t rgb)
{
    for (size_t i = 0; i < G_N_ELEMENTS(c->canvas); i++) {
        if ((c->canvas[i] & 0xffffff) != rgb) {
            return false;
        }
    }
    return true;
}

/* Reads the display until the whole canvas is rgb; then it must also equal
 * the device's surface, pixel for pixel. */
static bool display_shows(Client *c, uint32_t rgb)
{
    for (int i = 0; i < MC_MAX_MESSAGES; i++) {
        uint8_t *body;
        uint32_t size;
        int type = test_channel_read(&c->display, &body, &size, MC_MAX_MESSAGE,
                                     MC_IO_TIMEOUT_MS);
        if (type < 0) {
            fprintf(stderr, "session %u: display closed or silent before %06x\n",
                    c->session, rgb);
            return false;
        }
        SpiceMsg m;
        bool ok = spice_msg_parse(SPICE_CHANNEL_DISPLAY, (uint16_t)type, body, size, &m) == 0;
        if (ok && type == SPICE_MSG_DISPLAY_SURFACE_CREATE) {
            c->surface = m.u.surface_create.width == MC_WIDTH &&
                         m.u.surface_create.height == MC_HEIGHT;
        } else if (ok && type == SPICE_MSG_DISPLAY_DRAW_COPY && !apply_draw(c, &m.u.draw_copy)) {
            ok = false;
        } else if (ok && type == SPICE_MSG_DISPLAY_DRAW_FILL && !apply_fill(c, &m.u.draw_fill)) {
            ok = false;
        }
        g_free(body);
        bool drawing = type == SPICE_MSG_DISPLAY_DRAW_COPY || type == SPICE_MSG_DISPLAY_DRAW_FILL;
        if (!ok || (drawing && !c->surface)) {
            fprintf(stderr, "session %u: display message %d %s\n", c->session, type,
                    ok ? "before its surface" : "malformed");
            return false;
        }
        if (drawing && canvas_is(c, rgb)) {
            for (uint32_t y = 0; y < MC_HEIGHT; y++) {
                for (uint32_t x = 0; x < MC_WIDTH; x++) {
                    if ((c->canvas[y * MC_WIDTH + x] & 0xffffff) !=
                        (fake_qxl_primary_pixel(ts->qxl, x, y) & 0xffffff)) {
                        return false;
                    }
                }
            }
            return true;
        }
    }
    return false;
}

/* The guest fills the screen with rgb; returns once the worker rendered it. */
static void draw(uint32_t rgb)
{
    QXLRect all = { .top = 0, .left = 0, .bottom = MC_HEIGHT, .right = MC_WIDTH };
    CHECK(fake_qxl_submit_fill(ts->qxl, &all, rgb) == 0);
    spice_qxl_flush_surfaces_async(fake_qxl_get_instance(ts->qxl), MC_COOKIE);
    flushes++;
    CHECK_EQ_U64(fake_qxl_wait_async_count(ts->qxl, MC_COOKIE, flushes, MC_FLUSH_TIMEOUT_MS),
                 flushes);
}

static bool cursor_gets_set(Client *c)
{
    return wait_message(&c->cursor, SPICE_MSG_CURSOR_SET);
}

static bool closed(TestChannel *ch)
{
    return test_client_wait_closed(ch->fd, MC_IO_TIMEOUT_MS);
}

static bool start(void)
{
    ts = test_qxl_server_create(MC_WIDTH, MC_HEIGHT, TEST_QXL_SERVER_RAW);
    flushes = 0;
    CHECK(ts != NULL);
    return ts != NULL;
}

static void stop(void)
{
    CHECK(test_qxl_server_destroy(ts, MC_FLUSH_TIMEOUT_MS));
    ts = NULL;
}

typedef struct NumClients {
    SpiceServer *server;
    int n;
} NumClients;

static void get_num_clients(void *data)
{
    NumClients *q = data;
    /* Deprecated upstream, still exported and used by hosts. */
    G_GNUC_BEGIN_IGNORE_DEPRECATIONS
    q->n = spice_server_get_num_clients(q->server);
    G_GNUC_END_IGNORE_DEPRECATIONS
}

static int num_clients(void)
{
    NumClients q = { ts->server, -1 };
    CHECK(test_core_call(ts->core, get_num_clients, &q, MC_IO_TIMEOUT_MS) == 0);
    return q.n;
}

/* ---- the cases ------------------------------------------------------------ */

static void test_two_clients_see_the_same_pictures(void)
{
    if (!start()) {
        return;
    }
    static Client a, b;
    draw(0x102030);
    CHECK(client_open(&a));
    CHECK(display_shows(&a, 0x102030));
    CHECK(wait_message(&a.cursor, SPICE_MSG_CURSOR_INIT));
    /* A second client: it gets the current picture at once... */
    CHECK(client_open(&b));
    CHECK(b.session != a.session);
    CHECK(display_shows(&b, 0x102030));
    CHECK(wait_message(&b.cursor, SPICE_MSG_CURSOR_INIT));
    CHECK_EQ_U64(num_clients(), 2);
    /* ...and the first one lost nothing: all four channels still served. */
    CHECK(main_answers(&a));
    CHECK(inputs_answer(&a));
    CHECK(main_answers(&b));
    CHECK(inputs_answer(&b));
    /* Every update reaches both; the cursor too. */
    draw(0x405060);
    CHECK(display_shows(&a, 0x405060));
    CHECK(display_shows(&b, 0x405060));
    draw(0x708090);
    CHECK(display_shows(&b, 0x708090));
    CHECK(display_shows(&a, 0x708090));
    CHECK(fake_qxl_submit_cursor_set(ts->qxl, 5, 6, 8, 0xff00ff00) == 0);
    CHECK(cursor_gets_set(&a));
    CHECK(cursor_gets_set(&b));
    client_close(&a);
    client_close(&b);
    stop();
}

static void test_a_client_goes_with_all_its_channels(void)
{
    if (!start()) {
        return;
    }
    static Client a, b;
    draw(0x111111);
    CHECK(client_open(&a));
    CHECK(client_open(&b));
    CHECK(display_shows(&a, 0x111111));
    CHECK(display_shows(&b, 0x111111));
    /* A's viewer quits: its main channel closes first. */
    close(a.main.fd);
    a.main.fd = -1;
    CHECK(closed(&a.inputs));
    CHECK(closed(&a.display));
    CHECK(closed(&a.cursor));
    /* B saw nothing of it. */
    CHECK(main_answers(&b));
    CHECK(inputs_answer(&b));
    draw(0x222222);
    CHECK(display_shows(&b, 0x222222));
    CHECK(fake_qxl_submit_cursor_set(ts->qxl, 1, 2, 8, 0xffff0000) == 0);
    CHECK(cursor_gets_set(&b));
    CHECK_EQ_U64(num_clients(), 1);
    /* A client that closes only its display keeps its session. */
    close(b.display.fd);
    b.display.fd = -1;
    CHECK(main_answers(&b));
    CHECK(inputs_answer(&b));
    client_close(&a);
    client_close(&b);
    stop();
}

/* A message type no channel has: the server closes that channel. */
static void send_garbage(TestChannel *ch)
{
    static const uint8_t unknown[] = { 0xe7, 0x03, 0, 0, 0, 0 };
    CHECK(test_client_write_all(ch->fd, unknown, sizeof(unknown)) == 0);
}

static void test_a_failed_channel_takes_its_client(void)
{
    if (!start()) {
        return;
    }
    static Client a, b, c;
    draw(0x333333);
    CHECK(client_open(&a));
    CHECK(client_open(&b));
    CHECK(client_open(&c));
    /* A's display channel breaks the protocol: all of A goes. */
    send_garbage(&a.display);
    CHECK(closed(&a.display));
    CHECK(closed(&a.main));
    CHECK(closed(&a.inputs));
    CHECK(closed(&a.cursor));
    /* C's inputs channel does: all of C goes. */
    send_garbage(&c.inputs);
    CHECK(closed(&c.inputs));
    CHECK(closed(&c.main));
    CHECK(closed(&c.display));
    CHECK(closed(&c.cursor));
    /* B saw nothing of either. */
    CHECK(main_answers(&b));
    CHECK(inputs_answer(&b));
    CHECK(display_shows(&b, 0x333333));
    draw(0x444444);
    CHECK(display_shows(&b, 0x444444));
    CHECK(fake_qxl_submit_cursor_set(ts->qxl, 3, 4, 8, 0xff0000ff) == 0);
    CHECK(cursor_gets_set(&b));
    CHECK_EQ_U64(num_clients(), 1);
    client_close(&a);
    client_close(&b);
    client_close(&c);
    stop();
}

static void test_clients_up_to_the_limit(void)
{
    if (!start()) {
        return;
    }
    static Client c[RED_SESSION_MAX_CLIENTS];
    draw(0x0000ff);
    for (unsigned i = 0; i < RED_SESSION_MAX_CLIENTS; i++) {
        CHECK(client_open(&c[i]));
    }
    CHECK_EQ_U64(num_clients(), RED_SESSION_MAX_CLIENTS);
    /* One too many: a clear link error on its main channel. */
    CHECK_EQ_U64(link_error(SPICE_CHANNEL_MAIN, 0), SPICE_LINK_ERR_CHANNEL_NOT_AVAILABLE);
    /* Nobody was disconnected for it: every display gets the next picture. */
    draw(0x00ff00);
    for (unsigned i = 0; i < RED_SESSION_MAX_CLIENTS; i++) {
        CHECK(display_shows(&c[i], 0x00ff00));
        CHECK(main_answers(&c[i]));
    }
    /* One leaves: there is room again (its inputs close once its session
     * ended), and the newcomer disconnects no one. */
    close(c[0].main.fd);
    c[0].main.fd = -1;
    CHECK(closed(&c[0].inputs));
    static Client late;
    CHECK(client_open(&late));
    CHECK(display_shows(&late, 0x00ff00));
    for (unsigned i = 1; i < RED_SESSION_MAX_CLIENTS; i++) {
        CHECK(main_answers(&c[i]));
    }
    client_close(&late);
    client_close(&c[0]);
    for (unsigned i = 1; i < RED_SESSION_MAX_CLIENTS; i++) {
        client_close(&c[i]);
    }
    stop();
}

static void test_foreign_connection_ids_are_refused(void)
{
    if (!start()) {
        return;
    }
    static Client a, b;
    CHECK(client_open(&a));
    CHECK(client_open(&b));
    uint32_t unknown = a.session + 1;
    if (unknown == b.session || unknown == 0) {
        unknown = a.session + 2;
    }
    CHECK_EQ_U64(link_error(SPICE_CHANNEL_DISPLAY, unknown), SPICE_LINK_ERR_BAD_CONNECTION_ID);
    CHECK_EQ_U64(link_error(SPICE_CHANNEL_INPUTS, 0), SPICE_LINK_ERR_BAD_CONNECTION_ID);
    /* A's session ends (its inputs close once it did); its id is void. */
    close(a.main.fd);
    a.main.fd = -1;
    CHECK(closed(&a.inputs));
    CHECK_EQ_U64(link_error(SPICE_CHANNEL_DISPLAY, a.session), SPICE_LINK_ERR_BAD_CONNECTION_ID);
    CHECK_EQ_U64(link_error(SPICE_CHANNEL_CURSOR, a.session), SPICE_LINK_ERR_BAD_CONNECTION_ID);
    /* B's own id still links. */
    CHECK_EQ_U64(link_error(SPICE_CHANNEL_CURSOR, b.session), SPICE_LINK_ERR_OK);
    CHECK(main_answers(&b));
    client_close(&a);
    client_close(&b);
    stop();
}

typedef struct TicketChange {
    SpiceServer *server;
    int result;
} TicketChange;

static void change_ticket(void *data)
{
    TicketChange *t = data;
    t->result = spice_server_set_ticket(t->server, TEST_QXL_SERVER_PASSWORD, 0, 0, 1);
}

static void test_ticket_change_ends_every_session(void)
{
    if (!start()) {
        return;
    }
    static Client a, b;
    CHECK(client_open(&a));
    CHECK(client_open(&b));
    TicketChange t = { ts->server, -1 };
    CHECK(test_core_call(ts->core, change_ticket, &t, MC_IO_TIMEOUT_MS) == 0);
    CHECK_EQ_U64(t.result, 0);
    Client *both[] = { &a, &b };
    for (size_t i = 0; i < G_N_ELEMENTS(both); i++) {
        CHECK(closed(&both[i]->main));
        CHECK(closed(&both[i]->inputs));
        CHECK(closed(&both[i]->display));
        CHECK(closed(&both[i]->cursor));
    }
    CHECK_EQ_U64(num_clients(), 0);
    client_close(&a);
    client_close(&b);
    stop();
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_two_clients_see_the_same_pictures),
        TEST_CASE(test_a_client_goes_with_all_its_channels),
        TEST_CASE(test_a_failed_channel_takes_its_client),
        TEST_CASE(test_clients_up_to_the_limit),
        TEST_CASE(test_foreign_connection_ids_are_refused),
        TEST_CASE(test_ticket_change_ends_every_session),
    };
    return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
