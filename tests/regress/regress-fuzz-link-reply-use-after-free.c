// SPDX-License-Identifier: GPL-2.0-or-later
/* regress-fuzz-link-reply-use-after-free: found by fuzz-spice-server on its
 * first run.  A link message without the MINI_HEADER common cap is refused
 * in link_reply (server/net/red-link.c), which frees the link; link_step
 * then read the freed link's state to decide whether to go on (ASan:
 * heap-use-after-free in the server's loop thread).  Now link_reply says
 * whether the link still exists.  Asserted: the refused client gets the
 * link error and a closed connection, and the server still links a correct
 * client afterwards. */
#include "config.h"

#include <unistd.h>

#include <glib.h>

#include "test-client.h"
#include "test-qxl-server.h"
#include "test-util.h"

#define IO_MS 10000

/* A link for the main channel whose only common cap is AUTH_SPICE: no
 * MINI_HEADER.  SpiceLinkHeader (magic "REDQ", version 2.2, size of the
 * message), then SpiceLinkMess (connection id 0, channel MAIN id 0, one
 * common cap word, no channel caps, caps at offset 18), then the cap. */
static int send_link_without_mini_header(int fd)
{
    const uint8_t link[] = {
        'R', 'E', 'D', 'Q', 2, 0, 0, 0, 2, 0, 0, 0, 22, 0, 0, 0,
        0, 0, 0, 0, SPICE_CHANNEL_MAIN, 0, 1, 0, 0, 0, 0, 0, 0, 0, 18, 0, 0, 0,
        1u << SPICE_COMMON_CAP_AUTH_SPICE, 0, 0, 0,
    };
    return test_client_write_all(fd, link, sizeof(link));
}

static void test_link_refused_in_reply(void)
{
    TestQxlServer *ts = test_qxl_server_create(64, 64, TEST_QXL_SERVER_RAW);
    CHECK(ts != NULL);
    if (ts == NULL) {
        return;
    }
    int fd = test_client_connect(ts->port, 0);
    CHECK(fd >= 0 && send_link_without_mini_header(fd) == 0);
    uint8_t key[SPICE_TICKET_PUBKEY_BYTES];
    CHECK_EQ_U64(test_client_read_reply(fd, key, IO_MS), SPICE_LINK_ERR_ERROR);
    CHECK(test_client_wait_closed(fd, IO_MS));
    close(fd);

    uint32_t session = 0;
    int main_fd = test_client_open_session(ts->port, TEST_QXL_SERVER_PASSWORD, &session, IO_MS);
    CHECK(main_fd >= 0 && session != 0);
    if (main_fd >= 0) {
        close(main_fd);
    }
    CHECK(test_qxl_server_destroy(ts, IO_MS));
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_link_refused_in_reply),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
