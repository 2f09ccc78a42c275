// SPDX-License-Identifier: LGPL-2.1-or-later
/* red-worker-commands.c: the worker's command loop over the two QXL rings:
 * pull, render or parse, hand to the channels, release to the guest.
 * Display commands wait in w->pending until their batch ends, so those a
 * later one hides are released without being read (red-cull.h). */
#include "config.h"

#include "red-worker-private.h"

#include <string.h>

#include "red-cull.h"
#include "red-display-cmds.h"
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
        red_surface_mark_drawn(&w->surfaces.surfaces[0], &res.damage);
        display_channel_drawn(w, &res.damage, &res.op);
        red_video_note_draw(w, &res.damage, res.draw_type, res.natural);
    } else if (res.kind == RED_CMD_SURFACE_CREATED && res.surface_id == 0) {
        display_channel_primary_created(w);
    } else if (res.kind == RED_CMD_SURFACE_DESTROYED && res.surface_id == 0) {
        display_channel_primary_destroyed(w);
    }
    red_command_result_finish(&res);
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

/* The next command of one ring; false when it is empty. */
static bool ring_get(RedWorker *w, bool cursor, QXLCommandExt *ext)
{
    return cursor ? w->qif->get_cursor_command(w->qxl, ext) : w->qif->get_command(w->qxl, ext);
}

void red_worker_handle_command(RedWorker *w, const QXLCommandExt *ext, bool cursor)
{
    if (cursor) {
        worker_handle_cursor_command(w, ext);
    } else {
        worker_handle_display_command(w, ext);
    }
}

/* Releases, unread, each command of the batch that a later one hides
 * (red-cull.h); its address is forgotten, as the guest may reuse that
 * memory at once.  Video detection still counts it as a frame, in its
 * turn (worker_handle_pending). */
static void worker_cull_pending(RedWorker *w)
{
    unsigned n = w->pending_count;
    w->culled_count = n;
    w->culled_visible = n;
    if (red_surfaces_get(&w->surfaces, 0) == NULL) {
        return; /* drawables fail, and are counted so */
    }
    w->culled_visible = n - red_cull_hidden(w->slots, w->pending, n, w->pending_marks);
    for (unsigned i = 0; i < n; i++) {
        QXLCommandExt *ext = &w->pending[i];
        if (w->pending_marks[i].hidden && ext->cmd.data != 0) {
            w->stats.commands++;
            w->stats.culled++;
            worker_release(w, red_memslots_translate(w->slots, ext->group_id, ext->cmd.data,
                                                     sizeof(QXLReleaseInfo)),
                           ext->group_id);
            ext->cmd.data = 0;
        }
    }
}

/* Handles the pending display commands in their order: those a later one
 * of them hides only count for video detection. */
static void worker_handle_pending(RedWorker *w)
{
    unsigned n = w->pending_count;
    if (n == 0) {
        return;
    }
    worker_cull_pending(w);
    w->pending_count = 0;
    w->culled_count = 0;
    w->culled_visible = 0;
    unsigned next = 0; /* the first visible command after i */
    for (unsigned i = 0; i < n; i++) {
        const RedCullMark *mark = &w->pending_marks[i];
        if (mark->hidden) {
            red_video_note_hidden(w, &mark->box, mark->draw_type);
            continue;
        }
        for (next = MAX(next, i + 1); next < n && w->pending_marks[next].hidden; next++) {
        }
        /* A scroll may leave its strip to the drawable that comes next: in
         * between only hidden commands (not rendered) are counted. */
        w->renderer.defer_strip = next < n && w->pending[next].cmd.type == QXL_CMD_DRAW;
        worker_handle_display_command(w, &w->pending[i]);
        w->renderer.defer_strip = false;
    }
    red_render_settle(&w->renderer);
}

/* A display command joins the open batch.  A full batch is handled at
 * once, which bounds how long its commands wait and the guest memory it
 * holds; a growing one is culled on the way (RED_WORKER_CULL_STEP). */
static void worker_defer(RedWorker *w, const QXLCommandExt *ext)
{
    w->pending_marks[w->pending_count] = (RedCullMark){ .hidden = false };
    w->pending[w->pending_count++] = *ext;
    if (w->pending_count == RED_WORKER_PENDING_MAX) {
        worker_handle_pending(w);
    } else if (w->pending_count - w->culled_count >= MAX(RED_WORKER_CULL_STEP, w->culled_visible)) {
        worker_cull_pending(w);
    }
}

/* A command taken from a ring: a display one waits in the batch, a cursor
 * one is handled. */
static void worker_take(RedWorker *w, const QXLCommandExt *ext, bool cursor)
{
    if (cursor) {
        worker_handle_cursor_command(w, ext);
    } else {
        worker_defer(w, ext);
    }
}

/* Takes up to `budget` commands of one ring (worker_take).  Returns how many; sets *wait when the
 * device said to wait for a wakeup. */
