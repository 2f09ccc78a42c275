/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-gkms: the guest KMS driver (guest-kms) on the QXL device and a real
 * libspice-server (ours or Debian's, whichever this program links):
 * mode set, framebuffer damage, overlay planes, cursor, and the seed-004
 * suspend/resume, including a device that loses its VRAM while asleep.
 *
 * The picture is checked where the device keeps it: the primary surface in
 * BAR0.  A suspend flushes every surface into device memory, so "suspend,
 * then read the primary" is the screenshot; after a resume the next suspend
 * gives the screenshot of the restored screen.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "gkms.h"
#include "qxl-fixture.h"
#include "test-util.h"

#define W 640
#define H 480

static QxlFixture fx;

typedef struct Scene {
    GkmsDevice *dev;
    GkmsDumb *fb;
    GkmsSurface *overlay;
    pixman_image_t *overlay_pixels;   /* what the overlay must hold */
    pixman_image_t *expected;         /* fb + overlay, composed here */
} Scene;

#define OV_X 200
#define OV_Y 120
#define OV_W 160
#define OV_H 96

static void fill(pixman_image_t *img, int x, int y, int w, int h, uint32_t xrgb)
{
    pixman_color_t c = { (uint16_t)((xrgb >> 16 & 0xff) * 0x101), (uint16_t)((xrgb >> 8 & 0xff) * 0x101),
                         (uint16_t)((xrgb & 0xff) * 0x101), 0xffff };
    pixman_box32_t b = { x, y, x + w, y + h };
    pixman_image_fill_boxes(PIXMAN_OP_SRC, img, &c, 1, &b);
}

/* The screen as the test composes it: the framebuffer, the overlay on top. */
static void compose_expected(Scene *s)
{
    pixman_image_composite32(PIXMAN_OP_SRC, gkms_dumb_map(s->fb), NULL, s->expected, 0, 0, 0, 0,
                             0, 0, W, H);
    pixman_image_composite32(PIXMAN_OP_SRC, s->overlay_pixels, NULL, s->expected, 0, 0, 0, 0,
                             OV_X, OV_Y, OV_W, OV_H);
}

static const uint32_t *device_primary(void)
{
    VmPciDevice *pci = qxl_device_pci(fx.dev);
    return vm_machine_gpa_to_host(fx.vm, pci->bars[0].gpa, (uint64_t)W * H * 4);
}

static uint8_t *device_vram(uint64_t *size)
{
    VmPciDevice *pci = qxl_device_pci(fx.dev);
    *size = pci->bars[1].size;
    return vm_machine_gpa_to_host(fx.vm, pci->bars[1].gpa, *size);
}

/* Pixels of the device's primary that differ from the expected screen. */
static unsigned screen_diff(Scene *s)
{
    const uint32_t *got = device_primary();
    const uint32_t *want = pixman_image_get_data(s->expected);
    int want_stride = pixman_image_get_stride(s->expected) / 4;
    unsigned bad = 0;
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            if (((got[y * W + x] ^ want[y * want_stride + x]) & 0xffffff) != 0) {
                if (bad++ == 0) {
                    fprintf(stderr, "  first difference at %d,%d: %06x, want %06x\n", x, y,
                            got[y * W + x] & 0xffffff, want[y * want_stride + x] & 0xffffff);
                }
            }
        }
    }
    return bad;
}

/* Desktop: a background, a few "windows" drawn in the framebuffer, an
 * overlay plane with its own pixels (a fill and an upload), a cursor. */
