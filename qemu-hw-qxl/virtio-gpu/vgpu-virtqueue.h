/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vgpu-virtqueue.h (internal): the device side of a split virtqueue in
 * guest RAM.  Every index, descriptor and address the driver provides is
 * checked against the ring size and guest RAM (vm_machine_gpa_to_host)
 * before use; guest-shared fields are read once into locals. */
#ifndef VGPU_VIRTQUEUE_H
#define VGPU_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_ring.h>

#include "vgpu-device.h"

/* The most a request may carry: ATTACH_BACKING with VGPU_MAX_BACKING_ENTRIES
 * entries plus its header; a bigger one is a driver error, so a guest cannot
 * make the device allocate without bound. */
#define VGPU_MAX_REQUEST (256u * 1024u + 64u)

typedef struct VgpuVq {
    /* set by the driver through the common config */
    uint16_t size;
    bool enabled;
    uint64_t desc_gpa, avail_gpa, used_gpa;
    /* derived and checked at enable */
    struct vring_desc *desc;
    struct vring_avail *avail;
    struct vring_used *used;
    uint16_t last_avail;        /* next avail entry the device reads */
    uint16_t used_idx;          /* the device's copy of used->idx */
} VgpuVq;

typedef struct VgpuSeg {
    uint8_t *host;
    uint32_t len;
} VgpuSeg;

/* One buffer popped from a queue. */
typedef struct VgpuElem {
    uint16_t head;
    uint8_t *req;               /* the readable part, copied (g_free) */
    size_t req_len;
    VgpuSeg in[VGPU_QUEUE_MAX]; /* the writable part, in guest RAM */
    unsigned n_in;
    size_t written;
} VgpuElem;

typedef enum VgpuVqStatus {
    VGPU_VQ_EMPTY,
    VGPU_VQ_OK,
    VGPU_VQ_BROKEN,             /* driver error: *why and *value say what */
} VgpuVqStatus;

void vgpu_vq_reset(VgpuVq *q);
/* Checks size and ring addresses (alignment, inside RAM) and maps them.
 * false with why/value set on a driver error. */
bool vgpu_vq_enable(VmMachine *vm, VgpuVq *q, const char **why, uint64_t *value);
VgpuVqStatus vgpu_vq_pop(VmMachine *vm, VgpuVq *q, VgpuElem *e, const char **why,
                         uint64_t *value);
/* Copies n bytes into the writable part after what was written; returns
 * the bytes that fit. */
size_t vgpu_elem_write(VgpuElem *e, const void *p, size_t n);
/* Returns the buffer to the driver (used ring) and frees e's copy. */
void vgpu_vq_push(VgpuVq *q, VgpuElem *e);
bool vgpu_vq_has_work(const VgpuVq *q);

#endif /* VGPU_VIRTQUEUE_H */
