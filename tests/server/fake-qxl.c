/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fake-qxl.c: see fake-qxl.h. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "fake-qxl-private.h"

/* QEMU's simple display uses these (include/ui/spice-display.h); a server
 * must cope with them, and with delta 0 they make QXLPHYSICAL == pointer. */
#define FAKE_QXL_MEMSLOT_GROUPS 2
#define FAKE_QXL_MEMSLOTS 8
#define FAKE_QXL_MEMSLOT_GEN_BITS 8
#define FAKE_QXL_MEMSLOT_ID_BITS 8
#define FAKE_QXL_RAM_SIZE (16u << 20)
#define FAKE_QXL_N_SURFACES 1024

static FakeQxl *fake_qxl_from_instance(QXLInstance *qin)
{
    return (FakeQxl *)((char *)qin - offsetof(FakeQxl, instance));
}

QXLPHYSICAL fake_qxl_phys(const void *p)
{
    return (QXLPHYSICAL)(uintptr_t)p;
}

/* ---- command allocation ---------------------------------------------- */

/* The payload is zeroed piece by piece (fake_qxl_cmd_take), not here: a
 * calloc would write an image's bytes once more before the fill, and the
 * bench measures servers through this fake. */
FakeQxlCmd *fake_qxl_cmd_new(size_t payload_size)
{
    FakeQxlCmd *cmd = malloc(sizeof(*cmd) + payload_size);
    if (cmd == NULL) {
        return NULL;
    }
    memset(cmd, 0, sizeof(*cmd));
    cmd->magic = FAKE_QXL_CMD_MAGIC;
    cmd->size = payload_size;
    return cmd;
}

/* Carves `size` bytes, aligned, from the command's payload; the payload
 * size is computed by the caller with fake_qxl_cmd_need, so this cannot
 * run out. */
void *fake_qxl_cmd_take_unzeroed(FakeQxlCmd *cmd, size_t size)
{
    size_t off = (cmd->used + FAKE_QXL_ALIGN - 1) & ~(size_t)(FAKE_QXL_ALIGN - 1);
    g_assert(off + size <= cmd->size);
    cmd->used = off + size;
    return cmd->payload + off;
}

void *fake_qxl_cmd_take(FakeQxlCmd *cmd, size_t size)
{
    return memset(fake_qxl_cmd_take_unzeroed(cmd, size), 0, size);
}

size_t fake_qxl_cmd_need(size_t size)
{
    return (size + FAKE_QXL_ALIGN - 1) & ~(size_t)(FAKE_QXL_ALIGN - 1);
}

/* The live set's destroy function: a command leaves it only to be freed. */
static void fake_qxl_cmd_free(gpointer data)
{
    FakeQxlCmd *cmd = data;
    if (cmd != NULL) {
        cmd->magic = 0;
        free(cmd);
    }
}

/* Queues a finished command and wakes the worker; the server deduplicates
 * wakeups, so one per command is fine. */
void fake_qxl_push(FakeQxl *qxl, FakeQxlQueue *queue, FakeQxlCmd *cmd)
{
    g_mutex_lock(&qxl->lock);
    g_hash_table_add(qxl->live_set, cmd);
    if (queue->tail != NULL) {
        queue->tail->next = cmd;
    } else {
        queue->head = cmd;
    }
    queue->tail = cmd;
    queue->length++;
    if (queue == &qxl->display_queue && queue->length > qxl->stats.display_queued_max) {
        qxl->stats.display_queued_max = queue->length;
    }
    qxl->stats.submitted++;
    bool quiet = qxl->quiet;
    g_mutex_unlock(&qxl->lock);
    if (!quiet) {
        spice_qxl_wakeup(&qxl->instance);
    }
}

static FakeQxlCmd *fake_qxl_pop_locked(FakeQxlQueue *queue)
{
    FakeQxlCmd *cmd = queue->head;
    if (cmd != NULL) {
        queue->head = cmd->next;
        if (queue->head == NULL) {
            queue->tail = NULL;
        }
        cmd->next = NULL;
        queue->length--;
    }
    return cmd;
}

