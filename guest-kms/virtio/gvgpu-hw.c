/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gvgpu-hw.c: probe, negotiation, virtqueues and commands of the guest's
 * virtio-gpu driver (see gvgpu-hw.h). */
#include "config.h"

#include "gvgpu-hw.h"

#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_gpu.h>
#include <linux/virtio_pci.h>

#include "gkms-log.h"
#include "virtio-pci-freeze.h"

#define PCI_CAP_ID_PM 0x01
#define PCI_CAP_ID_VNDR 0x09
#define GVGPU_MAX_CAPS 48       /* a longer list is a loop */
#define GVGPU_PCI_CONFIG_SIZE 256 /* conventional PCI config space */

static uint32_t cfg_read(GvgpuHw *hw, uint32_t off, unsigned size)
{
    return gbus_pci_config_read(hw->bus, hw->pci, off, size);
}

int gvgpu_hw_probe(GvgpuHw *hw, const Gbus *bus, unsigned index, uint64_t ram_base,
                   uint64_t ram_size)
{
    memset(hw, 0, sizeof(*hw));
    hw->bus = bus;
    hw->pci = gbus_pci_find(bus, 0x1af4, 0x1050, index);
    if (hw->pci == NULL) {
        gkms_log_warn("virtio-gpu: no device %u", index);
        return -1;
    }
    uint32_t bar0 = cfg_read(hw, 0x10, 4);
    hw->irq_line = cfg_read(hw, 0x3c, 1);
    GbusPciBar bar0_res;
    if (!(bar0 & 1) || hw->irq_line >= 0xff || gbus_pci_bar(bus, hw->pci, 0, &bar0_res) != 0 || !(cfg_read(hw, 0x06, 2) & 0x10)) {
        gkms_log_warn("virtio-gpu: BAR0 is not I/O, no interrupt line or no capabilities");
        return -1;
    }
    hw->io = (uint16_t)(bar0 & ~3u);
    uint64_t bar_size = bar0_res.size;
    bool have[5] = { false };
    uint32_t lens[5] = { 0 }, offs[5] = { 0 };
    uint32_t pos = cfg_read(hw, 0x34, 1) & ~3u;
    for (unsigned n = 0; pos >= 0x40 && pos <= GVGPU_PCI_CONFIG_SIZE - 16; n++) {
        if (n == GVGPU_MAX_CAPS) {
            gkms_log_warn("virtio-gpu: capability list loops");
            return -1;
        }
        uint32_t id = cfg_read(hw, pos, 1), next = cfg_read(hw, pos + 1, 1) & ~3u;
        if (id == PCI_CAP_ID_PM) {
            hw->pm_cap = (uint8_t)pos;
            hw->no_soft_reset = cfg_read(hw, pos + 4, 2) & 0x08;
        } else if (id == PCI_CAP_ID_VNDR) {
            uint32_t type = cfg_read(hw, pos + 3, 1), bar = cfg_read(hw, pos + 4, 1);
            uint32_t off = cfg_read(hw, pos + 8, 4), len = cfg_read(hw, pos + 12, 4);
            /* The first capability of each type is the preferred one. */
            if (type >= 1 && type <= 4 && bar == 0 && !have[type] && (uint64_t)off + len <= bar_size) {
                have[type] = true;
                offs[type] = off;
                lens[type] = len;
                if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
                    hw->notify_mult = cfg_read(hw, pos + 16, 4);
                }
            }
        }
        pos = next;
    }
    if (!have[VIRTIO_PCI_CAP_COMMON_CFG] || !have[VIRTIO_PCI_CAP_NOTIFY_CFG] ||
        !have[VIRTIO_PCI_CAP_ISR_CFG] || !have[VIRTIO_PCI_CAP_DEVICE_CFG] ||
        lens[VIRTIO_PCI_CAP_COMMON_CFG] < VIRTIO_PCI_COMMON_Q_USEDHI + 4 ||
        lens[VIRTIO_PCI_CAP_DEVICE_CFG] < sizeof(struct virtio_gpu_config) ||
        hw->notify_mult > 0x1000) {
        gkms_log_warn("virtio-gpu: a required capability is missing or too small");
        return -1;
    }
    hw->common = offs[VIRTIO_PCI_CAP_COMMON_CFG];
    hw->common_len = lens[VIRTIO_PCI_CAP_COMMON_CFG];
    hw->notify = offs[VIRTIO_PCI_CAP_NOTIFY_CFG];
    hw->isr = offs[VIRTIO_PCI_CAP_ISR_CFG];
    hw->devcfg = offs[VIRTIO_PCI_CAP_DEVICE_CFG];
    if (ram_size == 0 || ram_base > bus->ram_size || ram_size > bus->ram_size - ram_base) {
        gkms_log_warn("virtio-gpu: the driver's RAM window is outside guest RAM");
        return -1;
    }
    gqxl_heap_init(&hw->ram, ram_base, ram_size);
    for (unsigned qi = 0; qi < 2; qi++) {
        GvgpuQueue *q = &hw->q[qi];
        q->ring_off = gqxl_heap_alloc(&hw->ram, 3 * 4096, 4096);
        q->slots_off = gqxl_heap_alloc(&hw->ram, (uint64_t)GVGPU_SLOTS * GVGPU_SLOT_SIZE, 4096);
        if (q->ring_off == UINT64_MAX || q->slots_off == UINT64_MAX) {
            gkms_log_warn("virtio-gpu: no guest RAM for the queues");
            gqxl_heap_finish(&hw->ram);
            return -1;
        }
        q->desc = gvgpu_hw_ptr(hw, q->ring_off, 4096);
        q->avail = gvgpu_hw_ptr(hw, q->ring_off + 4096, 4096);
        q->used = gvgpu_hw_ptr(hw, q->ring_off + 8192, 4096);
        q->slots = gvgpu_hw_ptr(hw, q->slots_off, (uint64_t)GVGPU_SLOTS * GVGPU_SLOT_SIZE);
    }
    return 0;
}

