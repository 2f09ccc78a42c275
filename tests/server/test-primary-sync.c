/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-primary-sync: when the primary surface's pixels reach the guest's
 * memory, through <spice.h> only, so the same program checks our library
 * and Debian's (test-primary-sync-debian).
 *
 * QEMU reads the QXL primary from guest memory for its screendump, after a
 * spice_qxl_update_area.  spice-server writes a drawable into that memory at
 * an update area, a flush or a VM stop, and drops the ones still pending
 * when the guest destroys the primary.  A Linux guest blanks the screen just
 * before it destroys the primary on the way into S3, so only with that rule
 * does the screendump of the sleeping guest show the picture from before:
 *
 *  1. a red fill, spice_qxl_flush_surfaces_async: the memory is red;
 *  2. a blue fill, a synchronous update area of the whole surface: blue;
 *  3. a green fill, then the destroy: the memory stays blue.
 * A server that draws into the guest's memory as it takes each command
 * leaves it green at 3.
 */
#include "config.h"

#include <glib.h>

#include "test-qxl-server.h"

#define SYNC_W 64
#define SYNC_H 48
#define SYNC_TIMEOUT_MS 20000
#define SYNC_COOKIE 0x5e5e

/* The colour of the guest's memory, as stored (the x byte ignored). */
static uint32_t memory_rgb(TestQxlServer *ts, uint32_t x, uint32_t y)
{
    return fake_qxl_primary_pixel(ts->qxl, x, y) & 0xffffff;
}

static void fill_all(TestQxlServer *ts, uint32_t rgb)
{
    QXLRect all = { .top = 0, .left = 0, .bottom = SYNC_H, .right = SYNC_W };
    g_assert_cmpint(fake_qxl_submit_fill(ts->qxl, &all, rgb), ==, 0);
}

static void test_primary_memory_follows_the_sync_points(void)
{
    TestQxlServer *ts = test_qxl_server_create(SYNC_W, SYNC_H, TEST_QXL_SERVER_RAW);
    g_assert_nonnull(ts);
    QXLInstance *qin = fake_qxl_get_instance(ts->qxl);

    fill_all(ts, 0xff0000);
    spice_qxl_flush_surfaces_async(qin, SYNC_COOKIE);
    g_assert_cmpuint(fake_qxl_wait_async(ts->qxl, SYNC_COOKIE, SYNC_TIMEOUT_MS), ==, 1);
    g_assert_cmphex(memory_rgb(ts, 5, 5), ==, 0xff0000);

    fill_all(ts, 0x0000ff);
    QXLRect all = { .top = 0, .left = 0, .bottom = SYNC_H, .right = SYNC_W };
    spice_qxl_update_area(qin, 0, &all, NULL, 0, 1);
    g_assert_cmphex(memory_rgb(ts, 5, 5), ==, 0x0000ff);
    g_assert_cmphex(memory_rgb(ts, SYNC_W - 1, SYNC_H - 1), ==, 0x0000ff);

    /* The destroy takes the green fill off the ring first (both servers
     * empty the ring there), and never writes it to the memory. */
    fill_all(ts, 0x00ff00);
    fake_qxl_destroy_primary_keep_buffer(ts->qxl);
    g_assert_cmphex(memory_rgb(ts, 5, 5), ==, 0x0000ff);
    g_assert_cmphex(memory_rgb(ts, SYNC_W - 1, SYNC_H - 1), ==, 0x0000ff);

    g_assert_true(test_qxl_server_destroy(ts, SYNC_TIMEOUT_MS));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/primary-sync/memory-follows-the-sync-points",
                    test_primary_memory_follows_the_sync_points);
    return g_test_run();
}
