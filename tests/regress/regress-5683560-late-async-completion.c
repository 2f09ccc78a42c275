// SPDX-License-Identifier: GPL-2.0-or-later
/* regress-5683560-late-async-completion: before 5683560 the device's
 * iface_async_complete (qemu-hw-qxl/qxl/qxl-spice.c) cleared current_async
 * whatever I/O the completion's cookie named.  A reset drops an async I/O
 * without waiting for its completion; the guest then starts a new one, and
 * the old one's late completion ended the new one.  When the new one's own
 * completion came, it was dropped as "not current": the guest waited for an
 * IO_CMD interrupt that never came.
 *
 * The exact input: while a QXL_IO_FLUSH_SURFACES_ASYNC is in flight, a
 * completion with the cookie of another I/O (CREATE_PRIMARY_ASYNC) reaches
 * the device through its QXLInterface, as the server would deliver it.  The
 * flush must still end with its IO_CMD interrupt, counted once, with no
 * guest bug.  The stale completion must land while the flush is in flight;
 * a fast server may finish first, and then the round is tried again with a
 * fuller ring (bounded: the last check says whether one round overlapped). */
#include "config.h"

#include "qxl-fixture.h"
#include "qxl-private.h" /* QXL_COOKIE_IO: the cookies the device gives the server */
#include "test-util.h"

#define W 640
#define H 480
#define DEADLINE_US (5 * G_USEC_PER_SEC)
#define ATTEMPTS 10

static QxlFixture fx;

static uint64_t async_completions(void)
{
    QxlDeviceStats st;
    qxl_device_get_stats(fx.dev, &st);
    return st.async_completions;
}

static void test_late_completion_keeps_new_io(void)
{
    if (qxl_fixture_start(&fx, false) != 0 || qxl_fixture_create_primary(&fx, W, H, false) != 0) {
        fprintf(stderr, "fixture failed to start\n");
        exit(1);
    }
    QXLInstance *qin = qxl_device_instance(fx.dev);
    const QXLInterface *qif = SPICE_CONTAINEROF(qin->base.sif, QXLInterface, base);
    QXLRect all = { 0, 0, H, W };
    bool in_flight = false;
    for (int attempt = 0; attempt < ATTEMPTS && !in_flight; attempt++) {
        /* Full-screen fills give the server work before the flush ends. */
        for (int i = 0; i < 8 + 4 * attempt; i++) {
            CHECK(gqxl_cmd_fill(&fx.hw, &fx.rel, 0, &all, 0x040506u * (uint32_t)i) == 0);
        }
        uint64_t done0 = async_completions();
        gqxl_hw_take_irq(&fx.hw);
        gqxl_hw_out(&fx.hw, QXL_IO_FLUSH_SURFACES_ASYNC, 0);
        qif->async_complete(qin, QXL_COOKIE_IO(QXL_IO_CREATE_PRIMARY_ASYNC));
        /* Not counted yet after the stale one went in: it went in first. */
        in_flight = async_completions() == done0;
        CHECK(gqxl_hw_wait(&fx.hw, QXL_INTERRUPT_IO_CMD, g_get_monotonic_time() + DEADLINE_US) &
              QXL_INTERRUPT_IO_CMD);
        CHECK_EQ_U64(async_completions(), done0 + 1);
        CHECK(!qxl_device_in_guest_bug(fx.dev));
        CHECK(qxl_fixture_collect_all(&fx, DEADLINE_US));
    }
    CHECK(in_flight);
    qxl_fixture_stop(&fx);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_late_completion_keeps_new_io),
    };
    if (test_check_spice_server(true) != 0) {
        return 1;
    }
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
