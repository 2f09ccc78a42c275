/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-usbredir: a "usbredir" char device served as a pass-through
 * usbredir channel (server/chardev/red-vmc.h): offered in CHANNELS_LIST,
 * SPICEVMC_DATA both ways byte for byte, the device told of the client, a
 * client faster than the device held back (its messages wait in the socket,
 * none lost), an oversized message and a second client refused, the client
 * closed when the device goes.  Our client and a scripted device, the
 * server on a TestCore thread. */
#include "config.h"

#include <unistd.h>

#include <glib.h>
#include <spice.h>

#include "scripted-chardev.h"
#include "test-client.h"
#include "test-core.h"
#include "test-util.h"

#define IO_TIMEOUT_MS 5000
#define CALL_TIMEOUT_MS 5000
#define BIG (64u * 1024)        /* spice-gtk's largest usbredir write */

static struct {
    TestCore *core;
    SpiceServer *server;
    int port;
    ScriptedCharDev dev;        /* the usbredir device */
} T;

static void on_core(void (*func)(void *data), void *data)
{
    if (test_core_call(T.core, func, data, CALL_TIMEOUT_MS) != 0) {
        fprintf(stderr, "server thread stuck\n");
        exit(1);
    }
}

static void do_setup(void *data)
{
    int *ret = data;
    T.server = spice_server_new();
    spice_server_set_addr(T.server, "127.0.0.1", SPICE_ADDR_FLAG_IPV4_ONLY);
    spice_server_set_port(T.server, T.port);
    spice_server_set_noauth(T.server);
    *ret = spice_server_init(T.server, test_core_get_interface(T.core));
    if (*ret != 0) {
        spice_server_destroy(T.server);
    }
}

static void do_add(void *data)
{
    (void)data;
    if (T.dev.to_server) {
        scripted_chardev_finish(&T.dev); /* the previous case's */
    }
    scripted_chardev_init(&T.dev, "usbredir");
    CHECK(spice_server_add_interface(T.server, &T.dev.sin.base) == 0);
}

static void do_remove(void *data)
{
    (void)data;
    CHECK(spice_server_remove_interface(&T.dev.sin.base) == 0);
}

static void do_teardown(void *data)
{
    (void)data;
    spice_server_destroy(T.server);
}

static void do_nothing(void *data)
{
    (void)data;
}

static void do_queue(void *data)
{
    GByteArray *b = data;
    g_byte_array_append(T.dev.to_server, b->data, b->len);
    spice_server_char_device_wakeup(&T.dev.sin);
}

static void do_set_budget(void *data)
{
    T.dev.write_budget = *(size_t *)data;
    spice_server_char_device_wakeup(&T.dev.sin);
}

static void do_copy_written(void *data)
{
    GByteArray *out = data;
    g_byte_array_append(out, T.dev.from_server->data, T.dev.from_server->len);
}

typedef struct Books {
    size_t written;
    int state;
} Books;

static void do_books(void *data)
{
    Books *k = data;
    k->written = T.dev.from_server->len;
    k->state = T.dev.state;
}

static Books books(void)
{
    Books k;
    on_core(do_books, &k);
    return k;
}

/* Waits (bounded) until the device got at least n bytes. */
static Books wait_written(size_t n)
{
    gint64 deadline = g_get_monotonic_time() + IO_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    Books k = books();
    while (k.written < n && g_get_monotonic_time() < deadline) {
        g_usleep(2000); /* bounded poll of the server thread's books */
        k = books();
    }
    return k;
}

/* A session and, on it, usbredir channel 0.  Returns the channel's fd;
 * *main_fd keeps the session. */
static int link_usbredir(int *main_fd)
{
    uint32_t session = 0;
    *main_fd = test_client_open_session(T.port, "", &session, IO_TIMEOUT_MS);
    CHECK(*main_fd >= 0);
    int fd = test_client_connect(T.port, 0);
    CHECK(fd >= 0);
    CHECK_EQ_U64(test_client_link(fd, SPICE_CHANNEL_USBREDIR, session, "", IO_TIMEOUT_MS),
                 SPICE_LINK_ERR_OK);
    return fd;
}

static void send_data(int fd, const uint8_t *p, uint32_t n)
{
    SpiceMsgc m = { .type = SPICE_MSGC_SPICEVMC_DATA, .u.raw = { p, n } };
    CHECK(test_client_send_msgc(fd, SPICE_CHANNEL_USBREDIR, &m) == 0);
}

/* ---- cases --------------------------------------------------------------- */

