/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm-stack.h: the whole stack, put together in one place: the machine,
 * its main loop (vm-core), a SPICE server (whichever libspice-server the
 * program links), one display device (QXL or virtio-gpu) and a guest,
 * started in that order and torn down in the reverse one.
 *
 * The guest is either a guest image (vm_stack_boot: a shared object behind
 * guest-bus/gbus-image.h, on a vCPU thread of its own) or the caller's own
 * thread playing the guest on s->bus (the tests).  Either way the guest
 * sees only the bus.
 *
 * The stack runner (runner/s3d-stack.c) and every test fixture use this;
 * nothing else assembles a stack.
 */
#ifndef VM_STACK_H
#define VM_STACK_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <spice.h>

#include "gbus-image.h"
#include "gbus.h"
#include "qxl-device.h"
#include "vgpu-device.h"
#include "vm-core.h"
#include "vm-machine.h"

typedef enum VmStackDevice {
    VM_STACK_QXL,
    VM_STACK_VIRTIO_GPU,
} VmStackDevice;

typedef enum VmStackLoop {
    VM_STACK_LOOP_CALLER,       /* the caller runs vm_core_run(s->core) */
    VM_STACK_LOOP_THREAD,       /* a thread of the stack runs the loop */
} VmStackLoop;

typedef struct VmStackConfig {
    uint64_t ram_size;          /* bytes of guest RAM */
    VmStackDevice device;
    const QxlDeviceConfig *qxl;     /* NULL: qxl_device_default_config */
    const VgpuDeviceConfig *vgpu;   /* NULL: vgpu_device_default_config */
    const char *addr;           /* NULL: 127.0.0.1 */
    int addr_flags;             /* SPICE_ADDR_FLAG_* */
    int port;                   /* SPICE port; 0: no client port */
    /* SPICE_STREAM_VIDEO_*; 0: off, QEMU's default (-spice streaming-video=) */
    int streaming_video;
    VmStackLoop loop;
} VmStackConfig;

/* Fields are read-only to the caller. */
typedef struct VmStack {
    VmMachine *vm;
    VmCore *core;
    SpiceServer *server;
    QxlDevice *qxl;             /* the device of cfg.device; the other is NULL */
    VgpuDevice *vgpu;
    Gbus bus;                   /* the guest's view of vm */
    const GbusImageEntry *image; /* vm_stack_boot */
    GbusGuest *guest;
    /* private */
    GThread *loop_thread;
    void *image_handle;
    GThread *waker;
    void (*asleep)(void *data);
    void *asleep_data;
} VmStack;

/* Machine, loop, server (listening when cfg->port), device, vm_start, and
 * the loop thread when asked.  NULL on failure (logged; what was built is
 * torn down). */
VmStack *vm_stack_create(const VmStackConfig *cfg);
/* Stops the guest (the machine powers off, waking a sleeping guest), the
 * loop, the server's VM, the device, the server, the core, the machine.
 * A test's own guest code must be finished before.  NULL ok. */
void vm_stack_destroy(VmStack *s);

/* Loads the guest image at path (dlopen), checks its entry table and
 * starts it on s->bus.  -1 with a log line on failure.  One per stack. */
int vm_stack_boot(VmStack *s, const char *path, const GbusImageConfig *cfg,
                  GbusGuestEventFunc cb, void *opaque);

/* For a caller thread that plays the guest: enters S3 through the bus,
 * while a helper thread waits for the sleep, runs asleep(data) (may be
 * NULL) and wakes the machine.  0 once the guest runs again, -1 if the
 * machine never slept (then it is powered off) or powered off. */
int vm_stack_suspend_and_wake(VmStack *s, void (*asleep)(void *data), void *data);

#endif /* VM_STACK_H */
