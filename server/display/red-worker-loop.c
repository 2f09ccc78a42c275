/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-worker-loop.c: SpiceCoreInterface callbacks on a GMainContext.
 *
 * SpiceCoreInterface has no "opaque" for the interface itself, so the
 * context is found through the interface pointer: the interface is the first
 * member of RedWorkerLoop. */
#include "config.h"

#include "red-worker-loop.h"

struct RedWorkerLoop {
    SpiceCoreInterface core; /* must stay first */
    GMainContext *context;
};

struct SpiceTimer {
    RedWorkerLoop *loop;
    GSource *source;
    SpiceTimerFunc func;
    void *opaque;
};

struct SpiceWatch {
    RedWorkerLoop *loop;
    GSource *source;
    int fd;
    int mask;                  /* SPICE_WATCH_EVENT_* the source polls for */
    SpiceWatchFunc func;
    void *opaque;
};

/* The one loop of the calling worker thread (set by the worker at start). */
static GPrivate current_loop;

static gboolean timer_fire(gpointer data)
{
    SpiceTimer *t = data;
    t->func(t->opaque); /* may start, cancel or remove t */
    return G_SOURCE_CONTINUE;
}

static SpiceTimer *loop_timer_add(SpiceTimerFunc func, void *opaque)
{
    SpiceTimer *t = g_new0(SpiceTimer, 1);
    t->loop = g_private_get(&current_loop);
    t->func = func;
    t->opaque = opaque;
    return t;
}

static void loop_timer_cancel(SpiceTimer *t)
{
    if (t->source) {
        red_ready_source_arm(t->source, -1);
    }
}

/* One ready source per timer, made at its first start and re-armed after
 * (the channels restart theirs per frame or message), as the worker's own. */
static void loop_timer_start(SpiceTimer *t, uint32_t ms)
{
    if (t->source == NULL) {
        t->source = red_ready_source_new(t->loop->context, G_PRIORITY_DEFAULT, timer_fire, t);
    }
    red_ready_source_arm(t->source, g_get_monotonic_time() + (gint64)ms * 1000);
}

static void loop_timer_remove(SpiceTimer *t)
{
    red_source_clear(&t->source);
    g_free(t);
}

static GIOCondition events_to_condition(int mask)
{
    GIOCondition c = 0;
    if (mask & SPICE_WATCH_EVENT_READ) {
        c |= G_IO_IN | G_IO_HUP | G_IO_ERR;
    }
    if (mask & SPICE_WATCH_EVENT_WRITE) {
        c |= G_IO_OUT | G_IO_ERR;
    }
    return c;
}

static gboolean watch_fire(gint fd, GIOCondition cond, gpointer data)
{
    SpiceWatch *w = data;
    int event = 0;
    if (cond & (G_IO_IN | G_IO_HUP | G_IO_ERR)) {
        event |= SPICE_WATCH_EVENT_READ;
    }
    if (cond & G_IO_OUT) {
        event |= SPICE_WATCH_EVENT_WRITE;
    }
    w->func(fd, event, w->opaque);
    return G_SOURCE_CONTINUE;
}

GSource *red_fd_source_new(GMainContext *context, int fd, GIOCondition condition,
                           GUnixFDSourceFunc func, gpointer data)
{
    GSource *source = g_unix_fd_source_new(fd, condition);
    g_source_set_can_recurse(source, TRUE);
    g_source_set_callback(source, (GSourceFunc)(void (*)(void))func, data, NULL);
    g_source_attach(source, context);
    return source;
}

static void watch_attach(SpiceWatch *w, int mask)
{
    w->mask = mask;
    w->source = red_fd_source_new(w->loop->context, w->fd, events_to_condition(mask),
                                  watch_fire, w);
}

static void watch_detach(SpiceWatch *w)
{
    red_source_clear(&w->source);
}

static SpiceWatch *loop_watch_add(int fd, int mask, SpiceWatchFunc func, void *opaque)
{
    SpiceWatch *w = g_new0(SpiceWatch, 1);
    w->loop = g_private_get(&current_loop);
    w->fd = fd;
    w->func = func;
    w->opaque = opaque;
    watch_attach(w, mask);
    return w;
}

