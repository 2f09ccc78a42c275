// SPDX-License-Identifier: GPL-2.0-or-later
/* regress-0bd7b67-cursor-init-after-reset: before 0bd7b67 our server sent
 * a cursor client CURSOR_RESET (the guest's reset_cursor, or the primary
 * destroyed on the way into S3) and then went on with CURSOR_SET/MOVE.
 * spice-gtk drops SET/MOVE after a reset until a new CURSOR_INIT
 * ("cursor_handle_set: assertion init_done failed"), so after every S3
 * cycle the viewer lost the guest's cursor.  Also, the reset was skipped
 * like an update for a client whose ack window was full.
 *
 * Our server (through <spice.h> only) with the fake QXL device and a
 * cursor-channel client of our test client: after a reset, the next cursor
 * message must be CURSOR_INIT carrying the state the guest set, then SETs
 * again; the same after the primary is destroyed and created again.  A
 * client that never acknowledges and whose window is full must still get
 * the CURSOR_RESET.  Every read has a deadline. */
#include "config.h"

#include <unistd.h>

#include <glib.h>
#include <spice/enums.h>

#include "test-client.h"
#include "test-qxl-server.h"
#include "test-util.h"

#define WIDTH 64
#define HEIGHT 64
#define CURSOR_SIZE 16
#define TIMEOUT_MS 10000
#define MAX_MESSAGE 65536

/* One cursor-channel message, parsed; base-channel ones are skipped. */
typedef struct CursorMsg {
    int type;                   /* -1: nothing came before the deadline */
    SpiceMsg msg;
    uint8_t *body;
} CursorMsg;

static CursorMsg next_cursor_msg(TestChannel *ch)
{
    CursorMsg m = { .type = -1 };
    for (;;) {
        uint32_t size = 0;
        int type = test_channel_read(ch, &m.body, &size, MAX_MESSAGE, TIMEOUT_MS);
        if (type < 0) {
            return m;
        }
        if (type >= SPICE_MSG_CURSOR_INIT) {
            CHECK(spice_msg_parse(SPICE_CHANNEL_CURSOR, (uint16_t)type, m.body, size, &m.msg) == 0);
            m.type = type;
            return m;
        }
        g_free(m.body); /* SET_ACK, PING, ...: answered by test_channel_read */
        m.body = NULL;
    }
}

/* The next cursor message is `type`; for INIT and SET, at (x, y), visible,
 * with a shape. */
static void expect(TestChannel *ch, int type, int16_t x, int16_t y)
{
    CursorMsg m = next_cursor_msg(ch);
    if (m.type != type) {
        fprintf(stderr, "cursor message %d, want %d\n", m.type, type);
        CHECK(false);
    } else if (type == SPICE_MSG_CURSOR_INIT) {
        const SpiceMsgCursorInit *init = &m.msg.u.cursor_init;
        CHECK_EQ_U64((uint16_t)init->position.x, (uint16_t)x);
        CHECK_EQ_U64((uint16_t)init->position.y, (uint16_t)y);
        CHECK(init->visible);
        CHECK_EQ_U64(init->cursor.width, CURSOR_SIZE);
    } else if (type == SPICE_MSG_CURSOR_SET) {
        const SpiceMsgCursorSet *set = &m.msg.u.cursor_set;
        CHECK_EQ_U64((uint16_t)set->position.x, (uint16_t)x);
        CHECK_EQ_U64((uint16_t)set->position.y, (uint16_t)y);
        CHECK(set->visible);
    }
    g_free(m.body);
}

static void set_cursor(TestQxlServer *ts, int16_t x, int16_t y)
{
    CHECK(fake_qxl_submit_cursor_set(ts->qxl, x, y, CURSOR_SIZE, 0xff2040a0u) == 0);
}

