/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gvgpu-kms.c: the virtio-gpu backend of the KMS layer: every plane is a
 * 2D resource whose backing lives in guest RAM; the guest composes
 * overlays into the scanout's backing, then TRANSFER_TO_HOST_2D and
 * RESOURCE_FLUSH send the damage.  Suspend/resume by freeze_mode (with a
 * fallback that recreates every resource from its backing), the SUSPEND
 * status bit, PCI PM No_Soft_Reset, or nothing (issue 1860). */
#include "config.h"

#include "gvgpu-kms.h"

#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_gpu.h>
#include <linux/virtio_pci.h>

#include "gkms-backend.h"
#include "gkms-log.h"
#include "gvgpu-hw.h"
#include "virtio-pci-freeze.h"

#define GVGPU_RES_SCANOUT 1
#define GVGPU_RES_CURSOR 2
#define GVGPU_RES_SURFACE0 16   /* surface i is resource 16 + i */
#define GVGPU_CURSOR_DIM 64     /* the cursor resource virtio-gpu expects */
#define GVGPU_MAX_DIM 8192
#define GVGPU_RAM_DEFAULT_BASE (16u << 20)

typedef struct GvgpuRes {
    bool live;
    uint32_t id, format, width, height;
    uint64_t gpa;               /* backing: one contiguous range of guest RAM */
    pixman_image_t *img;        /* over the backing */
} GvgpuRes;

typedef struct GvgpuKms {
    const Gbus *bus;
    GvgpuHw hw;
    GvgpuOptions opt;
    GvgpuRes scanout, cursor, surfaces[GKMS_MAX_SURFACES + 1];
    bool froze;                 /* the last suspend was a completed FREEZE_S3 */
    uint64_t resource_creations;
} GvgpuKms;

static uint64_t wanted_features(const GvgpuKms *k)
{
    return (UINT64_C(1) << VIRTIO_F_VERSION_1) |
           (k->opt.accept_freeze ? UINT64_C(1) << VIRTIO_F_FREEZE_MODE : 0) |
           (k->opt.accept_suspend ? UINT64_C(1) << VIRTIO_F_SUSPEND : 0);
}

static struct virtio_gpu_ctrl_hdr hdr(uint32_t type)
{
    return (struct virtio_gpu_ctrl_hdr){ .type = type };
}

static int post(GvgpuKms *k, const void *req, size_t len)
{
    return gvgpu_hw_post(&k->hw, 0, req, len, sizeof(struct virtio_gpu_ctrl_hdr));
}

/* CREATE_2D + ATTACH_BACKING of an existing backing (also the fallback's
 * recreation from the pages that survived in guest RAM). */
static int res_send_create(GvgpuKms *k, GvgpuRes *r)
{
    struct virtio_gpu_resource_create_2d c = {
        .hdr = hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D), .resource_id = r->id,
        .format = r->format, .width = r->width, .height = r->height,
    };
    struct {
        struct virtio_gpu_resource_attach_backing a;
        struct virtio_gpu_mem_entry e;
    } ab = {
        .a = { .hdr = hdr(VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING), .resource_id = r->id,
               .nr_entries = 1 },
        .e = { .addr = r->gpa, .length = r->width * r->height * 4 },
    };
    k->resource_creations++;
    return post(k, &c, sizeof(c)) || post(k, &ab, sizeof(ab)) ? -1 : 0;
}

static int res_create(GvgpuKms *k, GvgpuRes *r, uint32_t id, uint32_t w, uint32_t h, uint32_t format)
{
    if (w == 0 || h == 0 || w > GVGPU_MAX_DIM || h > GVGPU_MAX_DIM) {
        return -1;
    }
    uint64_t size = (uint64_t)w * h * 4;
    uint64_t gpa = gqxl_heap_alloc(&k->hw.ram, size, 4096);
    uint32_t *bits = gpa == UINT64_MAX ? NULL : gvgpu_hw_ptr(&k->hw, gpa, size);
    if (bits == NULL) {
        return -1;
    }
    memset(bits, 0, size);
    pixman_format_code_t pf = format == VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM ? PIXMAN_a8r8g8b8
                                                                         : PIXMAN_x8r8g8b8;
    *r = (GvgpuRes){ true, id, format, w, h, gpa,
                     pixman_image_create_bits(pf, (int)w, (int)h, bits, (int)w * 4) };
    return res_send_create(k, r);
}

