/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-hostile-clients: our server against clients that break the protocol.
 * Each hostile client must get its link error or be closed, and a good
 * client must keep working afterwards and alongside.
 *
 * The server runs in its own thread on a GLib loop (server-fixture.h); the
 * test thread plays the clients with blocking sockets and deadlines. */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include <glib.h>
#include <spice.h>

#include "server-fixture.h"
#include "test-client.h"
#include "test-util.h"
#include "spice-link.h"
#include "spice-messages.h"

#define IO_TIMEOUT_MS 5000

/* ---- the client side (test-client.h), with this program's deadline ---- */

/* Largest server message these cases read (MAIN_INIT, CHANNELS_LIST,
 * INPUTS_INIT are tiny). */
#define MAX_MESSAGE (64u * 1024)

static int client_connect(int port)
{
    return test_client_connect(port, 0);
}

static int write_all(int fd, const void *p, size_t n)
{
    return test_client_write_all(fd, p, n);
}

static int read_all(int fd, void *p, size_t n)
{
    return test_client_read_all(fd, p, n, IO_TIMEOUT_MS);
}

static bool closed_by_server(int fd)
{
    return test_client_wait_closed(fd, IO_TIMEOUT_MS);
}

static void send_link(int fd, uint8_t type, uint32_t connection_id)
{
    CHECK(test_client_send_link(fd, type, 0, connection_id, NULL, 0) == 0);
}

static uint32_t read_reply(int fd, uint8_t key[SPICE_TICKET_PUBKEY_BYTES])
{
    return test_client_read_reply(fd, key, IO_TIMEOUT_MS);
}

static uint32_t link_channel(int fd, uint8_t type, uint32_t connection_id, const char *password)
{
    return test_client_link(fd, type, connection_id, password, IO_TIMEOUT_MS);
}

static int read_message(int fd, uint8_t **body, uint32_t *size)
{
    return test_client_read_message(fd, body, size, MAX_MESSAGE, IO_TIMEOUT_MS);
}

static void send_msgc(int fd, uint8_t channel, const SpiceMsgc *m)
{
    CHECK(test_client_send_msgc(fd, channel, m) == 0);
}

/* A main-channel session: returns the fd and session id. */
static int open_session(ServerFixture *f, uint32_t *session_id)
{
    int fd = client_connect(f->port);
    CHECK(fd >= 0);
    CHECK_EQ_U64(link_channel(fd, SPICE_CHANNEL_MAIN, 0, "secret"), SPICE_LINK_ERR_OK);
    uint8_t *body;
    uint32_t size;
    CHECK_EQ_U64(read_message(fd, &body, &size), SPICE_MSG_MAIN_INIT);
    SpiceMsg m;
    CHECK(spice_msg_parse(SPICE_CHANNEL_MAIN, SPICE_MSG_MAIN_INIT, body, size, &m) == 0);
    *session_id = m.u.main_init.session_id;
    CHECK(*session_id != 0);
    g_free(body);
    return fd;
}

/* ---- cases --------------------------------------------------------------- */

static ServerFixture fx;

static void raw_link_error(const uint8_t *bytes, size_t n, uint32_t want)
{
    int fd = client_connect(fx.port);
    uint8_t key[SPICE_TICKET_PUBKEY_BYTES];
    CHECK(fd >= 0);
    CHECK(write_all(fd, bytes, n) == 0);
    CHECK_EQ_U64(read_reply(fd, key), want);
    CHECK(closed_by_server(fd));
    close(fd);
}

static void test_bad_magic_version_size(void)
{
    uint8_t h[16] = { 'X', 'E', 'D', 'Q', 2, 0, 0, 0, 2, 0, 0, 0, 26, 0, 0, 0 };
    raw_link_error(h, sizeof(h), SPICE_LINK_ERR_INVALID_MAGIC);
    h[0] = 'R';
    h[4] = 9;
    raw_link_error(h, sizeof(h), SPICE_LINK_ERR_VERSION_MISMATCH);
    h[4] = 2;
    h[13] = 0x40; /* size 16410: past the 4096-byte limit */
    raw_link_error(h, sizeof(h), SPICE_LINK_ERR_INVALID_DATA);
    /* a link message whose caps lie past its end */
    uint8_t m[16 + 18] = { 'R', 'E', 'D', 'Q', 2, 0, 0, 0, 2, 0, 0, 0, 18, 0, 0, 0,
                           0, 0, 0, 0, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 18, 0, 0, 0 };
    raw_link_error(m, sizeof(m), SPICE_LINK_ERR_INVALID_DATA);
}

/* A client without MINI_HEADER (we speak only mini headers): ERROR, closed;
 * the link is freed once (ASan saw it used after free before). */
static void test_no_mini_header(void)
{
    static const uint32_t common[] = { SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION,
                                       SPICE_COMMON_CAP_AUTH_SPICE };
    int fd = client_connect(fx.port);
    uint8_t key[SPICE_TICKET_PUBKEY_BYTES];
    CHECK(test_client_send_link_caps(fd, SPICE_CHANNEL_MAIN, 0, 0, common, 2, NULL, 0) == 0);
    CHECK_EQ_U64(read_reply(fd, key), SPICE_LINK_ERR_ERROR);
    CHECK(closed_by_server(fd));
    close(fd);
}

