/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vgpu-fixture.c: machine + loop thread + server + virtio-gpu + guest. */
#include "config.h"

#include "vgpu-fixture.h"

#include <string.h>

#define FIXTURE_RAM (64u << 20)

static gpointer loop_main(gpointer data)
{
    vm_core_run(data);
    return NULL;
}

int vgpu_fixture_start(VgpuFixture *f, const VgpuDeviceConfig *cfg)
{
    memset(f, 0, sizeof(*f));
    f->vm = vm_machine_create(FIXTURE_RAM);
    f->core = f->vm ? vm_core_create(f->vm) : NULL;
    f->server = spice_server_new();
    if (f->core == NULL || f->server == NULL) {
        return -1;
    }
    spice_server_set_addr(f->server, "127.0.0.1", SPICE_ADDR_FLAG_IPV4_ONLY);
    spice_server_set_noauth(f->server);
    if (spice_server_init(f->server, vm_core_interface(f->core)) != 0) {
        return -1;
    }
    VgpuDeviceConfig def;
    vgpu_device_default_config(&def);
    f->dev = vgpu_device_create(f->vm, f->server, cfg ? cfg : &def);
    if (f->dev == NULL) {
        return -1;
    }
    spice_server_vm_start(f->server);
    vm_bus_init(&f->bus, f->vm);
    f->loop_thread = g_thread_new("vm-loop", loop_main, f->core);
    return 0;
}

int vgpu_fixture_open_guest(VgpuFixture *f, const GvgpuOptions *opt)
{
    GvgpuOptions def;
    gvgpu_default_options(&def);
    f->kms = gkms_open_virtio_gpu_with(&f->bus, 0, opt ? opt : &def);
    return f->kms ? 0 : -1;
}

int vgpu_fixture_open_raw(VgpuFixture *f, uint64_t features)
{
    if (gvgpu_hw_probe(&f->hw, &f->bus, 0, 16u << 20, f->bus.ram_size - (16u << 20)) != 0) {
        return -1;
    }
    f->raw = true;
    return gvgpu_hw_init(&f->hw, features, true);
}

void vgpu_fixture_stop(VgpuFixture *f)
{
    gkms_close(f->kms);
    if (f->raw) {
        gvgpu_hw_finish(&f->hw);
    }
    if (f->loop_thread) {
        vm_core_quit(f->core);
        g_thread_join(f->loop_thread);
    }
    vgpu_device_destroy(f->dev);
    if (f->server) {
        spice_server_destroy(f->server);
    }
    vm_core_destroy(f->core);
    vm_machine_destroy(f->vm);
    memset(f, 0, sizeof(*f));
}

static gpointer waker_main(gpointer data)
{
    VgpuFixture *f = data;
    if (vm_machine_wait_power_state(f->vm, VM_POWER_SUSPENDED,
                                    g_get_monotonic_time() + 10 * G_USEC_PER_SEC)) {
        vm_machine_wake(f->vm);
    } else {
        vm_machine_power_off(f->vm); /* never slept: unblock whoever waits */
    }
    return NULL;
}

int vgpu_fixture_suspend_and_wake(VgpuFixture *f)
{
    f->waker = g_thread_new("waker", waker_main, f);
    int ret = vm_machine_suspend(f->vm);
    g_thread_join(f->waker);
    f->waker = NULL;
    return ret;
}

pixman_image_t *vgpu_fixture_screen(VgpuFixture *f)
{
    if (f->kms) {
        GkmsStats st;
        gkms_get_stats(f->kms, &st);
    }
    return vgpu_device_snapshot(f->dev);
}

void vgpu_fixture_unref(pixman_image_t *img)
{
    if (img) {
        pixman_image_unref(img);
    }
}

void vgpu_fixture_pattern(pixman_image_t *img, uint32_t seed)
{
    uint32_t *p = pixman_image_get_data(img);
    int w = pixman_image_get_width(img), h = pixman_image_get_height(img);
    int stride = pixman_image_get_stride(img) / 4;
    uint32_t x32 = seed * 2654435761u + 1;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            /* xorshift: a picture no stale or shifted copy can match */
            x32 ^= x32 << 13;
            x32 ^= x32 >> 17;
            x32 ^= x32 << 5;
            p[y * stride + x] = x32 & 0xffffff;
        }
    }
}

bool vgpu_fixture_same_picture(pixman_image_t *a, pixman_image_t *b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }
    int w = pixman_image_get_width(a), h = pixman_image_get_height(a);
    if (w != pixman_image_get_width(b) || h != pixman_image_get_height(b)) {
        return false;
    }
    const uint32_t *pa = pixman_image_get_data(a), *pb = pixman_image_get_data(b);
    int sa = pixman_image_get_stride(a) / 4, sb = pixman_image_get_stride(b) / 4;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            if ((pa[y * sa + x] ^ pb[y * sb + x]) & 0xffffff) {
                return false;
            }
        }
    }
    return true;
}

bool vgpu_fixture_is_black(pixman_image_t *img)
{
    if (img == NULL) {
        return true;
    }
    int w = pixman_image_get_width(img), h = pixman_image_get_height(img);
    const uint32_t *p = pixman_image_get_data(img);
    int s = pixman_image_get_stride(img) / 4;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            if (p[y * s + x] & 0xffffff) {
                return false;
            }
        }
    }
    return true;
}
