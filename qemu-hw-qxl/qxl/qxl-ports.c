/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qxl-ports.c: the QXL_IO_* ports (BAR3), one handle_<port> each.
 *
 * Runs on the guest's thread with the machine lock held.  Every value the
 * guest passes, in the port write or in the RAM header, is copied once into
 * a local, checked, then used. */
#include "config.h"

#include "qxl-private.h"

#include <string.h>

#include <spice/enums.h>

/* QEMU's limit for primary surfaces: the surface-0 area. Rects past this
 * are not a screen. */
#define QXL_MAX_COORD 16384

void qxl_async_cancel(QxlDevice *d)
{
    g_mutex_lock(&d->async_lock);
    d->current_async = QXL_UNDEFINED_IO;
    g_mutex_unlock(&d->async_lock);
    qxl_send_events(d, QXL_INTERRUPT_IO_CMD);
}

static bool is_valid_rect(const QXLRect *r)
{
    return r->left >= 0 && r->top >= 0 && r->left <= r->right && r->top <= r->bottom &&
           r->right <= QXL_MAX_COORD && r->bottom <= QXL_MAX_COORD;
}

static void handle_update_area(QxlDevice *d, bool async)
{
    QXLRect area;
    memcpy(&area, (const void *)&d->ram->update_area, sizeof(area));
    uint32_t surface_id = d->ram->update_surface;
    if (surface_id >= d->cfg.n_surfaces) {
        qxl_guest_bug(d, "update_surface", surface_id, "out of range");
        return;
    }
    if (!is_valid_rect(&area)) {
        qxl_guest_bug(d, "update_area.right", (uint64_t)(uint32_t)area.right, "invalid rectangle");
        return;
    }
    if (async) {
        spice_qxl_update_area_async(&d->qxl, surface_id, &area, 0,
                                    QXL_COOKIE_IO(QXL_IO_UPDATE_AREA_ASYNC));
    } else {
        spice_qxl_update_area(&d->qxl, surface_id, &area, NULL, 0, 1);
    }
}

static void handle_memslot_add(QxlDevice *d, uint32_t slot, bool async)
{
    if (slot >= QXL_DEVICE_NUM_MEMSLOTS) {
        qxl_guest_bug(d, "memslot_add slot", slot, "out of range");
        return;
    }
    if (d->slots[slot].active) {
        /* Linux before 6.1 did this on resume: it must reset first. */
        qxl_guest_bug(d, "memslot_add slot", slot, "already active");
        return;
    }
    QXLMemSlot ms;
    memcpy(&ms, (const void *)&d->ram->mem_slot, sizeof(ms));
    uint8_t *host = ms.mem_end > ms.mem_start ? qxl_bar_host(d, ms.mem_start,
                                                             ms.mem_end - ms.mem_start) : NULL;
    if (host == NULL) {
        qxl_guest_bug(d, "mem_slot.mem_start", ms.mem_start, "range not inside BAR0 or BAR1");
        return;
    }
    d->slots[slot] = (QxlGuestSlot){ true, ms.mem_start, ms.mem_end };
    /* Guest addresses in a slot are offsets from its start. */
    QXLDevMemSlot dev = {
        .slot_group_id = QXL_DEVICE_MEMSLOT_GROUP_GUEST,
        .slot_id = slot,
        .generation = d->rom->slot_generation,
        .virt_start = (uintptr_t)host,
        .virt_end = (uintptr_t)host + (ms.mem_end - ms.mem_start),
        .addr_delta = (uintptr_t)host,
        .qxl_ram_size = d->rom->num_pages << 12,
    };
    if (async) {
        spice_qxl_add_memslot_async(&d->qxl, &dev, QXL_COOKIE_IO(QXL_IO_MEMSLOT_ADD_ASYNC));
    } else {
        spice_qxl_add_memslot(&d->qxl, &dev);
    }
}

static void handle_memslot_del(QxlDevice *d, uint32_t slot)
{
    if (slot >= QXL_DEVICE_NUM_MEMSLOTS) {
        qxl_guest_bug(d, "memslot_del slot", slot, "out of range");
        return;
    }
    spice_qxl_del_memslot(&d->qxl, QXL_DEVICE_MEMSLOT_GROUP_GUEST, slot);
    d->slots[slot].active = false;
}