void gvgpu_hw_finish(GvgpuHw *hw)
{
    if (hw->bus) {
        gqxl_heap_finish(&hw->ram);
    }
    memset(hw, 0, sizeof(*hw));
}

void *gvgpu_hw_ptr(GvgpuHw *hw, uint64_t off, uint64_t size)
{
    return gbus_phys_to_ptr(hw->bus, off, size);
}

uint32_t gvgpu_hw_common_read(GvgpuHw *hw, uint32_t off, unsigned size)
{
    return gbus_in(hw->bus, (uint16_t)(hw->io + hw->common + off), size);
}

void gvgpu_hw_common_write(GvgpuHw *hw, uint32_t off, uint32_t value, unsigned size)
{
    gbus_out(hw->bus, (uint16_t)(hw->io + hw->common + off), value, size);
}

uint8_t gvgpu_hw_status(GvgpuHw *hw)
{
    return (uint8_t)gvgpu_hw_common_read(hw, VIRTIO_PCI_COMMON_STATUS, 1);
}

bool gvgpu_hw_has(const GvgpuHw *hw, unsigned feature)
{
    return hw->features >> feature & 1;
}

bool gvgpu_hw_poll(GvgpuHw *hw, uint32_t off, unsigned size, uint32_t mask, uint32_t want,
                   int64_t timeout_us)
{
    int64_t deadline = g_get_monotonic_time() + timeout_us;
    for (;;) {
        if ((gvgpu_hw_common_read(hw, off, size) & mask) == want) {
            return true;
        }
        if (g_get_monotonic_time() >= deadline) {
            return false;
        }
        if (gvgpu_hw_status(hw) & VIRTIO_CONFIG_S_NEEDS_RESET) {
            /* The device gave up, and nothing will change any more.  Look
             * once more: the field may have reached `want` between the two
             * reads (it does when the wait is for NEEDS_RESET itself). */
            return (gvgpu_hw_common_read(hw, off, size) & mask) == want;
        }
        g_usleep(200);
    }
}

int gvgpu_hw_set_power(GvgpuHw *hw, unsigned state)
{
    if (hw->pm_cap == 0) {
        return -1;
    }
    uint32_t pmcsr = cfg_read(hw, hw->pm_cap + 4u, 2);
    gbus_pci_config_write(hw->bus, hw->pci, hw->pm_cap + 4u, (pmcsr & ~3u) | state, 2);
    return (cfg_read(hw, hw->pm_cap + 4u, 2) & 3) == state ? 0 : -1;
}

