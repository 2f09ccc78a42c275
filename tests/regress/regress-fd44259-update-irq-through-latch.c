// SPDX-License-Identifier: GPL-2.0-or-later
/* regress-fd44259-update-irq-through-latch: before fd44259 a QXL device in
 * its guest-bug state (the latch) ignored every port but QXL_IO_RESET,
 * QXL_IO_UPDATE_IRQ included.  A guest that took the ERROR interrupt and
 * acknowledged it (int_pending cleared, UPDATE_IRQ written, as Linux's
 * handler does) could not lower the line: an interrupt storm until the
 * reset.  Now the acknowledge passes the latch; nothing else does.
 *
 * The exact input: a driver that breaks its rings, is latched, and takes
 * the ERROR interrupt.  The line must go low and the device stay latched
 * (the acknowledge is no reset); QXL_IO_RESET + setup then brings it back. */
#include "config.h"

#include "qxl-fixture.h"
#include "regress-qxl-latch.h"
#include "test-util.h"

#define W 64
#define H 64
#define DEADLINE_US (5 * G_USEC_PER_SEC)
/* Acknowledges tried in a row: an interrupt the device raises between one
 * and the next (a release it still pushes) may keep the line up once. */
#define ACK_ROUNDS 8

static QxlFixture fx;

static void test_update_irq_through_latch(void)
{
    if (qxl_fixture_start(&fx, false) != 0 || qxl_fixture_create_primary(&fx, W, H, false) != 0) {
        fprintf(stderr, "fixture failed to start\n");
        exit(1);
    }
    CHECK(regress_qxl_latch(&fx, g_get_monotonic_time() + DEADLINE_US));
    CHECK(vm_irq_level(vm_machine_irq(fx.vm, fx.hw.irq_line)));
    uint64_t errors0 = fx.hw.irq_error;
    for (int i = 0; i < ACK_ROUNDS && vm_irq_level(vm_machine_irq(fx.vm, fx.hw.irq_line)); i++) {
        gqxl_hw_take_irq(&fx.hw); /* clears int_pending, writes UPDATE_IRQ */
    }
    CHECK_EQ_U64(fx.hw.irq_error, errors0 + 1);
    CHECK(!vm_irq_level(vm_machine_irq(fx.vm, fx.hw.irq_line)));
    CHECK(qxl_device_in_guest_bug(fx.dev));

    CHECK(gqxl_hw_setup(&fx.hw) == 0);
    CHECK(!qxl_device_in_guest_bug(fx.dev));
    gqxl_releases_finish(&fx.rel, &fx.hw); /* the reset dropped what was in flight */
    gqxl_releases_init(&fx.rel);
    qxl_fixture_stop(&fx);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_update_irq_through_latch),
    };
    if (test_check_spice_server(true) != 0) {
        return 1;
    }
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