static void res_forget(GvgpuKms *k, GvgpuRes *r)
{
    if (r->live) {
        pixman_image_unref(r->img);
        gqxl_heap_free(&k->hw.ram, r->gpa);
    }
    memset(r, 0, sizeof(*r));
}

static int res_destroy(GvgpuKms *k, GvgpuRes *r)
{
    if (!r->live) {
        return -1;
    }
    struct virtio_gpu_resource_detach_backing d = {
        .hdr = hdr(VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING), .resource_id = r->id };
    struct virtio_gpu_resource_unref u = { .hdr = hdr(VIRTIO_GPU_CMD_RESOURCE_UNREF),
                                           .resource_id = r->id };
    int ret = post(k, &d, sizeof(d)) || post(k, &u, sizeof(u)) ? -1 : 0;
    /* The device reads the backing only while handling a command: once
     * both are answered the pages are ours again. */
    if (gvgpu_hw_sync(&k->hw, 0) != 0) {
        ret = -1;
    }
    res_forget(k, r);
    return ret;
}

/* Clips box to r; false if nothing is left. */
static bool clip(const GvgpuRes *r, pixman_box32_t *b)
{
    b->x1 = MAX(b->x1, 0);
    b->y1 = MAX(b->y1, 0);
    b->x2 = MIN(b->x2, (int32_t)r->width);
    b->y2 = MIN(b->y2, (int32_t)r->height);
    return b->x1 < b->x2 && b->y1 < b->y2;
}

static struct virtio_gpu_rect to_rect(const pixman_box32_t *b)
{
    return (struct virtio_gpu_rect){ (uint32_t)b->x1, (uint32_t)b->y1, (uint32_t)(b->x2 - b->x1),
                                     (uint32_t)(b->y2 - b->y1) };
}

static int transfer(GvgpuKms *k, const GvgpuRes *r, const pixman_box32_t *b)
{
    struct virtio_gpu_transfer_to_host_2d t = {
        .hdr = hdr(VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D), .r = to_rect(b),
        .offset = (uint64_t)b->y1 * r->width * 4 + (uint64_t)b->x1 * 4, .resource_id = r->id,
    };
    return post(k, &t, sizeof(t));
}

static int flush(GvgpuKms *k, const GvgpuRes *r, const pixman_box32_t *b)
{
    struct virtio_gpu_resource_flush f = { .hdr = hdr(VIRTIO_GPU_CMD_RESOURCE_FLUSH),
                                           .r = to_rect(b), .resource_id = r->id };
    return post(k, &f, sizeof(f));
}

static int set_scanout(GvgpuKms *k, uint32_t res_id, uint32_t w, uint32_t h)
{
    struct virtio_gpu_set_scanout s = { .hdr = hdr(VIRTIO_GPU_CMD_SET_SCANOUT),
                                        .r = { 0, 0, w, h }, .scanout_id = 0,
                                        .resource_id = res_id };
    return post(k, &s, sizeof(s));
}

static pixman_box32_t whole(const GvgpuRes *r)
{
    return (pixman_box32_t){ 0, 0, (int32_t)r->width, (int32_t)r->height };
}

static void be_destroy(void *p)
{
    GvgpuKms *k = p;
    res_forget(k, &k->scanout);
    res_forget(k, &k->cursor);
    for (unsigned i = 0; i <= GKMS_MAX_SURFACES; i++) {
        res_forget(k, &k->surfaces[i]);
    }
    gvgpu_hw_finish(&k->hw);
    g_free(k);
}

