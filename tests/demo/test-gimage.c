/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-gimage: the demo guest image (guest-kms/image) booted by the stack
 * (qemu-hw-qxl/stack) the way the runner boots it, through dlopen and the
 * entry table only: a program that links neither the driver nor the demo.
 *
 * Guards the image ABI (what is refused as no image), one S3 cycle told
 * through the events and the status (the driver's books balanced while it
 * sleeps), and the teardown of a stack whose
 * guest sleeps (the power-off must wake it, or destroy hangs).
 */
#include "config.h"

#include <string.h>

#include "test-util.h"
#include "vm-stack.h"

#define RAM (64u << 20)
#define DEADLINE_US (10 * G_USEC_PER_SEC)

/* Events arrive on the guest's vCPU thread: kinds are queued (+1, since
 * a queue holds no NULL) for the test thread to wait on. */
static GAsyncQueue *events;

static void on_event(void *opaque, const GbusGuestEvent *ev)
{
    (void)opaque;
    g_async_queue_push(events, GUINT_TO_POINTER(ev->kind + 1u));
}

/* Waits for an event of this kind, dropping others; false on timeout. */
static bool wait_event(GbusGuestEventKind kind)
{
    int64_t deadline = g_get_monotonic_time() + DEADLINE_US;
    for (;;) {
        int64_t left = deadline - g_get_monotonic_time();
        gpointer p = left > 0 ? g_async_queue_timeout_pop(events, (guint64)left) : NULL;
        if (p == NULL) {
            return false;
        }
        if (GPOINTER_TO_UINT(p) == kind + 1u) {
            return true;
        }
    }
}

static char *image_path(void)
{
    const char *top = g_getenv("abs_top_builddir");
    return g_build_filename(top ? top : "..", "guest-kms", ".libs", "s3d-guest-demo.so", NULL);
}

static VmStack *stack_new(void)
{
    VmStackConfig cfg = { .ram_size = RAM, .device = VM_STACK_QXL, .loop = VM_STACK_LOOP_THREAD };
    VmStack *s = vm_stack_create(&cfg);
    if (s == NULL) {
        fprintf(stderr, "the stack did not start\n");
        exit(1);
    }
    return s;
}

static const GbusImageConfig small = { .width = 640, .height = 480, .fps = 50 };

/* A stack with the demo image booted on it (cfg NULL: small); whether it
 * booted is checked against expect. */
static VmStack *stack_booted(const GbusImageConfig *cfg, bool expect)
{
    VmStack *s = stack_new();
    char *path = image_path();
    int ret = vm_stack_boot(s, path, cfg ? cfg : &small, on_event, NULL);
    g_free(path);
    CHECK((ret == 0) == expect);
    return s;
}

/* Neither a missing file nor a library without the entry table boots. */
static void test_not_an_image(void)
{
    VmStack *s = stack_new();
    CHECK(vm_stack_boot(s, "/nonexistent/s3d-guest-demo.so", &small, on_event, NULL) == -1);
    char *libc = test_mapped_library("libc.so");
    CHECK(libc != NULL);
    if (libc) {
        CHECK(vm_stack_boot(s, libc, &small, on_event, NULL) == -1);
    }
    CHECK(s->guest == NULL);
    g_free(libc);
    vm_stack_destroy(s);
}

/* A fault the image does not know is refused at boot, not ignored. */
static void test_unknown_fault(void)
{
    GbusImageConfig cfg = small;
    cfg.fault = "no-such-fault";
    VmStack *s = stack_booted(&cfg, false);
    CHECK(s->image != NULL && strstr(s->image->valid_faults, "skip-evict") != NULL);
    vm_stack_destroy(s);
}

/* Boot, one S3 cycle (the guest asks the bus to sleep, the host wakes
 * the machine), the books balanced after it. */
static void test_boot_and_cycle(void)
{
    VmStack *s = stack_booted(NULL, true);
    if (s->guest == NULL) {
        vm_stack_destroy(s);
        return;
    }
    GbusGuestStatus st;
    s->image->get_status(s->guest, &st);
    CHECK(st.running);
    CHECK_EQ_U64(st.width, 640);
    CHECK_EQ_U64(st.height, 480);

    CHECK(s->image->request_suspend(s->guest, 3) == 0);
    CHECK(s->image->request_suspend(s->guest, 0) == -1); /* one at a time */
    CHECK(wait_event(GBUS_GUEST_SUSPENDING));
    CHECK(vm_machine_wait_power_state(s->vm, VM_POWER_SUSPENDED,
                                      g_get_monotonic_time() + DEADLINE_US));
    /* Asleep: the freeze took every command back (the seed-004 promise). */
    s->image->get_status(s->guest, &st);
    CHECK(st.driver_suspended);
    CHECK_EQ_U64(st.books.commands_outstanding, 0);
    CHECK(vm_machine_wake(s->vm) == 0);
    CHECK(wait_event(GBUS_GUEST_RESUMED));
    s->image->get_status(s->guest, &st);
    CHECK_EQ_U64(st.cycles, 1);
    CHECK_EQ_U64(st.failures, 0);
    CHECK(st.tick >= 3);
    CHECK(!st.driver_suspended);
    vm_stack_destroy(s);
}

/* A stack torn down while its guest sleeps in S3 comes apart. */
static void test_destroy_while_asleep(void)
{
    VmStack *s = stack_booted(NULL, true);
    if (s->guest) {
        CHECK(s->image->request_suspend(s->guest, 0) == 0);
        CHECK(vm_machine_wait_power_state(s->vm, VM_POWER_SUSPENDED,
                                          g_get_monotonic_time() + DEADLINE_US));
    }
    vm_stack_destroy(s);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_not_an_image),
        TEST_CASE(test_unknown_fault),
        TEST_CASE(test_boot_and_cycle),
        TEST_CASE(test_destroy_while_asleep),
    };
    if (test_check_spice_server(true) != 0) {
        return 1;
    }
    events = g_async_queue_new();
    int ret = test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
    g_async_queue_unref(events);
    return ret;
}
