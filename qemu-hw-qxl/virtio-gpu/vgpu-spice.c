/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vgpu-spice.c: the device's display as a SPICE server sees it, the way
 * QEMU's simple display feeds it: a QXLInstance whose primary surface is
 * the scanout (in host memory), and a QXL_DRAW_COPY of a bitmap in host
 * memory for each flushed rectangle.  One memslot covers the host address
 * space with delta 0, so a QXLPHYSICAL is a host pointer.
 *
 * The primary is created/destroyed by the worker (machine lock, then
 * display lock); the server's worker thread only takes qlock. */
#include "config.h"

#include "vgpu-private.h"

#include <string.h>

/* The simple display's memslot geometry (what both servers accept). */
#define VGPU_MEMSLOT_GROUPS 2
#define VGPU_MEMSLOTS 8
#define VGPU_MEMSLOT_GEN_BITS 8
#define VGPU_MEMSLOT_ID_BITS 8
#define VGPU_N_SURFACES 1024
#define VGPU_DRAW_MAGIC UINT64_C(0x5647505544524157) /* "VGPUDRAW" */

typedef struct VgpuDraw {
    uint64_t magic;
    QXLCommandExt ext;
    QXLDrawable drawable;
    QXLImage image;
    uint8_t *bits;              /* x8r8g8b8, stride width * 4 */
} VgpuDraw;

static VgpuDevice *dev_of(QXLInstance *qin)
{
    return SPICE_CONTAINEROF(qin, VgpuDevice, display.qxl);
}

static void draw_free(VgpuDraw *dr)
{
    dr->magic = 0;
    g_free(dr->bits);
    g_free(dr);
}

static void iface_attached_worker(QXLInstance *qin)
{
    (void)qin;
}

static void iface_set_compression_level(QXLInstance *qin, int level)
{
    (void)qin;
    (void)level;
}

static void iface_get_init_info(QXLInstance *qin, QXLDevInitInfo *info)
{
    (void)qin;
    memset(info, 0, sizeof(*info));
    info->num_memslots_groups = VGPU_MEMSLOT_GROUPS;
    info->num_memslots = VGPU_MEMSLOTS;
    info->memslot_gen_bits = VGPU_MEMSLOT_GEN_BITS;
    info->memslot_id_bits = VGPU_MEMSLOT_ID_BITS;
    info->qxl_ram_size = 16u << 20;
    info->internal_groupslot_id = 0;
    info->n_surfaces = VGPU_N_SURFACES;
}

static int iface_get_command(QXLInstance *qin, QXLCommandExt *ext)
{
    VgpuDisplay *dp = &dev_of(qin)->display;
    g_mutex_lock(&dp->qlock);
    VgpuDraw *dr = g_queue_pop_head(&dp->pending);
    if (dr) {
        *ext = dr->ext;
    }
    g_mutex_unlock(&dp->qlock);
    return dr != NULL;
}

static int iface_req_cmd_notification(QXLInstance *qin)
{
    VgpuDisplay *dp = &dev_of(qin)->display;
    g_mutex_lock(&dp->qlock);
    /* 1 ("wait for a wakeup") only when empty, or a queued draw would
     * wait for the next push. */
    int wait = g_queue_is_empty(&dp->pending);
    g_mutex_unlock(&dp->qlock);
    return wait;
}

static int iface_get_cursor_command(QXLInstance *qin, QXLCommandExt *ext)
{
    (void)qin;
    (void)ext;
    return 0;
}

static int iface_req_cursor_notification(QXLInstance *qin)
{
    (void)qin;
    return 1;
}

static void iface_release_resource(QXLInstance *qin, QXLReleaseInfoExt rext)
{
    VgpuDevice *d = dev_of(qin);
    VgpuDisplay *dp = &d->display;
    VgpuDraw *dr = rext.info ? (VgpuDraw *)(uintptr_t)rext.info->id : NULL;
    g_mutex_lock(&dp->qlock);
    /* Only what we handed out is freed: a wrong id from a server is
     * logged, never dereferenced. */
    bool ours = dr && g_hash_table_remove(dp->live, dr);
    g_mutex_unlock(&dp->qlock);
    if (!ours) {
        vm_log_warn("virtio-gpu-%d: server released an unknown resource", d->cfg.id);
        return;
    }
    draw_free(dr);
    VGPU_STATS_INC(d, draws_released);
}

