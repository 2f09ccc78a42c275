/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-exit-on-disconnect: spice_server_set_exit_on_disconnect as upstream's
 * server does it: the process exits with status 0 when a client's session
 * ends, and not before (a link that fails begins no session).
 *
 * The server runs in a forked child (its exit is what is checked); the
 * child holds the write end of a pipe, so the parent learns the exit as
 * end-of-file on it, within a bounded wait, without polling. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <spice.h>

#include "server-fixture.h"
#include "test-client.h"
#include "test-util.h"

#define IO_TIMEOUT_MS 5000
/* The child's exit after the client left: the server hears the close at
 * once; generous for sanitized builds on a loaded machine. */
#define EXIT_TIMEOUT_MS 20000

static int set_exit_on_disconnect(SpiceServer *server, int port, int tls_port, void *opaque)
{
    (void)port;
    (void)tls_port;
    (void)opaque;
    return spice_server_set_exit_on_disconnect(server, 1);
}

/* The child: starts the server, sends its port, then waits for ever (only
 * the server's exit ends it; the parent kills it otherwise). */
static void child_main(int port_fd)
{
    static ServerFixture fx;
    int port = server_fixture_start(&fx, set_exit_on_disconnect, NULL) == 0 ? fx.port : -1;
    if (write(port_fd, &port, sizeof(port)) != sizeof(port) || port < 0) {
        _exit(3);
    }
    for (;;) {
        pause();
    }
}

/* Waits for end-of-file on fd (every writer gone): true if it came. */
static bool wait_eof(int fd, unsigned timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    for (;;) {
        gint64 left = (deadline - g_get_monotonic_time()) / 1000;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r = left > 0 ? poll(&p, 1, (int)left) : 0;
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return false;
        }
        char c;
        ssize_t n = read(fd, &c, 1);
        if (n == 0) {
            return true;
        }
        if (n < 0 && errno != EINTR) {
            return false;
        }
    }
}

static void test_exits_when_session_ends(void)
{
    int p[2];
    CHECK(pipe(p) == 0);
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        child_main(p[1]);
    }
    close(p[1]);
    int port = -1;
    CHECK(read(p[0], &port, sizeof(port)) == sizeof(port) && port > 0);

    /* A link refused for its password begins no session: no exit. */
    int bad = test_client_connect(port, 0);
    CHECK_EQ_U64(test_client_link(bad, SPICE_CHANNEL_MAIN, 0, "wrong", IO_TIMEOUT_MS),
                 SPICE_LINK_ERR_PERMISSION_DENIED);
    close(bad);
    /* Two clients; the first one leaving ends the process. */
    uint32_t id_a = 0, id_b = 0;
    int a = test_client_open_session(port, "secret", &id_a, IO_TIMEOUT_MS);
    int b = test_client_open_session(port, "secret", &id_b, IO_TIMEOUT_MS);
    CHECK(a >= 0 && b >= 0 && id_a != id_b);
    close(a);
    bool exited = wait_eof(p[0], EXIT_TIMEOUT_MS);
    CHECK(exited);
    if (!exited) {
        kill(pid, SIGKILL);
    }
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(exited && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* The other client saw its connection close with the process. */
    CHECK(b < 0 || test_client_wait_closed(b, IO_TIMEOUT_MS));
    if (b >= 0) {
        close(b);
    }
    close(p[0]);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_exits_when_session_ends),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
