/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vgpu-transport.c: the I/O BAR of the modern virtio-pci transport:
 * common configuration (with freeze_mode at its end), ISR, device
 * configuration and notifications, and the device-status state machine.
 *
 * Runs on the guest's thread with the machine lock held.  Queue processing
 * and the acknowledgements of freeze and SUSPEND happen on the worker. */
#include "config.h"

#include "vgpu-private.h"

#include <string.h>

#define NO_VECTOR 0xffff        /* VIRTIO_MSI_NO_VECTOR: INTx only */

static uint32_t common_size(const VgpuDevice *d)
{
    return d->cfg.offer_freeze ? VIRTIO_PCI_COMMON_CFG_SIZE_FREEZE : VIRTIO_PCI_COMMON_FREEZE_MODE;
}

static void put(uint8_t *buf, uint32_t off, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++) {
        buf[off + i] = (uint8_t)(v >> (8 * i));
    }
}

/* The common configuration as the driver reads it, little-endian. */
static void common_image(const VgpuDevice *d, uint8_t *b)
{
    memset(b, 0, VIRTIO_PCI_COMMON_CFG_SIZE_FREEZE);
    put(b, VIRTIO_PCI_COMMON_DFSELECT, d->dfselect, 4);
    put(b, VIRTIO_PCI_COMMON_DF, d->dfselect < 2 ? d->device_features >> (32 * d->dfselect) : 0, 4);
    put(b, VIRTIO_PCI_COMMON_GFSELECT, d->gfselect, 4);
    put(b, VIRTIO_PCI_COMMON_GF, d->gfselect < 2 ? d->driver_features >> (32 * d->gfselect) : 0, 4);
    put(b, VIRTIO_PCI_COMMON_MSIX, NO_VECTOR, 2);
    put(b, VIRTIO_PCI_COMMON_NUMQ, VGPU_NUM_QUEUES, 2);
    put(b, VIRTIO_PCI_COMMON_STATUS, d->status | (d->suspended ? VIRTIO_CONFIG_S_SUSPEND : 0), 1);
    put(b, VIRTIO_PCI_COMMON_CFGGENERATION, d->generation, 1);
    put(b, VIRTIO_PCI_COMMON_Q_SELECT, d->queue_select, 2);
    if (d->queue_select < VGPU_NUM_QUEUES) {
        const VgpuVq *q = &d->vq[d->queue_select];
        put(b, VIRTIO_PCI_COMMON_Q_SIZE, q->size, 2);
        put(b, VIRTIO_PCI_COMMON_Q_MSIX, NO_VECTOR, 2);
        put(b, VIRTIO_PCI_COMMON_Q_ENABLE, q->enabled, 2);
        put(b, VIRTIO_PCI_COMMON_Q_NOFF, d->queue_select, 2);
        put(b, VIRTIO_PCI_COMMON_Q_DESCLO, q->desc_gpa, 8);
        put(b, VIRTIO_PCI_COMMON_Q_AVAILLO, q->avail_gpa, 8);
        put(b, VIRTIO_PCI_COMMON_Q_USEDLO, q->used_gpa, 8);
        put(b, VIRTIO_PCI_COMMON_Q_NDATA, d->queue_select, 2);
    }
    /* queue_reset and the admin queue fields: not offered, read 0. */
    if (d->cfg.offer_freeze) {
        put(b, VIRTIO_PCI_COMMON_FREEZE_MODE, d->freeze_mode, 2);
        put(b, VIRTIO_PCI_COMMON_FREEZE_STATUS, d->freeze_status, 2);
    }
}

static void drop_kept_state(VgpuDevice *d)
{
    vm_log_info("virtio-gpu-%d: driver did not take freeze_mode back: kept state dropped",
                d->cfg.id);
    d->freeze_mode = d->freeze_status = VIRTIO_PCI_FREEZE_MODE_UNFREEZE;
    vgpu_resources_destroy_all(d);
}