static bool fake_qxl_is_live_locked(const FakeQxl *qxl, const FakeQxlCmd *cmd)
{
    /* Only a live command is dereferenced: a bad id is just not found. */
    return g_hash_table_contains(qxl->live_set, cmd) && cmd->magic == FAKE_QXL_CMD_MAGIC;
}

/* ---- QXLInterface callbacks (worker thread) --------------------------- */

static void fake_qxl_attached_worker(QXLInstance *qin)
{
    FakeQxl *qxl = fake_qxl_from_instance(qin);
    if (qxl->attach_width) {
        fake_qxl_add_memslot(qxl);
        (void)fake_qxl_create_primary(qxl, qxl->attach_width, qxl->attach_height,
                                      FAKE_QXL_STRIDE_POSITIVE);
    }
}

static void fake_qxl_set_compression_level(QXLInstance *qin, int level)
{
    (void)qin;
    (void)level;
}

static void fake_qxl_get_init_info(QXLInstance *qin, QXLDevInitInfo *info)
{
    (void)qin;
    memset(info, 0, sizeof(*info));
    info->num_memslots_groups = FAKE_QXL_MEMSLOT_GROUPS;
    info->num_memslots = FAKE_QXL_MEMSLOTS;
    info->memslot_gen_bits = FAKE_QXL_MEMSLOT_GEN_BITS;
    info->memslot_id_bits = FAKE_QXL_MEMSLOT_ID_BITS;
    info->qxl_ram_size = FAKE_QXL_RAM_SIZE;
    info->internal_groupslot_id = 0;
    info->n_surfaces = FAKE_QXL_N_SURFACES;
}

/* Wakes the threads waiting for `ev` (lock held); nobody when none waits. */
static void fake_qxl_raise_locked(FakeQxl *qxl, FakeQxlEvent ev)
{
    if (qxl->waiting[ev] > 0) {
        g_cond_broadcast(&qxl->raised[ev]);
    }
}

/* Waits for `ev` (lock held) until `deadline`; false when it passed. */
static bool fake_qxl_wait_event_locked(FakeQxl *qxl, FakeQxlEvent ev, gint64 deadline)
{
    qxl->waiting[ev]++;
    bool raised = g_cond_wait_until(&qxl->raised[ev], &qxl->lock, deadline);
    qxl->waiting[ev]--;
    return raised;
}

static int fake_qxl_fetch(FakeQxl *qxl, FakeQxlQueue *queue, QXLCommandExt *ext)
{
    g_mutex_lock(&qxl->lock);
    FakeQxlCmd *cmd = qxl->broken_ring ? NULL : fake_qxl_pop_locked(queue);
    if (cmd != NULL) {
        *ext = cmd->ext;
        qxl->stats.fetched++;
        /* Only the fetch that reaches the level: later ones before the
         * guest runs again would each cost a futex wake for nothing. */
        if (queue == &qxl->display_queue && queue->length == qxl->ring_wake_level) {
            fake_qxl_raise_locked(qxl, FAKE_QXL_EVENT_RING_ROOM);
        }
    }
    g_mutex_unlock(&qxl->lock);
    return cmd != NULL;
}

/* Returns 1 ("wait for spice_qxl_wakeup") only when the queue is empty:
 * returning 1 with commands queued would stall the server until the next
 * push, since our wakeup for those commands may already have been spent. */
static int fake_qxl_req_notification(FakeQxl *qxl, FakeQxlQueue *queue)
{
    g_mutex_lock(&qxl->lock);
    int wait = queue->head == NULL && !qxl->broken_ring;
    qxl->stats.notification_requests++;
    fake_qxl_raise_locked(qxl, FAKE_QXL_EVENT_ASKED);
    g_mutex_unlock(&qxl->lock);
    return wait;
}

void fake_qxl_set_broken_ring(FakeQxl *qxl, bool broken)
{
    g_mutex_lock(&qxl->lock);
    qxl->broken_ring = broken;
    g_mutex_unlock(&qxl->lock);
    /* Broken: the server must come and ask.  Mended: it may have gone to
     * sleep meanwhile, and queued commands need the wakeup their push
     * already spent. */
    spice_qxl_wakeup(&qxl->instance);
}

