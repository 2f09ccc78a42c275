/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-hostile-clients: our server against clients that break the protocol.
 * Each hostile client must get its link error or be closed, and a good
 * client must keep working afterwards and alongside.
 *
 * The server runs in its own thread on a GLib loop (its SpiceCoreInterface
 * is the server's own GLib core); the test thread plays the clients with
 * blocking sockets and deadlines. */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include <glib.h>
#include <spice.h>

#include "test-client.h"
#include "test-util.h"
#include "red-worker-loop.h"
#include "spice-link.h"
#include "spice-messages.h"

#define IO_TIMEOUT_MS 5000

typedef struct Fixture {
    GThread *thread;
    GMainContext *context;
    GMainLoop *loop;
    SpiceServer *server;
    int port;
    GMutex lock;
    GCond cond;
    bool ready;
    int init_result;
    GString *keys;              /* scancodes the keyboard received */
    SpiceKbdInstance kbd;
} Fixture;

static Fixture *the_fixture(SpiceKbdInstance *sin)
{
    return SPICE_CONTAINEROF(sin, Fixture, kbd);
}

static void kbd_push(SpiceKbdInstance *sin, uint8_t frag)
{
    Fixture *f = the_fixture(sin);
    g_mutex_lock(&f->lock);
    g_string_append_printf(f->keys, "%02x ", frag);
    g_cond_broadcast(&f->cond);
    g_mutex_unlock(&f->lock);
}

static uint8_t kbd_leds(SpiceKbdInstance *sin)
{
    (void)sin;
    return 0;
}

static const SpiceKbdInterface kbd_interface = {
    .base = { .type = SPICE_INTERFACE_KEYBOARD, .description = "test keyboard",
              .major_version = SPICE_INTERFACE_KEYBOARD_MAJOR,
              .minor_version = SPICE_INTERFACE_KEYBOARD_MINOR },
    .push_scan_freg = kbd_push,
    .get_leds = kbd_leds,
};

static gpointer server_thread(gpointer data)
{
    Fixture *f = data;
    g_main_context_push_thread_default(f->context);
    RedWorkerLoop *loop = red_worker_loop_new(f->context);
    f->server = spice_server_new();
    spice_server_set_addr(f->server, "127.0.0.1", SPICE_ADDR_FLAG_IPV4_ONLY);
    spice_server_set_port(f->server, f->port);
    spice_server_set_ticket(f->server, "secret", 0, 0, 0);
    int ret = spice_server_init(f->server, (SpiceCoreInterface *)red_worker_loop_core(loop));
    if (ret == 0) {
        f->kbd.base.sif = &kbd_interface.base;
        ret = spice_server_add_interface(f->server, &f->kbd.base);
    }
    g_mutex_lock(&f->lock);
    f->init_result = ret;
    f->ready = true;
    g_cond_broadcast(&f->cond);
    g_mutex_unlock(&f->lock);
    if (ret == 0) {
        g_main_loop_run(f->loop);
    }
    spice_server_destroy(f->server);
    red_worker_loop_free(loop);
    g_main_context_pop_thread_default(f->context);
    return NULL;
}

static gboolean quit_loop(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_REMOVE;
}

static int fixture_start(Fixture *f)
{
    memset(f, 0, sizeof(*f));
    g_mutex_init(&f->lock);
    g_cond_init(&f->cond);
    f->keys = g_string_new("");
    for (int attempt = 0; attempt < 20; attempt++) {
        f->port = 20000 + (int)(g_random_int() % 20000);
        f->ready = false;
        f->context = g_main_context_new();
        f->loop = g_main_loop_new(f->context, FALSE);
        f->thread = g_thread_new("test-server", server_thread, f);
        g_mutex_lock(&f->lock);
        while (!f->ready) {
            g_cond_wait(&f->cond, &f->lock);
        }
        g_mutex_unlock(&f->lock);
        if (f->init_result == 0) {
            return 0;
        }
        g_thread_join(f->thread); /* port taken: try another */
        g_main_loop_unref(f->loop);
        g_main_context_unref(f->context);
    }
    return -1;
}

static void fixture_stop(Fixture *f)
{
    GSource *s = g_idle_source_new();
    g_source_set_callback(s, quit_loop, f->loop, NULL);
    g_source_attach(s, f->context);
    g_source_unref(s);
    g_thread_join(f->thread);
    g_main_loop_unref(f->loop);
    g_main_context_unref(f->context);
    g_string_free(f->keys, TRUE);
    g_mutex_clear(&f->lock);
    g_cond_clear(&f->cond);
}

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
static int open_session(Fixture *f, uint32_t *session_id)
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

static Fixture fx;

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
    gint64 deadline = g_get_monotonic_time() + IO_TIMEOUT_MS * 1000;
    g_mutex_lock(&fx.lock);
    while (strstr(fx.keys->str, "1e 9e ") == NULL) {
        if (!g_cond_wait_until(&fx.cond, &fx.lock, deadline)) {
            break;
        }
    }
    CHECK(strstr(fx.keys->str, "1e 9e ") != NULL);
    g_mutex_unlock(&fx.lock);
    close(inputs);
    close(good);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_bad_magic_version_size),
        TEST_CASE(test_wrong_ticket_and_bad_connection_id),
        TEST_CASE(test_bad_data_phase_messages),
        TEST_CASE(test_good_client_keeps_working),
    };
    if (fixture_start(&fx) != 0) {
        fprintf(stderr, "cannot start the server\n");
        return 1;
    }
    int ret = test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
    fixture_stop(&fx);
    return ret;
}
