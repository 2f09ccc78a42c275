/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-vgpu-device: libFuzzer target for the virtio-gpu device with our
 * server attached, as a hostile guest drives it: control and cursor
 * requests of any bytes, raw writes into the rings it set up, the common
 * configuration (status, queue setup, the freeze_mode registers), the
 * device configuration, queue notifications and PCI power states.
 *
 * The stack (qemu-hw-qxl/stack: machine, loop thread, server, device) is
 * created once and never torn down (libFuzzer exits the process).  Each
 * input starts from a device the guest driver (guest-kms/virtio/gvgpu-hw)
 * has reset and set up with the features byte 0 picks, left unfrozen, then
 * runs at most FUZZ_MAX_STEPS steps, each one opcode byte and its operands:
 *   0: post a request of n bytes on queue q, asking r bytes of response
 *   1: write n (<= 64) bytes into queue q's descriptor/avail/used pages
 *   2: write the common configuration (offset, size 1/2/4, value)
 *   3: write the device configuration (offset, 4 bytes)
 *   4: notify queue q (any queue index)
 *   5: put the function in D0 or D3hot
 *   6: wait up to FUZZ_WAIT_US for the interrupt and take the answers, within
 *      FUZZ_WAIT_BUDGET_US per input (every wait is bounded, so is their sum). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <linux/virtio_pci.h>

#include "gvgpu-hw.h"
#include "virtio-pci-freeze.h"
#include "fuzz-input.h"
#include "vm-stack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_STEPS 48
#define FUZZ_MAX_WRITE 64
#define FUZZ_MAX_REQ 512
#define FUZZ_MAX_RESP 1024
#define FUZZ_WAIT_US 500
#define FUZZ_WAIT_BUDGET_US 2000
/* The guest driver's RAM: above the first 16 MiB, as vgpu-fixture does. */
#define FUZZ_RAM (64u << 20)
#define FUZZ_DRIVER_RAM_BASE (16u << 20)

typedef struct FuzzVgpu {
    VmStack *stack;
    GvgpuHw hw;
} FuzzVgpu;

static void quiet_log(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
    (void)domain;
    (void)level;
    (void)msg;
    (void)data;
}

static FuzzVgpu *fuzz_get(void)
{
    static FuzzVgpu f;
    if (f.stack) {
        return &f;
    }
    /* Driver errors and resets are expected by the thousand. */
    g_log_set_handler("s3display-server", G_LOG_LEVEL_MASK, quiet_log, NULL);
    g_log_set_handler("s3display-vm", G_LOG_LEVEL_MASK, quiet_log, NULL);
    g_log_set_handler("s3display-guest", G_LOG_LEVEL_MASK, quiet_log, NULL);
    VmStackConfig cfg = { .ram_size = FUZZ_RAM, .device = VM_STACK_VIRTIO_GPU,
                          .addr_flags = SPICE_ADDR_FLAG_IPV4_ONLY, .loop = VM_STACK_LOOP_THREAD };
    f.stack = vm_stack_create(&cfg);
    if (f.stack == NULL ||
        gvgpu_hw_probe(&f.hw, &f.stack->bus, 0, FUZZ_DRIVER_RAM_BASE,
                       FUZZ_RAM - FUZZ_DRIVER_RAM_BASE) != 0) {
        abort();
    }
    return &f;
}

/* A device set up from scratch: reset, unfrozen (a completed FREEZE_S3
 * survives a reset by design), features as byte 0 asks. */