static void scene_setup(Scene *s)
{
    memset(s, 0, sizeof(*s));
    CHECK(qxl_fixture_start_device(&fx, false) == 0);
    s->dev = gkms_open_qxl(fx.bus, 0);
    CHECK(s->dev != NULL);
    GkmsMode modes[GKMS_MAX_MODES];
    unsigned n = gkms_connector_modes(s->dev, modes, GKMS_MAX_MODES);
    bool found = false;
    for (unsigned i = 0; i < n; i++) {
        found |= modes[i].width == W && modes[i].height == H;
    }
    CHECK(found);

    s->fb = gkms_dumb_create(s->dev, W, H);
    pixman_image_t *img = gkms_dumb_map(s->fb);
    fill(img, 0, 0, W, H, 0x204060);
    fill(img, 40, 40, 300, 200, 0xe0e0e0);
    fill(img, 40, 40, 300, 20, 0x3050a0);
    GkmsMode mode = { W, H };
    CHECK(gkms_crtc_set(s->dev, s->fb, &mode) == 0);
    /* Damage after the mode set: only the new window is sent. */
    fill(img, 360, 260, 220, 160, 0xf0d000);
    pixman_box32_t dmg = { 360, 260, 580, 420 };
    CHECK(gkms_fb_dirty(s->dev, &dmg, 1) == 0);

    s->overlay = gkms_surface_create(s->dev, OV_W, OV_H);
    CHECK(s->overlay != NULL);
    s->overlay_pixels = pixman_image_create_bits(PIXMAN_x8r8g8b8, OV_W, OV_H, NULL, 0);
    pixman_box32_t all = { 0, 0, OV_W, OV_H };
    CHECK(gkms_surface_fill(s->overlay, &all, 0x00a040) == 0);
    fill(s->overlay_pixels, 0, 0, OV_W, OV_H, 0x00a040);
    pixman_image_t *patch = pixman_image_create_bits(PIXMAN_x8r8g8b8, 32, 32, NULL, 0);
    fill(patch, 0, 0, 32, 32, 0xc02020);
    fill(patch, 8, 8, 16, 16, 0xffffff);
    pixman_box32_t pb = { 0, 0, 32, 32 };
    CHECK(gkms_surface_upload(s->overlay, patch, &pb, 20, 30) == 0);
    pixman_image_composite32(PIXMAN_OP_SRC, patch, NULL, s->overlay_pixels, 0, 0, 0, 0, 20, 30,
                             32, 32);
    pixman_image_unref(patch);
    CHECK(gkms_plane_set(s->dev, 0, s->overlay, OV_X, OV_Y) == 0);

    pixman_image_t *cur = pixman_image_create_bits(PIXMAN_a8r8g8b8, 16, 16, NULL, 0);
    pixman_color_t white = { 0xffff, 0xffff, 0xffff, 0xffff };
    pixman_box32_t cb = { 0, 0, 8, 16 };
    pixman_image_fill_boxes(PIXMAN_OP_SRC, cur, &white, 1, &cb);
    CHECK(gkms_cursor_set(s->dev, cur, 0, 0) == 0);
    CHECK(gkms_cursor_move(s->dev, 100, 100) == 0);
    pixman_image_unref(cur);

    s->expected = pixman_image_create_bits(PIXMAN_x8r8g8b8, W, H, NULL, 0);
    compose_expected(s);
}

static void scene_teardown(Scene *s)
{
    gkms_surface_destroy(s->overlay);
    gkms_dumb_destroy(s->fb);
    gkms_close(s->dev);
    qxl_fixture_stop(&fx);
    pixman_image_unref(s->overlay_pixels);
    pixman_image_unref(s->expected);
}

/* A device that loses BAR1 in S3 (real GPUs lose VRAM): only what the
 * driver saved to its backing store comes back. */
static void clobber_vram(void *data)
{
    (void)data;
    uint64_t size;
    uint8_t *vram = device_vram(&size);
    memset(vram, 0xab, size);
}

static void check_clean_s3_audit(void)
{
    QxlDeviceStats st;
    qxl_device_get_stats(fx.dev, &st);
    CHECK_EQ_U64(st.s3_unflushed_releases, 0);
    CHECK_EQ_U64(st.s3_ring_commands, 0);
    CHECK_EQ_U64(st.destroys_before_flush, 0);
    CHECK_EQ_U64(st.guest_bugs, 0);
}

/* Three cycles, VRAM lost each time: the screen after each wake equals the
 * screen before, and the driver's books return to their baseline. */
