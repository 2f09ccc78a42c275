// SPDX-License-Identifier: LGPL-2.1-or-later
/* red-worker-requests.c: the handlers of the spice_qxl_* requests, run on
 * the worker thread: memslots, surfaces, update area, flushes, start/stop,
 * clients attached, shutdown.  Each async one completes its cookie here. */
#include "config.h"

#include "red-worker-private.h"

#include <stddef.h>
#include <string.h>

#include "red-log.h"

/* Closes the clients on list clients whose session is session_id (it
 * ended).  The list holds DisplayClient or CursorClient; the offsets name
 * where that type keeps its rcc and session_id, so one loop serves both. */
static void worker_detach_session(GList *clients, size_t rcc_offset, size_t session_offset,
                                  uint32_t session_id)
{
    for (GList *l = clients, *next; l; l = next) {
        next = l->next; /* closing one frees only that one */
        const char *client = l->data;
        if (*(const uint32_t *)(client + session_offset) == session_id) {
            red_channel_client_close(*(RedChannelClient *const *)(client + rcc_offset),
                                     "session closed");
        }
    }
}

void red_worker_report_clients(RedWorker *w)
{
    const SpiceBaseInterface *base = &w->qif->base;
    if (!w->running || w->qif->set_client_capabilities == NULL || base->major_version != 3 ||
        base->minor_version < 2) {
        return;
    }
    uint8_t caps[SPICE_CAPABILITIES_SIZE] = { 0 };
    uint8_t present = w->display_clients != NULL;
    if (present) {
        /* Upstream reports what every client can take, because it passes
         * drawing commands on.  We render every command into images
         * ourselves, so any client can show composite drawings and A8
         * surfaces: those are reported.  Not MONITORS_CONFIG (we do not
         * advertise it) nor SIZED_STREAM (we never stream video). */
        static const unsigned rendered[] = { SPICE_DISPLAY_CAP_COMPOSITE,
                                             SPICE_DISPLAY_CAP_A8_SURFACE };
        for (size_t i = 0; i < G_N_ELEMENTS(rendered); i++) {
            caps[rendered[i] / 8] |= (uint8_t)(1u << (rendered[i] % 8));
        }
    }
    w->qif->set_client_capabilities(w->qxl, present, caps);
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
    if (red_surface_shadow(&w->surfaces, 0) != 0) {
        red_log_warn("no memory for the primary's shadow: drawing it in place");
    }
    pixman_region32_clear(&w->primary_dirty);
    display_channel_primary_created(w);
}

static void worker_destroy_primary(RedWorker *w)
{
    red_worker_drain_rings(w);
    if (w->surfaces.count && w->surfaces.surfaces[0].exists) {
        display_channel_keep_primary(w);
        red_surface_destroy(&w->surfaces, 0);
    }
    cursor_channel_reset(w);
}

static void worker_destroy_surfaces(RedWorker *w)
{
    red_worker_drain_rings(w);
    if (w->surfaces.count && w->surfaces.surfaces[0].exists) {
        display_channel_keep_primary(w);
    }
    for (uint32_t i = 0; i < w->surfaces.count; i++) {
        red_surface_destroy(&w->surfaces, i);
    }
    cursor_channel_reset(w);
}

/* The primary's drawing reaches the guest's memory (see red-surfaces.h). */
static void worker_sync_primary(RedWorker *w, const pixman_box32_t *area)
{
    if (w->surfaces.count && w->surfaces.surfaces[0].exists) {
        red_surface_sync(&w->surfaces.surfaces[0], area);
    }
}

static void worker_update_area(RedWorker *w, RedWorkerRequest *r)
{
    red_worker_drain_rings(w);
    display_channel_push_all(w);
    if (r->surface_id == 0) {
        pixman_box32_t area = { r->area.left, r->area.top, r->area.right, r->area.bottom };
        worker_sync_primary(w, &area);
    }
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

void red_worker_handle_request(RedWorker *w, RedWorkerRequest *r)
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
        red_worker_report_clients(w);
        red_worker_schedule_processing(w);
        break;
    case RED_WORKER_STOP:
        /* The VM stops: render everything queued, so device memory is final. */
        red_worker_drain_rings(w);
        display_channel_push_all(w);
        worker_sync_primary(w, NULL);
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
            red_worker_handle_command(w, &r->cmds[i], r->cmds[i].cmd.type == QXL_CMD_CURSOR);
        }
        break;
    case RED_WORKER_FLUSH_SURFACES:
        /* The open batch is rendered first, then both rings are emptied
         * and the primary's shadow synced: every surface's device memory
         * is final.  That is all a flush promises: its cookie completes
         * before the write to the clients, the batch's included (the
         * worker thread calls this without ending it), so the guest goes
         * on with its next frame meanwhile. */
        display_channel_cork_all(w);
        red_worker_end_batch_for_request(w);
        red_worker_drain_rings(w);
        display_channel_push_all(w);
        worker_sync_primary(w, NULL);
        w->qif->async_complete(w->qxl, r->cookie);
        display_channel_uncork_all(w);
        return;
    case RED_WORKER_RESET_CURSOR:
        cursor_channel_reset(w);
        break;
    case RED_WORKER_ATTACH_CLIENT:
        if (r->link.channel_type == SPICE_CHANNEL_DISPLAY) {
            display_channel_attach(w, r);
        } else {
            cursor_channel_attach(w, r->stream, &r->link, r->connection);
        }
        break;
    case RED_WORKER_DETACH_SESSION:
        if (r->link.channel_type == SPICE_CHANNEL_DISPLAY) {
            worker_detach_session(w->display_clients, offsetof(DisplayClient, rcc),
                                  offsetof(DisplayClient, session_id), r->link.connection_id);
        } else {
            worker_detach_session(w->cursor_clients, offsetof(CursorClient, rcc),
                                  offsetof(CursorClient, session_id), r->link.connection_id);
        }
        break;
    case RED_WORKER_AUDIO_CLOCK:
        for (GList *l = w->display_clients; l; l = l->next) {
            DisplayClient *dc = l->data;
            if (dc->session_id == r->link.connection_id) {
                dc->video.audio_clock = r->audio_clock;
            }
        }
        break;
    case RED_WORKER_SESSION_LINK:
        for (GList *l = w->display_clients; l; l = l->next) {
            DisplayClient *dc = l->data;
            if (dc->session_id == r->link.connection_id) {
                dc->lossy_images = r->lossy_images;
                dc->zlib_glz = r->zlib_glz;
                display_client_set_link(dc, r->link_bps);
            }
        }
        break;
    case RED_WORKER_RESET_IMAGE_CACHE: /* no server-side image cache */
    case RED_WORKER_MONITORS_CONFIG:   /* MONITORS_CONFIG is not advertised */
    case RED_WORKER_DRIVER_UNLOAD:
    case RED_WORKER_COMPLETE_ONLY:
        break;
    case RED_WORKER_SHUTDOWN:
        w->closing_all = true;
        display_channel_close_all(w);
        cursor_channel_close_all(w);
        g_main_loop_quit(w->main_loop);
        break;
    }
    if (r->async) {
        w->qif->async_complete(w->qxl, r->cookie);
    }
}
