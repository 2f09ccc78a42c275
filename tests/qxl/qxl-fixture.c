/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qxl-fixture.c: machine + loop thread + server + QXL device + guest. */
#include "config.h"

#include "qxl-fixture.h"

#include <string.h>

#include "test-util.h"

#define FIXTURE_RAM (64u << 20)

static gpointer loop_main(gpointer data)
{
    vm_core_run(data);
    return NULL;
}


int qxl_fixture_start_device(QxlFixture *f, bool listen)
{
    memset(f, 0, sizeof(*f));
    f->vm = vm_machine_create(FIXTURE_RAM);
    f->core = f->vm ? vm_core_create(f->vm) : NULL;
    f->server = spice_server_new();
    if (f->core == NULL || f->server == NULL) {
        return -1;
    }
    spice_server_set_addr(f->server, "127.0.0.1", SPICE_ADDR_FLAG_IPV4_ONLY);
    if (listen) {
        f->port = test_free_port();
        spice_server_set_port(f->server, f->port);
    }
    spice_server_set_noauth(f->server);
    if (spice_server_init(f->server, vm_core_interface(f->core)) != 0) {
        return -1;
    }
    QxlDeviceConfig cfg;
    qxl_device_default_config(&cfg);
    f->dev = qxl_device_create(f->vm, f->server, &cfg);
    if (f->dev == NULL) {
        return -1;
    }
    spice_server_vm_start(f->server);
    vm_bus_init(&f->bus, f->vm);
    f->loop_thread = g_thread_new("vm-loop", loop_main, f->core);
    return 0;
}

int qxl_fixture_start(QxlFixture *f, bool listen)
{
    if (qxl_fixture_start_device(f, listen) != 0) {
        return -1;
    }
    f->probed = true;
    gqxl_releases_init(&f->rel);
    if (gqxl_hw_probe(&f->hw, &f->bus, 0) != 0 || gqxl_hw_setup(&f->hw) != 0) {
        return -1;
    }
    return 0;
}

void qxl_fixture_stop(QxlFixture *f)
{
    if (f->loop_thread) {
        vm_core_quit(f->core);
        g_thread_join(f->loop_thread);
    }
    if (f->probed) {
        gqxl_releases_finish(&f->rel, &f->hw);
        gqxl_hw_finish(&f->hw);
    }
    qxl_device_destroy(f->dev);
    if (f->server) {
        spice_server_destroy(f->server);
    }
    vm_core_destroy(f->core);
    vm_machine_destroy(f->vm);
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

static gpointer waker_main(gpointer data)
{
    QxlFixture *f = data;
    if (vm_machine_wait_power_state(f->vm, VM_POWER_SUSPENDED,
                                    g_get_monotonic_time() + 10 * G_USEC_PER_SEC)) {
        if (f->asleep) {
            f->asleep(f->asleep_data);
        }
        vm_machine_wake(f->vm);
    } else {
        vm_machine_power_off(f->vm); /* never slept: unblock whoever waits */
    }
    return NULL;
}

int qxl_fixture_suspend_and_wake(QxlFixture *f)
{
    return qxl_fixture_suspend_and_wake_with(f, NULL, NULL);
}

int qxl_fixture_suspend_and_wake_with(QxlFixture *f, void (*asleep)(void *data), void *data)
{
    f->asleep = asleep;
    f->asleep_data = data;
    f->waker = g_thread_new("waker", waker_main, f);
    int ret = vm_machine_suspend(f->vm);
    g_thread_join(f->waker);
    f->waker = NULL;
    return ret;
}