static void test_suspend_resume_cycles(void)
{
    Scene s;
    scene_setup(&s);
    GkmsStats base;
    for (int cycle = 0; cycle < 3; cycle++) {
        CHECK(gkms_suspend(s.dev) == 0);
        CHECK_EQ_U64(screen_diff(&s), 0);
        GkmsStats st;
        gkms_get_stats(s.dev, &st);
        CHECK_EQ_U64(st.commands_outstanding, 0);
        CHECK_EQ_U64(st.device_allocations, 0);
        CHECK_EQ_U64(st.commands_submitted, st.commands_released);
        if (cycle == 0) {
            base = st;
        }
        CHECK_EQ_U64(st.surfaces, base.surfaces);
        /* Commits are refused while suspended, as DRM blocks userspace. */
        pixman_box32_t b = { 0, 0, 8, 8 };
        CHECK(gkms_fb_dirty(s.dev, &b, 1) == -EBUSY);

        CHECK(qxl_fixture_suspend_and_wake_with(&fx, clobber_vram, NULL) == 0);
        check_clean_s3_audit();
        CHECK(gkms_resume(s.dev) == 0);
        gkms_get_stats(s.dev, &st);
        /* Resume re-creates the primary and the overlay surface. */
        CHECK_EQ_U64(st.resource_creations, base.resource_creations + 2 * (uint64_t)(cycle + 1));
    }
    /* The screen after the last wake, as the next suspend flushes it. */
    CHECK(gkms_suspend(s.dev) == 0);
    CHECK_EQ_U64(screen_diff(&s), 0);
    CHECK(qxl_fixture_suspend_and_wake(&fx) == 0);
    CHECK(gkms_resume(s.dev) == 0);
    QxlDeviceStats dst;
    qxl_device_get_stats(fx.dev, &dst);
    CHECK_EQ_U64(dst.s3_entries, 4);
    /* DESTROY_ALL_SURFACES took the primary with the rest. */
    CHECK_EQ_U64(dst.s3_primary_alive, 0);
    scene_teardown(&s);
}

/* Staged commits: a state that fails its check changes nothing on the
 * device, the committed state included; a good one moves the overlay,
 * flips to another framebuffer and moves the cursor in one commit; the
 * next wake replays it, VRAM lost or not. */