static void test_listed_and_data_both_ways(void)
{
    on_core(do_add, NULL);
    int main_fd;
    uint32_t session = 0;
    main_fd = test_client_open_session(T.port, "", &session, IO_TIMEOUT_MS);
    CHECK(main_fd >= 0);
    SpiceMsgc attach = { .type = SPICE_MSGC_MAIN_ATTACH_CHANNELS };
    CHECK(test_client_send_msgc(main_fd, SPICE_CHANNEL_MAIN, &attach) == 0);
    bool listed = false;
    for (int i = 0; i < 10; i++) {
        uint8_t *body;
        uint32_t size;
        int type = test_client_read_message(main_fd, &body, &size, 4096, IO_TIMEOUT_MS);
        if (type < 0) {
            break;
        }
        SpiceMsg m;
        if (type == SPICE_MSG_MAIN_CHANNELS_LIST &&
            spice_msg_parse(SPICE_CHANNEL_MAIN, (uint16_t)type, body, size, &m) == 0) {
            for (uint32_t k = 0; k < m.u.channels_list.channels.count; k++) {
                const uint8_t *pair = m.u.channels_list.channels.data + 2 * k;
                listed = listed || (pair[0] == SPICE_CHANNEL_USBREDIR && pair[1] == 0);
            }
            g_free(body);
            break;
        }
        g_free(body);
    }
    CHECK(listed);
    CHECK_EQ_U64(books().state, -1); /* nobody there yet */

    int fd = test_client_connect(T.port, 0);
    CHECK_EQ_U64(test_client_link(fd, SPICE_CHANNEL_USBREDIR, session, "", IO_TIMEOUT_MS),
                 SPICE_LINK_ERR_OK);
    on_core(do_nothing, NULL);
    CHECK_EQ_U64(books().state, 1);

    static const uint8_t hello[] = "usbredir hello from the client";
    send_data(fd, hello, sizeof(hello));
    Books k = wait_written(sizeof(hello));
    CHECK_EQ_U64(k.written, sizeof(hello));

    GByteArray *world = g_byte_array_new();
    for (unsigned i = 0; i < 100000; i++) {
        uint8_t b = (uint8_t)(i * 7);
        g_byte_array_append(world, &b, 1);
    }
    on_core(do_queue, world);
    GByteArray *got = g_byte_array_new();
    while (got->len < world->len) {
        uint8_t *body;
        uint32_t size;
        int type = test_client_read_message(fd, &body, &size, 1u << 20, IO_TIMEOUT_MS);
        if (type != SPICE_MSG_SPICEVMC_DATA) {
            CHECK_EQ_U64(type, SPICE_MSG_SPICEVMC_DATA);
            break;
        }
        g_byte_array_append(got, body, size);
        g_free(body);
    }
    CHECK_EQ_U64(got->len, world->len);
    CHECK_MEM(got->data, world->data, MIN(got->len, world->len));
    g_byte_array_free(got, TRUE);
    g_byte_array_free(world, TRUE);

    /* a second client for the same channel is turned away */
    int second = test_client_connect(T.port, 0);
    test_client_link(second, SPICE_CHANNEL_USBREDIR, session, "", IO_TIMEOUT_MS);
    CHECK(test_client_wait_closed(second, IO_TIMEOUT_MS));
    close(second);

    /* the device goes: its client is closed, the device heard state 0 */
    on_core(do_remove, NULL);
    CHECK(test_client_wait_closed(fd, IO_TIMEOUT_MS));
    CHECK_EQ_U64(books().state, 0);
    close(fd);
    close(main_fd);
}

/* The device takes nothing for a while: the client's messages wait in the
 * socket (reading paused at two queued), none is lost or refused. */
static void test_slow_device_holds_client_back(void)
{
    on_core(do_add, NULL);
    size_t zero = 0, all = SIZE_MAX;
    on_core(do_set_budget, &zero);
    int main_fd;
    int fd = link_usbredir(&main_fd);
    GByteArray *sent = g_byte_array_new();
    for (unsigned i = 0; i < 4; i++) { /* 2 queued, 2 waiting in the socket */
        uint8_t *msg = g_malloc(BIG);
        memset(msg, 'a' + (int)i, BIG);
        send_data(fd, msg, BIG);
        g_byte_array_append(sent, msg, BIG);
        g_free(msg);
    }
    on_core(do_nothing, NULL);
    CHECK_EQ_U64(books().written, 0);
    on_core(do_set_budget, &all);
    Books k = wait_written(sent->len);
    CHECK_EQ_U64(k.written, sent->len);
    GByteArray *got = g_byte_array_new();
    on_core(do_copy_written, got);
    CHECK_EQ_U64(got->len, sent->len);
    CHECK_MEM(got->data, sent->data, MIN(got->len, sent->len));
    g_byte_array_free(got, TRUE);
    /* still linked: one more message goes through */
    static const uint8_t more[] = "still here";
    send_data(fd, more, sizeof(more));
    k = wait_written(sent->len + sizeof(more));
    CHECK_EQ_U64(k.written, sent->len + sizeof(more));
    g_byte_array_free(sent, TRUE);
    on_core(do_remove, NULL);
    close(fd);
    close(main_fd);
}

static void test_oversized_message_closes(void)
{
    on_core(do_add, NULL);
    int main_fd;
    int fd = link_usbredir(&main_fd);
    uint8_t *msg = g_malloc0(BIG + 33);
    send_data(fd, msg, BIG + 33);
    g_free(msg);
    CHECK(test_client_wait_closed(fd, IO_TIMEOUT_MS));
    on_core(do_remove, NULL);
    close(fd);
    close(main_fd);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_listed_and_data_both_ways),
        TEST_CASE(test_slow_device_holds_client_back),
        TEST_CASE(test_oversized_message_closes),
    };
    T.core = test_core_create();
    if (T.core == NULL) {
        return 1;
    }
    int ret = -1;
    for (int attempt = 0; attempt < 20 && ret != 0; attempt++) {
        T.port = 20000 + (int)(g_random_int() % 20000);
        on_core(do_setup, &ret);
    }
    if (ret != 0) {
        return 1;
    }
    int rc = test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
    on_core(do_teardown, NULL);
    test_core_destroy(T.core);
    if (T.dev.to_server) {
        scripted_chardev_finish(&T.dev);
    }
    return rc;
}
