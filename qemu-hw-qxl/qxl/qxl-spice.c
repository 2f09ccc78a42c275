/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qxl-spice.c: the device's QXLInterface, called by the SPICE server's
 * worker thread (ours or Debian's: only the public API is used). */
#include "config.h"

#include "qxl-private.h"

#include <string.h>

static QxlDevice *dev_of(QXLInstance *qin)
{
    return SPICE_CONTAINEROF(qin, QxlDevice, qxl);
}

static void iface_attached_worker(QXLInstance *qin)
{
    (void)qin;
}

static void iface_set_compression_level(QXLInstance *qin, int level)
{
    QxlDevice *d = dev_of(qin);
    d->shadow_rom.compression_level = (uint32_t)level;
    d->rom->compression_level = (uint32_t)level;
}

static void iface_get_init_info(QXLInstance *qin, QXLDevInitInfo *info)
{
    QxlDevice *d = dev_of(qin);
    memset(info, 0, sizeof(*info));
    info->num_memslots_groups = 2; /* host (unused here) and guest */
    info->num_memslots = QXL_DEVICE_NUM_MEMSLOTS;
    info->memslot_gen_bits = QXL_DEVICE_SLOT_GEN_BITS;
    info->memslot_id_bits = QXL_DEVICE_SLOT_ID_BITS;
    info->qxl_ram_size = d->shadow_rom.num_pages << 12;
    info->internal_groupslot_id = 0;
    info->n_surfaces = d->cfg.n_surfaces;
}

static int pop_command(QxlDevice *d, QxlRing *ring, uint32_t irq, const char *name,
                       QXLCommandExt *ext)
{
    if (g_atomic_int_get(&d->guest_bug)) {
        return 0;
    }
    QXLCommand cmd;
    bool notify;
    QxlRingStatus st = qxl_ring_pop(ring, &cmd, &notify);
    if (st == QXL_RING_BROKEN) {
        qxl_guest_bug(d, name, 0, "producer and consumer more than a ring apart");
        return 0;
    }
    if (st != QXL_RING_OK) {
        return 0;
    }
    memset(ext, 0, sizeof(*ext));
    ext->cmd = cmd;
    ext->group_id = QXL_DEVICE_MEMSLOT_GROUP_GUEST;
    ext->flags = 0;
    if (notify) {
        qxl_send_events(d, irq);
    }
    return 1;
}

static int iface_get_command(QXLInstance *qin, QXLCommandExt *ext)
{
    QxlDevice *d = dev_of(qin);
    int got = pop_command(d, &d->cmd_ring, QXL_INTERRUPT_DISPLAY, "command ring", ext);
    if (got) {
        QXL_STATS_INC(d, commands);
    }
    return got;
}

/* The server asks "sleep until a push?".  A latched device hands out no
 * commands, and its broken ring (prod != cons) would otherwise answer "no,
 * something is there" forever: a server that retries spins. */
static int iface_req_cmd_notification(QXLInstance *qin)
{
    QxlDevice *d = dev_of(qin);
    if (g_atomic_int_get(&d->guest_bug)) {
        return 1; /* nothing comes until the reset: let the server sleep */
    }
    return qxl_ring_wait_for_push(&d->cmd_ring);
}

static int iface_get_cursor_command(QXLInstance *qin, QXLCommandExt *ext)
{
    QxlDevice *d = dev_of(qin);
    int got = pop_command(d, &d->cursor_ring, QXL_INTERRUPT_CURSOR, "cursor ring", ext);
    if (got) {
        QXL_STATS_INC(d, cursor_commands);
    }
    return got;
}

static int iface_req_cursor_notification(QXLInstance *qin)
{
    QxlDevice *d = dev_of(qin);
    if (g_atomic_int_get(&d->guest_bug)) {
        return 1; /* nothing comes until the reset: let the server sleep */
    }
    return qxl_ring_wait_for_push(&d->cursor_ring);
}

/* Chains the released resource into the element under construction: the
 * ring slot holds the first id, each release_info.next the following one. */
static void iface_release_resource(QXLInstance *qin, QXLReleaseInfoExt ext)
{
    QxlDevice *d = dev_of(qin);
    QXLReleaseInfo *info = ext.info;
    if (info == NULL || ext.group_id != QXL_DEVICE_MEMSLOT_GROUP_GUEST) {
        return; /* nothing of ours: there is no host-group command here */
    }
    QXL_STATS_INC(d, releases);
    g_mutex_lock(&d->release_lock);
    uint64_t id = __atomic_load_n(&info->id, __ATOMIC_ACQUIRE);
    uint64_t *head = qxl_ring_prod_item(&d->release_ring);
    if (head == NULL) {
        g_mutex_unlock(&d->release_lock);
        qxl_guest_bug(d, "release ring prod - cons", 0, "past the ring size");
        return;
    }
    if (__atomic_load_n(head, __ATOMIC_ACQUIRE) == 0 || d->last_release == NULL) {
        __atomic_store_n(head, id, __ATOMIC_RELEASE);
    } else {
        __atomic_store_n(&d->last_release->next, id, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&info->next, 0, __ATOMIC_RELEASE);
    d->last_release = info;
    d->num_free_res++;
    g_mutex_unlock(&d->release_lock);
    qxl_push_free_res(d, false);
}

static void iface_notify_update(QXLInstance *qin, uint32_t update_id)
{
    (void)qin;
    (void)update_id; /* deprecated: QXL_CMD_UPDATE is not used by drivers */
}

static int iface_flush_resources(QXLInstance *qin)
{
    QxlDevice *d = dev_of(qin);
    g_mutex_lock(&d->release_lock);
    int n = (int)d->num_free_res;
    g_mutex_unlock(&d->release_lock);
    if (n) {
        qxl_push_free_res(d, true);
    }
    return n;
}

static void iface_async_complete(QXLInstance *qin, uint64_t cookie)
{
    QxlDevice *d = dev_of(qin);
    if ((cookie & ~UINT64_C(0xffffffff)) != QXL_COOKIE_TAG) {
        vm_log_warn("qxl-%d: async_complete with a cookie we never issued: 0x%"
                    G_GINT64_MODIFIER "x", d->cfg.id, (guint64)cookie);
        return;
    }
    uint32_t io = (uint32_t)cookie;
    g_mutex_lock(&d->async_lock);
    uint32_t current = d->current_async;
    /* Only the I/O this completion is for ends here: after a reset dropped
     * an I/O, the guest may already wait on a new one, which a late
     * completion of the old one must not end (its own would be lost). */
    if (current == io) {
        d->current_async = QXL_UNDEFINED_IO;
    }
    g_mutex_unlock(&d->async_lock);
    if (current != io) {
        /* A reset in between dropped the I/O: the guest is not waiting. */
        vm_log_info("qxl-%d: completion of io %u while %u was current", d->cfg.id, io, current);
        return;
    }
    QXL_STATS_INC(d, async_completions);
    qxl_send_events(d, QXL_INTERRUPT_IO_CMD);
}

static void iface_update_area_complete(QXLInstance *qin, uint32_t surface_id,
                                       struct QXLRect *updated_rects, uint32_t num_updated_rects)
{
    (void)qin;
    (void)surface_id;
    (void)updated_rects;
    (void)num_updated_rects; /* no local display to refresh */
}

static void iface_set_client_capabilities(QXLInstance *qin, uint8_t client_present,
                                          uint8_t caps[SPICE_CAPABILITIES_SIZE])
{
    QxlDevice *d = dev_of(qin);
    d->rom->client_present = client_present;
    memcpy((void *)d->rom->client_capabilities, caps, SPICE_CAPABILITIES_SIZE);
    qxl_send_events(d, QXL_INTERRUPT_CLIENT);
}

uint32_t qxl_crc32(const uint8_t *p, size_t n)
{
    /* Linux's crc32_le(~0, ...) as the qxl driver checks it: the reflected
     * polynomial, no final inversion. Monitors configs are small. */
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++) {
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
        }
    }
    return crc;
}