void fake_qxl_set_quiet(FakeQxl *qxl, bool quiet)
{
    g_mutex_lock(&qxl->lock);
    qxl->quiet = quiet;
    g_mutex_unlock(&qxl->lock);
}

void fake_qxl_set_complete_hook(FakeQxl *qxl, FakeQxlCompleteHook hook, void *opaque)
{
    g_mutex_lock(&qxl->lock);
    qxl->on_complete = hook;
    qxl->on_complete_opaque = opaque;
    g_mutex_unlock(&qxl->lock);
}

static int fake_qxl_get_command(QXLInstance *qin, QXLCommandExt *ext)
{
    FakeQxl *qxl = fake_qxl_from_instance(qin);
    return fake_qxl_fetch(qxl, &qxl->display_queue, ext);
}

static int fake_qxl_req_cmd_notification(QXLInstance *qin)
{
    FakeQxl *qxl = fake_qxl_from_instance(qin);
    return fake_qxl_req_notification(qxl, &qxl->display_queue);
}

static int fake_qxl_get_cursor_command(QXLInstance *qin, QXLCommandExt *ext)
{
    FakeQxl *qxl = fake_qxl_from_instance(qin);
    return fake_qxl_fetch(qxl, &qxl->cursor_queue, ext);
}

static int fake_qxl_req_cursor_notification(QXLInstance *qin)
{
    FakeQxl *qxl = fake_qxl_from_instance(qin);
    return fake_qxl_req_notification(qxl, &qxl->cursor_queue);
}

static void fake_qxl_release_resource(QXLInstance *qin, QXLReleaseInfoExt rext)
{
    FakeQxl *qxl = fake_qxl_from_instance(qin);
    FakeQxlCmd *cmd = NULL;
    if (rext.info != NULL) {
        cmd = (FakeQxlCmd *)(uintptr_t)rext.info->id;
    }
    g_mutex_lock(&qxl->lock);
    if (cmd != NULL && fake_qxl_is_live_locked(qxl, cmd)) {
        g_hash_table_remove(qxl->live_set, cmd); /* frees it */
        qxl->stats.released++;
    } else {
        qxl->stats.bad_releases++;
    }
    fake_qxl_raise_locked(qxl, FAKE_QXL_EVENT_RELEASED);
    g_mutex_unlock(&qxl->lock);
}

static void fake_qxl_notify_update(QXLInstance *qin, uint32_t update_id)
{
    (void)qin;
    (void)update_id;
}

/* We release synchronously in release_resource, so nothing is ever held
 * back for a batch: report zero pending releases. */
static int fake_qxl_flush_resources(QXLInstance *qin)
{
    FakeQxl *qxl = fake_qxl_from_instance(qin);
    g_mutex_lock(&qxl->lock);
    qxl->stats.flush_resources++;
    g_mutex_unlock(&qxl->lock);
    return 0;
}

static void fake_qxl_async_complete(QXLInstance *qin, uint64_t cookie)
{
    FakeQxl *qxl = fake_qxl_from_instance(qin);
    g_mutex_lock(&qxl->lock);
    FakeQxlCompleteHook hook = qxl->on_complete;
    void *opaque = qxl->on_complete_opaque;
    g_mutex_unlock(&qxl->lock);
    if (hook) {
        hook(cookie, opaque);
    }
    g_mutex_lock(&qxl->lock);
    qxl->stats.async_completes++;
    unsigned i;
    for (i = 0; i < qxl->n_cookies; i++) {
        if (qxl->cookies[i].cookie == cookie) {
            break;
        }
    }
    if (i == qxl->n_cookies && i < FAKE_QXL_MAX_COOKIES) {
        qxl->cookies[i].cookie = cookie;
        qxl->n_cookies++;
    }
    if (i < qxl->n_cookies) {
        qxl->cookies[i].count++;
    }
    fake_qxl_raise_locked(qxl, FAKE_QXL_EVENT_ASYNC);
    g_mutex_unlock(&qxl->lock);
}