static unsigned be_get_modes(void *p, GkmsMode *modes, unsigned max)
{
    GvgpuKms *k = p;
    struct virtio_gpu_ctrl_hdr req = hdr(VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
    struct virtio_gpu_resp_display_info info;
    if (max == 0 || gvgpu_hw_call(&k->hw, &req, sizeof(req), &info, sizeof(info)) != 0 ||
        info.hdr.type != VIRTIO_GPU_RESP_OK_DISPLAY_INFO) {
        return 0;
    }
    unsigned n = 0;
    for (unsigned i = 0; i < VIRTIO_GPU_MAX_SCANOUTS && n < max; i++) {
        uint32_t w = info.pmodes[i].r.width, h = info.pmodes[i].r.height;
        if (info.pmodes[i].enabled && w && h && w <= GVGPU_MAX_DIM && h <= GVGPU_MAX_DIM) {
            modes[n++] = (GkmsMode){ w, h };
        }
    }
    return n;
}

static int be_scanout_create(void *p, uint32_t w, uint32_t h, bool keep_data)
{
    GvgpuKms *k = p;
    (void)keep_data; /* the backing is guest RAM: it always keeps its data */
    if (k->scanout.live ||
        res_create(k, &k->scanout, GVGPU_RES_SCANOUT, w, h, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM) != 0) {
        return -1;
    }
    return set_scanout(k, GVGPU_RES_SCANOUT, w, h);
}

static int be_scanout_destroy(void *p)
{
    GvgpuKms *k = p;
    if (set_scanout(k, 0, 0, 0) != 0) {
        return -1;
    }
    return res_destroy(k, &k->scanout);
}

static int be_scanout_blit(void *p, pixman_image_t *img, const pixman_box32_t *box)
{
    GvgpuKms *k = p;
    pixman_box32_t b = *box;
    if (!k->scanout.live || !clip(&k->scanout, &b)) {
        return k->scanout.live ? 0 : -1;
    }
    pixman_image_composite32(PIXMAN_OP_SRC, img, NULL, k->scanout.img, b.x1, b.y1, 0, 0, b.x1,
                             b.y1, b.x2 - b.x1, b.y2 - b.y1);
    return transfer(k, &k->scanout, &b) || flush(k, &k->scanout, &b) ? -1 : 0;
}

static GvgpuRes *surface(GvgpuKms *k, uint32_t id)
{
    return id >= 1 && id <= GKMS_MAX_SURFACES && k->surfaces[id].live ? &k->surfaces[id] : NULL;
}

static int be_surface_create(void *p, uint32_t id, uint32_t w, uint32_t h)
{
    GvgpuKms *k = p;
    if (id == 0 || id > GKMS_MAX_SURFACES || k->surfaces[id].live) {
        return -1;
    }
    return res_create(k, &k->surfaces[id], GVGPU_RES_SURFACE0 + id, w, h,
                      VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM);
}

static int be_surface_destroy(void *p, uint32_t id)
{
    GvgpuKms *k = p;
    GvgpuRes *s = surface(k, id);
    return s ? res_destroy(k, s) : -1;
}

static int be_surface_fill(void *p, uint32_t id, const pixman_box32_t *box, uint32_t xrgb)
{
    GvgpuKms *k = p;
    GvgpuRes *s = surface(k, id);
    pixman_box32_t b = *box;
    if (s == NULL || !clip(s, &b)) {
        return s ? 0 : -1;
    }
    pixman_color_t c = { (uint16_t)((xrgb >> 16 & 0xff) * 0x101), (uint16_t)((xrgb >> 8 & 0xff) * 0x101),
                         (uint16_t)((xrgb & 0xff) * 0x101), 0xffff };
    pixman_image_fill_boxes(PIXMAN_OP_SRC, s->img, &c, 1, &b);
    return transfer(k, s, &b);
}

static int be_surface_upload(void *p, uint32_t id, pixman_image_t *src, const pixman_box32_t *box,
                             int32_t x, int32_t y)
{
    GvgpuKms *k = p;
    GvgpuRes *s = surface(k, id);
    if (s == NULL) {
        return -1;
    }
    pixman_box32_t b = { x, y, x + box->x2 - box->x1, y + box->y2 - box->y1 };
    if (!clip(s, &b)) {
        return 0;
    }
    pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, s->img, box->x1 + (b.x1 - x),
                             box->y1 + (b.y1 - y), 0, 0, b.x1, b.y1, b.x2 - b.x1, b.y2 - b.y1);
    return transfer(k, s, &b);
}