static void iface_notify_update(QXLInstance *qin, uint32_t update_id)
{
    (void)qin;
    (void)update_id;
}

static int iface_flush_resources(QXLInstance *qin)
{
    (void)qin;
    return 0; /* released one by one, nothing held back */
}

static void iface_async_complete(QXLInstance *qin, uint64_t cookie)
{
    (void)qin;
    (void)cookie; /* only synchronous calls are made */
}

static void iface_update_area_complete(QXLInstance *qin, uint32_t surface_id,
                                       struct QXLRect *rects, uint32_t n)
{
    (void)qin;
    (void)surface_id;
    (void)rects;
    (void)n;
}

static void iface_set_client_capabilities(QXLInstance *qin, uint8_t client_present,
                                          uint8_t caps[SPICE_CAPABILITIES_SIZE])
{
    (void)qin;
    (void)client_present;
    (void)caps;
}

static int iface_client_monitors_config(QXLInstance *qin, VDAgentMonitorsConfig *mc)
{
    (void)qin;
    (void)mc;
    return 0; /* the mode comes from the device configuration */
}

static const QXLInterface vgpu_qxl_interface = {
    .base = { .type = SPICE_INTERFACE_QXL, .description = "s3display virtio-gpu",
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

int vgpu_display_init(VgpuDevice *d)
{
    VgpuDisplay *dp = &d->display;
    g_mutex_init(&dp->lock);
    g_mutex_init(&dp->qlock);
    g_queue_init(&dp->pending);
    dp->live = g_hash_table_new(g_direct_hash, g_direct_equal);
    dp->qxl.base.sif = &vgpu_qxl_interface.base;
    dp->qxl.id = d->cfg.id;
    if (spice_server_add_interface(d->server, &dp->qxl.base) != 0) {
        g_hash_table_destroy(dp->live);
        return -1;
    }
    QXLDevMemSlot slot = {
        .slot_group_id = 0, .slot_id = 0, .generation = 0,
        .virt_start = 0, .virt_end = ~(uintptr_t)0, .addr_delta = 0,
        .qxl_ram_size = 16u << 20,
    };
    spice_qxl_add_memslot(&dp->qxl, &slot);
    return 0;
}

void vgpu_display_finish(VgpuDevice *d)
{
    VgpuDisplay *dp = &d->display;
    spice_server_remove_interface(&dp->qxl.base);
    /* The worker is gone with the interface: what it still held is ours. */
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, dp->live);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        draw_free(key);
    }
    g_hash_table_destroy(dp->live);
    g_queue_clear(&dp->pending);
    g_free(dp->primary);
    g_mutex_clear(&dp->lock);
    g_mutex_clear(&dp->qlock);
}

static void destroy_primary_locked(VgpuDevice *d)
{
    VgpuDisplay *dp = &d->display;
    if (dp->primary == NULL) {
        return;
    }
    spice_qxl_destroy_primary_surface(&dp->qxl, 0);
    /* Synchronous: the server no longer touches the memory. */
    g_free(dp->primary);
    dp->primary = NULL;
    dp->width = dp->height = 0;
    VGPU_STATS_INC(d, primary_destroys);
}

void vgpu_display_destroy_primary(VgpuDevice *d)
{
    g_mutex_lock(&d->display.lock);
    destroy_primary_locked(d);
    g_mutex_unlock(&d->display.lock);
}

void vgpu_display_set_primary(VgpuDevice *d, uint32_t w, uint32_t h)
{
    VgpuDisplay *dp = &d->display;
    g_mutex_lock(&dp->lock);
    if (dp->primary && dp->width == w && dp->height == h) {
        g_mutex_unlock(&dp->lock);
        return;
    }
    destroy_primary_locked(d);
    dp->primary = g_malloc0((size_t)w * h * 4);
    dp->width = w;
    dp->height = h;
    QXLDevSurfaceCreate sc = {
        .width = w, .height = h, .stride = (int32_t)(w * 4), .format = SPICE_SURFACE_FMT_32_xRGB,
        .position = 0, .mouse_mode = 1, .flags = 0, .type = 0,
        .mem = (QXLPHYSICAL)(uintptr_t)dp->primary, .group_id = 0,
    };
    spice_qxl_create_primary_surface(&dp->qxl, 0, &sc);
    g_mutex_unlock(&dp->lock);
    VGPU_STATS_INC(d, primary_creates);
}