static void loop_watch_update_mask(SpiceWatch *w, int mask)
{
    /* A channel client sets its mask after every message it sends, mostly
     * to what it was: recreating the source then would cost two wakeups of
     * our own context per message.  g_unix_fd_source conditions are fixed
     * at creation, so a real change recreates it. */
    if (w->source && mask == w->mask) {
        return;
    }
    watch_detach(w);
    watch_attach(w, mask);
}

static void loop_watch_remove(SpiceWatch *w)
{
    watch_detach(w);
    g_free(w);
}

RedWorkerLoop *red_worker_loop_new(GMainContext *context)
{
    RedWorkerLoop *loop = g_new0(RedWorkerLoop, 1);
    loop->context = context;
    loop->core.base.type = SPICE_INTERFACE_CORE;
    loop->core.base.major_version = SPICE_INTERFACE_CORE_MAJOR;
    loop->core.base.minor_version = SPICE_INTERFACE_CORE_MINOR;
    loop->core.timer_add = loop_timer_add;
    loop->core.timer_start = loop_timer_start;
    loop->core.timer_cancel = loop_timer_cancel;
    loop->core.timer_remove = loop_timer_remove;
    loop->core.watch_add = loop_watch_add;
    loop->core.watch_update_mask = loop_watch_update_mask;
    loop->core.watch_remove = loop_watch_remove;
    /* The worker thread is the only user of this loop. */
    g_private_set(&current_loop, loop);
    return loop;
}

void red_worker_loop_free(RedWorkerLoop *loop)
{
    if (loop) {
        g_private_set(&current_loop, NULL);
        g_free(loop);
    }
}

void red_source_clear(GSource **source)
{
    if (*source) {
        g_source_destroy(*source);
        g_source_unref(*source);
        *source = NULL;
    }
}

/* Armed by a field its prepare and check read, not by
 * g_source_set_ready_time: that one writes the context's wakeup eventfd
 * whenever it is called outside the source's own dispatch, a syscall per
 * arming.  Only the loop's thread arms it, and prepare runs before each
 * poll, so nothing needs waking. */
typedef struct ReadySource {
    GSource base;
    gint64 ready_us; /* -1: disarmed */
} ReadySource;

static gboolean ready_now(ReadySource *r, gint *timeout_ms)
{
    if (r->ready_us < 0) {
        *timeout_ms = -1;
        return FALSE;
    }
    gint64 now = g_source_get_time(&r->base);
    if (r->ready_us <= now) {
        *timeout_ms = 0;
        return TRUE;
    }
    gint64 ms = (r->ready_us - now + 999) / 1000;
    *timeout_ms = ms > G_MAXINT ? G_MAXINT : (gint)ms;
    return FALSE;
}

static gboolean ready_prepare(GSource *source, gint *timeout_ms)
{
    return ready_now((ReadySource *)source, timeout_ms);
}

static gboolean ready_check(GSource *source)
{
    gint unused;
    return ready_now((ReadySource *)source, &unused);
}

static gboolean ready_dispatch(GSource *source, GSourceFunc func, gpointer data)
{
    ((ReadySource *)source)->ready_us = -1; /* each arming runs once */
    return func ? func(data) : G_SOURCE_REMOVE;
}

static GSourceFuncs ready_funcs = {
    .prepare = ready_prepare,
    .check = ready_check,
    .dispatch = ready_dispatch,
};

GSource *red_ready_source_new(GMainContext *context, gint priority, GSourceFunc func,
                              gpointer data)
{
    GSource *source = g_source_new(&ready_funcs, sizeof(ReadySource));
    ((ReadySource *)source)->ready_us = -1;
    g_source_set_priority(source, priority);
    g_source_set_callback(source, func, data, NULL);
    g_source_attach(source, context);
    return source;
}

void red_ready_source_arm(GSource *source, gint64 ready_us)
{
    ((ReadySource *)source)->ready_us = ready_us < 0 ? -1 : ready_us;
}

bool red_ready_source_armed(GSource *source)
{
    return source != NULL && ((ReadySource *)source)->ready_us >= 0;
}

const SpiceCoreInterface *red_worker_loop_core(RedWorkerLoop *loop)
{
    return &loop->core;
}