static int be_surface_present(void *p, uint32_t id, const pixman_box32_t *box, int32_t x, int32_t y)
{
    GvgpuKms *k = p;
    GvgpuRes *s = surface(k, id);
    if (s == NULL || !k->scanout.live) {
        return -1;
    }
    pixman_box32_t b = { x, y, x + box->x2 - box->x1, y + box->y2 - box->y1 };
    if (!clip(&k->scanout, &b)) {
        return 0;
    }
    /* Overlays are composed by the guest: the 2D command set has no copy
     * between resources. */
    pixman_image_composite32(PIXMAN_OP_SRC, s->img, NULL, k->scanout.img, box->x1 + (b.x1 - x),
                             box->y1 + (b.y1 - y), 0, 0, b.x1, b.y1, b.x2 - b.x1, b.y2 - b.y1);
    return transfer(k, &k->scanout, &b) || flush(k, &k->scanout, &b) ? -1 : 0;
}

static int cursor_cmd(GvgpuKms *k, uint32_t type, int16_t x, int16_t y, uint32_t hx, uint32_t hy)
{
    struct virtio_gpu_update_cursor c = {
        .hdr = hdr(type), .pos = { 0, (uint32_t)x, (uint32_t)y, 0 },
        .resource_id = GVGPU_RES_CURSOR, .hot_x = hx, .hot_y = hy,
    };
    return gvgpu_hw_post(&k->hw, 1, &c, sizeof(c), 0);
}

static int be_cursor_set(void *p, pixman_image_t *argb, uint16_t hx, uint16_t hy, int16_t x, int16_t y)
{
    GvgpuKms *k = p;
    /* One cursor resource for the device's lifetime: a new shape is a new
     * upload, not a new resource (so resume creates nothing). */
    if (!k->cursor.live && res_create(k, &k->cursor, GVGPU_RES_CURSOR, GVGPU_CURSOR_DIM,
                                      GVGPU_CURSOR_DIM, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM) != 0) {
        return -1;
    }
    pixman_box32_t all = whole(&k->cursor);
    pixman_color_t clear = { 0, 0, 0, 0 };
    pixman_image_fill_boxes(PIXMAN_OP_SRC, k->cursor.img, &clear, 1, &all);
    pixman_image_composite32(PIXMAN_OP_SRC, argb, NULL, k->cursor.img, 0, 0, 0, 0, 0, 0,
                             MIN(pixman_image_get_width(argb), GVGPU_CURSOR_DIM),
                             MIN(pixman_image_get_height(argb), GVGPU_CURSOR_DIM));
    if (transfer(k, &k->cursor, &all) != 0 || gvgpu_hw_sync(&k->hw, 0) != 0) {
        return -1;
    }
    return cursor_cmd(k, VIRTIO_GPU_CMD_UPDATE_CURSOR, x, y, hx, hy);
}

static int be_cursor_move(void *p, int16_t x, int16_t y)
{
    GvgpuKms *k = p;
    return k->cursor.live ? cursor_cmd(k, VIRTIO_GPU_CMD_MOVE_CURSOR, x, y, 0, 0) : -1;
}

static int step_failed(char *err, size_t n, const char *what)
{
    g_strlcpy(err, what, n);
    return -1;
}

