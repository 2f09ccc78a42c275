/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-qxl.c: the spice_qxl_* entry points.  Each one becomes a request to
 * the instance's display worker (red-worker.h says which block), found
 * through reds_displays_worker. */
#include "config.h"

#include <string.h>

#include "red-log.h"
#include "reds-displays.h"

static void request(QXLInstance *qxl, RedWorkerRequest *r)
{
    RedWorker *w = reds_displays_worker(qxl);
    if (w == NULL) {
        red_log_warn("spice_qxl call on an instance that was not added (op %d)", r->op);
        return;
    }
    red_worker_request(w, r);
}

static void simple(QXLInstance *qxl, RedWorkerOp op, bool async, uint64_t cookie)
{
    RedWorkerRequest r = { .op = op, .async = async, .cookie = cookie };
    request(qxl, &r);
}

RED_EXPORT void spice_qxl_wakeup(QXLInstance *instance)
{
    simple(instance, RED_WORKER_WAKEUP, false, 0);
}

RED_EXPORT void spice_qxl_oom(QXLInstance *instance)
{
    simple(instance, RED_WORKER_OOM, false, 0);
}

RED_EXPORT void spice_qxl_start(QXLInstance *instance)
{
    simple(instance, RED_WORKER_START, false, 0);
}

RED_EXPORT void spice_qxl_stop(QXLInstance *instance)
{
    simple(instance, RED_WORKER_STOP, false, 0);
}

RED_EXPORT void spice_qxl_update_area(QXLInstance *instance, uint32_t surface_id, QXLRect *area,
                                      QXLRect *dirty_rects, uint32_t num_dirty_rects,
                                      uint32_t clear_dirty_region)
{
    RedWorkerRequest r = { .op = RED_WORKER_UPDATE_AREA, .surface_id = surface_id,
                           .dirty_rects = dirty_rects, .num_dirty_rects = num_dirty_rects,
                           .clear_dirty = clear_dirty_region != 0 };
    if (area) {
        r.area = *area;
    }
    request(instance, &r);
}

RED_EXPORT void spice_qxl_update_area_async(QXLInstance *instance, uint32_t surface_id,
                                            QXLRect *qxl_area, uint32_t clear_dirty_region,
                                            uint64_t cookie)
{
    RedWorkerRequest r = { .op = RED_WORKER_UPDATE_AREA, .async = true, .cookie = cookie,
                           .surface_id = surface_id, .clear_dirty = clear_dirty_region != 0 };
    if (qxl_area) {
        r.area = *qxl_area;
    }
    request(instance, &r);
}

static void add_memslot(QXLInstance *instance, QXLDevMemSlot *slot, bool async, uint64_t cookie)
{
    RedWorkerRequest r = { .op = RED_WORKER_ADD_MEMSLOT, .async = async, .cookie = cookie };
    if (slot) {
        r.slot = *slot;
    } else {
        r.op = RED_WORKER_COMPLETE_ONLY;
    }
    request(instance, &r);
}

RED_EXPORT void spice_qxl_add_memslot(QXLInstance *instance, QXLDevMemSlot *slot)
{
    add_memslot(instance, slot, false, 0);
}

RED_EXPORT void spice_qxl_add_memslot_async(QXLInstance *instance, QXLDevMemSlot *slot,
                                            uint64_t cookie)
{
    add_memslot(instance, slot, true, cookie);
}

RED_EXPORT void spice_qxl_del_memslot(QXLInstance *instance, uint32_t slot_group_id,
                                      uint32_t slot_id)
{
    RedWorkerRequest r = { .op = RED_WORKER_DEL_MEMSLOT, .group_id = slot_group_id,
                           .slot_id = slot_id };
    request(instance, &r);
}

RED_EXPORT void spice_qxl_reset_memslots(QXLInstance *instance)
{
    simple(instance, RED_WORKER_RESET_MEMSLOTS, false, 0);
}

RED_EXPORT void spice_qxl_destroy_surfaces(QXLInstance *instance)
{
    simple(instance, RED_WORKER_DESTROY_SURFACES, false, 0);
}

RED_EXPORT void spice_qxl_destroy_surfaces_async(QXLInstance *instance, uint64_t cookie)
{
    simple(instance, RED_WORKER_DESTROY_SURFACES, true, cookie);
}

RED_EXPORT void spice_qxl_destroy_primary_surface(QXLInstance *instance, uint32_t surface_id)
{
    RedWorkerRequest r = { .op = RED_WORKER_DESTROY_PRIMARY, .surface_id = surface_id };
    request(instance, &r);
}

