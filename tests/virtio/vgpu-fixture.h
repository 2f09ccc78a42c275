/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vgpu-fixture.h: a whole virtio-gpu stack in one test process
 * (qemu-hw-qxl/stack: the machine, its main loop on a thread, a SPICE
 * server, whichever libspice-server the program was linked with, and the
 * virtio-gpu device), with the test thread as the guest's vCPU on the
 * stack's bus (through guest-kms, or raw through gvgpu-hw for
 * hostile-driver tests). */
#ifndef VGPU_FIXTURE_H
#define VGPU_FIXTURE_H

#include <stdbool.h>

#include <pixman.h>
#include <spice.h>

#include "gkms.h"
#include "gvgpu-hw.h"
#include "gvgpu-kms.h"
#include "vm-stack.h"

typedef struct VgpuFixture {
    VmStack *stack;
    /* borrowed from stack */
    VmMachine *vm;
    SpiceServer *server;
    VgpuDevice *dev;
    const Gbus *bus;            /* the test thread plays the guest on it */
    GkmsDevice *kms;            /* vgpu_fixture_open_guest */
    GvgpuHw hw;                 /* vgpu_fixture_open_raw */
    bool raw;
} VgpuFixture;

/* Machine, loop, server and device (cfg NULL: the defaults). -1 on failure. */
int vgpu_fixture_start(VgpuFixture *f, const VgpuDeviceConfig *cfg);
void vgpu_fixture_stop(VgpuFixture *f);
/* The KMS driver (opt NULL: the defaults). -1 on failure. */
int vgpu_fixture_open_guest(VgpuFixture *f, const GvgpuOptions *opt);
/* The bare transport driver: probe and init with these features. */
int vgpu_fixture_open_raw(VgpuFixture *f, uint64_t features);
/* Enters S3 on this (guest) thread; another thread wakes the machine. */
int vgpu_fixture_suspend_and_wake(VgpuFixture *f);

/* Waits until the guest's posted commands are answered, then returns
 * what the server shows (vgpu_device_snapshot; NULL: black screen). */
pixman_image_t *vgpu_fixture_screen(VgpuFixture *f);
void vgpu_fixture_unref(pixman_image_t *img); /* NULL ok */

/* A w x h framebuffer pattern from seed (every pixel distinct-ish). */
void vgpu_fixture_pattern(pixman_image_t *img, uint32_t seed);
/* Pixels (xRGB, x masked) of a and b are equal; NULL is a black screen. */
bool vgpu_fixture_same_picture(pixman_image_t *a, pixman_image_t *b);
bool vgpu_fixture_is_black(pixman_image_t *img);

#endif /* VGPU_FIXTURE_H */
