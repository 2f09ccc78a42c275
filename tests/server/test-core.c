/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-core.c: see test-core.h. */
#include "config.h"

#include "test-core.h"

#include <glib.h>
#include <glib-unix.h>

struct TestCore {
    GMainContext *context;
    GMainLoop *loop;
    GThread *thread;
    SpiceCoreInterface iface;
};

struct SpiceTimer {
    SpiceTimerFunc func;
    void *opaque;
    GSource *source;          /* armed one-shot timeout, or NULL */
};

struct SpiceWatch {
    int fd;
    SpiceWatchFunc func;
    void *opaque;
    GSource *source;          /* fd source for the current mask, or NULL */
};

/* The callbacks have no context argument; see the header.  NULL is the
 * default context (test_core_default_interface). */
static GMainContext *test_core_context;
static bool test_core_in_use;
static bool test_core_log_events;

static gboolean test_core_timer_fired(gpointer data)
{
    SpiceTimer *timer = data;
    /* Disarm first: the callback may re-arm or remove the timer. */
    g_source_unref(timer->source);
    timer->source = NULL;
    timer->func(timer->opaque);
    return G_SOURCE_REMOVE;
}

static SpiceTimer *test_core_timer_add(SpiceTimerFunc func, void *opaque)
{
    SpiceTimer *timer = g_new0(SpiceTimer, 1);
    timer->func = func;
    timer->opaque = opaque;
    return timer;
}

static void test_core_timer_cancel(SpiceTimer *timer)
{
    if (timer->source != NULL) {
        g_source_destroy(timer->source);
        g_source_unref(timer->source);
        timer->source = NULL;
    }
}

static void test_core_timer_start(SpiceTimer *timer, uint32_t ms)
{
    test_core_timer_cancel(timer);
    timer->source = g_timeout_source_new(ms);
    g_source_set_callback(timer->source, test_core_timer_fired, timer, NULL);
    g_source_attach(timer->source, test_core_context);
}

static void test_core_timer_remove(SpiceTimer *timer)
{
    if (timer != NULL) {
        test_core_timer_cancel(timer);
        g_free(timer);
    }
}

static gboolean test_core_watch_ready(gint fd, GIOCondition cond, gpointer data)
{
    SpiceWatch *watch = data;
    int events = 0;
    /* Hang-ups and errors look readable, so the library's read sees them
     * and closes the connection. */
    if (cond & (G_IO_IN | G_IO_HUP | G_IO_ERR)) {
        events |= SPICE_WATCH_EVENT_READ;
    }
    if (cond & G_IO_OUT) {
        events |= SPICE_WATCH_EVENT_WRITE;
    }
    watch->func(fd, events, watch->opaque);
    return G_SOURCE_CONTINUE;
}

static void test_core_watch_update_mask(SpiceWatch *watch, int event_mask)
{
    if (watch->source != NULL) {
        g_source_destroy(watch->source);
        g_source_unref(watch->source);
        watch->source = NULL;
    }
    GIOCondition cond = 0;
    if (event_mask & SPICE_WATCH_EVENT_READ) {
        cond |= G_IO_IN | G_IO_HUP | G_IO_ERR;
    }
    if (event_mask & SPICE_WATCH_EVENT_WRITE) {
        cond |= G_IO_OUT | G_IO_ERR;
    }
    if (cond == 0) {
        return;
    }
    watch->source = g_unix_fd_source_new(watch->fd, cond);
    g_source_set_callback(watch->source, G_SOURCE_FUNC(test_core_watch_ready), watch, NULL);
    g_source_attach(watch->source, test_core_context);
}

static SpiceWatch *test_core_watch_add(int fd, int event_mask, SpiceWatchFunc func,
                                       void *opaque)
{
    SpiceWatch *watch = g_new0(SpiceWatch, 1);
    watch->fd = fd;
    watch->func = func;
    watch->opaque = opaque;
    test_core_watch_update_mask(watch, event_mask);
    return watch;
}

static void test_core_watch_remove(SpiceWatch *watch)
{
    if (watch != NULL) {
        test_core_watch_update_mask(watch, 0);
        g_free(watch);
    }
}

/* Debian's library may call this from its worker threads; we only note the
 * event when asked to, so the benchmark's output stays clean. */
static void test_core_channel_event(int event, SpiceChannelEventInfo *info)
{
    static const char *const names[] = { "?", "connected", "initialized", "disconnected" };
    if (test_core_log_events || g_getenv("TEST_CORE_VERBOSE") != NULL) {
        g_printerr("channel event: %s type %d id %d\n",
                   event >= 1 && event <= 3 ? names[event] : names[0], info ? info->type : -1,
                   info ? info->id : -1);
    }
}

static const SpiceCoreInterface test_core_iface = {
    .base = {
        .type = SPICE_INTERFACE_CORE,
        .description = "s3display test core",
        .major_version = SPICE_INTERFACE_CORE_MAJOR,
        .minor_version = SPICE_INTERFACE_CORE_MINOR,
    },
    .timer_add = test_core_timer_add,
    .timer_start = test_core_timer_start,
    .timer_cancel = test_core_timer_cancel,
    .timer_remove = test_core_timer_remove,
    .watch_add = test_core_watch_add,
    .watch_update_mask = test_core_watch_update_mask,
    .watch_remove = test_core_watch_remove,
    .channel_event = test_core_channel_event,
};

SpiceCoreInterface *test_core_default_interface(bool log_channel_events)
{
    static SpiceCoreInterface iface;
    if (test_core_in_use) {
        return NULL;
    }
    test_core_in_use = true;
    test_core_log_events = log_channel_events;
    iface = test_core_iface;
    return &iface;
}

static gpointer test_core_thread(gpointer data)
{
    TestCore *core = data;
    g_main_context_push_thread_default(core->context);
    g_main_loop_run(core->loop);
    g_main_context_pop_thread_default(core->context);
    return NULL;
}

TestCore *test_core_create(void)
{
    if (test_core_in_use) {
        return NULL;
    }
    test_core_in_use = true;
    TestCore *core = g_new0(TestCore, 1);
    core->context = g_main_context_new();
    core->loop = g_main_loop_new(core->context, FALSE);
    core->iface = test_core_iface;
    test_core_context = core->context;
    core->thread = g_thread_new("test-core", test_core_thread, core);
    return core;
}

static gboolean test_core_quit(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_REMOVE;
}

void test_core_destroy(TestCore *core)
{
    if (core == NULL) {
        return;
    }
    GSource *s = g_idle_source_new();
    g_source_set_callback(s, test_core_quit, core->loop, NULL);
    g_source_attach(s, core->context);
    g_source_unref(s);
    g_thread_join(core->thread);
    g_main_loop_unref(core->loop);
    g_main_context_unref(core->context);
    test_core_context = NULL;
    test_core_in_use = false;
    g_free(core);
}

SpiceCoreInterface *test_core_get_interface(TestCore *core)
{
    return &core->iface;
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
    g_source_attach(s, core->context);
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
