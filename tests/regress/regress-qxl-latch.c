// SPDX-License-Identifier: GPL-2.0-or-later
/* regress-qxl-latch.c: a latched QXL device for regression programs. */
#include "config.h"

#include "regress-qxl-latch.h"

#include <stddef.h>

/* Past QXL_COMMAND_RING_SIZE and QXL_CURSOR_RING_SIZE: the device's ring
 * code calls the ring broken. */
#define REGRESS_RING_OVERRUN 1000

/* The ring headers are packed structures: their fields by byte offset. */
static uint32_t *ring_field(QXLRam *ram, size_t ring, size_t field)
{
    return (uint32_t *)(void *)((uint8_t *)ram + ring + field);
}

static void break_ring(QXLRam *ram, size_t ring)
{
    uint32_t cons = __atomic_load_n(ring_field(ram, ring, offsetof(QXLCommandRing, cons)),
                                    __ATOMIC_ACQUIRE);
    __atomic_store_n(ring_field(ram, ring, offsetof(QXLCommandRing, prod)),
                     cons + REGRESS_RING_OVERRUN, __ATOMIC_RELEASE);
}

bool regress_qxl_latch(QxlFixture *f, int64_t deadline_us)
{
    QXLRam *ram = f->hw.ram;
    gqxl_hw_take_irq(&f->hw);
    break_ring(ram, offsetof(QXLRam, cmd_ring));
    break_ring(ram, offsetof(QXLRam, cursor_ring)); /* same header layout */
    gqxl_hw_out(&f->hw, QXL_IO_NOTIFY_CMD, 0);
    /* The server's worker finds the broken ring; the device latches and
     * raises ERROR.  Other interrupts may raise the line first: look at
     * what is pending each time, until the deadline. */
    while (!(__atomic_load_n(&ram->int_pending, __ATOMIC_ACQUIRE) & QXL_INTERRUPT_ERROR)) {
        if (g_get_monotonic_time() >= deadline_us) {
            return false;
        }
        vm_irq_wait(vm_machine_irq(f->vm, f->hw.irq_line), deadline_us);
    }
    return qxl_device_in_guest_bug(f->dev);
}