static void test_staged_commit(void)
{
    Scene s;
    scene_setup(&s);
    GkmsDumb *small = gkms_dumb_create(s.dev, W / 2, H / 2);
    GkmsDumb *next = gkms_dumb_create(s.dev, W, H);
    fill(gkms_dumb_map(next), 0, 0, W, H, 0x602040);
    fill(gkms_dumb_map(next), 100, 300, 200, 100, 0x40c0c0);
    GkmsStats st0;
    gkms_get_stats(s.dev, &st0);

    /* Bad: the plane moves, but the new framebuffer is smaller than the
     * mode a mode set asks for; and a plane that does not exist. */
    GkmsState *bad = gkms_state_new(s.dev);
    gkms_state_set_plane(bad, 0, s.overlay, 10, 10);
    GkmsMode mode = { W, H };
    gkms_state_set_crtc(bad, small, &mode);
    CHECK(gkms_state_check(s.dev, bad) == -EINVAL);
    CHECK(gkms_state_commit(s.dev, bad) == -EINVAL);
    CHECK(strstr(gkms_last_error(s.dev), "smaller") != NULL);
    gkms_state_free(bad);
    bad = gkms_state_new(s.dev);
    gkms_state_set_plane(bad, GKMS_MAX_OVERLAYS, s.overlay, 0, 0);
    CHECK(gkms_state_commit(s.dev, bad) == -EINVAL);
    gkms_state_free(bad);
    GkmsStats st1;
    gkms_get_stats(s.dev, &st1);
    CHECK_EQ_U64(st1.commands_submitted, st0.commands_submitted);   /* device untouched */
    CHECK(gkms_suspend(s.dev) == 0);
    CHECK_EQ_U64(screen_diff(&s), 0);                   /* the old picture */
    CHECK(qxl_fixture_suspend_and_wake(&fx) == 0);
    CHECK(gkms_resume(s.dev) == 0);

    /* Good: three changes, one commit. */
    GkmsState *good = gkms_state_new(s.dev);
    gkms_state_set_fb(good, next);
    gkms_state_set_plane(good, 0, s.overlay, 400, 40);
    gkms_state_move_cursor(good, 300, 200);
    CHECK(gkms_state_check(s.dev, good) == 0);
    CHECK(gkms_state_commit(s.dev, good) == 0);
    gkms_state_free(good);
    pixman_image_composite32(PIXMAN_OP_SRC, gkms_dumb_map(next), NULL, s.expected, 0, 0, 0, 0,
                             0, 0, W, H);
    pixman_image_composite32(PIXMAN_OP_SRC, s.overlay_pixels, NULL, s.expected, 0, 0, 0, 0,
                             400, 40, OV_W, OV_H);
    /* Committed, then replayed after a wake that lost VRAM. */
    for (int cycle = 0; cycle < 2; cycle++) {
        CHECK(gkms_suspend(s.dev) == 0);
        CHECK_EQ_U64(screen_diff(&s), 0);
        CHECK(qxl_fixture_suspend_and_wake_with(&fx, clobber_vram, NULL) == 0);
        CHECK(gkms_resume(s.dev) == 0);
    }
    /* While suspended, a check already says no. */
    CHECK(gkms_suspend(s.dev) == 0);
    GkmsState *late = gkms_state_new(s.dev);
    CHECK(gkms_state_check(s.dev, late) == -EBUSY);
    gkms_state_free(late);
    CHECK(qxl_fixture_suspend_and_wake(&fx) == 0);
    CHECK(gkms_resume(s.dev) == 0);
    CHECK(gkms_page_flip(s.dev, s.fb) == 0);
    gkms_dumb_destroy(next);
    gkms_dumb_destroy(small);
    scene_teardown(&s);
}

/* Drawing still on the ring when the suspend starts is rendered, none
 * lost: 300 small damage rectangles, then suspend at once. */
static void test_commands_in_flight_rendered(void)
{
    Scene s;
    scene_setup(&s);
    pixman_image_t *img = gkms_dumb_map(s.fb);
    for (int i = 0; i < 300; i++) {
        int x = (i * 37) % (W - 10), y = (i * 53) % (H - 10);
        fill(img, x, y, 10, 10, 0x010101u * (uint32_t)i);
        pixman_box32_t b = { x, y, x + 10, y + 10 };
        CHECK(gkms_fb_dirty(s.dev, &b, 1) == 0);
    }
    compose_expected(&s);
    CHECK(gkms_suspend(s.dev) == 0);
    CHECK_EQ_U64(screen_diff(&s), 0);
    GkmsStats st;
    gkms_get_stats(s.dev, &st);
    CHECK_EQ_U64(st.commands_outstanding, 0);
    CHECK(qxl_fixture_suspend_and_wake(&fx) == 0);
    CHECK(gkms_resume(s.dev) == 0);
    scene_teardown(&s);
}

/* Without the save to the backing store, a device that loses VRAM brings
 * the overlay back as garbage: the check above can fail. */
static void test_skip_evict_loses_overlay(void)
{
    Scene s;
    scene_setup(&s);
    gkms_set_faults(s.dev, GKMS_FAULT_SKIP_EVICT);
    CHECK(gkms_suspend(s.dev) == 0);
    CHECK(qxl_fixture_suspend_and_wake_with(&fx, clobber_vram, NULL) == 0);
    CHECK(gkms_resume(s.dev) == 0);
    gkms_set_faults(s.dev, 0);
    CHECK(gkms_suspend(s.dev) == 0);
    unsigned bad = screen_diff(&s);
    CHECK(bad > 0);
    CHECK(bad <= OV_W * OV_H); /* only the overlay */
    CHECK(qxl_fixture_suspend_and_wake(&fx) == 0);
    CHECK(gkms_resume(s.dev) == 0);
    scene_teardown(&s);
}

