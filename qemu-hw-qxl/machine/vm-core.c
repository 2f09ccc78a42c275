/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm-core.c: GLib main loop with the machine lock, as SpiceCoreInterface. */
#include "config.h"

#include "vm-core.h"

#include <glib-unix.h>

struct VmCore {
    SpiceCoreInterface iface;
    VmMachine *vm;
    GMainContext *context;
    GMainLoop *loop;
    GMutex stats_lock;
    VmCoreStats stats;
    bool log_events;
};

struct SpiceTimer {
    VmCore *core;
    GSource *source;
    SpiceTimerFunc func;
    void *opaque;
};

struct SpiceWatch {
    VmCore *core;
    GSource *source;
    int fd;
    SpiceWatchFunc func;
    void *opaque;
};

/* The interface has no opaque of its own: see the header. */
static VmCore *the_core;

static gint poll_unlocked(GPollFD *fds, guint nfds, gint timeout)
{
    /* The loop holds the machine lock except while it sleeps in poll. */
    vm_machine_unlock(the_core->vm);
    gint r = g_poll(fds, nfds, timeout);
    vm_machine_lock(the_core->vm);
    return r;
}

static gboolean timer_fire(gpointer data)
{
    SpiceTimer *t = data;
    g_source_unref(t->source);
    t->source = NULL;
    t->func(t->opaque);
    return G_SOURCE_REMOVE;
}

static SpiceTimer *core_timer_add(SpiceTimerFunc func, void *opaque)
{
    SpiceTimer *t = g_new0(SpiceTimer, 1);
    t->core = the_core;
    t->func = func;
    t->opaque = opaque;
    return t;
}

static void core_timer_cancel(SpiceTimer *t)
{
    if (t->source) {
        g_source_destroy(t->source);
        g_source_unref(t->source);
        t->source = NULL;
    }
}

static void core_timer_start(SpiceTimer *t, uint32_t ms)
{
    core_timer_cancel(t);
    t->source = g_timeout_source_new(ms);
    g_source_set_callback(t->source, timer_fire, t, NULL);
    g_source_attach(t->source, t->core->context);
}

static void core_timer_remove(SpiceTimer *t)
{
    if (t) {
        core_timer_cancel(t);
        g_free(t);
    }
}

static gboolean watch_fire(gint fd, GIOCondition cond, gpointer data)
{
    SpiceWatch *w = data;
    int events = 0;
    if (cond & (G_IO_IN | G_IO_HUP | G_IO_ERR)) {
        events |= SPICE_WATCH_EVENT_READ;
    }
    if (cond & G_IO_OUT) {
        events |= SPICE_WATCH_EVENT_WRITE;
    }
    w->func(fd, events, w->opaque);
    return G_SOURCE_CONTINUE;
}

static void watch_attach(SpiceWatch *w, int mask)
{
    if (w->source) {
        g_source_destroy(w->source);
        g_source_unref(w->source);
        w->source = NULL;
    }
    /* Hang-ups and errors look readable (watch_fire), so the server's
     * read sees them and closes the connection. */
    GIOCondition cond = 0;
    if (mask & SPICE_WATCH_EVENT_READ) {
        cond |= G_IO_IN | G_IO_HUP | G_IO_ERR;
    }
    if (mask & SPICE_WATCH_EVENT_WRITE) {
        cond |= G_IO_OUT | G_IO_ERR;
    }
    if (cond == 0) {
        return;
    }
    w->source = g_unix_fd_source_new(w->fd, cond);
    g_source_set_callback(w->source, (GSourceFunc)(void (*)(void))watch_fire, w, NULL);
    g_source_attach(w->source, w->core->context);
}

static SpiceWatch *core_watch_add(int fd, int mask, SpiceWatchFunc func, void *opaque)
{
    SpiceWatch *w = g_new0(SpiceWatch, 1);
    w->core = the_core;
    w->fd = fd;
    w->func = func;
    w->opaque = opaque;
    watch_attach(w, mask);
    return w;
}

static void core_watch_update_mask(SpiceWatch *w, int mask)
{
    watch_attach(w, mask);
}

