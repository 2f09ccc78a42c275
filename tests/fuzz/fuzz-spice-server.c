/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-spice-server: libFuzzer target for our server as a hostile client
 * meets it on the network: the link message and the ticket, and the
 * data-phase byte stream (headers and bodies) of every channel, handled by
 * the real server (channels, session, display worker), not the parsers
 * alone (fuzz-spice-demarshal does those).
 *
 * The server (through <spice.h>: tests/server's fake QXL device with a
 * 64x64 primary, ticket TEST_QXL_SERVER_PASSWORD, on 127.0.0.1) is started
 * once and never torn down.  Byte 0 of an input picks what the rest is:
 *   0: the raw bytes of a link, ticket included, on a fresh connection;
 *   1-4: the data-phase stream of a main, display, cursor or inputs
 *        channel, after a correct link (a fresh main session first, whose
 *        id the other channels quote).
 * Then the harness stops writing (shutdown) and takes everything the
 * server sends until it closes the connection, within FUZZ_IO_MS: each
 * input is handled to its end before the next one starts.  A server that
 * hangs or never closes shows as a libFuzzer timeout. */
#include "config.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "test-client.h"
#include "test-qxl-server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bounded waits for one connection: reaching one ends the input, and a
 * server that keeps a half-closed client open for ever surfaces as a
 * libFuzzer timeout (its -timeout is longer). */
#define FUZZ_IO_MS 2000

static void quiet_log(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
    (void)domain;
    (void)level;
    (void)msg;
    (void)data;
}

static TestQxlServer *fuzz_server(void)
{
    static TestQxlServer *ts;
    if (ts == NULL) {
        /* Closed clients are logged by the thousand. */
        g_log_set_handler("s3display-server", G_LOG_LEVEL_MASK, quiet_log, NULL);
        ts = test_qxl_server_create(64, 64, TEST_QXL_SERVER_LZ4);
        if (ts == NULL) {
            abort();
        }
    }
    return ts;
}

/* Stops writing on fd and reads until the server closes it. */
static void fuzz_finish(int fd)
{
    if (fd < 0) {
        return;
    }
    shutdown(fd, SHUT_WR);
    (void)test_client_wait_closed(fd, FUZZ_IO_MS);
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t channels[] = { SPICE_CHANNEL_MAIN, SPICE_CHANNEL_DISPLAY,
                                        SPICE_CHANNEL_CURSOR, SPICE_CHANNEL_INPUTS };
    TestQxlServer *ts = fuzz_server();
    if (size < 1) {
        return 0;
    }
    unsigned sel = data[0] % 5;
    const uint8_t *rest = data + 1;
    size_t n = size - 1;
    if (sel == 0) {
        int fd = test_client_connect(ts->port, 0);
        if (fd >= 0) {
            (void)test_client_write_all(fd, rest, n);
        }
        fuzz_finish(fd);
        return 0;
    }
    uint32_t session = 0;
    int main_fd = test_client_open_session(ts->port, TEST_QXL_SERVER_PASSWORD, &session,
                                           FUZZ_IO_MS);
    if (main_fd < 0) {
        return 0;
    }
    int fd = main_fd;
    uint8_t type = channels[sel - 1];
    if (type != SPICE_CHANNEL_MAIN) {
        fd = test_client_connect(ts->port, 0);
        if (fd >= 0 && test_client_link(fd, type, session, TEST_QXL_SERVER_PASSWORD,
                                        FUZZ_IO_MS) != SPICE_LINK_ERR_OK) {
            close(fd);
            fd = -1;
        }
    }
    if (fd >= 0) {
        (void)test_client_write_all(fd, rest, n);
        fuzz_finish(fd);
    }
    if (fd != main_fd) {
        fuzz_finish(main_fd);
    }
    return 0;
}
