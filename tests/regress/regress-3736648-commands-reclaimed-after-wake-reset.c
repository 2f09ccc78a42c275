// SPDX-License-Identifier: GPL-2.0-or-later
/* regress-3736648-commands-reclaimed-after-wake-reset: before 3736648 a
 * freeze that failed because the driver skipped QXL_IO_FLUSH_RELEASE left
 * its commands outstanding for ever: the device never gave them back, and
 * the thaw after the machine's wake reset kept them, so their device memory
 * leaked and the next suspend could not take every command back.  The reset
 * is what frees them: the resume now reclaims every outstanding command
 * after QXL_IO_RESET.
 *
 * The exact input: the guest KMS driver (guest-kms) with a framebuffer
 * scanned out and damaged, the skip-flush-release fault, a suspend that
 * fails, the machine's S3 and wake reset, then the thaw without the fault.
 * After the thaw every command submitted before the reset counts as
 * released, and a clean suspend takes every command back. */
#include "config.h"

#include <errno.h>

#include "gkms.h"
#include "qxl-fixture.h"
#include "test-util.h"

#define W 320
#define H 240

static QxlFixture fx;

static GkmsStats books(GkmsDevice *dev)
{
    GkmsStats st;
    gkms_get_stats(dev, &st);
    return st;
}

static void test_reclaimed_after_wake_reset(void)
{
    CHECK(qxl_fixture_start_device(&fx, false) == 0);
    GkmsDevice *dev = gkms_open_qxl(fx.bus, 0);
    CHECK(dev != NULL);
    GkmsDumb *fb = gkms_dumb_create(dev, W, H);
    CHECK(fb != NULL);
    GkmsMode mode = { W, H };
    CHECK(gkms_crtc_set(dev, fb, &mode) == 0);
    pixman_box32_t dmg = { 10, 10, 100, 80 };
    CHECK(gkms_fb_dirty(dev, &dmg, 1) == 0);

    /* The failed freeze: its commands never come back before the reset. */
    gkms_set_faults(dev, GKMS_FAULT_SKIP_FLUSH_RELEASE);
    CHECK(gkms_suspend(dev) == -EIO);
    CHECK(qxl_fixture_suspend_and_wake(&fx) == 0);
    gkms_set_faults(dev, GKMS_FAULT_NONE);
    GkmsStats before = books(dev);
    CHECK(before.commands_outstanding > 0);

    CHECK(gkms_resume(dev) == 0);
    GkmsStats after = books(dev);
    /* Every command of before the reset counts as back (the thaw's own
     * redraw may still be in flight). */
    CHECK(after.commands_released >= before.commands_submitted);
    CHECK(after.commands_outstanding <= after.commands_submitted - before.commands_submitted);

    /* A clean freeze now takes every command back. */
    CHECK(gkms_suspend(dev) == 0);
    CHECK_EQ_U64(books(dev).commands_outstanding, 0);
    CHECK(qxl_fixture_suspend_and_wake(&fx) == 0);
    CHECK(gkms_resume(dev) == 0);

    gkms_dumb_destroy(fb);
    gkms_close(dev);
    qxl_fixture_stop(&fx);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_reclaimed_after_wake_reset),
    };
    if (test_check_spice_server(true) != 0) {
        return 1;
    }
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