RED_EXPORT void spice_qxl_destroy_primary_surface_async(QXLInstance *instance,
                                                        uint32_t surface_id, uint64_t cookie)
{
    RedWorkerRequest r = { .op = RED_WORKER_DESTROY_PRIMARY, .surface_id = surface_id,
                           .async = true, .cookie = cookie };
    request(instance, &r);
}

RED_EXPORT void spice_qxl_create_primary_surface(QXLInstance *instance, uint32_t surface_id,
                                                 QXLDevSurfaceCreate *surface)
{
    RedWorkerRequest r = { .op = RED_WORKER_CREATE_PRIMARY, .surface_id = surface_id };
    if (surface) {
        r.surface = *surface;
        request(instance, &r);
    }
}

RED_EXPORT void spice_qxl_create_primary_surface_async(QXLInstance *instance,
                                                       uint32_t surface_id,
                                                       QXLDevSurfaceCreate *surface,
                                                       uint64_t cookie)
{
    RedWorkerRequest r = { .op = RED_WORKER_CREATE_PRIMARY, .surface_id = surface_id,
                           .async = true, .cookie = cookie };
    if (surface) {
        r.surface = *surface;
    } else {
        r.op = RED_WORKER_COMPLETE_ONLY;
    }
    request(instance, &r);
}

RED_EXPORT void spice_qxl_reset_image_cache(QXLInstance *instance)
{
    simple(instance, RED_WORKER_RESET_IMAGE_CACHE, false, 0);
}

RED_EXPORT void spice_qxl_reset_cursor(QXLInstance *instance)
{
    simple(instance, RED_WORKER_RESET_CURSOR, false, 0);
}

RED_EXPORT void spice_qxl_destroy_surface_wait(QXLInstance *instance, uint32_t surface_id)
{
    RedWorkerRequest r = { .op = RED_WORKER_DESTROY_SURFACE, .surface_id = surface_id };
    request(instance, &r);
}

RED_EXPORT void spice_qxl_destroy_surface_async(QXLInstance *instance, uint32_t surface_id,
                                                uint64_t cookie)
{
    RedWorkerRequest r = { .op = RED_WORKER_DESTROY_SURFACE, .surface_id = surface_id,
                           .async = true, .cookie = cookie };
    request(instance, &r);
}

RED_EXPORT void spice_qxl_loadvm_commands(QXLInstance *instance, struct QXLCommandExt *ext,
                                          uint32_t count)
{
    RedWorkerRequest r = { .op = RED_WORKER_LOADVM_COMMANDS, .cmds = ext,
                           .count = ext ? count : 0 };
    request(instance, &r);
}

RED_EXPORT void spice_qxl_flush_surfaces_async(QXLInstance *instance, uint64_t cookie)
{
    simple(instance, RED_WORKER_FLUSH_SURFACES, true, cookie);
}

RED_EXPORT void spice_qxl_monitors_config_async(QXLInstance *instance,
                                                QXLPHYSICAL monitors_config, int group_id,
                                                uint64_t cookie)
{
    RedWorkerRequest r = { .op = RED_WORKER_MONITORS_CONFIG, .addr = monitors_config,
                           .group_id = (uint32_t)group_id, .async = true, .cookie = cookie };
    request(instance, &r);
}

RED_EXPORT void spice_qxl_driver_unload(QXLInstance *instance)
{
    simple(instance, RED_WORKER_DRIVER_UNLOAD, false, 0);
}

/* No GL: a gl_draw can only have been asked by a host with gl=on, which we
 * refuse at init; complete the cookie so such a host never hangs. */
RED_EXPORT void spice_qxl_gl_draw_async(QXLInstance *qxl, uint32_t x, uint32_t y, uint32_t w,
                                        uint32_t h, uint64_t cookie)
{
    (void)x;
    (void)y;
    (void)w;
    (void)h;
    simple(qxl, RED_WORKER_COMPLETE_ONLY, true, cookie);
}

/* Device info only matters for the agent's monitor mapping; no agent yet. */
RED_EXPORT void spice_qxl_set_device_info(QXLInstance *instance, const char *device_address,
                                          uint32_t device_display_id_start,
                                          uint32_t device_display_id_count)
{
    (void)instance;
    (void)device_address;
    (void)device_display_id_start;
    (void)device_display_id_count;
}
