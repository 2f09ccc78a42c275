/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qxl-fixture.c: the stack with the QXL device, the test as its guest. */
#include "config.h"

#include "qxl-fixture.h"

#include <string.h>

#include "test-util.h"

#define FIXTURE_RAM (64u << 20)

int qxl_fixture_start_device(QxlFixture *f, bool listen)
{
    memset(f, 0, sizeof(*f));
    f->port = listen ? test_free_port() : 0;
    VmStackConfig cfg = { .ram_size = FIXTURE_RAM, .device = VM_STACK_QXL,
                          .addr_flags = SPICE_ADDR_FLAG_IPV4_ONLY, .port = f->port,
                          .loop = VM_STACK_LOOP_THREAD };
    f->stack = vm_stack_create(&cfg);
    if (f->stack == NULL) {
        return -1;
    }
    f->vm = f->stack->vm;
    f->server = f->stack->server;
    f->dev = f->stack->qxl;
    f->bus = &f->stack->bus;
    return 0;
}

int qxl_fixture_start(QxlFixture *f, bool listen)
{
    if (qxl_fixture_start_device(f, listen) != 0) {
        return -1;
    }
    f->probed = true;
    gqxl_releases_init(&f->rel);
    if (gqxl_hw_probe(&f->hw, f->bus, 0) != 0 || gqxl_hw_setup(&f->hw) != 0) {
        return -1;
    }
    return 0;
}

void qxl_fixture_stop(QxlFixture *f)
{
    if (f->probed) {
        gqxl_releases_finish(&f->rel, &f->hw);
        gqxl_hw_finish(&f->hw);
    }
    vm_stack_destroy(f->stack);
    memset(f, 0, sizeof(*f));
}

int qxl_fixture_create_primary(QxlFixture *f, uint32_t width, uint32_t height, bool keep_data)
{
    QXLSurfaceCreate sc = {
        .width = width, .height = height, .stride = (int32_t)(width * 4),
        .format = SPICE_SURFACE_FMT_32_xRGB, .position = 0, .mouse_mode = 1,
        .flags = keep_data ? QXL_SURF_FLAG_KEEP_DATA : 0, .type = QXL_SURF_TYPE_PRIMARY,
        .mem = gqxl_hw_phys(&f->hw, GQXL_MAIN_SLOT, f->hw.rom.draw_area_offset),
    };
    memcpy((void *)&f->hw.ram->create_surface, &sc, sizeof(sc));
    return gqxl_hw_async_io(&f->hw, QXL_IO_CREATE_PRIMARY_ASYNC, 0);
}

uint32_t qxl_fixture_primary_pixel(QxlFixture *f, uint32_t width, uint32_t x, uint32_t y)
{
    const uint32_t *p = (const uint32_t *)(const void *)(f->hw.bar_ram + f->hw.rom.draw_area_offset);
    return p[(size_t)y * width + x] & 0xffffffu;
}

bool qxl_fixture_collect_all(QxlFixture *f, int64_t timeout_us)
{
    int64_t deadline = g_get_monotonic_time() + timeout_us;
    for (;;) {
        gqxl_releases_collect(&f->rel, &f->hw);
        if (gqxl_releases_outstanding(&f->rel) == 0) {
            return true;
        }
        if (g_get_monotonic_time() >= deadline) {
            return false;
        }
        /* Some may sit in the element under construction: have it pushed. */
        gqxl_hw_out(&f->hw, QXL_IO_FLUSH_RELEASE, 0);
        gqxl_hw_wait(&f->hw, QXL_INTERRUPT_DISPLAY, MIN(deadline, g_get_monotonic_time() + 20000));
    }
}

int qxl_fixture_suspend_and_wake(QxlFixture *f)
{
    return vm_stack_suspend_and_wake(f->stack, NULL, NULL);
}

int qxl_fixture_suspend_and_wake_with(QxlFixture *f, void (*asleep)(void *data), void *data)
{
    return vm_stack_suspend_and_wake(f->stack, asleep, data);
}