static void fake_qxl_update_area_complete(QXLInstance *qin, uint32_t surface_id,
                                          QXLRect *rects, uint32_t n_rects)
{
    FakeQxl *qxl = fake_qxl_from_instance(qin);
    (void)surface_id;
    (void)rects;
    (void)n_rects;
    g_mutex_lock(&qxl->lock);
    qxl->stats.update_area_completes++;
    g_mutex_unlock(&qxl->lock);
}

static void fake_qxl_set_client_capabilities(QXLInstance *qin, uint8_t client_present,
                                             uint8_t caps[SPICE_CAPABILITIES_SIZE])
{
    FakeQxl *qxl = fake_qxl_from_instance(qin);
    g_mutex_lock(&qxl->lock);
    qxl->stats.client_caps_calls++;
    qxl->stats.client_present = client_present;
    qxl->stats.client_caps0 = caps[0];
    fake_qxl_raise_locked(qxl, FAKE_QXL_EVENT_CLIENT);
    g_mutex_unlock(&qxl->lock);
}

/* 0 = the device cannot follow client monitor layouts (unless
 * fake_qxl_take_monitors_config said it can); a config is counted. */
static int fake_qxl_client_monitors_config(QXLInstance *qin, VDAgentMonitorsConfig *mc)
{
    FakeQxl *qxl = (FakeQxl *)qin;
    g_mutex_lock(&qxl->lock);
    bool take = qxl->take_monitors;
    if (mc == NULL) {
        qxl->stats.monitors_queries++;
    } else if (take) {
        qxl->stats.monitors_configs++;
        qxl->stats.monitors_count = mc->num_of_monitors;
        if (mc->num_of_monitors > 0) {
            qxl->stats.monitors_width = mc->monitors[mc->num_of_monitors - 1].width;
            qxl->stats.monitors_height = mc->monitors[mc->num_of_monitors - 1].height;
        }
    }
    g_mutex_unlock(&qxl->lock);
    return take;
}

void fake_qxl_take_monitors_config(FakeQxl *qxl, bool take)
{
    g_mutex_lock(&qxl->lock);
    qxl->take_monitors = take;
    g_mutex_unlock(&qxl->lock);
}

/* ---- device lifetime --------------------------------------------------- */

FakeQxl *fake_qxl_create(int id)
{
    FakeQxl *qxl = calloc(1, sizeof(*qxl));
    if (qxl == NULL) {
        return NULL;
    }
    QXLInterface *iface = &qxl->interface;
    iface->base.type = SPICE_INTERFACE_QXL;
    iface->base.description = "s3display fake qxl";
    iface->base.major_version = SPICE_INTERFACE_QXL_MAJOR;
    iface->base.minor_version = SPICE_INTERFACE_QXL_MINOR;
    iface->attached_worker = fake_qxl_attached_worker;
    iface->set_compression_level = fake_qxl_set_compression_level;
    iface->get_init_info = fake_qxl_get_init_info;
    iface->get_command = fake_qxl_get_command;
    iface->req_cmd_notification = fake_qxl_req_cmd_notification;
    iface->release_resource = fake_qxl_release_resource;
    iface->get_cursor_command = fake_qxl_get_cursor_command;
    iface->req_cursor_notification = fake_qxl_req_cursor_notification;
    iface->notify_update = fake_qxl_notify_update;
    iface->flush_resources = fake_qxl_flush_resources;
    iface->async_complete = fake_qxl_async_complete;
    iface->update_area_complete = fake_qxl_update_area_complete;
    iface->set_client_capabilities = fake_qxl_set_client_capabilities;
    iface->client_monitors_config = fake_qxl_client_monitors_config;
    qxl->instance.base.sif = &iface->base;
    qxl->instance.id = id;
    qxl->live_set = g_hash_table_new_full(NULL, NULL, fake_qxl_cmd_free, NULL);
    g_mutex_init(&qxl->lock);
    for (int ev = 0; ev < FAKE_QXL_EVENT_COUNT; ev++) {
        g_cond_init(&qxl->raised[ev]);
    }
    return qxl;
}