static int be_suspend(void *p, unsigned faults, char *err, size_t n)
{
    GvgpuKms *k = p;
    GvgpuHw *hw = &k->hw;
    (void)faults;
    k->froze = false;
    if (k->opt.pm == GVGPU_PM_NONE) {
        return 0;
    }
    /* Every command posted so far is answered (Linux waits its fences). */
    if (gvgpu_hw_sync(hw, 0) != 0 || gvgpu_hw_sync(hw, 1) != 0) {
        return step_failed(err, n, "suspend: the queues did not drain");
    }
    switch (k->opt.pm) {
    case GVGPU_PM_AUTO:
        if (!gvgpu_hw_has(hw, VIRTIO_F_FREEZE_MODE)) {
            return 0; /* the backing in guest RAM is all resume needs */
        }
        gvgpu_hw_common_write(hw, VIRTIO_PCI_COMMON_FREEZE_MODE, VIRTIO_PCI_FREEZE_MODE_FREEZE_S3, 2);
        if (!gvgpu_hw_poll(hw, VIRTIO_PCI_COMMON_FREEZE_STATUS, 2, 0xffff,
                           VIRTIO_PCI_FREEZE_MODE_FREEZE_S3, VIRTIO_PCI_FREEZE_ACK_TIMEOUT_MS * 1000)) {
            return step_failed(err, n, "suspend: no FREEZE_S3 acknowledgement before the deadline");
        }
        k->froze = true;
        return 0;
    case GVGPU_PM_SUSPEND_BIT: {
        if (!gvgpu_hw_has(hw, VIRTIO_F_SUSPEND)) {
            return step_failed(err, n, "suspend: VIRTIO_F_SUSPEND not negotiated");
        }
        uint8_t st = gvgpu_hw_status(hw);
        gvgpu_hw_common_write(hw, VIRTIO_PCI_COMMON_STATUS, st | VIRTIO_CONFIG_S_SUSPEND, 1);
        if (!gvgpu_hw_poll(hw, VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_CONFIG_S_SUSPEND,
                           VIRTIO_CONFIG_S_SUSPEND, VIRTIO_PCI_FREEZE_ACK_TIMEOUT_MS * 1000)) {
            return step_failed(err, n, "suspend: SUSPEND never shown in device_status");
        }
        return 0;
    }
    case GVGPU_PM_NO_SOFT_RESET:
        if (gvgpu_hw_set_power(hw, 3) != 0) {
            return step_failed(err, n, "suspend: cannot enter D3hot");
        }
        return 0;
    case GVGPU_PM_NONE:
        break;
    }
    return 0;
}

/* Scanout and full-frame flush: all a resume needs when resources survived. */
static int show_scanout(GvgpuKms *k)
{
    if (!k->scanout.live) {
        return 0;
    }
    pixman_box32_t all = whole(&k->scanout);
    return set_scanout(k, k->scanout.id, k->scanout.width, k->scanout.height) ||
           flush(k, &k->scanout, &all) ? -1 : 0;
}

/* The fallback: every resource again, from the pages in guest RAM. */
static int recreate_all(GvgpuKms *k)
{
    GvgpuRes *all[GKMS_MAX_SURFACES + 3];
    unsigned n = 0;
    all[n++] = &k->scanout;
    all[n++] = &k->cursor;
    for (unsigned i = 1; i <= GKMS_MAX_SURFACES; i++) {
        all[n++] = &k->surfaces[i];
    }
    for (unsigned i = 0; i < n; i++) {
        pixman_box32_t b = whole(all[i]);
        if (all[i]->live && (res_send_create(k, all[i]) != 0 || transfer(k, all[i], &b) != 0)) {
            return -1;
        }
    }
    return show_scanout(k);
}

static int be_resume(void *p, char *err, size_t n)
{
    GvgpuKms *k = p;
    GvgpuHw *hw = &k->hw;
    uint64_t errors_before = hw->resp_errors;
    bool kept = false;
    if (k->opt.pm == GVGPU_PM_NO_SOFT_RESET) {
        gvgpu_hw_set_power(hw, 0);
        uint8_t st = gvgpu_hw_status(hw);
        kept = (st & VIRTIO_CONFIG_S_DRIVER_OK) && !(st & VIRTIO_CONFIG_S_NEEDS_RESET);
    }
    if (!kept && gvgpu_hw_init(hw, wanted_features(k), true) != 0) {
        return step_failed(err, n, "resume: the device refused the re-initialisation");
    }
    if (k->froze) {
        k->froze = false;
        /* The device says whether it kept our resources: freeze_status still
         * FREEZE_S3 after the reset.  Then UNFREEZE, acknowledged. */
        kept = gvgpu_hw_has(hw, VIRTIO_F_FREEZE_MODE) &&
               gvgpu_hw_common_read(hw, VIRTIO_PCI_COMMON_FREEZE_STATUS, 2) ==
                   VIRTIO_PCI_FREEZE_MODE_FREEZE_S3;
        if (kept) {
            gvgpu_hw_common_write(hw, VIRTIO_PCI_COMMON_FREEZE_MODE, VIRTIO_PCI_FREEZE_MODE_UNFREEZE, 2);
            if (!gvgpu_hw_poll(hw, VIRTIO_PCI_COMMON_FREEZE_STATUS, 2, 0xffff,
                               VIRTIO_PCI_FREEZE_MODE_UNFREEZE, VIRTIO_PCI_FREEZE_ACK_TIMEOUT_MS * 1000)) {
                return step_failed(err, n, "resume: no UNFREEZE acknowledgement");
            }
        }
    }
    int ret;
    if (kept || k->opt.pm == GVGPU_PM_NONE) {
        ret = show_scanout(k);
    } else {
        gkms_log_info("virtio-gpu: resources lost in the reset: recreating them");
        ret = recreate_all(k);
    }
    if (ret != 0 || gvgpu_hw_sync(hw, 0) != 0) {
        return step_failed(err, n, "resume: commands failed");
    }
    if (k->opt.pm != GVGPU_PM_NONE && hw->resp_errors != errors_before) {
        return step_failed(err, n, "resume: the device answered with errors");
    }
    return 0;
}

