// SPDX-License-Identifier: GPL-2.0-or-later
/* regress-5836794-invoke-after-loop-end: before 5836794, a call posted to
 * the machine's loop with vm_core_invoke after the loop had stopped (the
 * guest's RESUMED event racing the quit in s3d-stack) was dropped with the
 * loop, and its data leaked (LeakSanitizer in test-s3-faults).  Now the
 * destroy notify runs exactly once: after the call when the loop runs it,
 * or when the loop is destroyed first.  Posted from another thread, as the
 * guest's vCPU does. */
#include "config.h"

#include <glib.h>

#include "test-util.h"
#include "vm-core.h"

typedef struct Posted {
    int called, freed;
} Posted;

static gboolean call(gpointer p)
{
    ((Posted *)p)->called++;
    return G_SOURCE_REMOVE;
}

static void posted_free(gpointer p)
{
    ((Posted *)p)->freed++;
}

typedef struct Poster {
    VmCore *core;
    Posted *posted;
} Poster;

static gpointer post_from_thread(gpointer p)
{
    Poster *po = p;
    vm_core_invoke(po->core, call, po->posted, posted_free);
    return NULL;
}

static void test_posted_after_quit(void)
{
    VmMachine *vm = vm_machine_create(16u << 20);
    VmCore *core = vm_core_create(vm);
    CHECK(core != NULL);
    Posted ran = { 0, 0 }, late = { 0, 0 };
    /* One call that runs, then the quit, then one posted after the loop
     * ended (from another thread): never runs, but is freed. */
    vm_core_invoke(core, call, &ran, posted_free);
    vm_core_quit(core);
    vm_core_run(core);
    Poster po = { core, &late };
    g_thread_join(g_thread_new("vcpu", post_from_thread, &po));
    CHECK_EQ_U64(ran.called, 1);
    CHECK_EQ_U64(ran.freed, 1);
    CHECK_EQ_U64(late.called, 0);
    CHECK_EQ_U64(late.freed, 0);
    vm_core_destroy(core);
    CHECK_EQ_U64(late.called, 0);
    CHECK_EQ_U64(late.freed, 1);
    vm_machine_destroy(vm);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_posted_after_quit),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