static void queue_setup(GvgpuHw *hw, unsigned qi)
{
    GvgpuQueue *q = &hw->q[qi];
    /* Fresh rings: the device forgot them with the reset. */
    memset(q->desc, 0, 3 * 4096);
    q->avail_idx = q->last_used = 0;
    q->outstanding = 0;
    memset(q->busy, 0, sizeof(q->busy));
    gvgpu_hw_common_write(hw, VIRTIO_PCI_COMMON_Q_SELECT, qi, 2);
    gvgpu_hw_common_write(hw, VIRTIO_PCI_COMMON_Q_SIZE, GVGPU_QUEUE_SIZE, 2);
    uint64_t d = q->ring_off, a = q->ring_off + 4096, u = q->ring_off + 8192;
    gvgpu_hw_common_write(hw, VIRTIO_PCI_COMMON_Q_DESCLO, (uint32_t)d, 4);
    gvgpu_hw_common_write(hw, VIRTIO_PCI_COMMON_Q_DESCHI, (uint32_t)(d >> 32), 4);
    gvgpu_hw_common_write(hw, VIRTIO_PCI_COMMON_Q_AVAILLO, (uint32_t)a, 4);
    gvgpu_hw_common_write(hw, VIRTIO_PCI_COMMON_Q_AVAILHI, (uint32_t)(a >> 32), 4);
    gvgpu_hw_common_write(hw, VIRTIO_PCI_COMMON_Q_USEDLO, (uint32_t)u, 4);
    gvgpu_hw_common_write(hw, VIRTIO_PCI_COMMON_Q_USEDHI, (uint32_t)(u >> 32), 4);
    gvgpu_hw_common_write(hw, VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
}

int gvgpu_hw_init(GvgpuHw *hw, uint64_t wanted, bool reset_first)
{
    if (reset_first) {
        gvgpu_hw_common_write(hw, VIRTIO_PCI_COMMON_STATUS, 0, 1);
        /* 4.1.4.3.2: a reset is complete when status reads 0. */
        if (!gvgpu_hw_poll(hw, VIRTIO_PCI_COMMON_STATUS, 1, 0xff, 0, GVGPU_TIMEOUT_US)) {
            gkms_log_warn("virtio-gpu: reset does not complete");
            return -1;
        }
    }
    uint8_t st = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
    gvgpu_hw_common_write(hw, VIRTIO_PCI_COMMON_STATUS, st, 1);
    hw->device_features = 0;
    for (uint32_t half = 0; half < 2; half++) {
        gvgpu_hw_common_write(hw, VIRTIO_PCI_COMMON_DFSELECT, half, 4);
        hw->device_features |= (uint64_t)gvgpu_hw_common_read(hw, VIRTIO_PCI_COMMON_DF, 4) << (32 * half);
    }
    hw->features = hw->device_features & (wanted | UINT64_C(1) << VIRTIO_F_VERSION_1);
    if (!gvgpu_hw_has(hw, VIRTIO_F_VERSION_1)) {
        gkms_log_warn("virtio-gpu: not a virtio 1 device");
        return -1;
    }
    for (uint32_t half = 0; half < 2; half++) {
        gvgpu_hw_common_write(hw, VIRTIO_PCI_COMMON_GFSELECT, half, 4);
        gvgpu_hw_common_write(hw, VIRTIO_PCI_COMMON_GF, (uint32_t)(hw->features >> (32 * half)), 4);
    }
    st |= VIRTIO_CONFIG_S_FEATURES_OK;
    gvgpu_hw_common_write(hw, VIRTIO_PCI_COMMON_STATUS, st, 1);
    if (!(gvgpu_hw_status(hw) & VIRTIO_CONFIG_S_FEATURES_OK)) {
        gkms_log_warn("virtio-gpu: features refused");
        return -1;
    }
    if (gvgpu_hw_common_read(hw, VIRTIO_PCI_COMMON_NUMQ, 2) < 2) {
        gkms_log_warn("virtio-gpu: fewer than two queues");
        return -1;
    }
    for (unsigned qi = 0; qi < 2; qi++) {
        queue_setup(hw, qi);
    }
    st |= VIRTIO_CONFIG_S_DRIVER_OK;
    gvgpu_hw_common_write(hw, VIRTIO_PCI_COMMON_STATUS, st, 1);
    if (gvgpu_hw_status(hw) & VIRTIO_CONFIG_S_NEEDS_RESET) {
        gkms_log_warn("virtio-gpu: the device needs a reset after setup");
        return -1;
    }
    return 0;
}

/* Takes back what the device has answered; false if it named a buffer we
 * never gave it. */
static bool reap(GvgpuHw *hw, unsigned qi)
{
    GvgpuQueue *q = &hw->q[qi];
    uint16_t idx = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
    while (q->last_used != idx) {
        struct vring_used_elem e;
        memcpy(&e, &q->used->ring[q->last_used % GVGPU_QUEUE_SIZE], sizeof(e));
        uint32_t slot = e.id / 2;
        if (e.id % 2 || slot >= GVGPU_SLOTS || !q->busy[slot]) {
            gkms_log_warn("virtio-gpu: used id %u was never posted", e.id);
            return false;
        }
        if (q->resp_len[slot]) {
            struct virtio_gpu_ctrl_hdr h;
            memcpy(&h, q->slots + (size_t)slot * GVGPU_SLOT_SIZE + GVGPU_RESP_OFFSET, sizeof(h));
            if (e.len < sizeof(h) || h.type >= VIRTIO_GPU_RESP_ERR_UNSPEC) {
                hw->resp_errors++;
                hw->last_resp_error = e.len < sizeof(h) ? 0 : h.type;
            }
        }
        q->busy[slot] = false;
        q->outstanding--;
        q->last_used++;
        hw->completed++;
    }
    return true;
}

/* Sleeps on the line for at most 10 ms, acknowledges (ISR read), reaps.
 * -1 if the device needs a reset or misbehaves. */
static int wait_some(GvgpuHw *hw, unsigned qi)
{
    gbus_irq_wait(hw->bus, hw->irq_line, g_get_monotonic_time() + 10000);
    gbus_in(hw->bus, (uint16_t)(hw->io + hw->isr), 1);
    if (!reap(hw, qi) || (gvgpu_hw_status(hw) & VIRTIO_CONFIG_S_NEEDS_RESET)) {
        return -1;
    }
    return 0;
}

int gvgpu_hw_post(GvgpuHw *hw, unsigned qi, const void *req, size_t req_len, size_t resp_len)
{
    GvgpuQueue *q = &hw->q[qi];
    if (req_len > GVGPU_RESP_OFFSET || resp_len > GVGPU_SLOT_SIZE - GVGPU_RESP_OFFSET) {
        return -1;
    }
    int64_t deadline = g_get_monotonic_time() + GVGPU_TIMEOUT_US;
    if (!reap(hw, qi)) {
        return -1;
    }
    while (q->outstanding == GVGPU_SLOTS) {
        if (g_get_monotonic_time() >= deadline || wait_some(hw, qi) != 0) {
            return -1;
        }
    }
    uint32_t slot = 0;
    while (q->busy[slot]) {
        slot++;
    }
    uint64_t gpa = q->slots_off + (uint64_t)slot * GVGPU_SLOT_SIZE;
    uint8_t *buf = q->slots + (size_t)slot * GVGPU_SLOT_SIZE;
    memcpy(buf, req, req_len);
    memset(buf + GVGPU_RESP_OFFSET, 0, resp_len);
    struct vring_desc *d = &q->desc[2 * slot];
    d[0] = (struct vring_desc){ .addr = gpa, .len = (uint32_t)req_len,
                                .flags = resp_len ? VRING_DESC_F_NEXT : 0, .next = (uint16_t)(2 * slot + 1) };
    d[1] = (struct vring_desc){ .addr = gpa + GVGPU_RESP_OFFSET, .len = (uint32_t)resp_len,
                                .flags = VRING_DESC_F_WRITE, .next = 0 };
    q->busy[slot] = true;
    q->resp_len[slot] = (uint32_t)resp_len;
    q->outstanding++;
    q->avail->ring[q->avail_idx % GVGPU_QUEUE_SIZE] = (uint16_t)(2 * slot);
    q->avail_idx++;
    __atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
    hw->submitted++;
    gbus_out(hw->bus, (uint16_t)(hw->io + hw->notify + qi * hw->notify_mult), qi, 2);
    return 0;
}

int gvgpu_hw_reap(GvgpuHw *hw, unsigned qi)
{
    return reap(hw, qi) ? 0 : -1;
}

int gvgpu_hw_sync(GvgpuHw *hw, unsigned qi)
{
    int64_t deadline = g_get_monotonic_time() + GVGPU_TIMEOUT_US;
    if (!reap(hw, qi)) {
        return -1;
    }
    while (hw->q[qi].outstanding) {
        if (g_get_monotonic_time() >= deadline || wait_some(hw, qi) != 0) {
            return -1;
        }
    }
    return 0;
}

int gvgpu_hw_call(GvgpuHw *hw, const void *req, size_t req_len, void *resp, size_t resp_len)
{
    GvgpuQueue *q = &hw->q[0];
    if (gvgpu_hw_sync(hw, 0) != 0 || gvgpu_hw_post(hw, 0, req, req_len, resp_len) != 0 ||
        gvgpu_hw_sync(hw, 0) != 0) {
        return -1;
    }
    /* Nothing else was posted since: the last avail entry names the slot,
     * and its response area is untouched until the next post. */
    uint32_t slot = (uint32_t)(q->avail->ring[(uint16_t)(q->avail_idx - 1) % GVGPU_QUEUE_SIZE] / 2);
    memcpy(resp, q->slots + (size_t)slot * GVGPU_SLOT_SIZE + GVGPU_RESP_OFFSET, resp_len);
    return 0;
}
