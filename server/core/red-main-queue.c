// SPDX-License-Identifier: LGPL-2.1-or-later
/* red-main-queue.c: worker -> main thread events over a locked GQueue and a
 * wake-up pipe. */
#include "config.h"

#include "red-main-queue.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib.h>

#include "red-log.h"

struct RedMainQueue {
    const SpiceCoreInterface *core;
    RedMainHandler handler;
    void *opaque;
    int pipe[2];                /* [1] written by posters, [0] watched by main */
    SpiceWatch *watch;
    GMutex lock;
    GQueue events;              /* RedMainEvent*, under lock */
};

static void main_queue_on_wake(int fd, int event, void *opaque)
{
    RedMainQueue *q = opaque;
    char buf[64];
    (void)event;
    while (read(fd, buf, sizeof(buf)) > 0) {
    }
    red_main_queue_flush(q);
}

RedMainQueue *red_main_queue_new(const SpiceCoreInterface *core, RedMainHandler handler,
                                 void *opaque)
{
    RedMainQueue *q = g_new0(RedMainQueue, 1);
    q->core = core;
    q->handler = handler;
    q->opaque = opaque;
    g_mutex_init(&q->lock);
    g_queue_init(&q->events);
    if (pipe2(q->pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        red_log_warn("main queue: pipe failed: %s", g_strerror(errno));
        g_mutex_clear(&q->lock);
        g_free(q);
        return NULL;
    }
    q->watch = core->watch_add(q->pipe[0], SPICE_WATCH_EVENT_READ, main_queue_on_wake, q);
    return q;
}

void red_main_queue_free(RedMainQueue *q)
{
    if (q == NULL) {
        return;
    }
    red_main_queue_flush(q); /* the workers' last events */
    if (q->watch) {
        q->core->watch_remove(q->watch);
    }
    close(q->pipe[0]);
    close(q->pipe[1]);
    g_mutex_clear(&q->lock);
    g_free(q);
}

void red_main_queue_post(RedMainQueue *q, const RedMainEvent *event)
{
    RedMainEvent *copy = g_memdup2(event, sizeof(*event));
    g_mutex_lock(&q->lock);
    g_queue_push_tail(&q->events, copy);
    g_mutex_unlock(&q->lock);
    char b = 0;
    /* A full pipe already wakes the main loop: EAGAIN loses nothing. */
    if (write(q->pipe[1], &b, 1) < 0 && errno != EAGAIN) {
        red_log_warn("post to main thread failed: %s", g_strerror(errno));
    }
}

void red_main_queue_flush(RedMainQueue *q)
{
    for (;;) {
        g_mutex_lock(&q->lock);
        RedMainEvent *e = g_queue_pop_head(&q->events);
        g_mutex_unlock(&q->lock);
        if (e == NULL) {
            break;
        }
        q->handler(q->opaque, e);
        g_free(e);
    }
}