static int fuzz_setup(GvgpuHw *hw, uint8_t want)
{
    uint64_t features = 0;
    if (want & 1) {
        features |= UINT64_C(1) << VIRTIO_F_FREEZE_MODE;
    }
    if (want & 2) {
        features |= UINT64_C(1) << VIRTIO_F_SUSPEND;
    }
    gvgpu_hw_set_power(hw, 0);
    if (gvgpu_hw_init(hw, features | (UINT64_C(1) << VIRTIO_F_FREEZE_MODE), true) != 0) {
        return -1;
    }
    if (gvgpu_hw_common_read(hw, VIRTIO_PCI_COMMON_FREEZE_STATUS, 2) != 0) {
        gvgpu_hw_common_write(hw, VIRTIO_PCI_COMMON_FREEZE_MODE, VIRTIO_PCI_FREEZE_MODE_UNFREEZE, 2);
    }
    return gvgpu_hw_init(hw, features, true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzVgpu *f = fuzz_get();
    GvgpuHw *hw = &f->hw;
    const uint8_t *p = data, *end = data + size;
    if (fuzz_setup(hw, (uint8_t)fuzz_take(&p, end, 1)) != 0) {
        return 0;
    }
    static uint8_t req[FUZZ_MAX_REQ];
    int64_t wait_left = FUZZ_WAIT_BUDGET_US;
    for (int step = 0; step < FUZZ_MAX_STEPS && p < end; step++) {
        uint8_t op = (uint8_t)(fuzz_take(&p, end, 1) % 7);
        if (op == 0) {
            unsigned q = fuzz_take(&p, end, 1) % 2;
            uint32_t n = fuzz_take(&p, end, 2) % (FUZZ_MAX_REQ + 1);
            uint32_t r = fuzz_take(&p, end, 2) % (FUZZ_MAX_RESP + 1);
            n = (uint32_t)MIN((size_t)n, (size_t)(end - p));
            memcpy(req, p, n);
            p += n;
            /* Posting to a full queue would wait for the device. */
            if (hw->q[q].outstanding < GVGPU_SLOTS) {
                (void)gvgpu_hw_post(hw, q, req, n, r);
            }
        } else if (op == 1) {
            unsigned q = fuzz_take(&p, end, 1) % 2;
            uint32_t off = fuzz_take(&p, end, 2) % (3 * 4096);
            uint32_t n = fuzz_take(&p, end, 1) % (FUZZ_MAX_WRITE + 1);
            n = (uint32_t)MIN((size_t)MIN(n, 3 * 4096 - off), (size_t)(end - p));
            memcpy((uint8_t *)hw->q[q].desc + off, p, n);
            p += n;
        } else if (op == 2) {
            static const unsigned sizes[] = { 1, 2, 4 };
            uint32_t off = fuzz_take(&p, end, 1) % MAX(hw->common_len, 1u);
            unsigned sz = sizes[fuzz_take(&p, end, 1) % 3];
            uint32_t v = fuzz_take(&p, end, 4);
            gvgpu_hw_common_write(hw, off & ~(sz - 1), v, sz);
        } else if (op == 3) {
            uint32_t off = fuzz_take(&p, end, 1) % 16;
            uint32_t v = fuzz_take(&p, end, 4);
            gbus_out(hw->bus, (uint16_t)(hw->io + hw->devcfg + (off & ~3u)), v, 4);
        } else if (op == 4) {
            uint16_t q = (uint16_t)fuzz_take(&p, end, 2);
            gbus_out(hw->bus, (uint16_t)(hw->io + hw->notify + (q % 4) * hw->notify_mult), q, 2);
        } else if (op == 5) {
            gvgpu_hw_set_power(hw, fuzz_take(&p, end, 1) & 1 ? 3 : 0);
        } else if (wait_left > 0) {
            int64_t start = g_get_monotonic_time();
            gbus_irq_wait(hw->bus, hw->irq_line, start + MIN(wait_left, FUZZ_WAIT_US));
            gbus_in(hw->bus, (uint16_t)(hw->io + hw->isr), 1);
            (void)gvgpu_hw_reap(hw, 0);
            (void)gvgpu_hw_reap(hw, 1);
            wait_left -= MAX(g_get_monotonic_time() - start, 1);
        }
    }
    return 0;
}
