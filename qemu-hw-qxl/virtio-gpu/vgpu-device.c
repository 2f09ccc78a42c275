/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vgpu-device.c: creation, PCI capabilities and power management,
 * interrupts, the driver-error latch, the worker thread and the reset of
 * the virtio-gpu device. */
#include "config.h"

#include "vgpu-private.h"

#include <string.h>

void vgpu_device_default_config(VgpuDeviceConfig *cfg)
{
    *cfg = (VgpuDeviceConfig){
        .id = 0,
        .io_base = 0xd000,
        .irq_line = 11,
        .width = 1024,
        .height = 768,
        .offer_freeze = true,
        .offer_suspend = true,
        .no_soft_reset = true,
        .max_host_bytes = UINT64_C(256) << 20,
        .cmd_delay_us = 0,
    };
}

bool vgpu_negotiated(const VgpuDevice *d, unsigned bit)
{
    return (d->status & VIRTIO_CONFIG_S_FEATURES_OK) && (d->driver_features >> bit & 1);
}

static void update_irq(VgpuDevice *d)
{
    vm_irq_set_level(d->irq, d->isr != 0);
}

void vgpu_raise_isr(VgpuDevice *d, uint8_t bits)
{
    d->isr |= bits;
    update_irq(d);
}

void vgpu_driver_error(VgpuDevice *d, const char *field, uint64_t value, const char *why)
{
    vm_log_warn("virtio-gpu-%d: driver error: %s = 0x%" G_GINT64_MODIFIER "x: %s", d->cfg.id,
                field, (guint64)value, why);
    g_mutex_lock(&d->stats_lock);
    d->stats.driver_errors++;
    g_snprintf(d->stats.last_driver_error, sizeof(d->stats.last_driver_error),
               "%s = 0x%" G_GINT64_MODIFIER "x: %s", field, (guint64)value, why);
    g_mutex_unlock(&d->stats_lock);
    bool first = !(d->status & VIRTIO_CONFIG_S_NEEDS_RESET);
    d->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
    /* 2.1.2: once DRIVER_OK was set, NEEDS_RESET comes with a
     * configuration change notification. */
    if (first && (d->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        vgpu_raise_isr(d, VIRTIO_PCI_ISR_CONFIG);
    }
}

void vgpu_kick(VgpuDevice *d)
{
    g_mutex_lock(&d->wlock);
    d->kick = true;
    VGPU_STATS_INC(d, kicks); /* under wlock: the worker reads it with the kick */
    g_cond_signal(&d->wcond);
    g_mutex_unlock(&d->wlock);
}

void vgpu_reset(VgpuDevice *d)
{
    /* Kept only for a completed FREEZE_S3 (the extension's whole point);
     * a pending request or SUSPEND do not change what a reset means. */
    bool keep = d->freeze_status == VIRTIO_PCI_FREEZE_MODE_FREEZE_S3;
    d->driver_features = 0;
    d->dfselect = d->gfselect = 0;
    d->status = 0;
    d->generation++;
    d->queue_select = 0;
    for (unsigned i = 0; i < VGPU_NUM_QUEUES; i++) {
        vgpu_vq_reset(&d->vq[i]);
    }
    d->isr = 0;
    d->suspend_req = d->suspended = false;
    update_irq(d);
    if (keep) {
        /* Still frozen: the queues stay stopped until the driver, having
         * negotiated the feature again, writes UNFREEZE. */
        VGPU_STATS_INC(d, kept_resets);
        vm_log_info("virtio-gpu-%d: reset while frozen: resources and scanout kept", d->cfg.id);
    } else {
        d->freeze_mode = d->freeze_status = VIRTIO_PCI_FREEZE_MODE_UNFREEZE;
        d->events_read = 0;
        vgpu_resources_destroy_all(d);
    }
    VGPU_STATS_INC(d, resets);
}

static void vgpu_machine_reset(void *opaque)
{
    VgpuDevice *d = opaque;
    uint16_t pmcsr = (uint16_t)(d->pci.config[VGPU_CAP_PM + 4] | d->pci.config[VGPU_CAP_PM + 5] << 8);
    if (d->cfg.no_soft_reset && (pmcsr & 3) == VGPU_PM_D3HOT) {
        /* PCI PM 1.2 No_Soft_Reset: D3hot -> D0 keeps the function's state;
         * QEMU 9.1 skips the virtio reset for the same reason. */
        VGPU_STATS_INC(d, skipped_resets);
        vm_log_info("virtio-gpu-%d: machine reset skipped (D3hot, No_Soft_Reset)", d->cfg.id);
        return;
    }
    vgpu_reset(d);
    d->pm_state = VGPU_PM_D0;
    d->pci.config[VGPU_CAP_PM + 4] &= (uint8_t)~3u;
}

static const VmDeviceOps vgpu_vm_ops = { .name = "virtio-gpu", .reset = vgpu_machine_reset };

/* One buffer (or one freeze/suspend acknowledgement) per call; false when
 * there is nothing more to do. Machine lock held. */
static bool vgpu_step(VgpuDevice *d)
{
    if (d->status & VIRTIO_CONFIG_S_NEEDS_RESET) {
        return false;
    }
    bool quiesce = d->freeze_mode != VIRTIO_PCI_FREEZE_MODE_UNFREEZE || d->suspend_req ||
                   d->pm_state != VGPU_PM_D0;
    if (quiesce) {
        /* Buffers are consumed whole under the lock, so none is in flight
         * here and every used one is published and signalled already. */
        if (d->freeze_mode != d->freeze_status) {
            d->freeze_status = d->freeze_mode;
            VGPU_STATS_INC(d, freeze_acks);
            vgpu_raise_isr(d, VIRTIO_PCI_ISR_CONFIG);
        }
        if (d->suspend_req && !d->suspended) {
            d->suspended = true;
            VGPU_STATS_INC(d, suspend_acks);
        }
        return false;
    }
    if (d->freeze_status != VIRTIO_PCI_FREEZE_MODE_UNFREEZE) {
        d->freeze_status = VIRTIO_PCI_FREEZE_MODE_UNFREEZE;
        VGPU_STATS_INC(d, freeze_acks);
        vgpu_raise_isr(d, VIRTIO_PCI_ISR_CONFIG);
    }
    if (!(d->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        return false;
    }
    for (unsigned qi = 0; qi < VGPU_NUM_QUEUES; qi++) {
        VgpuVq *q = &d->vq[qi];
        VgpuElem *e = g_new(VgpuElem, 1);
        const char *why = NULL;
        uint64_t value = 0;
        VgpuVqStatus st = vgpu_vq_pop(d->vm, q, e, &why, &value);
        if (st == VGPU_VQ_BROKEN) {
            g_free(e);
            vgpu_driver_error(d, qi == VGPU_CTRLQ ? "controlq" : "cursorq", value, why);
            return false;
        }
        if (st == VGPU_VQ_EMPTY) {
            g_free(e);
            continue;
        }
        VGPU_STATS_INC(d, buffers);
        if (qi == VGPU_CTRLQ) {
            vgpu_handle_ctrl(d, e);
        } else {
            vgpu_handle_cursor(d, e);
        }
        vgpu_vq_push(q, e);
        g_free(e);
        uint16_t flags = __atomic_load_n(&q->avail->flags, __ATOMIC_ACQUIRE);
        if (!(flags & VRING_AVAIL_F_NO_INTERRUPT)) {
            vgpu_raise_isr(d, 1); /* VIRTIO_PCI_ISR bit 0: a used buffer */
        }
        return true;
    }
    return false;
}

static gpointer worker_main(gpointer data)
{
    VgpuDevice *d = data;
    g_mutex_lock(&d->wlock);
    for (;;) {
        while (!d->kick && !d->quit) {
            g_cond_wait(&d->wcond, &d->wlock);
        }
        if (d->quit) {
            break;
        }
        d->kick = false;
        g_mutex_lock(&d->stats_lock);
        uint64_t kicks = d->stats.kicks; /* every kick up to here is taken */
        g_mutex_unlock(&d->stats_lock);
        g_mutex_unlock(&d->wlock);
        bool more;
        do {
            vm_machine_lock(d->vm);
            more = vgpu_step(d);
            vm_machine_unlock(d->vm);
            if (more && d->cfg.cmd_delay_us) {
                g_usleep(d->cfg.cmd_delay_us);
            }
        } while (more);
        g_mutex_lock(&d->stats_lock);
        d->stats.kicks_done = kicks;
        g_mutex_unlock(&d->stats_lock);
        g_mutex_lock(&d->wlock);
    }
    g_mutex_unlock(&d->wlock);
    return NULL;
}

static void put_cap(VgpuDevice *d, uint8_t off, uint8_t next, uint8_t len, uint8_t type,
                    uint32_t bar_off, uint32_t bar_len)
{
    struct virtio_pci_cap cap = {
        .cap_vndr = 0x09, /* PCI_CAP_ID_VNDR */
        .cap_next = next, .cap_len = len, .cfg_type = type, .bar = 0,
        .offset = bar_off, .length = bar_len,
    };
    memcpy(&d->pci.config[off], &cap, sizeof(cap));
}

static void build_caps(VgpuDevice *d)
{
    uint8_t *c = d->pci.config;
    c[0x06] |= 0x10;            /* status: capabilities list */
    c[0x34] = VGPU_CAP_COMMON;
    uint32_t common_len = d->cfg.offer_freeze ? VIRTIO_PCI_COMMON_CFG_SIZE_FREEZE
                                              : VIRTIO_PCI_COMMON_FREEZE_MODE;
    put_cap(d, VGPU_CAP_COMMON, VGPU_CAP_NOTIFY, 16, VIRTIO_PCI_CAP_COMMON_CFG, VGPU_BAR_COMMON,
            common_len);
    put_cap(d, VGPU_CAP_NOTIFY, VGPU_CAP_ISR, 20, VIRTIO_PCI_CAP_NOTIFY_CFG, VGPU_BAR_NOTIFY,
            VGPU_NOTIFY_MULT * VGPU_NUM_QUEUES);
    uint32_t mult = VGPU_NOTIFY_MULT;
    memcpy(&c[VGPU_CAP_NOTIFY + 16], &mult, 4);
    put_cap(d, VGPU_CAP_ISR, VGPU_CAP_DEVICE, 16, VIRTIO_PCI_CAP_ISR_CFG, VGPU_BAR_ISR, 1);
    put_cap(d, VGPU_CAP_DEVICE, VGPU_CAP_PM, 16, VIRTIO_PCI_CAP_DEVICE_CFG, VGPU_BAR_DEVICE,
            sizeof(struct virtio_gpu_config));
    /* PCI power management: PMC version 3 (1.2); PMCSR with No_Soft_Reset
     * (bit 3) as configured, D0. */
    c[VGPU_CAP_PM] = 0x01;
    c[VGPU_CAP_PM + 1] = 0;
    c[VGPU_CAP_PM + 2] = 0x03;
    c[VGPU_CAP_PM + 3] = 0;
    c[VGPU_CAP_PM + 4] = d->cfg.no_soft_reset ? 0x08 : 0;
    c[VGPU_CAP_PM + 5] = 0;
    memcpy(d->config_init, c, sizeof(d->config_init));
}

/* The guest wrote config space: only PMCSR's power state is writable;
 * every other byte goes back to what the device built. */
static void config_written(VmPciDevice *pci, uint32_t offset, uint32_t size, void *opaque)
{
    VgpuDevice *d = opaque;
    uint8_t pm = pci->config[VGPU_CAP_PM + 4] & 3;
    memcpy(pci->config + 0x40, d->config_init + 0x40, VM_PCI_CONFIG_SIZE - 0x40);
    if (offset <= VGPU_CAP_PM + 4u && offset + size > VGPU_CAP_PM + 4u) {
        if (pm != VGPU_PM_D0 && pm != VGPU_PM_D3HOT) {
            pm = d->pm_state; /* D1/D2 are not supported (PMC says so) */
        }
        uint8_t old = d->pm_state;
        d->pm_state = pm;
        if (old != pm) {
            vm_log_info("virtio-gpu-%d: power state D%u", d->cfg.id, pm);
            vgpu_kick(d); /* quiesce or resume consumption */
        }
    }
    pci->config[VGPU_CAP_PM + 4] = (uint8_t)((pci->config[VGPU_CAP_PM + 4] & ~3u) | d->pm_state);
}

VgpuDevice *vgpu_device_create(VmMachine *vm, SpiceServer *server, const VgpuDeviceConfig *cfg)
{
    if (cfg->width == 0 || cfg->height == 0 || cfg->width > VGPU_MAX_DIM ||
        cfg->height > VGPU_MAX_DIM || cfg->id < 0 || (uint32_t)cfg->io_base + VGPU_BAR_SIZE > 0x10000) {
        vm_log_warn("virtio-gpu: invalid configuration");
        return NULL;
    }
    VgpuDevice *d = g_new0(VgpuDevice, 1);
    d->vm = vm;
    d->server = server;
    d->cfg = *cfg;
    d->irq = vm_machine_irq(vm, cfg->irq_line);
    g_mutex_init(&d->wlock);
    g_cond_init(&d->wcond);
    g_mutex_init(&d->stats_lock);
    d->resources = g_hash_table_new(g_direct_hash, g_direct_equal);
    d->device_features = UINT64_C(1) << VIRTIO_F_VERSION_1;
    if (cfg->offer_freeze) {
        d->device_features |= UINT64_C(1) << VIRTIO_F_FREEZE_MODE;
    }
    if (cfg->offer_suspend) {
        d->device_features |= UINT64_C(1) << VIRTIO_F_SUSPEND;
    }
    for (unsigned i = 0; i < VGPU_NUM_QUEUES; i++) {
        vgpu_vq_reset(&d->vq[i]);
    }
    d->pci = (VmPciDevice){
        .vendor_id = VGPU_PCI_VENDOR_ID, .device_id = VGPU_PCI_DEVICE_ID, .revision = 1,
        .class_code = 0x038000, .irq_line = cfg->irq_line,
        .config_written = config_written, .opaque = d,
    };
    d->pci.bars[0] = (VmPciBar){ cfg->io_base, VGPU_BAR_SIZE, true };
    if (d->irq == NULL || vgpu_display_init(d) != 0) {
        vm_log_warn("virtio-gpu: no interrupt line, or the SPICE server refused the display");
        g_hash_table_destroy(d->resources);
        g_free(d);
        return NULL;
    }
    if (
        vm_machine_map_ports(vm, cfg->io_base, VGPU_BAR_SIZE, vgpu_port_write, vgpu_port_read, d) != 0 ||
        vm_machine_add_pci(vm, &d->pci) != 0 || vm_machine_add_device(vm, &vgpu_vm_ops, d) != 0) {
        vm_log_warn("virtio-gpu: the machine has no room for another device");
        vgpu_display_finish(d);
        g_hash_table_destroy(d->resources);
        g_free(d);
        return NULL;
    }
    build_caps(d);
    d->worker = g_thread_new("vgpu-worker", worker_main, d);
    return d;
}

void vgpu_device_destroy(VgpuDevice *d)
{
    if (d == NULL) {
        return;
    }
    g_mutex_lock(&d->wlock);
    d->quit = true;
    g_cond_signal(&d->wcond);
    g_mutex_unlock(&d->wlock);
    g_thread_join(d->worker);
    vm_machine_lock(d->vm);
    vgpu_resources_destroy_all(d);
    vm_machine_unlock(d->vm);
    vgpu_display_finish(d);
    g_hash_table_destroy(d->resources);
    g_mutex_clear(&d->wlock);
    g_cond_clear(&d->wcond);
    g_mutex_clear(&d->stats_lock);
    g_free(d);
}

VmPciDevice *vgpu_device_pci(VgpuDevice *d)
{
    return &d->pci;
}

void vgpu_device_get_stats(VgpuDevice *d, VgpuDeviceStats *out)
{
    g_mutex_lock(&d->stats_lock);
    *out = d->stats;
    g_mutex_unlock(&d->stats_lock);
    vm_machine_lock(d->vm);
    out->resources = g_hash_table_size(d->resources);
    vm_machine_unlock(d->vm);
}
