/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-qxl-device: the QXL device driven at the port level by a scripted
 * guest (guest-kms's hardware layer), on whichever libspice-server this
 * program was linked with: probe, memslots, primary, drawing, off-screen
 * surfaces, cursor, update area, monitors config, interrupts, the seed-004
 * S3 sequence, and the state after the wake reset.  A late completion of an
 * I/O a reset dropped (5683560): tests/regress/regress-5683560-*. */
#include "config.h"

#include <string.h>

#include "qxl-fixture.h"
#include "test-util.h"

#define W 640
#define H 480
#define IO_TIMEOUT (5 * G_USEC_PER_SEC)

static QxlFixture fx;

static void start(void)
{
    if (qxl_fixture_start(&fx, false) != 0) {
        fprintf(stderr, "fixture failed to start\n");
        exit(1);
    }
}

static int flush_surfaces(void)
{
    return gqxl_hw_async_io(&fx.hw, QXL_IO_FLUSH_SURFACES_ASYNC, 0);
}

static void test_probe_and_setup(void)
{
    start();
    CHECK_EQ_U64(fx.hw.rom.magic, QXL_ROM_MAGIC);
    CHECK(fx.hw.n_modes > 0);
    CHECK_EQ_U64(fx.hw.ram->int_mask, GQXL_INT_MASK);
    CHECK(!qxl_device_in_guest_bug(fx.dev));
    QxlDeviceStats st;
    qxl_device_get_stats(fx.dev, &st);
    CHECK_EQ_U64(st.io_writes[QXL_IO_MEMSLOT_ADD_ASYNC], 2);
    CHECK_EQ_U64(st.async_completions, 2);
    CHECK(fx.hw.irq_io_cmd >= 2);
    qxl_fixture_stop(&fx);
}

static void test_primary_draw_and_flush(void)
{
    start();
    CHECK(qxl_fixture_create_primary(&fx, W, H, false) == 0);
    QXLRect all = { 0, 0, H, W }, box = { 100, 200, 150, 300 };
    CHECK(gqxl_cmd_fill(&fx.hw, &fx.rel, 0, &all, 0x0000ff) == 0);
    CHECK(gqxl_cmd_fill(&fx.hw, &fx.rel, 0, &box, 0xff0000) == 0);
    CHECK(flush_surfaces() == 0);
    /* After the flush, device memory holds the final pixels. */
    CHECK_EQ_U64(qxl_fixture_primary_pixel(&fx, W, 0, 0), 0x0000ff);
    CHECK_EQ_U64(qxl_fixture_primary_pixel(&fx, W, 250, 120), 0xff0000);
    CHECK_EQ_U64(qxl_fixture_primary_pixel(&fx, W, 199, 120), 0x0000ff);
    QxlDeviceStats st;
    qxl_device_get_stats(fx.dev, &st);
    CHECK_EQ_U64(st.commands, 2);
    CHECK_EQ_U64(st.guest_bugs, 0);
    qxl_fixture_stop(&fx);
}

static void test_blit_and_update_area(void)
{
    start();
    CHECK(qxl_fixture_create_primary(&fx, W, H, false) == 0);
    pixman_image_t *img = pixman_image_create_bits(PIXMAN_x8r8g8b8, 32, 16, NULL, 0);
    pixman_color_t green = { 0, 0xffff, 0, 0xffff };
    pixman_box32_t b = { 0, 0, 32, 16 };
    pixman_image_fill_boxes(PIXMAN_OP_SRC, img, &green, 1, &b);
    QXLRect src = { 0, 0, 16, 32 };
    CHECK(gqxl_cmd_blit(&fx.hw, &fx.rel, 0, img, &src, 10, 20) == 0);
    pixman_image_unref(img);
    QXLRect area = { 0, 0, H, W };
    memcpy((void *)&fx.hw.ram->update_area, &area, sizeof(area));
    fx.hw.ram->update_surface = 0;
    CHECK(gqxl_hw_async_io(&fx.hw, QXL_IO_UPDATE_AREA_ASYNC, 0) == 0);
    CHECK_EQ_U64(qxl_fixture_primary_pixel(&fx, W, 10, 20), 0x00ff00);
    CHECK_EQ_U64(qxl_fixture_primary_pixel(&fx, W, 41, 35), 0x00ff00);
    CHECK_EQ_U64(qxl_fixture_primary_pixel(&fx, W, 42, 35), 0x000000);
    qxl_fixture_stop(&fx);
}

static void test_offscreen_surface(void)
{
    start();
    CHECK(qxl_fixture_create_primary(&fx, W, H, false) == 0);
    CHECK(gqxl_cmd_surface_create(&fx.hw, &fx.rel, 1, 64, 64, 0, false) == 0);
    QXLRect s = { 0, 0, 64, 64 };
    CHECK(gqxl_cmd_fill(&fx.hw, &fx.rel, 1, &s, 0x123456) == 0);
    CHECK(gqxl_cmd_copy_surface(&fx.hw, &fx.rel, 0, 1, &s, 300, 200) == 0);
    CHECK(flush_surfaces() == 0);
    const uint32_t *vram = (const uint32_t *)(const void *)fx.hw.bar_vram;
    CHECK_EQ_U64(vram[63 * 64 + 63] & 0xffffff, 0x123456);
    CHECK_EQ_U64(qxl_fixture_primary_pixel(&fx, W, 300, 200), 0x123456);
    CHECK_EQ_U64(qxl_fixture_primary_pixel(&fx, W, 363, 263), 0x123456);
    CHECK_EQ_U64(qxl_fixture_primary_pixel(&fx, W, 364, 263), 0);
    qxl_fixture_stop(&fx);
}

static void test_cursor_ring(void)
{
    start();
    CHECK(qxl_fixture_create_primary(&fx, W, H, false) == 0);
    pixman_image_t *shape = pixman_image_create_bits(PIXMAN_a8r8g8b8, 16, 16, NULL, 0);
    CHECK(gqxl_cmd_cursor_set(&fx.hw, &fx.rel, shape, 1, 1, 10, 10) == 0);
    CHECK(gqxl_cmd_cursor_move(&fx.hw, &fx.rel, 20, 20) == 0);
    CHECK(gqxl_cmd_cursor_hide(&fx.hw, &fx.rel) == 0);
    pixman_image_unref(shape);
    CHECK(flush_surfaces() == 0); /* empties the cursor ring too */
    QxlDeviceStats st;
    qxl_device_get_stats(fx.dev, &st);
    CHECK_EQ_U64(st.cursor_commands, 3);
    CHECK(gqxl_hw_ring_idle(&fx.hw, GQXL_RING_CURSOR));
    qxl_fixture_stop(&fx);
}

static void test_monitors_config(void)
{
    start();
    CHECK(qxl_fixture_create_primary(&fx, W, H, false) == 0);
    uint64_t off = gqxl_heap_alloc(&fx.hw.cmd_heap, sizeof(QXLMonitorsConfig) + sizeof(QXLHead), 64);
    QXLMonitorsConfig *mc = gqxl_hw_cmd_ptr(&fx.hw, off);
    mc->count = 1;
    mc->max_allowed = 1;
    QXLHead head = { 0, 0, W, H, 0, 0, 0 };
    memcpy((uint8_t *)mc + sizeof(*mc), &head, sizeof(head));
    fx.hw.ram->monitors_config = gqxl_hw_cmd_phys(&fx.hw, off);
    CHECK(gqxl_hw_async_io(&fx.hw, QXL_IO_MONITORS_CONFIG_ASYNC, 0) == 0);
    CHECK(!qxl_device_in_guest_bug(fx.dev));
    qxl_fixture_stop(&fx);
}

/* Seed 004 at the device level: drain, flush, destroy, flush release; every
 * command comes back; the wake reset leaves the documented state. */
static void test_seed004_sequence_and_wake_reset(void)
{
    start();
    CHECK(qxl_fixture_create_primary(&fx, W, H, false) == 0);
    CHECK(gqxl_cmd_surface_create(&fx.hw, &fx.rel, 1, 64, 64, 0, false) == 0);
    QXLRect s = { 0, 0, 64, 64 }, all = { 0, 0, H, W };
    for (int i = 0; i < 100; i++) { /* more than the ring holds */
        CHECK(gqxl_cmd_fill(&fx.hw, &fx.rel, 0, &all, 0x010101u * (uint32_t)i) == 0);
    }
    CHECK(gqxl_cmd_fill(&fx.hw, &fx.rel, 1, &s, 0xabcdef) == 0);
    CHECK(gqxl_cmd_fill(&fx.hw, &fx.rel, 0, &all, 0x336699) == 0);
    /* (1)(2) notify both rings, (3) flush surfaces */
    gqxl_hw_out(&fx.hw, QXL_IO_NOTIFY_CMD, 0);
    gqxl_hw_out(&fx.hw, QXL_IO_NOTIFY_CURSOR, 0);
    CHECK(flush_surfaces() == 0);
    CHECK(gqxl_hw_ring_idle(&fx.hw, GQXL_RING_CMD));
    CHECK_EQ_U64(qxl_fixture_primary_pixel(&fx, W, 5, 5), 0x336699);
    const uint32_t *vram = (const uint32_t *)(const void *)fx.hw.bar_vram;
    CHECK_EQ_U64(vram[0] & 0xffffff, 0xabcdef);
    /* (4) destroy all surfaces, (5) flush release */
    CHECK(gqxl_hw_async_io(&fx.hw, QXL_IO_DESTROY_ALL_SURFACES_ASYNC, 0) == 0);
    gqxl_hw_out(&fx.hw, QXL_IO_FLUSH_RELEASE, 0);
    gqxl_releases_collect(&fx.rel, &fx.hw);
    CHECK_EQ_U64(gqxl_releases_outstanding(&fx.rel), 0);
    CHECK_EQ_U64(fx.rel.submitted, 103);
    CHECK_EQ_U64(fx.rel.released, 103);
    CHECK_EQ_U64(gqxl_heap_count(&fx.hw.cmd_heap), 0);
    /* (6) S3; (7) the wake resets the device */
    CHECK(qxl_fixture_suspend_and_wake(&fx) == 0);
    QxlDeviceStats st;
    qxl_device_get_stats(fx.dev, &st);
    CHECK_EQ_U64(st.resets, 2); /* the driver's setup and the wake */
    CHECK_EQ_U64(fx.hw.ram->int_mask, 0);
    CHECK_EQ_U64(fx.hw.ram->int_pending, 0);
    CHECK_EQ_U64(fx.hw.ram->cmd_ring.prod, 0);
    CHECK_EQ_U64(fx.hw.ram->cmd_ring.cons, 0);
    CHECK_EQ_U64(fx.hw.ram->release_ring.prod, 0);
    CHECK_EQ_U64(fx.hw.ram->release_ring.notify_on_prod, 1);
    CHECK(!vm_irq_level(vm_machine_irq(fx.vm, fx.hw.irq_line)));
    /* device memory survives: the last flushed picture is still there */
    CHECK_EQ_U64(qxl_fixture_primary_pixel(&fx, W, 5, 5), 0x336699);
    CHECK_EQ_U64(vram[0] & 0xffffff, 0xabcdef);
    /* (8) resume: reset, memslots, primary with KEEP_DATA keeps the pixels */
    CHECK(gqxl_hw_setup(&fx.hw) == 0);
    CHECK(qxl_fixture_create_primary(&fx, W, H, true) == 0);
    CHECK(gqxl_cmd_surface_create(&fx.hw, &fx.rel, 1, 64, 64, 0, true) == 0);
    CHECK(flush_surfaces() == 0);
    CHECK_EQ_U64(qxl_fixture_primary_pixel(&fx, W, 5, 5), 0x336699);
    CHECK_EQ_U64(vram[0] & 0xffffff, 0xabcdef);
    CHECK(!qxl_device_in_guest_bug(fx.dev));
    qxl_fixture_stop(&fx);
}

/* Linux's sequence: destroy primary, update area + destroy command per
 * surface, then on resume QXL_IO_RESET and MEMSLOT_ADD_ASYNC. */
static void test_linux_sequence(void)
{
    start();
    CHECK(qxl_fixture_create_primary(&fx, W, H, false) == 0);
    CHECK(gqxl_cmd_surface_create(&fx.hw, &fx.rel, 1, 64, 64, 0, false) == 0);
    QXLRect s = { 0, 0, 64, 64 };
    CHECK(gqxl_cmd_fill(&fx.hw, &fx.rel, 1, &s, 0x445566) == 0);
    CHECK(gqxl_hw_async_io(&fx.hw, QXL_IO_DESTROY_PRIMARY_ASYNC, 0) == 0);
    memcpy((void *)&fx.hw.ram->update_area, &s, sizeof(s));
    fx.hw.ram->update_surface = 1;
    CHECK(gqxl_hw_async_io(&fx.hw, QXL_IO_UPDATE_AREA_ASYNC, 0) == 0);
    const uint32_t *vram = (const uint32_t *)(const void *)fx.hw.bar_vram;
    CHECK_EQ_U64(vram[64 * 64 - 1] & 0xffffff, 0x445566);
    CHECK(gqxl_cmd_surface_destroy(&fx.hw, &fx.rel, 1) == 0);
    int64_t deadline = g_get_monotonic_time() + IO_TIMEOUT;
    while (!gqxl_hw_ring_idle(&fx.hw, GQXL_RING_CMD) && g_get_monotonic_time() < deadline) {
        gqxl_hw_wait(&fx.hw, QXL_INTERRUPT_DISPLAY, g_get_monotonic_time() + 10000);
    }
    CHECK(gqxl_hw_ring_idle(&fx.hw, GQXL_RING_CMD));
    CHECK(qxl_fixture_collect_all(&fx, IO_TIMEOUT));
    CHECK(qxl_fixture_suspend_and_wake(&fx) == 0);
    CHECK(gqxl_hw_setup(&fx.hw) == 0);
    CHECK(!qxl_device_in_guest_bug(fx.dev));
    qxl_fixture_stop(&fx);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_probe_and_setup),
        TEST_CASE(test_primary_draw_and_flush),
        TEST_CASE(test_blit_and_update_area),
        TEST_CASE(test_offscreen_surface),
        TEST_CASE(test_cursor_ring),
        TEST_CASE(test_monitors_config),
        TEST_CASE(test_seed004_sequence_and_wake_reset),
        TEST_CASE(test_linux_sequence),
    };
    if (test_check_spice_server(S3D_WANT_OUR_SERVER) != 0) {
        return 1;
    }
    return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
