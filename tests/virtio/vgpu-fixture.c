/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vgpu-fixture.c: the stack with the virtio-gpu device, the test as its
 * guest. */
#include "config.h"

#include "vgpu-fixture.h"

#include <string.h>

#define FIXTURE_RAM (64u << 20)

int vgpu_fixture_start(VgpuFixture *f, const VgpuDeviceConfig *cfg)
{
    memset(f, 0, sizeof(*f));
    VmStackConfig sc = { .ram_size = FIXTURE_RAM, .device = VM_STACK_VIRTIO_GPU, .vgpu = cfg,
                         .addr_flags = SPICE_ADDR_FLAG_IPV4_ONLY, .loop = VM_STACK_LOOP_THREAD };
    f->stack = vm_stack_create(&sc);
    if (f->stack == NULL) {
        return -1;
    }
    f->vm = f->stack->vm;
    f->server = f->stack->server;
    f->dev = f->stack->vgpu;
    f->bus = &f->stack->bus;
    return 0;
}

int vgpu_fixture_open_guest(VgpuFixture *f, const GvgpuOptions *opt)
{
    GvgpuOptions def;
    gvgpu_default_options(&def);
    f->kms = gkms_open_virtio_gpu_with(f->bus, 0, opt ? opt : &def);
    return f->kms ? 0 : -1;
}

int vgpu_fixture_open_raw(VgpuFixture *f, uint64_t features)
{
    if (gvgpu_hw_probe(&f->hw, f->bus, 0, 16u << 20, f->bus->ram_size - (16u << 20)) != 0) {
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
    vm_stack_destroy(f->stack);
    memset(f, 0, sizeof(*f));
}

int vgpu_fixture_suspend_and_wake(VgpuFixture *f)
{
    return vm_stack_suspend_and_wake(f->stack, NULL, NULL);
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
