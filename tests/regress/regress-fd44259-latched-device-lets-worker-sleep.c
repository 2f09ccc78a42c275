// SPDX-License-Identifier: GPL-2.0-or-later
/* regress-fd44259-latched-device-lets-worker-sleep: before fd44259 a QXL
 * device in its guest-bug state (the latch) hands out no commands, yet its
 * req_cmd_notification / req_cursor_notification answered from the broken
 * ring: producer != consumer, "no, do not sleep, something is there".  The
 * server's worker asked again and again and spun, and the guest's next
 * QXL_IO_RESET hung behind it.  Now a latched device answers "sleep until a
 * push" (1) for both rings.
 *
 * The exact input: a driver that breaks both rings (producer a thousand
 * items past the consumer) and notifies.  Once latched, the device's
 * QXLInterface (called here as the server calls it) tells the worker to
 * sleep on both rings; and QXL_IO_RESET + setup brings a drawing device
 * back. */
#include "config.h"

#include "qxl-fixture.h"
#include "regress-qxl-latch.h"
#include "test-util.h"

#define W 64
#define H 64
#define DEADLINE_US (5 * G_USEC_PER_SEC)

static QxlFixture fx;

static void test_latched_device_lets_worker_sleep(void)
{
    if (qxl_fixture_start(&fx, false) != 0 || qxl_fixture_create_primary(&fx, W, H, false) != 0) {
        fprintf(stderr, "fixture failed to start\n");
        exit(1);
    }
    CHECK(regress_qxl_latch(&fx, g_get_monotonic_time() + DEADLINE_US));
    QXLInstance *qin = qxl_device_instance(fx.dev);
    const QXLInterface *qif = SPICE_CONTAINEROF(qin->base.sif, QXLInterface, base);
    CHECK_EQ_U64(qif->req_cmd_notification(qin), 1);
    CHECK_EQ_U64(qif->req_cursor_notification(qin), 1);
    QXLCommandExt ext;
    CHECK_EQ_U64(qif->get_command(qin, &ext), 0);
    CHECK_EQ_U64(qif->get_cursor_command(qin, &ext), 0);

    /* The reset is heard and the device draws again. */
    CHECK(gqxl_hw_setup(&fx.hw) == 0);
    CHECK(!qxl_device_in_guest_bug(fx.dev));
    gqxl_releases_finish(&fx.rel, &fx.hw); /* the reset dropped what was in flight */
    gqxl_releases_init(&fx.rel);
    CHECK(qxl_fixture_create_primary(&fx, W, H, false) == 0);
    QXLRect box = { 0, 0, 8, 8 };
    CHECK(gqxl_cmd_fill(&fx.hw, &fx.rel, 0, &box, 0x00123456) == 0);
    CHECK(gqxl_hw_async_io(&fx.hw, QXL_IO_FLUSH_SURFACES_ASYNC, 0) == 0);
    CHECK_EQ_U64(qxl_fixture_primary_pixel(&fx, W, 2, 2), 0x00123456);
    CHECK(qxl_fixture_collect_all(&fx, DEADLINE_US));
    qxl_fixture_stop(&fx);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_latched_device_lets_worker_sleep),
    };
    if (test_check_spice_server(true) != 0) {
        return 1;
    }
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