static void test_wrong_ticket_and_bad_connection_id(void)
{
    int fd = client_connect(fx.port);
    CHECK_EQ_U64(link_channel(fd, SPICE_CHANNEL_MAIN, 0, "wrong"), SPICE_LINK_ERR_PERMISSION_DENIED);
    CHECK(closed_by_server(fd));
    close(fd);
    fd = client_connect(fx.port);
    CHECK_EQ_U64(link_channel(fd, SPICE_CHANNEL_INPUTS, 12345, "secret"),
                 SPICE_LINK_ERR_BAD_CONNECTION_ID);
    close(fd);
    /* a garbage ticket that does not decrypt */
    fd = client_connect(fx.port);
    uint8_t key[SPICE_TICKET_PUBKEY_BYTES], junk[4 + 128];
    memset(junk, 0x5a, sizeof(junk));
    junk[0] = 1;
    junk[1] = junk[2] = junk[3] = 0;
    send_link(fd, SPICE_CHANNEL_MAIN, 0);
    CHECK_EQ_U64(read_reply(fd, key), SPICE_LINK_ERR_OK);
    CHECK(write_all(fd, junk, sizeof(junk)) == 0);
    uint32_t result = 0;
    CHECK(read_all(fd, &result, 4) == 0);
    CHECK_EQ_U64(result, SPICE_LINK_ERR_PERMISSION_DENIED);
    close(fd);
}

static void hostile_data(const uint8_t *bytes, size_t n)
{
    uint32_t session;
    int fd = open_session(&fx, &session);
    CHECK(write_all(fd, bytes, n) == 0);
    CHECK(closed_by_server(fd));
    close(fd);
}

static void test_bad_data_phase_messages(void)
{
    /* unknown message type */
    static const uint8_t unknown[] = { 0xe7, 0x03, 0, 0, 0, 0 };
    hostile_data(unknown, sizeof(unknown));
    /* oversized: a 2 GiB body announced */
    static const uint8_t oversized[] = { 0x69, 0x00, 0, 0, 0, 0x80 };
    hostile_data(oversized, sizeof(oversized));
    /* MOUSE_MODE_REQUEST whose body is one byte short */
    static const uint8_t truncated[] = { 0x69, 0x00, 1, 0, 0, 0, 2 };
    hostile_data(truncated, sizeof(truncated));
}

/* While a hostile client is thrown out, a good session keeps working. */
static void test_good_client_keeps_working(void)
{
    uint32_t session;
    int good = open_session(&fx, &session);
    static const uint8_t unknown[] = { 0xe7, 0x03, 0, 0, 0, 0 };
    /* the hostile client has a session of its own beside the good one;
     * its broken inputs channel ends that session, main channel included */
    uint32_t bad_session;
    int bad_main = open_session(&fx, &bad_session);
    CHECK(bad_session != session);
    int bad = client_connect(fx.port);
    CHECK_EQ_U64(link_channel(bad, SPICE_CHANNEL_INPUTS, bad_session, "secret"),
                 SPICE_LINK_ERR_OK);
    CHECK(write_all(bad, unknown, sizeof(unknown)) == 0);
    CHECK(closed_by_server(bad));
    CHECK(closed_by_server(bad_main));
    close(bad);
    close(bad_main);

    SpiceMsgc attach = { .type = SPICE_MSGC_MAIN_ATTACH_CHANNELS };
    send_msgc(good, SPICE_CHANNEL_MAIN, &attach);
    uint8_t *body;
    uint32_t size;
    CHECK_EQ_U64(read_message(good, &body, &size), SPICE_MSG_MAIN_CHANNELS_LIST);
    g_free(body);

    int inputs = client_connect(fx.port);
    CHECK_EQ_U64(link_channel(inputs, SPICE_CHANNEL_INPUTS, session, "secret"), SPICE_LINK_ERR_OK);
    CHECK_EQ_U64(read_message(inputs, &body, &size), SPICE_MSG_INPUTS_INIT);
    g_free(body);
    SpiceMsgc key = { .type = SPICE_MSGC_INPUTS_KEY_DOWN, .u.key_down.code = 0x1e };
    send_msgc(inputs, SPICE_CHANNEL_INPUTS, &key);
    key = (SpiceMsgc){ .type = SPICE_MSGC_INPUTS_KEY_UP, .u.key_up.code = 0x9e };
    send_msgc(inputs, SPICE_CHANNEL_INPUTS, &key);
    CHECK(server_fixture_wait_keys(&fx, "1e 9e ", IO_TIMEOUT_MS));
    close(inputs);
    close(good);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_bad_magic_version_size),
        TEST_CASE(test_no_mini_header),
        TEST_CASE(test_wrong_ticket_and_bad_connection_id),
        TEST_CASE(test_bad_data_phase_messages),
        TEST_CASE(test_good_client_keeps_working),
    };
    if (server_fixture_start(&fx, NULL, NULL) != 0) {
        fprintf(stderr, "cannot start the server\n");
        return 1;
    }
    int ret = test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
    server_fixture_stop(&fx);
    return ret;
}
