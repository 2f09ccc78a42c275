/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-tickets: spice_server_set_ticket as spice-server behaves (and QEMU's
 * set_password / expire_password use it): the lifetime, fail_if_connected,
 * disconnect_if_connected, a NULL password, and switching ticketing on
 * from set_noauth with a client connected. */
#include "config.h"

#include <unistd.h>

#include <glib.h>
#include <spice.h>

#include "server-fixture.h"
#include "test-client.h"
#include "test-util.h"

#define IO_TIMEOUT_MS 5000

static ServerFixture fx;

typedef struct Ticket {
    const char *password;       /* NULL: set_noauth */
    int lifetime, fail_if_connected, disconnect_if_connected;
} Ticket;

static int set_ticket(SpiceServer *s, void *data)
{
    const Ticket *t = data;
    return t->password ? spice_server_set_ticket(s, t->password, t->lifetime,
                                                 t->fail_if_connected, t->disconnect_if_connected)
                       : spice_server_set_noauth(s);
}

static int ticket(const char *password, int lifetime, int fail, int disconnect)
{
    Ticket t = { password, lifetime, fail, disconnect };
    return server_fixture_call(&fx, set_ticket, &t);
}

static uint32_t link_main(const char *password)
{
    int fd = test_client_connect(fx.port, 0);
    uint32_t r = test_client_link(fd, SPICE_CHANNEL_MAIN, 0, password, IO_TIMEOUT_MS);
    close(fd);
    return r;
}

/* Opens a session with password; -1 on failure. */
static int session(const char *password)
{
    uint32_t id;
    return test_client_open_session(fx.port, password, &id, IO_TIMEOUT_MS);
}

static void test_lifetime(void)
{
    CHECK(ticket("secret", 3600, 0, 0) == 0);
    CHECK_EQ_U64(link_main("secret"), SPICE_LINK_ERR_OK);
    /* a negative lifetime is already over (QEMU's expire_password in the
     * past passes NULL instead; spice-server takes both) */
    CHECK(ticket("secret", -1, 0, 0) == 0);
    CHECK_EQ_U64(link_main("secret"), SPICE_LINK_ERR_PERMISSION_DENIED);
    /* One second: expired once the monotonic clock, in whole seconds, is
     * past it, which 2.2 s of sleep guarantee whatever the load. */
    CHECK(ticket("secret", 1, 0, 0) == 0);
    g_usleep(2200 * 1000);
    CHECK_EQ_U64(link_main("secret"), SPICE_LINK_ERR_PERMISSION_DENIED);
    /* lifetime 0: for ever again */
    CHECK(ticket("secret", 0, 0, 0) == 0);
    CHECK_EQ_U64(link_main("secret"), SPICE_LINK_ERR_OK);
}

static void test_null_and_long_password(void)
{
    CHECK(ticket(NULL, 0, 0, 0) == 0); /* noauth: anything goes */
    CHECK_EQ_U64(link_main("whatever"), SPICE_LINK_ERR_OK);
    char long_password[SPICE_MAX_PASSWORD_LENGTH + 2];
    memset(long_password, 'x', sizeof(long_password) - 1);
    long_password[sizeof(long_password) - 1] = '\0';
    CHECK(ticket(long_password, 0, 0, 0) == -1);
    CHECK(ticket("secret", 0, 0, 0) == 0);
    CHECK_EQ_U64(link_main("whatever"), SPICE_LINK_ERR_PERMISSION_DENIED);
    CHECK_EQ_U64(link_main("secret"), SPICE_LINK_ERR_OK);
}

static int clear_ticket(SpiceServer *s, void *data)
{
    (void)data;
    return spice_server_set_ticket(s, NULL, 0, 0, 0);
}

/* set_ticket(NULL): ticketing on and no password, nobody links. */
static void test_cleared_ticket(void)
{
    CHECK(server_fixture_call(&fx, clear_ticket, NULL) == 0);
    CHECK_EQ_U64(link_main(""), SPICE_LINK_ERR_PERMISSION_DENIED);
    CHECK_EQ_U64(link_main("secret"), SPICE_LINK_ERR_PERMISSION_DENIED);
    CHECK(ticket("secret", 0, 0, 0) == 0);
}

static void test_fail_if_connected(void)
{
    int fd = session("secret");
    CHECK(fd >= 0);
    CHECK(ticket("other", 0, 1, 0) == -1);
    CHECK(test_client_session_alive(fd, IO_TIMEOUT_MS));
    close(fd);
    /* unchanged: the old ticket still works, the new one does not */
    CHECK_EQ_U64(link_main("other"), SPICE_LINK_ERR_PERMISSION_DENIED);
    fd = session("secret");
    CHECK(fd >= 0);
    close(fd);
    CHECK(ticket("secret", 0, 0, 0) == 0);
}

static void test_disconnect_if_connected(void)
{
    int fd = session("secret");
    CHECK(fd >= 0);
    /* neither flag: the client stays */
    CHECK(ticket("secret", 0, 0, 0) == 0);
    CHECK(test_client_session_alive(fd, IO_TIMEOUT_MS));
    CHECK(ticket("other", 0, 0, 1) == 0);
    CHECK(test_client_wait_closed(fd, IO_TIMEOUT_MS));
    close(fd);
    CHECK_EQ_U64(link_main("secret"), SPICE_LINK_ERR_PERMISSION_DENIED);
    CHECK_EQ_U64(link_main("other"), SPICE_LINK_ERR_OK);
    CHECK(ticket("secret", 0, 0, 0) == 0);
}

/* From set_noauth, turning ticketing on disconnects the clients that came
 * in without a ticket, even without disconnect_if_connected. */
static void test_ticketing_switched_on(void)
{
    CHECK(ticket(NULL, 0, 0, 0) == 0);
    int fd = session("anything");
    CHECK(fd >= 0);
    CHECK(ticket("secret", 0, 0, 0) == 0);
    CHECK(test_client_wait_closed(fd, IO_TIMEOUT_MS));
    close(fd);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_lifetime),
        TEST_CASE(test_null_and_long_password),
        TEST_CASE(test_cleared_ticket),
        TEST_CASE(test_fail_if_connected),
        TEST_CASE(test_disconnect_if_connected),
        TEST_CASE(test_ticketing_switched_on),
    };
    if (server_fixture_start(&fx, NULL, NULL) != 0) {
        fprintf(stderr, "cannot start the server\n");
        return 1;
    }
    int ret = test_main(argc, argv, cases, G_N_ELEMENTS(cases));
    server_fixture_stop(&fx);
    return ret;
}