static void handle_create_primary(QxlDevice *d, uint32_t val, bool async)
{
    if (val != 0) {
        qxl_guest_bug(d, "create_primary value", val, "must be 0");
        return;
    }
    if (d->primary_created) {
        qxl_guest_bug(d, "create_primary", 0, "a primary surface exists already");
        return;
    }
    QXLSurfaceCreate sc;
    memcpy(&sc, (const void *)&d->ram->create_surface, sizeof(sc));
    uint64_t abs_stride = sc.stride < 0 ? (uint64_t)(-(int64_t)sc.stride) : (uint64_t)sc.stride;
    if (sc.width == 0 || sc.height == 0 || sc.width > QXL_MAX_COORD ||
        sc.height > QXL_MAX_COORD || abs_stride % 4 != 0 || abs_stride < (uint64_t)sc.width * 4 ||
        abs_stride * sc.height > d->cfg.vgamem_size) {
        qxl_guest_bug(d, "create_surface.stride", (uint64_t)(uint32_t)sc.stride,
                      "geometry invalid or larger than the surface-0 area");
        return;
    }
    if (sc.format != SPICE_SURFACE_FMT_32_xRGB && sc.format != SPICE_SURFACE_FMT_16_565 &&
        sc.format != SPICE_SURFACE_FMT_16_555) {
        qxl_guest_bug(d, "create_surface.format", sc.format, "not a primary format");
        return;
    }
    /* KEEP_DATA is the one flag of the ABI; bits it does not define would
     * mean something to a later device, so they are refused, not ignored. */
    if (sc.flags & ~(uint32_t)QXL_SURF_FLAG_KEEP_DATA) {
        qxl_guest_bug(d, "create_surface.flags", sc.flags, "unknown flag bits");
        return;
    }
    if (sc.type != QXL_SURF_TYPE_PRIMARY) {
        qxl_guest_bug(d, "create_surface.type", sc.type, "not QXL_SURF_TYPE_PRIMARY");
        return;
    }
    QXLDevSurfaceCreate surface = {
        .width = sc.width, .height = sc.height, .stride = sc.stride, .format = sc.format,
        .position = sc.position, .mouse_mode = 1, .flags = sc.flags, .type = sc.type,
        .mem = sc.mem, .group_id = QXL_DEVICE_MEMSLOT_GROUP_GUEST,
    };
    d->mode = QXL_DEVICE_MODE_NATIVE;
    d->primary_created = true;
    if (async) {
        spice_qxl_create_primary_surface_async(&d->qxl, 0, &surface,
                                               QXL_COOKIE_IO(QXL_IO_CREATE_PRIMARY_ASYNC));
    } else {
        spice_qxl_create_primary_surface(&d->qxl, 0, &surface);
    }
}

static void handle_destroy_primary(QxlDevice *d, uint32_t val, bool async)
{
    if (val != 0) {
        qxl_guest_bug(d, "destroy_primary value", val, "must be 0");
        return;
    }
    if (!d->primary_created) {
        /* Nothing to destroy: not a bug, but the guest waits for IO_CMD. */
        if (async) {
            qxl_async_cancel(d);
        }
        return;
    }
    d->primary_created = false;
    d->mode = QXL_DEVICE_MODE_UNDEFINED;
    if (async) {
        spice_qxl_destroy_primary_surface_async(&d->qxl, 0,
                                                QXL_COOKIE_IO(QXL_IO_DESTROY_PRIMARY_ASYNC));
    } else {
        spice_qxl_destroy_primary_surface(&d->qxl, 0);
    }
}

static void handle_destroy_surface(QxlDevice *d, uint32_t id, bool async)
{
    if (id >= d->cfg.n_surfaces) {
        qxl_guest_bug(d, "destroy_surface id", id, "out of range");
        return;
    }
    if (async) {
        spice_qxl_destroy_surface_async(&d->qxl, id, QXL_COOKIE_IO(QXL_IO_DESTROY_SURFACE_ASYNC));
    } else {
        spice_qxl_destroy_surface_wait(&d->qxl, id);
    }
}