static void be_stats(void *p, GkmsStats *out)
{
    GvgpuKms *k = p;
    /* Commands are posted without waiting: the counters mean "answered
     * so far" only once what is posted has been answered (bounded wait). */
    gvgpu_hw_sync(&k->hw, 0);
    gvgpu_hw_sync(&k->hw, 1);
    out->commands_submitted = k->hw.submitted;
    out->commands_released = k->hw.completed;
    out->commands_outstanding = k->hw.q[0].outstanding + k->hw.q[1].outstanding;
    out->device_allocations = gqxl_heap_count(&k->hw.ram);
    out->resource_creations = k->resource_creations;
}

static const GkmsBackendOps gvgpu_kms_ops = {
    .destroy = be_destroy,
    .get_modes = be_get_modes,
    .scanout_create = be_scanout_create,
    .scanout_destroy = be_scanout_destroy,
    .scanout_blit = be_scanout_blit,
    .surface_create = be_surface_create,
    .surface_destroy = be_surface_destroy,
    .surface_fill = be_surface_fill,
    .surface_upload = be_surface_upload,
    .surface_present = be_surface_present,
    .cursor_set = be_cursor_set,
    .cursor_move = be_cursor_move,
    .suspend = be_suspend,
    .resume = be_resume,
    .stats = be_stats,
};

void gvgpu_default_options(GvgpuOptions *opt)
{
    *opt = (GvgpuOptions){ .pm = GVGPU_PM_AUTO, .accept_freeze = true, .accept_suspend = true };
}

void *gvgpu_kms_open(const Gbus *bus, unsigned index, const GvgpuOptions *opt,
                     const GkmsBackendOps **ops)
{
    GvgpuKms *k = g_new0(GvgpuKms, 1);
    k->bus = bus;
    k->opt = *opt;
    if (k->opt.ram_size == 0 && bus->ram_size > GVGPU_RAM_DEFAULT_BASE) {
        k->opt.ram_base = GVGPU_RAM_DEFAULT_BASE;
        k->opt.ram_size = bus->ram_size - GVGPU_RAM_DEFAULT_BASE;
    }
    if (gvgpu_hw_probe(&k->hw, bus, index, k->opt.ram_base, k->opt.ram_size) != 0) {
        g_free(k);
        return NULL;
    }
    if (gvgpu_hw_init(&k->hw, wanted_features(k), true) != 0) {
        gvgpu_hw_finish(&k->hw);
        g_free(k);
        return NULL;
    }
    *ops = &gvgpu_kms_ops;
    return k;
}

GkmsDevice *gkms_open_virtio_gpu_with(const Gbus *bus, unsigned index, const GvgpuOptions *opt)
{
    const GkmsBackendOps *ops;
    void *be = gvgpu_kms_open(bus, index, opt, &ops);
    return be ? gkms_device_new(ops, be) : NULL;
}

GkmsDevice *gkms_open_virtio_gpu(const Gbus *bus, unsigned index)
{
    GvgpuOptions opt;
    gvgpu_default_options(&opt);
    return gkms_open_virtio_gpu_with(bus, index, &opt);
}