/* A driver that skips QXL_IO_FLUSH_RELEASE: its own suspend reports the
 * commands that never came back (bounded, no hang), and the device's S3
 * audit names the missing flush. */
static void test_skip_flush_release_detected(void)
{
    Scene s;
    scene_setup(&s);
    gkms_set_faults(s.dev, GKMS_FAULT_SKIP_FLUSH_RELEASE);
    int64_t t0 = g_get_monotonic_time();
    CHECK(gkms_suspend(s.dev) == -EIO);
    CHECK(g_get_monotonic_time() - t0 < 4 * G_USEC_PER_SEC);
    printf("  driver: %s\n", gkms_last_error(s.dev));
    CHECK(strstr(gkms_last_error(s.dev), "FLUSH_RELEASE") != NULL);
    CHECK(qxl_fixture_suspend_and_wake(&fx) == 0);
    QxlDeviceStats st;
    qxl_device_get_stats(fx.dev, &st);
    printf("  device: %s\n", st.last_s3_problem);
    CHECK(st.s3_unflushed_releases > 0);
    CHECK(strstr(st.last_s3_problem, "FLUSH_RELEASE") != NULL);
    /* The thaw reclaims those commands (3736648; checked by
     * tests/regress/regress-3736648-commands-reclaimed-after-wake-reset). */
    gkms_set_faults(s.dev, 0);
    CHECK(gkms_resume(s.dev) == 0);
    scene_teardown(&s);
}

/* The same fault when the device has already given back every command
 * (everything rendered, its release batch pushed by a FLUSH_RELEASE before
 * the suspend): the fault must still break the sequence, every time, or
 * the suite's fault case would pass or fail by timing. */
static void test_skip_flush_release_bites_when_all_back(void)
{
    Scene s;
    scene_setup(&s);
    CHECK(gkms_flush(s.dev) == 0); /* every command rendered and released */
    VmPciDevice *pci = qxl_device_pci(fx.dev);
    gbus_out(fx.bus, (uint16_t)(pci->bars[QXL_IO_RANGE_INDEX].gpa + QXL_IO_FLUSH_RELEASE), 0, 1);
    gkms_set_faults(s.dev, GKMS_FAULT_SKIP_FLUSH_RELEASE);
    CHECK(gkms_suspend(s.dev) == -EIO);
    printf("  driver: %s\n", gkms_last_error(s.dev));
    CHECK(strstr(gkms_last_error(s.dev), "FLUSH_RELEASE") != NULL);
    CHECK(qxl_fixture_suspend_and_wake(&fx) == 0);
    gkms_set_faults(s.dev, 0);
    CHECK(gkms_resume(s.dev) == 0);
    scene_teardown(&s);
}

/* A driver that destroys its surfaces before flushing them: the device
 * reports the order (on a lazy server those draws are lost). */
static void test_destroy_before_flush_detected(void)
{
    Scene s;
    scene_setup(&s);
    gkms_set_faults(s.dev, GKMS_FAULT_DESTROY_BEFORE_FLUSH);
    gkms_suspend(s.dev); /* may succeed: the device cannot refuse it */
    QxlDeviceStats st;
    qxl_device_get_stats(fx.dev, &st);
    printf("  device: %s\n", st.last_s3_problem);
    CHECK(st.destroys_before_flush > 0);
    CHECK(strstr(st.last_s3_problem, "before their drawing was flushed") != NULL);
    CHECK(qxl_fixture_suspend_and_wake(&fx) == 0);
    scene_teardown(&s);
}

int main(int argc, char **argv)
{
    if (test_check_spice_server(S3D_WANT_OUR_SERVER) != 0) {
        return 1;
    }
    static const TestCase cases[] = {
        TEST_CASE(test_suspend_resume_cycles),
        TEST_CASE(test_staged_commit),
        TEST_CASE(test_commands_in_flight_rendered),
        TEST_CASE(test_skip_evict_loses_overlay),
        TEST_CASE(test_skip_flush_release_detected),
        TEST_CASE(test_skip_flush_release_bites_when_all_back),
        TEST_CASE(test_destroy_before_flush_detected),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