static void core_watch_remove(SpiceWatch *w)
{
    if (w) {
        watch_attach(w, 0);
        g_free(w);
    }
}

/* Debian's library may call this from its worker threads: the stats have
 * a lock of their own. */
static void core_channel_event(int event, SpiceChannelEventInfo *info)
{
    static const char *const names[] = { "?", "connected", "initialized", "disconnected" };
    VmCore *c = the_core;
    if (c->log_events || g_getenv("S3D_CORE_VERBOSE") != NULL) {
        g_printerr("channel event: %s type %d id %d\n",
                   event >= 1 && event <= 3 ? names[event] : names[0], info ? info->type : -1,
                   info ? info->id : -1);
    }
    g_mutex_lock(&c->stats_lock);
    switch (event) {
    case SPICE_CHANNEL_EVENT_CONNECTED: c->stats.connected++; break;
    case SPICE_CHANNEL_EVENT_INITIALIZED: c->stats.initialized++; break;
    case SPICE_CHANNEL_EVENT_DISCONNECTED: c->stats.disconnected++; break;
    default: break;
    }
    g_mutex_unlock(&c->stats_lock);
}

VmCore *vm_core_create(VmMachine *vm)
{
    GMainContext *context = g_main_context_new();
    VmCore *c = vm_core_create_on(vm, context);
    g_main_context_unref(context);
    return c;
}

VmCore *vm_core_create_on(VmMachine *vm, GMainContext *context)
{
    if (the_core != NULL) {
        return NULL;
    }
    VmCore *c = g_new0(VmCore, 1);
    c->iface = (SpiceCoreInterface){
        .base = { .type = SPICE_INTERFACE_CORE, .description = "s3display vm core",
                  .major_version = SPICE_INTERFACE_CORE_MAJOR,
                  .minor_version = SPICE_INTERFACE_CORE_MINOR },
        .timer_add = core_timer_add,
        .timer_start = core_timer_start,
        .timer_cancel = core_timer_cancel,
        .timer_remove = core_timer_remove,
        .watch_add = core_watch_add,
        .watch_update_mask = core_watch_update_mask,
        .watch_remove = core_watch_remove,
        .channel_event = core_channel_event,
    };
    c->vm = vm;
    c->context = g_main_context_ref(context);
    c->loop = g_main_loop_new(c->context, FALSE);
    g_mutex_init(&c->stats_lock);
    if (vm) {
        g_main_context_set_poll_func(c->context, poll_unlocked);
    }
    the_core = c;
    return c;
}

void vm_core_set_log_events(VmCore *c, bool log_events)
{
    c->log_events = log_events;
}

void vm_core_destroy(VmCore *c)
{
    if (c == NULL) {
        return;
    }
    g_main_loop_unref(c->loop);
    g_main_context_unref(c->context);
    g_mutex_clear(&c->stats_lock);
    the_core = NULL;
    g_free(c);
}

SpiceCoreInterface *vm_core_interface(VmCore *c)
{
    return &c->iface;
}

GMainContext *vm_core_context(VmCore *c)
{
    return c->context;
}

void vm_core_run(VmCore *c)
{
    g_main_context_push_thread_default(c->context);
    if (c->vm) {
        vm_machine_lock(c->vm);
    }
    g_main_loop_run(c->loop);
    if (c->vm) {
        vm_machine_unlock(c->vm);
    }
    g_main_context_pop_thread_default(c->context);
}

static gboolean quit_now(gpointer data)
{
    g_main_loop_quit(((VmCore *)data)->loop);
    return G_SOURCE_REMOVE;
}

void vm_core_quit(VmCore *c)
{
    vm_core_invoke(c, quit_now, c, NULL);
}

void vm_core_invoke(VmCore *c, GSourceFunc fn, gpointer data, GDestroyNotify destroy)
{
    GSource *s = g_idle_source_new();
    g_source_set_callback(s, fn, data, destroy);
    g_source_attach(s, c->context);
    g_source_unref(s);
}

void vm_core_get_stats(VmCore *c, VmCoreStats *out)
{
    g_mutex_lock(&c->stats_lock);
    *out = c->stats;
    g_mutex_unlock(&c->stats_lock);
}