static void handle_status(VgpuDevice *d, uint8_t v)
{
    if (v == 0) {
        vgpu_reset(d);
        return;
    }
    if (d->status & VIRTIO_CONFIG_S_NEEDS_RESET) {
        d->status |= v & VIRTIO_CONFIG_S_FAILED;
        return; /* nothing but a reset until then */
    }
    bool want_suspend = v & VIRTIO_CONFIG_S_SUSPEND;
    v &= (uint8_t)~VIRTIO_CONFIG_S_SUSPEND;
    uint8_t cleared = d->status & (uint8_t)~v;
    if (cleared) {
        vgpu_driver_error(d, "device_status", v, "clears bits without a reset");
        return;
    }
    uint8_t added = v & (uint8_t)~d->status;
    if (added & VIRTIO_CONFIG_S_FEATURES_OK) {
        uint64_t extra = d->driver_features & ~d->device_features;
        if (extra || !(d->driver_features >> VIRTIO_F_VERSION_1 & 1)) {
            /* 3.1.1: the device leaves FEATURES_OK clear; the driver sees it. */
            vm_log_warn("virtio-gpu-%d: features 0x%" G_GINT64_MODIFIER "x refused", d->cfg.id,
                        (guint64)d->driver_features);
            v &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
        } else if (d->freeze_status != VIRTIO_PCI_FREEZE_MODE_UNFREEZE &&
                   !(d->driver_features >> VIRTIO_F_FREEZE_MODE & 1)) {
            drop_kept_state(d);
        }
    }
    if ((added & VIRTIO_CONFIG_S_DRIVER_OK) && !(v & VIRTIO_CONFIG_S_FEATURES_OK)) {
        vgpu_driver_error(d, "device_status", v, "DRIVER_OK without FEATURES_OK");
        return;
    }
    d->status = v;
    if (want_suspend) {
        /* Seed 002: ignored unless negotiated (which needs FEATURES_OK). */
        if (vgpu_negotiated(d, VIRTIO_F_SUSPEND) && !d->suspend_req) {
            d->suspend_req = true;
            vgpu_kick(d);
        }
    } else if (d->suspend_req && (v & VIRTIO_CONFIG_S_DRIVER_OK)) {
        /* SUSPEND cleared with DRIVER_OK: resume operation. */
        d->suspend_req = d->suspended = false;
        vgpu_kick(d);
    }
    if (added & VIRTIO_CONFIG_S_DRIVER_OK) {
        vgpu_kick(d);
    }
}

static void handle_freeze_mode(VgpuDevice *d, uint16_t v)
{
    if (!vgpu_negotiated(d, VIRTIO_F_FREEZE_MODE)) {
        vm_log_info("virtio-gpu-%d: freeze_mode = %u without the feature: ignored", d->cfg.id, v);
        return;
    }
    if (v != VIRTIO_PCI_FREEZE_MODE_UNFREEZE && v != VIRTIO_PCI_FREEZE_MODE_FREEZE_S3) {
        vgpu_driver_error(d, "freeze_mode", v, "reserved value");
        return;
    }
    d->freeze_mode = v;
    vgpu_kick(d);
}

static void set_half(uint64_t *field, unsigned half, uint32_t v)
{
    unsigned shift = 32 * half;
    *field = (*field & ~(UINT64_C(0xffffffff) << shift)) | ((uint64_t)v << shift);
}