static int iface_client_monitors_config(QXLInstance *qin, VDAgentMonitorsConfig *mc)
{
    QxlDevice *d = dev_of(qin);
    /* The NULL query asks the same as a config does: does the guest's
     * driver listen?  Then the server hands configs here, not to the agent
     * (QEMU's qxl answers so too; a mask of all ones or none is an old
     * driver that listens to nothing in particular). */
    uint32_t mask = d->ram->int_mask;
    if (mask == 0 || mask == ~0u || !(mask & QXL_INTERRUPT_CLIENT_MONITORS_CONFIG)) {
        return 0;
    }
    if (mc == NULL) {
        return 1;
    }
    QXLRom *rom = d->rom;
    uint32_t count = MIN(mc->num_of_monitors, (uint32_t)G_N_ELEMENTS(rom->client_monitors_config.heads));
    rom->client_monitors_config.count = (uint16_t)count;
    for (uint32_t i = 0; i < count; i++) {
        QXLURect r = { .top = (uint32_t)mc->monitors[i].y, .left = (uint32_t)mc->monitors[i].x,
                       .bottom = (uint32_t)mc->monitors[i].y + mc->monitors[i].height,
                       .right = (uint32_t)mc->monitors[i].x + mc->monitors[i].width };
        memcpy((void *)&rom->client_monitors_config.heads[i], &r, sizeof(r));
    }
    rom->client_monitors_config_crc =
        qxl_crc32((const uint8_t *)&rom->client_monitors_config, sizeof(rom->client_monitors_config));
    qxl_send_events(d, QXL_INTERRUPT_CLIENT_MONITORS_CONFIG);
    return 1;
}

const QXLInterface qxl_device_interface = {
    .base = { .type = SPICE_INTERFACE_QXL, .description = "s3display qxl",
              .major_version = SPICE_INTERFACE_QXL_MAJOR,
              .minor_version = SPICE_INTERFACE_QXL_MINOR },
    { .attached_worker = iface_attached_worker },
    .set_compression_level = iface_set_compression_level,
    .get_init_info = iface_get_init_info,
    .get_command = iface_get_command,
    .req_cmd_notification = iface_req_cmd_notification,
    .release_resource = iface_release_resource,
    .get_cursor_command = iface_get_cursor_command,
    .req_cursor_notification = iface_req_cursor_notification,
    .notify_update = iface_notify_update,
    .flush_resources = iface_flush_resources,
    .async_complete = iface_async_complete,
    .update_area_complete = iface_update_area_complete,
    .set_client_capabilities = iface_set_client_capabilities,
    .client_monitors_config = iface_client_monitors_config,
};
