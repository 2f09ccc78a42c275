/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-worker.c: the display worker thread: its request queue, the command
 * loop over the QXL rings, and the handlers of the spice_qxl_* requests. */
#include "config.h"

#include "red-worker-private.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <glib-unix.h>
#include <unistd.h>

#include "red-log.h"

/* Commands handled per loop iteration before client I/O gets a turn. */
#define RED_WORKER_BATCH 64
/* More ring entries than any ring has; bounds a drain against a guest that
 * keeps producing while we drain. */
#define RED_WORKER_MAX_DRAIN 100000

static void worker_release(RedWorker *w, QXLReleaseInfo *info, uint32_t group_id)
{
    if (info == NULL) {
        return;
    }
    QXLReleaseInfoExt ext = { .info = info, .group_id = group_id };
    w->qif->release_resource(w->qxl, ext);
    __atomic_add_fetch(&w->stats.releases, 1, __ATOMIC_RELAXED);
}

static void worker_handle_display_command(RedWorker *w, const QXLCommandExt *ext)
{
    RedCommandResult res;
    memset(&res, 0, sizeof(res));
    int ret = red_render_command(&w->renderer, ext->group_id, ext->cmd.data, ext->cmd.type,
                                 ext->flags, &res);
    w->stats.commands++;
    if (ret != 0) {
        w->stats.guest_errors++;
    } else if (res.kind == RED_CMD_DRAWN && res.surface_id == 0) {
        pixman_region32_union_rect(&w->primary_dirty, &w->primary_dirty, res.damage.x1,
                                   res.damage.y1, (unsigned)(res.damage.x2 - res.damage.x1),
                                   (unsigned)(res.damage.y2 - res.damage.y1));
        display_channel_damage(w, &res.damage);
    } else if (res.kind == RED_CMD_SURFACE_CREATED && res.surface_id == 0) {
        display_channel_primary_created(w);
    } else if (res.kind == RED_CMD_SURFACE_DESTROYED && res.surface_id == 0) {
        display_channel_primary_destroyed(w);
    }
    worker_release(w, res.release_info, ext->group_id);
}

static void worker_handle_cursor_command(RedWorker *w, const QXLCommandExt *ext)
{
    RedCursorCommand cmd;
    memset(&cmd, 0, sizeof(cmd));
    w->stats.cursor_commands++;
    if (ext->cmd.type != QXL_CMD_CURSOR) {
        red_log_guest_error("cursor ring command type", ext->cmd.type, "not a cursor command");
        w->stats.guest_errors++;
        return;
    }
    if (red_cursor_parse(w->slots, ext->group_id, ext->cmd.data, &cmd) != 0) {
        w->stats.guest_errors++;
    } else {
        cursor_channel_handle(w, &cmd); /* takes cmd.shape */
        cmd.shape = NULL;
    }
    red_cursor_shape_free(cmd.shape);
    worker_release(w, cmd.release_info, ext->group_id);
}

/* Pulls up to `budget` commands of one ring. Returns how many were handled;
 * sets *wait when the device said to wait for a wakeup. */
static unsigned worker_pull(RedWorker *w, bool cursor, unsigned budget, bool *wait)
{
    unsigned n = 0, retries = 0;
    *wait = false;
    while (n < budget) {
        QXLCommandExt ext;
        int got = cursor ? w->qif->get_cursor_command(w->qxl, &ext)
                         : w->qif->get_command(w->qxl, &ext);
        if (!got) {
            int must_wait = cursor ? w->qif->req_cursor_notification(w->qxl)
                                   : w->qif->req_cmd_notification(w->qxl);
            if (must_wait) {
                *wait = true;
                break;
            }
            /* A command arrived meanwhile, or the device says so without
             * having one (a broken ring): bounded, so requests get a turn. */
            if (++retries > budget) {
                break;
            }
            continue;
        }
        if (cursor) {
            worker_handle_cursor_command(w, &ext);
        } else {
            worker_handle_display_command(w, &ext);
        }
        n++;
    }
    return n;
}

static gboolean worker_process(gpointer data)
{
    RedWorker *w = data;
    bool wait_cmd = true, wait_cursor = true;
    g_source_unref(w->process_source);
    w->process_source = NULL;
    if (w->running && w->surfaces.count) {
        worker_pull(w, false, RED_WORKER_BATCH, &wait_cmd);
        worker_pull(w, true, RED_WORKER_BATCH, &wait_cursor);
    }
    display_channel_push_all(w);
    if (w->running && (!wait_cmd || !wait_cursor)) {
        red_worker_schedule_processing(w); /* more to do: after pending I/O */
    }
    return G_SOURCE_REMOVE;
}

void red_worker_schedule_processing(RedWorker *w)
{
    if (w->process_source) {
        return;
    }
    w->process_source = g_idle_source_new();
    /* Below client I/O, so a busy guest cannot starve the sockets. */
    g_source_set_priority(w->process_source, G_PRIORITY_DEFAULT_IDLE);
    g_source_set_callback(w->process_source, worker_process, w, NULL);
    g_source_attach(w->process_source, w->context);
}

