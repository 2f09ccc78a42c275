/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vgpu-device.h: a virtio-gpu device (2D command set) on the modern
 * virtio-pci transport, shown through a SPICE server, with this project's
 * freeze_mode extension (spice/virtio-pci-freeze.h).
 *
 * Guest side (<linux/virtio_pci.h>, <linux/virtio_ring.h>,
 * <linux/virtio_gpu.h>):
 *   - PCI 1af4:1050, a vendor capability per structure (common, notify,
 *     ISR, device config), all in one I/O BAR (BAR0; the virtio spec allows
 *     an I/O BAR and this machine traps port I/O only), INTx on one line;
 *   - two split virtqueues (control, cursor) in guest RAM, at most
 *     VGPU_QUEUE_MAX entries, no indirect descriptors and no event index;
 *   - features: VERSION_1, plus VIRTIO_F_FREEZE_MODE and VIRTIO_F_SUSPEND
 *     when the configuration offers them;
 *   - a PCI power-management capability; with cfg.no_soft_reset its
 *     No_Soft_Reset bit is set and a machine reset that finds the device in
 *     D3hot leaves it untouched (QEMU 9.1's mechanism).
 *
 * Three ways to quiesce, compared by tests/virtio:
 *   freeze_mode  the driver writes FREEZE_S3 at VIRTIO_PCI_COMMON_FREEZE_MODE;
 *                the device stops consuming buffers, finishes the one in
 *                flight, flushes used buffers, interrupts, then reports
 *                FREEZE_S3 in freeze_status.  A reset while frozen resets
 *                the transport (status, features, queues, ISR) and keeps
 *                resources, their backing, the scanouts and the server's
 *                primary surface: the connected viewer keeps its picture.
 *                UNFREEZE (after re-negotiation) restarts consumption.
 *   SUSPEND      virtio 1.4's status bit: the same quiescing, shown by the
 *                bit in device_status; a reset still wipes everything.
 *   PM           D3hot + No_Soft_Reset: the wake's reset is skipped.
 * Without any of them a reset destroys every resource and the scanout, and
 * the server's primary surface with it (QEMU issue 1860's black screen).
 *
 * Driver errors (descriptor loops, out-of-RAM addresses, index past the
 * ring, reserved freeze modes, ...) set VIRTIO_CONFIG_S_NEEDS_RESET, raise a
 * configuration interrupt once DRIVER_OK was set, log the field and value,
 * and stop the queues until a reset.  A malformed *command* (bad resource,
 * rectangle, ...) only gets an error response.  Nothing the guest writes
 * can crash or hang the host or make the device write outside guest RAM.
 *
 * Threads: port I/O and config writes come from the guest's thread with the
 * machine lock held; the queues are processed by the device's own thread,
 * one buffer per machine-lock hold (QEMU's main loop with the BQL), so a
 * guest write can land between two buffers.  QXLInterface callbacks run on
 * the SPICE worker thread and never take the machine lock.
 */
#ifndef VGPU_DEVICE_H
#define VGPU_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <pixman.h>
#include <spice.h>

#include "vm-machine.h"

#define VGPU_PCI_VENDOR_ID 0x1af4
#define VGPU_PCI_DEVICE_ID 0x1050  /* 0x1040 + VIRTIO_ID_GPU (16) */
#define VGPU_NUM_QUEUES 2          /* control, cursor */
#define VGPU_QUEUE_MAX 256         /* largest queue_size the device accepts */

/* Layout of the I/O BAR (offsets inside BAR0). */
#define VGPU_BAR_SIZE 256
#define VGPU_BAR_COMMON 0x00       /* common config, 64 or 68 bytes */
#define VGPU_BAR_ISR 0x60
#define VGPU_BAR_DEVICE 0x80       /* struct virtio_gpu_config */
#define VGPU_BAR_NOTIFY 0xc0
#define VGPU_NOTIFY_MULT 2         /* one le16 doorbell per queue */

/* PCI capability offsets in config space. */
#define VGPU_CAP_COMMON 0x40
#define VGPU_CAP_NOTIFY 0x50
#define VGPU_CAP_ISR 0x64
#define VGPU_CAP_DEVICE 0x74
#define VGPU_CAP_PM 0x84

typedef struct VgpuDevice VgpuDevice;

typedef struct VgpuDeviceConfig {
    int id;                     /* QXLInstance id (display channel id) */
    uint16_t io_base;           /* first port of the I/O BAR */
    unsigned irq_line;
    uint32_t width, height;     /* preferred mode in GET_DISPLAY_INFO */
    bool offer_freeze;          /* VIRTIO_F_FREEZE_MODE, field present */
    bool offer_suspend;         /* VIRTIO_F_SUSPEND */
    bool no_soft_reset;         /* PM capability's No_Soft_Reset bit */
    uint64_t max_host_bytes;    /* host memory for all resources */
    unsigned cmd_delay_us;      /* tests: time each buffer takes */
} VgpuDeviceConfig;

/* 1024x768, port 0xd000, line 11, everything offered, 256 MiB. */
void vgpu_device_default_config(VgpuDeviceConfig *cfg);

/* Creates the device in vm (I/O BAR, PCI function, reset handler, worker
 * thread) and adds its display to the server.  NULL on failure (logged). */
VgpuDevice *vgpu_device_create(VmMachine *vm, SpiceServer *server, const VgpuDeviceConfig *cfg);
/* Stops the worker, removes the display from the server, frees. NULL ok. */
void vgpu_device_destroy(VgpuDevice *dev);

VmPciDevice *vgpu_device_pci(VgpuDevice *dev);

typedef struct VgpuDeviceStats {
    uint64_t cmds[32];          /* by (type & 0xff) for 0x01xx and 0x03xx types */
    uint64_t cmd_errors;        /* commands answered with an error */
    uint64_t last_error_type;   /* VIRTIO_GPU_RESP_ERR_* of the last one */
    uint64_t buffers;           /* buffers consumed, both queues */
    uint64_t driver_errors;     /* NEEDS_RESET raised */
    uint64_t resets, kept_resets, skipped_resets;
    uint64_t freeze_acks, suspend_acks;
    uint64_t primary_creates, primary_destroys;
    uint64_t draws, draws_released;
    /* Worker wake-ups asked for (a doorbell, a status or freeze_mode
     * write, ...), and the number of the last one whose pass over the
     * queues has ended: once kicks_done reaches a value of kicks read after
     * a write, the worker has acted on that write. */
    uint64_t kicks, kicks_done;
    uint32_t resources;         /* live resources */
    char last_driver_error[160];
} VgpuDeviceStats;
void vgpu_device_get_stats(VgpuDevice *dev, VgpuDeviceStats *out);
#define VGPU_STAT_CMD(type) ((((type) >> 8) == 3 ? 16u : 0u) + ((type) & 0xfu))

/* What the SPICE server shows: asks the server to render everything
 * pending (spice_qxl_update_area) and copies the primary surface.  NULL if
 * there is no primary surface (a viewer sees a black screen).  Test/host
 * thread, without the machine lock. Caller unrefs. */
pixman_image_t *vgpu_device_snapshot(VgpuDevice *dev);

#endif /* VGPU_DEVICE_H */