/* A destroy while drawing pushed since the last flush is still unrendered
 * on a lazy server: counted, and logged the first time (see the S3 audit). */
static void note_destroy_order(QxlDevice *d)
{
    if (qxl_ring_prod_index(&d->cmd_ring) == d->cmd_prod_at_flush) {
        return;
    }
    d->cmd_prod_at_flush = qxl_ring_prod_index(&d->cmd_ring);
    g_mutex_lock(&d->stats_lock);
    bool first = d->stats.destroys_before_flush++ == 0;
    g_snprintf(d->stats.last_s3_problem, sizeof(d->stats.last_s3_problem),
               "surfaces destroyed before their drawing was flushed "
               "(QXL_IO_FLUSH_SURFACES_ASYNC or UPDATE_AREA must come first)");
    g_mutex_unlock(&d->stats_lock);
    if (first) {
        vm_log_warn("qxl-%d: surfaces destroyed before their drawing was flushed", d->cfg.id);
    }
}

static void handle_destroy_all_surfaces(QxlDevice *d, bool async)
{
    d->primary_created = false;
    d->mode = QXL_DEVICE_MODE_UNDEFINED;
    if (async) {
        spice_qxl_destroy_surfaces_async(&d->qxl,
                                         QXL_COOKIE_IO(QXL_IO_DESTROY_ALL_SURFACES_ASYNC));
    } else {
        spice_qxl_destroy_surfaces(&d->qxl);
    }
}

static void handle_log(QxlDevice *d)
{
    char buf[QXL_LOG_BUF_SIZE + 1];
    memcpy(buf, (const void *)d->ram->log_buf, QXL_LOG_BUF_SIZE);
    buf[QXL_LOG_BUF_SIZE] = '\0';
    g_strchomp(buf);
    vm_log_info("qxl-%d guest: %s", d->cfg.id, g_str_is_ascii(buf) ? buf : "(not ASCII)");
}

static void handle_notify_oom(QxlDevice *d)
{
    /* As QEMU: only when the guest has consumed every release already. */
    if (!qxl_ring_is_empty(&d->release_ring)) {
        return;
    }
    g_mutex_lock(&d->release_lock);
    d->oom_running = true;
    g_mutex_unlock(&d->release_lock);
    spice_qxl_oom(&d->qxl);
    g_mutex_lock(&d->release_lock);
    d->oom_running = false;
    g_mutex_unlock(&d->release_lock);
}

/* The async port of each sync one, and whether a port is async at all. */
static uint32_t async_to_sync(uint32_t io, bool *async)
{
    *async = true;
    switch (io) {
    case QXL_IO_UPDATE_AREA_ASYNC: return QXL_IO_UPDATE_AREA;
    case QXL_IO_MEMSLOT_ADD_ASYNC: return QXL_IO_MEMSLOT_ADD;
    case QXL_IO_CREATE_PRIMARY_ASYNC: return QXL_IO_CREATE_PRIMARY;
    case QXL_IO_DESTROY_PRIMARY_ASYNC: return QXL_IO_DESTROY_PRIMARY;
    case QXL_IO_DESTROY_SURFACE_ASYNC: return QXL_IO_DESTROY_SURFACE_WAIT;
    case QXL_IO_DESTROY_ALL_SURFACES_ASYNC: return QXL_IO_DESTROY_ALL_SURFACES;
    case QXL_IO_FLUSH_SURFACES_ASYNC:
    case QXL_IO_MONITORS_CONFIG_ASYNC: return io;
    default: *async = false; return io;
    }
}