/* Empties both rings (flush, destroy, stop): every queued command rendered
 * and released. Bounded by RED_WORKER_MAX_DRAIN against a guest that keeps
 * producing. */
void red_worker_drain_rings(RedWorker *w)
{
    for (int cursor = 0; cursor < 2; cursor++) {
        for (unsigned total = 0; total < RED_WORKER_MAX_DRAIN;) {
            QXLCommandExt ext;
            int got = cursor ? w->qif->get_cursor_command(w->qxl, &ext)
                             : w->qif->get_command(w->qxl, &ext);
            if (!got) {
                break;
            }
            if (cursor) {
                worker_handle_cursor_command(w, &ext);
            } else {
                worker_handle_display_command(w, &ext);
            }
            total++;
        }
    }
}

static void worker_create_primary(RedWorker *w, const RedWorkerRequest *r)
{
    const QXLDevSurfaceCreate *s = &r->surface;
    uint64_t size = (uint64_t)(s->stride < 0 ? -(int64_t)s->stride : s->stride) * s->height;
    uint8_t *mem = red_memslots_translate(w->slots, s->group_id, s->mem, size);
    if (r->surface_id != 0 || mem == NULL ||
        red_surface_create(&w->surfaces, 0, s->width, s->height, s->stride, s->format, mem,
                           (s->flags & QXL_SURF_FLAG_KEEP_DATA) != 0) != 0) {
        red_log_warn("create_primary_surface %ux%u stride %d format %u refused", s->width,
                     s->height, s->stride, s->format);
        return;
    }
    pixman_region32_clear(&w->primary_dirty);
    display_channel_primary_created(w);
}

static void worker_destroy_primary(RedWorker *w)
{
    red_worker_drain_rings(w);
    if (w->surfaces.count && w->surfaces.surfaces[0].exists) {
        red_surface_destroy(&w->surfaces, 0);
        display_channel_primary_destroyed(w);
    }
    cursor_channel_reset(w);
}

static void worker_destroy_surfaces(RedWorker *w)
{
    red_worker_drain_rings(w);
    bool had_primary = w->surfaces.count && w->surfaces.surfaces[0].exists;
    for (uint32_t i = 0; i < w->surfaces.count; i++) {
        red_surface_destroy(&w->surfaces, i);
    }
    if (had_primary) {
        display_channel_primary_destroyed(w);
    }
    cursor_channel_reset(w);
}

static void worker_update_area(RedWorker *w, RedWorkerRequest *r)
{
    red_worker_drain_rings(w);
    display_channel_push_all(w);
    if (r->surface_id != 0 || r->async) {
        /* Off-screen surfaces have no dirty tracking: report the area. */
        if (r->async && w->qif->update_area_complete) {
            QXLRect rect = r->area;
            w->qif->update_area_complete(w->qxl, r->surface_id, &rect, 1);
        }
        return;
    }
    pixman_region32_t want;
    pixman_region32_init_rect(&want, r->area.left, r->area.top,
                              (unsigned)MAX(0, r->area.right - r->area.left),
                              (unsigned)MAX(0, r->area.bottom - r->area.top));
    pixman_region32_intersect(&want, &want, &w->primary_dirty);
    int n = 0;
    pixman_box32_t *boxes = pixman_region32_rectangles(&want, &n);
    uint32_t out = 0;
    for (int i = 0; i < n && out < r->num_dirty_rects && r->dirty_rects; i++, out++) {
        r->dirty_rects[out] = (QXLRect){ .top = boxes[i].y1, .left = boxes[i].x1,
                                         .bottom = boxes[i].y2, .right = boxes[i].x2 };
    }
    for (; out < r->num_dirty_rects && r->dirty_rects; out++) {
        memset(&r->dirty_rects[out], 0, sizeof(QXLRect));
    }
    if (r->clear_dirty) {
        pixman_region32_subtract(&w->primary_dirty, &w->primary_dirty, &want);
    }
    pixman_region32_fini(&want);
}

