// SPDX-License-Identifier: GPL-2.0-or-later
/* regress-fd44259-irq-wait-deadline: before fd44259 the guest driver's
 * interrupt wait (gqxl_hw_wait, guest-kms/qxl/gqxl-hw.c) checked its
 * deadline only when the wait for the line timed out.  While the line
 * stays high (a latched device that will not lower it, or interrupts the
 * caller does not wait for) the wait never times out, so the driver spun
 * for ever waiting for a bit that never came.
 *
 * The exact input, with no device: a machine whose interrupt line is held
 * high, a QXL RAM header with nothing pending, and a wait for IO_CMD with a
 * short deadline.  It must return 0 soon after the deadline.  The wait runs
 * on a thread of its own; this thread gives it a bounded time (a spinning
 * wait is reported, then the process exits). */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "gqxl-hw.h"
#include "test-util.h"
#include "vm-bus.h"
#include "vm-machine.h"

#define IRQ_LINE 11
/* No device is mapped here: the driver's acknowledge is dropped. */
#define UNMAPPED_IO_BASE 0xc000
#define WAIT_DEADLINE_US (50 * 1000)
#define SPIN_LIMIT_US (10 * G_USEC_PER_SEC)

typedef struct Waiter {
    GqxlHw *hw;
    GMutex lock;
    GCond done_cond;
    bool done;
    uint32_t got;
    int64_t returned_at, deadline;
} Waiter;

static gpointer wait_thread(gpointer p)
{
    Waiter *w = p;
    uint32_t got = gqxl_hw_wait(w->hw, QXL_INTERRUPT_IO_CMD, w->deadline);
    g_mutex_lock(&w->lock);
    w->got = got;
    w->returned_at = g_get_monotonic_time();
    w->done = true;
    g_cond_signal(&w->done_cond);
    g_mutex_unlock(&w->lock);
    return NULL;
}

static void test_deadline_with_line_high(void)
{
    VmMachine *vm = vm_machine_create(16u << 20);
    CHECK(vm != NULL);
    QXLRam *ram = g_new0(QXLRam, 1);
    Gbus bus;
    vm_bus_init(&bus, vm);
    GqxlHw hw;
    memset(&hw, 0, sizeof(hw));
    hw.bus = &bus;
    hw.irq_line = IRQ_LINE;
    hw.io_base = UNMAPPED_IO_BASE;
    hw.ram = ram;
    VmIrq *irq = vm_machine_irq(vm, IRQ_LINE);
    vm_irq_set_level(irq, true); /* and nobody lowers it */

    Waiter w = { .hw = &hw, .deadline = g_get_monotonic_time() + WAIT_DEADLINE_US };
    g_mutex_init(&w.lock);
    g_cond_init(&w.done_cond);
    GThread *t = g_thread_new("irq-wait", wait_thread, &w);
    int64_t limit = w.deadline + SPIN_LIMIT_US;
    g_mutex_lock(&w.lock);
    while (!w.done && g_cond_wait_until(&w.done_cond, &w.lock, limit)) {
    }
    bool done = w.done;
    g_mutex_unlock(&w.lock);
    if (!done) {
        fprintf(stderr, "gqxl_hw_wait still running %d s after its deadline\n",
                (int)(SPIN_LIMIT_US / G_USEC_PER_SEC));
        exit(1); /* the thread spins and cannot be joined */
    }
    g_thread_join(t);
    CHECK_EQ_U64(w.got, 0);
    CHECK(w.returned_at >= w.deadline);
    CHECK(vm_irq_level(irq));
    g_cond_clear(&w.done_cond);
    g_mutex_clear(&w.lock);
    g_free(ram);
    vm_machine_destroy(vm);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_deadline_with_line_high),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