void qxl_ioport_write(void *opaque, uint16_t offset, uint32_t value, unsigned size)
{
    QxlDevice *d = opaque;
    uint32_t orig_io = offset;
    if (size != 1) {
        qxl_guest_bug(d, "io access size", size, "QXL ports take single bytes");
        return;
    }
    if (orig_io >= QXL_IO_RANGE_SIZE) {
        qxl_guest_bug(d, "io port", orig_io, "no such port");
        return;
    }
    g_mutex_lock(&d->stats_lock);
    d->stats.io_writes[orig_io]++;
    g_mutex_unlock(&d->stats_lock);
    if (g_atomic_int_get(&d->guest_bug) && orig_io != QXL_IO_RESET &&
        orig_io != QXL_IO_UPDATE_IRQ) {
        /* The latch: only a reset is heard, and the interrupt acknowledge,
         * which touches no server state: without it the guest could not
         * lower the line after taking the ERROR interrupt (a storm). */
        return;
    }
    bool async;
    uint32_t io = async_to_sync(orig_io, &async);
    if (async) {
        g_mutex_lock(&d->async_lock);
        uint32_t busy = d->current_async;
        if (busy == QXL_UNDEFINED_IO) {
            d->current_async = orig_io;
        }
        g_mutex_unlock(&d->async_lock);
        if (busy != QXL_UNDEFINED_IO) {
            qxl_guest_bug(d, "async io", orig_io, "started before the last one completed");
            return;
        }
    }
    switch (io) {
    case QXL_IO_NOTIFY_CMD:
    case QXL_IO_NOTIFY_CURSOR:
        spice_qxl_wakeup(&d->qxl);
        break;
    case QXL_IO_UPDATE_AREA:
        d->cmd_prod_at_flush = qxl_ring_prod_index(&d->cmd_ring);
        handle_update_area(d, async);
        break;
    case QXL_IO_UPDATE_IRQ:
        qxl_update_irq(d);
        break;
    case QXL_IO_NOTIFY_OOM:
        handle_notify_oom(d);
        break;
    case QXL_IO_RESET:
        qxl_hard_reset(d);
        break;
    case QXL_IO_LOG:
        handle_log(d);
        break;
    case QXL_IO_MEMSLOT_ADD:
        handle_memslot_add(d, value, async);
        break;
    case QXL_IO_MEMSLOT_DEL:
        handle_memslot_del(d, value);
        break;
    case QXL_IO_CREATE_PRIMARY:
        handle_create_primary(d, value, async);
        break;
    case QXL_IO_DESTROY_PRIMARY:
        handle_destroy_primary(d, value, async);
        break;
    case QXL_IO_DESTROY_SURFACE_WAIT:
        note_destroy_order(d);
        handle_destroy_surface(d, value, async);
        break;
    case QXL_IO_DESTROY_ALL_SURFACES:
        note_destroy_order(d);
        handle_destroy_all_surfaces(d, async);
        break;
    case QXL_IO_FLUSH_SURFACES_ASYNC:
        d->cmd_prod_at_flush = qxl_ring_prod_index(&d->cmd_ring);
        spice_qxl_flush_surfaces_async(&d->qxl, QXL_COOKIE_IO(QXL_IO_FLUSH_SURFACES_ASYNC));
        break;
    case QXL_IO_FLUSH_RELEASE:
        if (qxl_ring_can_push(&d->release_ring) == QXL_RING_FULL) {
            vm_log_warn("qxl-%d: FLUSH_RELEASE with a full release ring", d->cfg.id);
        }
        qxl_push_free_res(d, true);
        break;
    case QXL_IO_MONITORS_CONFIG_ASYNC:
        spice_qxl_monitors_config_async(&d->qxl, d->ram->monitors_config,
                                        QXL_DEVICE_MEMSLOT_GROUP_GUEST,
                                        QXL_COOKIE_IO(QXL_IO_MONITORS_CONFIG_ASYNC));
        break;
    case QXL_IO_SET_MODE:
        qxl_guest_bug(d, "io port", io, "SET_MODE (qxl-1 compat mode) is not supported");
        break;
    default: /* DETACH/ATTACH_PRIMARY: never implemented by any device */
        qxl_guest_bug(d, "io port", io, "not implemented");
        break;
    }
    if (async && g_atomic_int_get(&d->guest_bug)) {
        /* A refused async I/O has no completion coming: end it now. */
        qxl_async_cancel(d);
    }
}

uint32_t qxl_ioport_read(void *opaque, uint16_t offset, unsigned size)
{
    (void)opaque;
    (void)offset;
    (void)size;
    return UINT32_MAX; /* the QXL ports are write-only, like QEMU's */
}