void vgpu_display_draw(VgpuDevice *d, pixman_image_t *img, int32_t sx, int32_t sy, int32_t dx,
                       int32_t dy, uint32_t w, uint32_t h)
{
    VgpuDisplay *dp = &d->display;
    g_mutex_lock(&dp->lock);
    bool inside = dp->primary && (uint64_t)dx + w <= dp->width && (uint64_t)dy + h <= dp->height;
    g_mutex_unlock(&dp->lock);
    if (!inside) {
        return;
    }
    VgpuDraw *dr = g_new0(VgpuDraw, 1);
    dr->magic = VGPU_DRAW_MAGIC;
    dr->bits = g_malloc((size_t)w * h * 4);
    /* pixman converts the resource's format to the server's xRGB. */
    pixman_image_t *dst = pixman_image_create_bits(PIXMAN_x8r8g8b8, (int)w, (int)h,
                                                   (uint32_t *)(void *)dr->bits, (int)w * 4);
    pixman_image_composite32(PIXMAN_OP_SRC, img, NULL, dst, sx, sy, 0, 0, 0, 0, (int)w, (int)h);
    pixman_image_unref(dst);

    QXLDrawable *dw = &dr->drawable;
    dw->release_info.id = (uint64_t)(uintptr_t)dr;
    dw->surface_id = 0;
    dw->effect = QXL_EFFECT_OPAQUE;
    dw->type = QXL_DRAW_COPY;
    dw->bbox = (QXLRect){ .top = dy, .left = dx, .bottom = dy + (int32_t)h, .right = dx + (int32_t)w };
    dw->clip.type = SPICE_CLIP_TYPE_NONE;
    dw->mm_time = (uint32_t)(g_get_monotonic_time() / 1000);
    for (int i = 0; i < 3; i++) {
        dw->surfaces_dest[i] = -1;
    }
    QXLImage *im = &dr->image;
    im->descriptor.id = ((uint64_t)++dp->next_image << 32) | QXL_IMAGE_GROUP_DEVICE;
    im->descriptor.type = SPICE_IMAGE_TYPE_BITMAP;
    im->descriptor.flags = 0;
    im->descriptor.width = w;
    im->descriptor.height = h;
    im->bitmap.format = SPICE_BITMAP_FMT_32BIT;
    im->bitmap.flags = QXL_BITMAP_DIRECT | QXL_BITMAP_TOP_DOWN;
    im->bitmap.x = w;
    im->bitmap.y = h;
    im->bitmap.stride = w * 4;
    im->bitmap.palette = 0;
    im->bitmap.data = (QXLPHYSICAL)(uintptr_t)dr->bits;
    dw->u.copy.src_bitmap = (QXLPHYSICAL)(uintptr_t)im;
    dw->u.copy.src_area = (QXLRect){ .top = 0, .left = 0, .bottom = (int32_t)h, .right = (int32_t)w };
    dw->u.copy.rop_descriptor = SPICE_ROPD_OP_PUT;
    dw->u.copy.scale_mode = SPICE_IMAGE_SCALE_MODE_NEAREST;
    dr->ext.cmd.type = QXL_CMD_DRAW;
    dr->ext.cmd.data = (QXLPHYSICAL)(uintptr_t)dw;
    dr->ext.group_id = 0;
    dr->ext.flags = 0;

    g_mutex_lock(&dp->qlock);
    g_hash_table_add(dp->live, dr);
    g_queue_push_tail(&dp->pending, dr);
    g_mutex_unlock(&dp->qlock);
    VGPU_STATS_INC(d, draws);
    spice_qxl_wakeup(&dp->qxl);
}

pixman_image_t *vgpu_device_snapshot(VgpuDevice *d)
{
    VgpuDisplay *dp = &d->display;
    g_mutex_lock(&dp->lock);
    if (dp->primary == NULL) {
        g_mutex_unlock(&dp->lock);
        return NULL;
    }
    QXLRect all = { .top = 0, .left = 0, .bottom = (int32_t)dp->height, .right = (int32_t)dp->width };
    /* Renders every draw the server still holds into the primary. */
    spice_qxl_update_area(&dp->qxl, 0, &all, NULL, 0, 1);
    pixman_image_t *out = pixman_image_create_bits(PIXMAN_x8r8g8b8, (int)dp->width,
                                                   (int)dp->height, NULL, 0);
    memcpy(pixman_image_get_data(out), dp->primary, (size_t)dp->width * dp->height * 4);
    g_mutex_unlock(&dp->lock);
    return out;
}