/* A session and a linked cursor channel; returns the main channel's fd. */
static int link_cursor(TestQxlServer *ts, TestChannel *ch, bool send_acks)
{
    uint32_t session = 0;
    int main_fd = test_client_open_session(ts->port, TEST_QXL_SERVER_PASSWORD, &session,
                                           TIMEOUT_MS);
    CHECK(main_fd >= 0);
    SpiceMsgc attach = { .type = SPICE_MSGC_MAIN_ATTACH_CHANNELS };
    CHECK(test_client_send_msgc(main_fd, SPICE_CHANNEL_MAIN, &attach) == 0);
    int fd = test_client_connect(ts->port, 0);
    CHECK(fd >= 0);
    CHECK_EQ_U64(test_client_link(fd, SPICE_CHANNEL_CURSOR, session, TEST_QXL_SERVER_PASSWORD,
                                  TIMEOUT_MS),
                 SPICE_LINK_ERR_OK);
    test_channel_init(ch, fd, SPICE_CHANNEL_CURSOR, send_acks);
    CursorMsg m = next_cursor_msg(ch);
    CHECK_EQ_U64(m.type, SPICE_MSG_CURSOR_INIT);
    g_free(m.body);
    return main_fd;
}

static TestQxlServer *start(void)
{
    TestQxlServer *ts = test_qxl_server_create(WIDTH, HEIGHT, TEST_QXL_SERVER_RAW);
    if (ts == NULL) {
        exit(1);
    }
    return ts;
}

static void stop(TestQxlServer *ts, TestChannel *ch, int main_fd)
{
    close(ch->fd);
    close(main_fd);
    CHECK(test_qxl_server_destroy(ts, TIMEOUT_MS));
}

static void test_init_after_reset(void)
{
    TestQxlServer *ts = start();
    TestChannel ch;
    int main_fd = link_cursor(ts, &ch, true);
    set_cursor(ts, 10, 12);
    expect(&ch, SPICE_MSG_CURSOR_SET, 10, 12);

    /* The guest's cursor reset (QXL_IO_RESET, the Linux driver's thaw). */
    spice_qxl_reset_cursor(fake_qxl_get_instance(ts->qxl));
    set_cursor(ts, 20, 22);
    expect(&ch, SPICE_MSG_CURSOR_RESET, 0, 0);
    expect(&ch, SPICE_MSG_CURSOR_INIT, 20, 22);
    set_cursor(ts, 24, 26);
    expect(&ch, SPICE_MSG_CURSOR_SET, 24, 26);

    /* The primary destroyed on the way into S3, created again on the way
     * out: the same reset, the same INIT. */
    fake_qxl_destroy_primary(ts->qxl);
    CHECK(fake_qxl_create_primary(ts->qxl, WIDTH, HEIGHT, FAKE_QXL_STRIDE_POSITIVE) == 0);
    set_cursor(ts, 30, 32);
    expect(&ch, SPICE_MSG_CURSOR_RESET, 0, 0);
    expect(&ch, SPICE_MSG_CURSOR_INIT, 30, 32);
    stop(ts, &ch, main_fd);
}

/* A client that never acknowledges: once its window is full, updates are
 * skipped for it, but the reset is not. */
static void test_reset_reaches_busy_client(void)
{
    TestQxlServer *ts = start();
    TestChannel ch;
    int main_fd = link_cursor(ts, &ch, false);
    CHECK(ch.ack_window > 0);
    /* More updates than the server sends unacknowledged (two windows, as
     * stock); once all are released the worker has handled (sent or
     * skipped) every one. */
    const uint32_t n = 2 * ch.ack_window + 4;
    for (uint32_t i = 0; i < n; i++) {
        set_cursor(ts, (int16_t)i, 1);
    }
    CHECK(fake_qxl_wait_all_released(ts->qxl, TIMEOUT_MS));
    spice_qxl_reset_cursor(fake_qxl_get_instance(ts->qxl));
    uint64_t sets = 0;
    CursorMsg m;
    while ((m = next_cursor_msg(&ch)).type == SPICE_MSG_CURSOR_SET) {
        sets++;
        g_free(m.body);
    }
    g_free(m.body);
    CHECK(sets < n); /* the window did fill */
    CHECK_EQ_U64(m.type, SPICE_MSG_CURSOR_RESET);
    stop(ts, &ch, main_fd);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_init_after_reset),
        TEST_CASE(test_reset_reaches_busy_client),
    };
    if (test_check_spice_server(true) != 0) {
        return 1;
    }
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
