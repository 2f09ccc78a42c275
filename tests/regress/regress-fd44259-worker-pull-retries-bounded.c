// SPDX-License-Identifier: GPL-2.0-or-later
/* regress-fd44259-worker-pull-retries-bounded: before fd44259, the display
 * worker's command pull (worker_pull, server/display/red-worker-commands.c)
 * retried for ever when the device answered req_cmd_notification with 0
 * ("a command may have arrived, do not sleep") and get_command still had
 * none: a broken ring kept the worker in that loop, so no request from
 * QEMU (an async flush, the reset that would mend the ring) was ever served.
 * Now the retries are bounded by the pull budget and requests get a turn.
 *
 * Through <spice.h> only, with the fake QXL device in its broken-ring mode:
 * once the worker is seen asking (the device counts its notification
 * requests), an async flush must complete, and after the ring is mended a
 * draw must be fetched and released.  A worker that never leaves the loop
 * fails the bounded wait; the program then exits at once, since tearing
 * down a server whose worker is stuck would hang. */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <glib.h>

#include "test-qxl-server.h"
#include "test-util.h"

#define PULL_WIDTH 64
#define PULL_HEIGHT 64
#define PULL_COOKIE 0xfd44259ull
/* Notification requests to see before the flush is posted: any number
 * above one pull budget shows the worker is inside its retry loop. */
#define PULL_SPINS 1000
/* Bounded waits; reaching one is a hang, not a speed measurement. */
#define PULL_TIMEOUT_MS 10000

static void test_broken_ring_leaves_room_for_requests(void)
{
    TestQxlServer *ts = test_qxl_server_create(PULL_WIDTH, PULL_HEIGHT, TEST_QXL_SERVER_RAW);
    CHECK(ts != NULL);
    if (ts == NULL) {
        return;
    }
    fake_qxl_set_broken_ring(ts->qxl, true);
    CHECK(fake_qxl_wait_asking(ts->qxl, PULL_SPINS, PULL_TIMEOUT_MS));

    spice_qxl_flush_surfaces_async(fake_qxl_get_instance(ts->qxl), PULL_COOKIE);
    if (fake_qxl_wait_async_count(ts->qxl, PULL_COOKIE, 1, PULL_TIMEOUT_MS) < 1) {
        fprintf(stderr, "the flush never completed: the worker is stuck pulling from "
                "a broken ring\n");
        fflush(NULL);
        _exit(1);
    }

    fake_qxl_set_broken_ring(ts->qxl, false);
    uint32_t px[16 * 16];
    for (size_t i = 0; i < G_N_ELEMENTS(px); i++) {
        px[i] = 0x00336699;
    }
    QXLRect box = { .top = 0, .left = 0, .bottom = 16, .right = 16 };
    FakeQxlBitmap bmp = { .pixels = px, .width = 16, .height = 16,
                          .data = FAKE_QXL_BITMAP_DIRECT, .rows = FAKE_QXL_TOP_DOWN };
    CHECK(fake_qxl_submit_copy(ts->qxl, &box, &bmp) == 0);
    CHECK(fake_qxl_wait_all_released(ts->qxl, PULL_TIMEOUT_MS));
    CHECK(test_qxl_server_destroy(ts, PULL_TIMEOUT_MS));
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_broken_ring_leaves_room_for_requests),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