static void worker_handle_request(RedWorker *w, RedWorkerRequest *r)
{
    switch (r->op) {
    case RED_WORKER_WAKEUP:
        g_atomic_int_set(&w->wakeup_pending, 0);
        red_worker_schedule_processing(w);
        break;
    case RED_WORKER_OOM:
        g_atomic_int_set(&w->oom_pending, 0);
        red_worker_drain_rings(w);
        if (w->qif->flush_resources) {
            w->qif->flush_resources(w->qxl);
        }
        break;
    case RED_WORKER_START:
        w->running = true;
        red_worker_schedule_processing(w);
        break;
    case RED_WORKER_STOP:
        /* The VM stops: render everything queued, so device memory is final. */
        red_worker_drain_rings(w);
        display_channel_push_all(w);
        w->running = false;
        break;
    case RED_WORKER_UPDATE_AREA:
        worker_update_area(w, r);
        break;
    case RED_WORKER_ADD_MEMSLOT:
        if (red_memslots_add(w->slots, &r->slot) != 0) {
            red_log_warn("add_memslot group %u slot %u refused", r->slot.slot_group_id,
                         r->slot.slot_id);
        }
        break;
    case RED_WORKER_DEL_MEMSLOT:
        red_memslots_del(w->slots, r->group_id, r->slot_id);
        break;
    case RED_WORKER_RESET_MEMSLOTS:
        red_memslots_reset(w->slots);
        break;
    case RED_WORKER_DESTROY_SURFACES:
        worker_destroy_surfaces(w);
        break;
    case RED_WORKER_DESTROY_PRIMARY:
        worker_destroy_primary(w);
        break;
    case RED_WORKER_CREATE_PRIMARY:
        worker_create_primary(w, r);
        break;
    case RED_WORKER_DESTROY_SURFACE:
        red_worker_drain_rings(w);
        if (r->surface_id == 0) {
            worker_destroy_primary(w);
        } else {
            red_surface_destroy(&w->surfaces, r->surface_id);
        }
        break;
    case RED_WORKER_LOADVM_COMMANDS:
        for (uint32_t i = 0; i < r->count; i++) {
            if (r->cmds[i].cmd.type == QXL_CMD_CURSOR) {
                worker_handle_cursor_command(w, &r->cmds[i]);
            } else {
                worker_handle_display_command(w, &r->cmds[i]);
            }
        }
        break;
    case RED_WORKER_FLUSH_SURFACES:
        /* Commands are rendered as they are pulled, so emptying both rings
         * leaves every surface's device memory final. */
        red_worker_drain_rings(w);
        display_channel_push_all(w);
        break;
    case RED_WORKER_RESET_CURSOR:
        cursor_channel_reset(w);
        break;
    case RED_WORKER_ATTACH_CLIENT:
        if (r->link.channel_type == SPICE_CHANNEL_DISPLAY) {
            display_channel_attach(w, r->stream, &r->link, r->connection, r->compress);
        } else {
            cursor_channel_attach(w, r->stream, &r->link, r->connection);
        }
        break;
    case RED_WORKER_RESET_IMAGE_CACHE: /* no server-side image cache */
    case RED_WORKER_MONITORS_CONFIG:   /* MONITORS_CONFIG is not advertised */
    case RED_WORKER_DRIVER_UNLOAD:
    case RED_WORKER_COMPLETE_ONLY:
        break;
    case RED_WORKER_SHUTDOWN:
        display_channel_close_all(w);
        cursor_channel_close_all(w);
        g_main_loop_quit(w->main_loop);
        break;
    }
    if (r->async) {
        w->qif->async_complete(w->qxl, r->cookie);
    }
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
        worker_handle_request(w, &q->req);
        if (q->req.async || q->req.op == RED_WORKER_WAKEUP || q->req.op == RED_WORKER_OOM ||
            q->req.op == RED_WORKER_ATTACH_CLIENT) {
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
    w->wake_source = g_unix_fd_source_new(w->wake_fd, G_IO_IN);
    g_source_set_callback(w->wake_source, (GSourceFunc)(void (*)(void))worker_on_wake, w, NULL);
    g_source_attach(w->wake_source, w->context);
    g_main_loop_run(w->main_loop);
    g_source_destroy(w->wake_source);
    g_source_unref(w->wake_source);
    if (w->process_source) {
        g_source_destroy(w->process_source);
        g_source_unref(w->process_source);
    }
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
    bool sync = !req->async && req->op != RED_WORKER_WAKEUP && req->op != RED_WORKER_OOM &&
                req->op != RED_WORKER_ATTACH_CLIENT;
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
    pixman_region32_init(&w->primary_dirty);
    g_mutex_init(&w->lock);
    g_cond_init(&w->done_cond);
    g_queue_init(&w->queue);
    w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    w->context = g_main_context_new();
    w->main_loop = g_main_loop_new(w->context, FALSE);
    w->running = running;
    w->thread = g_thread_new("spice-display", worker_thread, w);
    if (w->qif->attached_worker) {
        w->qif->attached_worker(qxl);
    }
    if (w->qif->set_compression_level) {
        w->qif->set_compression_level(qxl, 0);
    }
    return w;
}

void red_worker_destroy(RedWorker *w)
{
    if (w == NULL) {
        return;
    }
    RedWorkerRequest r = { .op = RED_WORKER_SHUTDOWN };
    red_worker_request(w, &r);
    g_thread_join(w->thread);
    red_cursor_shape_free(w->cursor_shape);
    red_surfaces_finish(&w->surfaces);
    red_memslots_free(w->slots);
    pixman_region32_fini(&w->primary_dirty);
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
