/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-qxl-device: libFuzzer target for the QXL device with our server
 * attached: arbitrary BAR contents, ring indices and port writes.
 *
 * The stack (qemu-hw-qxl/stack: machine, loop thread, server, device) is
 * created once, and never torn down (libFuzzer exits the process); each
 * input resets the device and is read as a program of at most
 * FUZZ_MAX_STEPS steps, each one opcode byte then its operands:
 *   0: write n (<= 64) bytes at a BAR0 offset     1: the same in BAR1
 *   2: set a ring's prod (cmd, cursor, release)   3: write a port
 *   4: wait up to FUZZ_WAIT_US for any interrupt, within FUZZ_WAIT_BUDGET_US
 *      per input (every wait is bounded, and so is their sum), when the
 *      worker has something to act on (see worker_has_work). */
#include "config.h"

#include <string.h>

#include <spice.h>

#include "fuzz-input.h"
#include "vm-stack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_STEPS 64
#define FUZZ_MAX_WRITE 64
/* Waits give the worker thread time to act (async completions, releases).
 * Their sum is capped per input: with an interrupt line mostly low, 64
 * uncapped 2 ms waits made the grown corpus sleep ~95% of the time, so
 * 80,000 executions took 5 minutes at 10% CPU, which looked like a hang. */
#define FUZZ_WAIT_US 500
#define FUZZ_WAIT_BUDGET_US 2000

typedef struct FuzzStack {
    VmStack *stack;
    /* borrowed from stack */
    VmMachine *vm;
    QxlDevice *dev;
    VmPciDevice *pci;
    uint8_t *bar[2];
    uint64_t bar_size[2];
    VmIrq *irq;
} FuzzStack;

static void quiet_log(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
    (void)domain;
    (void)level;
    (void)msg;
    (void)data;
}

static FuzzStack *stack_get(void)
{
    static FuzzStack s;
    if (s.dev) {
        return &s;
    }
    VmStackConfig cfg = { .ram_size = 64u << 20, .device = VM_STACK_QXL,
                          .loop = VM_STACK_LOOP_THREAD };
    s.stack = vm_stack_create(&cfg);
    if (s.stack == NULL) {
        abort();
    }
    s.vm = s.stack->vm;
    s.dev = s.stack->qxl;
    s.pci = qxl_device_pci(s.dev);
    for (int i = 0; i < 2; i++) {
        s.bar_size[i] = s.pci->bars[i].size;
        s.bar[i] = vm_machine_gpa_to_host(s.vm, s.pci->bars[i].gpa, s.bar_size[i]);
    }
    s.irq = vm_machine_irq(s.vm, s.pci->irq_line);
    /* Guest errors are expected by the thousand: keep the output short. */
    g_log_set_handler("s3display-server", G_LOG_LEVEL_MASK, quiet_log, NULL);
    g_log_set_handler("s3display-vm", G_LOG_LEVEL_MASK, quiet_log, NULL);
    return &s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzStack *s = stack_get();
    uint16_t io = s->pci->bars[3].gpa;
    vm_machine_out(s->vm, (uint16_t)(io + QXL_IO_RESET), 0, 1);
    /* The RAM header is the last pages of BAR0 (the ROM says where). */
    const uint8_t *p = data, *end = data + size;
    int64_t wait_left = FUZZ_WAIT_BUDGET_US;
    for (int step = 0; step < FUZZ_MAX_STEPS && p < end; step++) {
        uint8_t op = (uint8_t)fuzz_take(&p, end, 1) % 5;
        if (op <= 1) {
            uint64_t off = fuzz_take(&p, end, 4) % s->bar_size[op];
            uint32_t n = fuzz_take(&p, end, 1) % (FUZZ_MAX_WRITE + 1);
            n = (uint32_t)MIN((uint64_t)n, MIN((uint64_t)(end - p), s->bar_size[op] - off));
            memcpy(s->bar[op] + off, p, n);
            p += n;
        } else if (op == 2) {
            /* prod of cmd/cursor/release rings, near the RAM header's end */
            static const size_t rings[] = { offsetof(QXLRam, cmd_ring), offsetof(QXLRam, cursor_ring),
                                            offsetof(QXLRam, release_ring) };
            const QXLRom *rom = vm_machine_gpa_to_host(s->vm, s->pci->bars[2].gpa, sizeof(QXLRom));
            uint8_t which = (uint8_t)fuzz_take(&p, end, 1) % 3;
            uint32_t v = fuzz_take(&p, end, 4);
            uint64_t hdr = rom->ram_header_offset;
            if (hdr + sizeof(QXLRam) <= s->bar_size[0]) {
                memcpy(s->bar[0] + hdr + rings[which] + 4, &v, 4);
            }
        } else if (op == 3) {
            uint8_t port = (uint8_t)fuzz_take(&p, end, 1) % 32;
            uint8_t val = (uint8_t)fuzz_take(&p, end, 1);
            vm_machine_out(s->vm, (uint16_t)(io + port), val, 1);
        } else if (wait_left > 0 && qxl_device_worker_has_work(s->dev)) {
            /* A wait with nothing outstanding can only time out: on a grown
             * corpus 86% of the waits were such, a third of the run's time. */
            int64_t start = g_get_monotonic_time();
            vm_irq_wait(s->irq, start + MIN(wait_left, FUZZ_WAIT_US));
            wait_left -= MAX(g_get_monotonic_time() - start, 1);
        }
    }
    return 0;
}