static unsigned worker_pull(RedWorker *w, bool cursor, unsigned budget, bool *wait)
{
    unsigned n = 0, retries = 0;
    *wait = false;
    while (n < budget) {
        QXLCommandExt ext;
        if (!ring_get(w, cursor, &ext)) {
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
        worker_take(w, &ext, cursor);
        n++;
    }
    return n;
}

/* May an open batch stay open for another run?  While the guest keeps the
 * ring busy its commands wait a little for later ones, which may cover them
 * (red-display-cmds.c drops those), as spice-server's pipe holds drawables
 * until its worker is idle: not past w->hold_ms (RED_WORKER_HOLD_MS), nor
 * past half a client's queue bounds. */
static bool worker_may_hold(RedWorker *w)
{
    if (g_get_monotonic_time() - w->batch_open_since_us >= (int64_t)w->hold_ms * 1000) {
        return false;
    }
    for (GList *l = w->display_clients; l; l = l->next) {
        if (red_display_cmds_half_full(l->data)) {
            return false;
        }
    }
    return true;
}

void red_worker_end_batch(RedWorker *w)
{
    red_ready_source_arm(w->linger_source, -1);
    if (!w->batch_open) {
        return;
    }
    worker_handle_pending(w);
    w->batch_open = false;
    w->batch_ended_us = g_get_monotonic_time();
    display_channel_push_all(w);
    display_channel_uncork_all(w);
}

void red_worker_end_batch_for_request(RedWorker *w)
{
    if (w->batch_open && w->running && w->surfaces.count) {
        /* What the guest queued before the request (a frame before its
         * flush) joins the batch, where it may hide what the batch holds. */
        bool wait;
        worker_pull(w, false, RED_WORKER_PENDING_MAX, &wait);
    }
    red_worker_end_batch(w);
}

static gboolean worker_linger_over(gpointer data)
{
    RedWorker *w = data;
    red_worker_end_batch(w); /* the guest went quiet: what it drew goes */
    return G_SOURCE_CONTINUE;
}

/* The guest emptied its ring, but it has been filling it faster than we
 * take, or sending again as soon as a batch ended: it is likely drawing on,
 * and each command it adds may hide some of the batch's (red-cull.h),
 * which the ring alone (32 entries) is too short to show, let alone the
 * few commands a wakeup brings when guest and worker take turns on one
 * core.  The batch waits up to w->linger_ms (RED_WORKER_LINGER_MS) for
 * its next wakeup, within the hold's bounds; commands that the guest sends
 * slowly, such as a key's echo, never wait. */
static bool worker_linger(RedWorker *w)
{
    bool busy = w->pending_count >= RED_WORKER_LINGER_MIN ||
                w->batch_open_since_us - w->batch_ended_us < (int64_t)w->linger_ms * 1000;
    if (!busy || !worker_may_hold(w)) {
        return false;
    }
    red_ready_source_arm(w->linger_source,
                         g_get_monotonic_time() + (int64_t)w->linger_ms * 1000);
    return true;
}

static gboolean worker_process(gpointer data)
{
    RedWorker *w = data;
    bool wait_cmd = true, wait_cursor = true;
    red_ready_source_arm(w->linger_source, -1); /* the guest sent more: the batch goes on */
    if (!w->batch_open) {
        display_channel_cork_all(w);
        w->batch_open = true;
        w->batch_open_since_us = g_get_monotonic_time();
    }
    if (w->running && w->surfaces.count) {
        worker_pull(w, false, RED_WORKER_BATCH, &wait_cmd);
        worker_pull(w, true, RED_WORKER_BATCH, &wait_cursor);
    }
    bool more = w->running && (!wait_cmd || !wait_cursor);
    if (more ? !worker_may_hold(w) : !worker_linger(w)) {
        red_worker_end_batch(w);
    }
    if (more) {
        red_worker_schedule_processing(w); /* more to do: after pending I/O */
    }
    return G_SOURCE_CONTINUE;
}

void red_worker_commands_start(RedWorker *w)
{
    /* Below client I/O, so a busy guest cannot starve the sockets. */
    w->process_source = red_ready_source_new(w->context, G_PRIORITY_DEFAULT_IDLE,
                                             worker_process, w);
    w->linger_source = red_ready_source_new(w->context, G_PRIORITY_DEFAULT,
                                            worker_linger_over, w);
}

void red_worker_schedule_processing(RedWorker *w)
{
    red_ready_source_arm(w->process_source, 0);
}

/* Empties both rings (flush, destroy, stop): every queued command rendered
 * and released, an open batch's first. Bounded by RED_WORKER_MAX_DRAIN
 * against a guest that keeps producing. */
void red_worker_drain_rings(RedWorker *w)
{
    display_channel_cork_all(w);
    for (int cursor = 0; cursor < 2; cursor++) {
        for (unsigned total = 0; total < RED_WORKER_MAX_DRAIN; total++) {
            QXLCommandExt ext;
            if (!ring_get(w, cursor != 0, &ext)) {
                break;
            }
            worker_take(w, &ext, cursor != 0);
        }
    }
    worker_handle_pending(w);
    display_channel_uncork_all(w);
}
