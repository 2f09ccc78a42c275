/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-core.c: see test-core.h.  The interface is the machine's own
 * (qemu-hw-qxl/machine/vm-core), run without a machine: one GLib core for
 * the runner and the tests. */
#include "config.h"

#include "test-core.h"

#include <glib.h>

#include "vm-core.h"

struct TestCore {
    VmCore *core;
    GThread *thread;
};

static gpointer test_core_thread(gpointer data)
{
    vm_core_run(data);
    return NULL;
}

TestCore *test_core_create(void)
{
    VmCore *vc = vm_core_create(NULL);
    if (vc == NULL) {
        return NULL;
    }
    TestCore *core = g_new0(TestCore, 1);
    core->core = vc;
    core->thread = g_thread_new("test-core", test_core_thread, vc);
    return core;
}

void test_core_destroy(TestCore *core)
{
    if (core == NULL) {
        return;
    }
    vm_core_quit(core->core);
    g_thread_join(core->thread);
    vm_core_destroy(core->core);
    g_free(core);
}

SpiceCoreInterface *test_core_get_interface(TestCore *core)
{
    return vm_core_interface(core->core);
}

SpiceCoreInterface *test_core_default_interface(bool log_channel_events)
{
    /* Lives as long as the process: the caller's loop never ends before. */
    VmCore *vc = vm_core_create_on(NULL, g_main_context_default());
    if (vc == NULL) {
        return NULL;
    }
    vm_core_set_log_events(vc, log_channel_events);
    return vm_core_interface(vc);
}

typedef struct TestCoreCall {
    void (*func)(void *data);
    void *data;
    GMutex lock;
    GCond cond;
    bool done;
    gint refs;                /* caller + source: the slower one frees */
} TestCoreCall;

static void test_core_call_unref(TestCoreCall *call)
{
    if (g_atomic_int_dec_and_test(&call->refs)) {
        g_mutex_clear(&call->lock);
        g_cond_clear(&call->cond);
        g_free(call);
    }
}

static gboolean test_core_call_run(gpointer data)
{
    TestCoreCall *call = data;
    call->func(call->data);
    g_mutex_lock(&call->lock);
    call->done = true;
    g_cond_broadcast(&call->cond);
    g_mutex_unlock(&call->lock);
    test_core_call_unref(call);
    return G_SOURCE_REMOVE;
}

int test_core_call(TestCore *core, void (*func)(void *data), void *data, unsigned timeout_ms)
{
    TestCoreCall *call = g_new0(TestCoreCall, 1);
    call->func = func;
    call->data = data;
    call->refs = 2;
    g_mutex_init(&call->lock);
    g_cond_init(&call->cond);
    GSource *s = g_idle_source_new();
    g_source_set_priority(s, G_PRIORITY_DEFAULT);
    g_source_set_callback(s, test_core_call_run, call, NULL);
    g_source_attach(s, vm_core_context(core->core));
    g_source_unref(s);
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
    g_mutex_lock(&call->lock);
    while (!call->done && g_cond_wait_until(&call->cond, &call->lock, deadline)) {
    }
    bool done = call->done;
    g_mutex_unlock(&call->lock);
    test_core_call_unref(call);
    return done ? 0 : -1;
}