void fake_qxl_destroy(FakeQxl *qxl)
{
    if (qxl == NULL) {
        return;
    }
    /* Queued commands are in the live set too; it frees what it holds. */
    g_hash_table_destroy(qxl->live_set);
    free(qxl->primary_buf);
    for (int ev = 0; ev < FAKE_QXL_EVENT_COUNT; ev++) {
        g_cond_clear(&qxl->raised[ev]);
    }
    g_mutex_clear(&qxl->lock);
    free(qxl);
}

QXLInstance *fake_qxl_get_instance(FakeQxl *qxl)
{
    return &qxl->instance;
}

void fake_qxl_set_up_on_attach(FakeQxl *qxl, uint32_t width, uint32_t height)
{
    qxl->attach_width = width;
    qxl->attach_height = height;
}

void fake_qxl_add_memslot(FakeQxl *qxl)
{
    QXLDevMemSlot slot = {
        .slot_group_id = 0,
        .slot_id = 0,
        .generation = 0,
        .virt_start = 0,
        .virt_end = ~(uintptr_t)0,
        .addr_delta = 0,
        .qxl_ram_size = FAKE_QXL_RAM_SIZE,
    };
    spice_qxl_add_memslot(&qxl->instance, &slot);
}

int fake_qxl_create_primary(FakeQxl *qxl, uint32_t width, uint32_t height,
                            FakeQxlStride stride)
{
    if (qxl->primary_gone) {
        free(qxl->primary_buf);
        qxl->primary_buf = NULL;
        qxl->primary_gone = false;
    }
    if (qxl->primary_buf != NULL || width == 0 || height == 0 ||
        width > 8192 || height > 8192) {
        errno = EINVAL;
        return -1;
    }
    size_t row = (size_t)width * 4;
    uint8_t *buf = calloc(height, row);
    if (buf == NULL) {
        return -1;
    }
    qxl->primary_buf = buf;
    qxl->primary_width = width;
    qxl->primary_height = height;
    qxl->primary_stride = stride == FAKE_QXL_STRIDE_NEGATIVE ? -(int32_t)row : (int32_t)row;

    /* mem is the lowest address in both cases: with a negative stride the
     * server finds row 0 at mem + |stride| * (height - 1). */
    QXLDevSurfaceCreate surface = {
        .width = width,
        .height = height,
        .stride = qxl->primary_stride,
        .format = SPICE_SURFACE_FMT_32_xRGB,
        .position = 0,
        .mouse_mode = 1,
        .flags = 0,
        .type = 0,
        .mem = fake_qxl_phys(buf),
        .group_id = 0,
    };
    spice_qxl_create_primary_surface(&qxl->instance, 0, &surface);
    return 0;
}

void fake_qxl_destroy_primary(FakeQxl *qxl)
{
    if (qxl->primary_buf == NULL) {
        return;
    }
    if (!qxl->primary_gone) {
        spice_qxl_destroy_primary_surface(&qxl->instance, 0);
    }
    /* The synchronous destroy returned: the server no longer touches the
     * buffer (QEMU frees it at the same point). */
    free(qxl->primary_buf);
    qxl->primary_buf = NULL;
    qxl->primary_gone = false;
}

void fake_qxl_destroy_primary_keep_buffer(FakeQxl *qxl)
{
    if (qxl->primary_buf == NULL || qxl->primary_gone) {
        return;
    }
    spice_qxl_destroy_primary_surface(&qxl->instance, 0);
    qxl->primary_gone = true;
}

uint32_t fake_qxl_primary_pixel(const FakeQxl *qxl, uint32_t x, uint32_t y)
{
    g_assert(qxl->primary_buf != NULL && x < qxl->primary_width && y < qxl->primary_height);
    size_t row = (size_t)qxl->primary_width * 4;
    size_t line = qxl->primary_stride > 0 ? y : qxl->primary_height - 1 - y;
    uint32_t px;
    memcpy(&px, qxl->primary_buf + line * row + (size_t)x * 4, sizeof(px));
    return px;
}

/* ---- waiting and counters ---------------------------------------------- */