static void common_write(VgpuDevice *d, uint32_t off, uint32_t v, unsigned size)
{
    VgpuVq *q = d->queue_select < VGPU_NUM_QUEUES ? &d->vq[d->queue_select] : NULL;
    bool q_writable = q && !q->enabled;
    switch (off | size << 8) {
    case VIRTIO_PCI_COMMON_DFSELECT | 4 << 8:
        d->dfselect = v;
        break;
    case VIRTIO_PCI_COMMON_GFSELECT | 4 << 8:
        d->gfselect = v;
        break;
    case VIRTIO_PCI_COMMON_GF | 4 << 8:
        if (d->gfselect < 2 && !(d->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
            set_half(&d->driver_features, d->gfselect, v);
        }
        break;
    case VIRTIO_PCI_COMMON_STATUS | 1 << 8:
        handle_status(d, (uint8_t)v);
        break;
    case VIRTIO_PCI_COMMON_Q_SELECT | 2 << 8:
        d->queue_select = (uint16_t)v;
        break;
    case VIRTIO_PCI_COMMON_Q_SIZE | 2 << 8:
        if (q_writable) {
            q->size = (uint16_t)v; /* checked at enable */
        }
        break;
    case VIRTIO_PCI_COMMON_Q_ENABLE | 2 << 8:
        if (q_writable && v == 1) {
            const char *why;
            uint64_t value;
            if (!vgpu_vq_enable(d->vm, q, &why, &value)) {
                vgpu_driver_error(d, "queue_enable", value, why);
            }
        }
        break;
    case VIRTIO_PCI_COMMON_Q_DESCLO | 4 << 8:
    case VIRTIO_PCI_COMMON_Q_DESCHI | 4 << 8:
        if (q_writable) {
            set_half(&q->desc_gpa, off == VIRTIO_PCI_COMMON_Q_DESCHI, v);
        }
        break;
    case VIRTIO_PCI_COMMON_Q_AVAILLO | 4 << 8:
    case VIRTIO_PCI_COMMON_Q_AVAILHI | 4 << 8:
        if (q_writable) {
            set_half(&q->avail_gpa, off == VIRTIO_PCI_COMMON_Q_AVAILHI, v);
        }
        break;
    case VIRTIO_PCI_COMMON_Q_USEDLO | 4 << 8:
    case VIRTIO_PCI_COMMON_Q_USEDHI | 4 << 8:
        if (q_writable) {
            set_half(&q->used_gpa, off == VIRTIO_PCI_COMMON_Q_USEDHI, v);
        }
        break;
    case VIRTIO_PCI_COMMON_FREEZE_MODE | 2 << 8:
        if (d->cfg.offer_freeze) {
            handle_freeze_mode(d, (uint16_t)v);
        }
        break;
    default:
        /* Read-only fields, MSI-X vectors (none), queue_reset (not
         * offered), odd sizes: ignored like a real register file. */
        break;
    }
}

static void device_cfg_write(VgpuDevice *d, uint32_t off, uint32_t v, unsigned size)
{
    if (off == offsetof(struct virtio_gpu_config, events_clear) && size == 4) {
        d->events_read &= ~v;
    }
}

void vgpu_port_write(void *opaque, uint16_t offset, uint32_t value, unsigned size)
{
    VgpuDevice *d = opaque;
    if (offset < VGPU_BAR_COMMON + common_size(d)) {
        common_write(d, offset - VGPU_BAR_COMMON, value, size);
    } else if (offset >= VGPU_BAR_DEVICE && offset < VGPU_BAR_DEVICE + sizeof(struct virtio_gpu_config)) {
        device_cfg_write(d, offset - VGPU_BAR_DEVICE, value, size);
    } else if (offset >= VGPU_BAR_NOTIFY &&
               offset < VGPU_BAR_NOTIFY + VGPU_NOTIFY_MULT * VGPU_NUM_QUEUES) {
        /* The doorbell of queue (offset / mult); the value names the queue
         * too, a mismatch is harmless: the worker looks at both queues. */
        vgpu_kick(d);
    }
}

uint32_t vgpu_port_read(void *opaque, uint16_t offset, unsigned size)
{
    VgpuDevice *d = opaque;
    uint8_t img[VIRTIO_PCI_COMMON_CFG_SIZE_FREEZE];
    const uint8_t *src = NULL;
    uint32_t base = 0, len = 0;
    if (offset < VGPU_BAR_COMMON + common_size(d)) {
        common_image(d, img);
        src = img;
        base = VGPU_BAR_COMMON;
        len = common_size(d);
    } else if (offset == VGPU_BAR_ISR) {
        /* Reading the ISR acknowledges: it clears and lowers the line. */
        uint8_t isr = d->isr;
        d->isr = 0;
        vm_irq_set_level(d->irq, false);
        return isr;
    } else if (offset >= VGPU_BAR_DEVICE && offset < VGPU_BAR_DEVICE + sizeof(struct virtio_gpu_config)) {
        struct virtio_gpu_config c = {
            .events_read = d->events_read, .events_clear = 0,
            .num_scanouts = VGPU_NUM_SCANOUTS, .num_capsets = 0,
        };
        memcpy(img, &c, sizeof(c));
        src = img;
        base = VGPU_BAR_DEVICE;
        len = sizeof(c);
    }
    if (src == NULL) {
        return 0;
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < size && offset - base + i < len; i++) {
        v |= (uint32_t)src[offset - base + i] << (8 * i);
    }
    return v;
}
