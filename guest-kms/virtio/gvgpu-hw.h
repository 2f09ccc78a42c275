/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gvgpu-hw.h: the guest driver's view of a virtio-gpu device on the modern
 * virtio-pci transport: probe (capabilities), feature negotiation, split
 * virtqueues in guest RAM, commands and their responses.
 *
 * Runs on the guest's thread and touches the device only as a real driver
 * can: port I/O on the BAR the capabilities name, guest RAM, PCI config
 * space and the interrupt line.  Every value read back (capability offsets,
 * used ids, response types) is range-checked; every wait has a deadline.
 * Commands are posted asynchronously (a slot per request/response pair);
 * gvgpu_hw_sync() waits until the device has answered all of them.
 */
#ifndef GVGPU_HW_H
#define GVGPU_HW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_ring.h>

#include "gqxl-alloc.h"
#include "gbus.h"

#define GVGPU_QUEUE_SIZE 64                     /* entries per queue */
#define GVGPU_SLOTS (GVGPU_QUEUE_SIZE / 2)      /* two descriptors per command */
#define GVGPU_SLOT_SIZE 4096
#define GVGPU_RESP_OFFSET 3072                  /* response area inside a slot */
#define GVGPU_TIMEOUT_US (2 * G_USEC_PER_SEC)   /* any single wait on the device */

typedef struct GvgpuQueue {
    uint64_t ring_off;          /* heap offsets of the ring and the slots */
    uint64_t slots_off;
    struct vring_desc *desc;
    struct vring_avail *avail;
    struct vring_used *used;
    uint8_t *slots;
    uint16_t avail_idx, last_used;
    bool busy[GVGPU_SLOTS];
    uint32_t resp_len[GVGPU_SLOTS];
    unsigned outstanding;
} GvgpuQueue;

typedef struct GvgpuHw {
    const Gbus *bus;
    GbusPci *pci;
    unsigned irq_line;
    uint16_t io;                /* BAR0 port base */
    uint32_t common, common_len, notify, notify_mult, isr, devcfg;
    uint8_t pm_cap;             /* 0: none */
    bool no_soft_reset;
    uint64_t device_features, features;
    GqxlHeap ram;               /* the guest RAM this driver may use */
    GvgpuQueue q[2];
    uint64_t submitted, completed, resp_errors;
    uint32_t last_resp_error;
} GvgpuHw;

/* Finds the index-th virtio-gpu function and reads its capabilities;
 * [ram_base, ram_base + ram_size) is the guest RAM the driver allocates
 * rings and backing from.  -1 with a log line if anything is off. */
int gvgpu_hw_probe(GvgpuHw *hw, const Gbus *bus, unsigned index, uint64_t ram_base,
                   uint64_t ram_size);
void gvgpu_hw_finish(GvgpuHw *hw);
/* Reset, ACKNOWLEDGE, DRIVER, features (offered & wanted), FEATURES_OK,
 * both queues, DRIVER_OK; reset_first false skips the reset (a device
 * whose state survived).  -1 if the device refuses. */
int gvgpu_hw_init(GvgpuHw *hw, uint64_t wanted, bool reset_first);
bool gvgpu_hw_has(const GvgpuHw *hw, unsigned feature); /* negotiated */

uint32_t gvgpu_hw_common_read(GvgpuHw *hw, uint32_t off, unsigned size);
void gvgpu_hw_common_write(GvgpuHw *hw, uint32_t off, uint32_t value, unsigned size);
uint8_t gvgpu_hw_status(GvgpuHw *hw);
/* Polls until (common field at off & mask) == want or the deadline, or
 * the device shows NEEDS_RESET; true if the field got there. */
bool gvgpu_hw_poll(GvgpuHw *hw, uint32_t off, unsigned size, uint32_t mask, uint32_t want,
                   int64_t timeout_us);
/* PCI PMCSR power state (0 = D0, 3 = D3hot); -1 without a PM capability. */
int gvgpu_hw_set_power(GvgpuHw *hw, unsigned state);

/* Posts a command (req, req_len) expecting resp_len bytes back (0: none,
 * as on the cursor queue). Waits for a free slot. -1 on timeout/error. */
int gvgpu_hw_post(GvgpuHw *hw, unsigned qi, const void *req, size_t req_len, size_t resp_len);
/* Takes back what the device answered on queue qi, without waiting;
 * -1 if it named a buffer that was never posted. */
int gvgpu_hw_reap(GvgpuHw *hw, unsigned qi);
/* Waits until every posted command of queue qi is answered (responses are
 * checked: error types are counted in resp_errors). -1 on timeout or a
 * device that needs a reset. */
int gvgpu_hw_sync(GvgpuHw *hw, unsigned qi);
/* Posts, waits, and copies the response (resp_len bytes) out. */
int gvgpu_hw_call(GvgpuHw *hw, const void *req, size_t req_len, void *resp, size_t resp_len);
/* Host pointer and guest address of a heap offset. */
void *gvgpu_hw_ptr(GvgpuHw *hw, uint64_t off, uint64_t size);

#endif /* GVGPU_HW_H */