static unsigned fake_qxl_cookie_count_locked(const FakeQxl *qxl, uint64_t cookie)
{
    for (unsigned i = 0; i < qxl->n_cookies; i++) {
        if (qxl->cookies[i].cookie == cookie) {
            return qxl->cookies[i].count;
        }
    }
    return 0;
}

unsigned fake_qxl_wait_async_count(FakeQxl *qxl, uint64_t cookie, unsigned count,
                                   unsigned timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
    g_mutex_lock(&qxl->lock);
    unsigned n;
    while ((n = fake_qxl_cookie_count_locked(qxl, cookie)) < count) {
        if (!fake_qxl_wait_event_locked(qxl, FAKE_QXL_EVENT_ASYNC, deadline)) {
            n = fake_qxl_cookie_count_locked(qxl, cookie);
            break;
        }
    }
    g_mutex_unlock(&qxl->lock);
    return n;
}

unsigned fake_qxl_wait_async(FakeQxl *qxl, uint64_t cookie, unsigned timeout_ms)
{
    return fake_qxl_wait_async_count(qxl, cookie, 1, timeout_ms);
}

bool fake_qxl_wait_all_released(FakeQxl *qxl, unsigned timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
    g_mutex_lock(&qxl->lock);
    bool done;
    while (!(done = qxl->stats.released == qxl->stats.submitted)) {
        if (!fake_qxl_wait_event_locked(qxl, FAKE_QXL_EVENT_RELEASED, deadline)) {
            done = qxl->stats.released == qxl->stats.submitted;
            break;
        }
    }
    g_mutex_unlock(&qxl->lock);
    return done;
}

/* Did the last set_client_capabilities call say client_present? (lock held) */
static bool fake_qxl_said_present(const FakeQxl *qxl, bool present)
{
    return qxl->stats.client_caps_calls > 0 && (qxl->stats.client_present != 0) == present;
}

bool fake_qxl_wait_client_present(FakeQxl *qxl, bool present, unsigned timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
    g_mutex_lock(&qxl->lock);
    while (!fake_qxl_said_present(qxl, present) &&
           fake_qxl_wait_event_locked(qxl, FAKE_QXL_EVENT_CLIENT, deadline)) {
    }
    bool done = fake_qxl_said_present(qxl, present);
    g_mutex_unlock(&qxl->lock);
    return done;
}

/* Waits, the lock held, until the server has made `total`
 * req_*_notification calls in all; true when it has. */
static bool wait_asked_locked(FakeQxl *qxl, uint64_t total, gint64 deadline)
{
    while (qxl->stats.notification_requests < total &&
           fake_qxl_wait_event_locked(qxl, FAKE_QXL_EVENT_ASKED, deadline)) {
    }
    return qxl->stats.notification_requests >= total;
}

bool fake_qxl_wait_asking(FakeQxl *qxl, uint64_t count, unsigned timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
    g_mutex_lock(&qxl->lock);
    bool done = wait_asked_locked(qxl, qxl->stats.notification_requests + count, deadline);
    g_mutex_unlock(&qxl->lock);
    return done;
}

bool fake_qxl_wait_asked(FakeQxl *qxl, uint64_t total, unsigned timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
    g_mutex_lock(&qxl->lock);
    bool done = wait_asked_locked(qxl, total, deadline);
    g_mutex_unlock(&qxl->lock);
    return done;
}

bool fake_qxl_wait_ring_room(FakeQxl *qxl, unsigned room, unsigned timeout_ms)
{
    unsigned level = room < QXL_COMMAND_RING_SIZE ? QXL_COMMAND_RING_SIZE - room : 0;
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
    g_mutex_lock(&qxl->lock);
    while (qxl->display_queue.length > level) {
        qxl->ring_wake_level = level;
        if (!fake_qxl_wait_event_locked(qxl, FAKE_QXL_EVENT_RING_ROOM, deadline)) {
            break;
        }
    }
    bool done = qxl->display_queue.length <= level;
    g_mutex_unlock(&qxl->lock);
    return done;
}

void fake_qxl_get_stats(FakeQxl *qxl, FakeQxlStats *out)
{
    g_mutex_lock(&qxl->lock);
    *out = qxl->stats;
    g_mutex_unlock(&qxl->lock);
}
