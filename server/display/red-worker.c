/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-worker.c: the display worker: its thread, and the request queue that
 * is the one dispatcher from the host's thread to it (red-worker.h).  The
 * command loop is red-worker-commands.c, the request handlers
 * red-worker-requests.c. */
#include "config.h"

#include "red-worker.h"

#include "red-worker-private.h"

#include <errno.h>
#include <sys/eventfd.h>
#include <glib-unix.h>
#include <unistd.h>

#include "red-env.h"
#include "red-log.h"

/* Does the caller wait for this request?  Sync spice_qxl_* calls do; async
 * ones, the coalesced wakeup/OOM and the main thread's client requests
 * (attach, detach: the main thread must never block on a worker) do not. */
static bool is_waited_for(const RedWorkerRequest *r)
{
    return !r->async && r->op != RED_WORKER_WAKEUP && r->op != RED_WORKER_OOM &&
           r->op != RED_WORKER_ATTACH_CLIENT && r->op != RED_WORKER_DETACH_SESSION;
}

static gboolean worker_on_wake(gint fd, GIOCondition cond, gpointer data)
{
    RedWorker *w = data;
    uint64_t v;
    (void)cond;
    if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN) {
        red_log_warn("worker: eventfd read failed: %s", g_strerror(errno));
    }
    for (;;) {
        g_mutex_lock(&w->lock);
        QueuedRequest *q = g_queue_pop_head(&w->queue);
        g_mutex_unlock(&w->lock);
        if (q == NULL) {
            break;
        }
        if (q->req.op != RED_WORKER_WAKEUP && q->req.op != RED_WORKER_FLUSH_SURFACES) {
            /* What it held goes first; a flush ends it inside its own cork. */
            red_worker_end_batch_for_request(w);
        }
        red_worker_handle_request(w, &q->req);
        if (!is_waited_for(&q->req)) {
            g_free(q);
        } else {
            g_mutex_lock(&w->lock);
            q->done = true;
            g_cond_broadcast(&w->done_cond);
            g_mutex_unlock(&w->lock);
        }
    }
    return G_SOURCE_CONTINUE;
}

static gpointer worker_thread(gpointer data)
{
    RedWorker *w = data;
    g_main_context_push_thread_default(w->context);
    w->loop = red_worker_loop_new(w->context);
    w->wake_source = red_fd_source_new(w->context, w->wake_fd, G_IO_IN, worker_on_wake, w);
    red_worker_commands_start(w);
    g_main_loop_run(w->main_loop);
    red_source_clear(&w->wake_source);
    red_source_clear(&w->process_source);
    red_source_clear(&w->linger_source);
    red_worker_loop_free(w->loop);
    g_main_context_pop_thread_default(w->context);
    return NULL;
}

void red_worker_request(RedWorker *w, const RedWorkerRequest *req)
{
    if (req->op == RED_WORKER_WAKEUP && g_atomic_int_exchange(&w->wakeup_pending, 1)) {
        return; /* one already queued */
    }
    if (req->op == RED_WORKER_OOM && g_atomic_int_exchange(&w->oom_pending, 1)) {
        return;
    }
    QueuedRequest *q = g_new0(QueuedRequest, 1);
    bool sync = is_waited_for(req);
    q->req = *req;
    g_mutex_lock(&w->lock);
    g_queue_push_tail(&w->queue, q);
    g_mutex_unlock(&w->lock);
    uint64_t one = 1;
    if (write(w->wake_fd, &one, sizeof(one)) < 0) {
        red_log_warn("worker: eventfd write failed: %s", g_strerror(errno));
    }
    if (sync) {
        g_mutex_lock(&w->lock);
        while (!q->done) {
            g_cond_wait(&w->done_cond, &w->lock);
        }
        g_mutex_unlock(&w->lock);
        /* Results (update-area rects) were written into the caller's array. */
        g_free(q);
    }
}

RedWorker *red_worker_new(QXLInstance *qxl, const RedWorkerEvents *events, bool running)
{
    RedWorker *w = g_new0(RedWorker, 1);
    w->events = *events;
    w->qxl = qxl;
    w->qif = SPICE_CONTAINEROF(qxl->base.sif, QXLInterface, base);
    w->qif->get_init_info(qxl, &w->init);
    w->slots = red_memslots_new(w->init.num_memslots_groups, w->init.num_memslots,
                                w->init.memslot_gen_bits, w->init.memslot_id_bits);
    if (w->slots == NULL || red_surfaces_init(&w->surfaces, w->init.n_surfaces) != 0) {
        red_log_warn("qxl %d: bad init info (groups %u slots %u surfaces %u)", qxl->id,
                     w->init.num_memslots_groups, w->init.num_memslots, w->init.n_surfaces);
        red_memslots_free(w->slots);
        g_free(w);
        return NULL;
    }
    w->renderer.slots = w->slots;
    w->renderer.surfaces = &w->surfaces;
    w->renderer.record_ops = true; /* display-channel.c sends fills and copy-bits */
    w->hold_ms = red_env_ms("S3D_WORKER_HOLD_MS", RED_WORKER_HOLD_MS, RED_WORKER_HOLD_LIMIT_MS);
    w->linger_ms = red_env_ms("S3D_WORKER_LINGER_MS", RED_WORKER_LINGER_MS,
                              RED_WORKER_HOLD_LIMIT_MS);
    w->renderer.natural_wanted = red_video_natural_wanted;
    w->renderer.natural_opaque = w;
    pixman_region32_init(&w->primary_dirty);
    red_video_init(&w->video);
    w->images_seen = red_image_seen_new();
    g_mutex_init(&w->lock);
    g_cond_init(&w->done_cond);
    g_queue_init(&w->queue);
    w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    w->context = g_main_context_new();
    w->main_loop = g_main_loop_new(w->context, FALSE);
    w->running = running;
    w->thread = g_thread_new("spice-display", worker_thread, w);
    return w;
}

void red_worker_attach(RedWorker *w)
{
    if (w->qif->attached_worker) {
        w->qif->attached_worker(w->qxl);
    }
    if (w->qif->set_compression_level) {
        w->qif->set_compression_level(w->qxl, 0);
    }
}

void red_worker_free(RedWorker *w)
{
    if (w == NULL) {
        return;
    }
    RedWorkerRequest r = { .op = RED_WORKER_SHUTDOWN };
    red_worker_request(w, &r);
    g_thread_join(w->thread);
    red_cursor_shape_free(w->cursor_shape);
    red_surfaces_finish(&w->surfaces);
    red_surface_snapshot_free(&w->kept);
    red_video_fini(&w->video);
    red_memslots_free(w->slots);
    pixman_region32_fini(&w->primary_dirty);
    red_image_seen_free(w->images_seen);
    g_main_loop_unref(w->main_loop);
    g_main_context_unref(w->context);
    close(w->wake_fd);
    g_mutex_clear(&w->lock);
    g_cond_clear(&w->done_cond);
    g_free(w);
}

void red_worker_get_stats(RedWorker *w, RedWorkerStats *out)
{
    *out = w->stats;
    out->live_surfaces = (uint32_t)red_surfaces_count_live(&w->surfaces);
}
