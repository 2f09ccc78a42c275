/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vgpu-cmd.c: the virtio-gpu 2D command set, one handle_<command> each,
 * and the resources they act on.
 *
 * Runs on the device's worker with the machine lock held.  A request is
 * the copied readable part of a buffer, so the guest cannot change it
 * while it is checked; backing pages are checked at attach time and their
 * host addresses kept (guest RAM never moves in this machine). */
#include "config.h"

#include "vgpu-private.h"

#include <string.h>

typedef struct VgpuCmdCtx {
    VgpuDevice *d;
    VgpuElem *e;
    struct virtio_gpu_ctrl_hdr hdr;
    bool responded;
} VgpuCmdCtx;

static void respond(VgpuCmdCtx *c, uint32_t type, void *resp, size_t size)
{
    struct virtio_gpu_ctrl_hdr *h = resp;
    h->type = type;
    /* The fence is echoed so a driver waiting on it sees it done. */
    h->flags = c->hdr.flags & VIRTIO_GPU_FLAG_FENCE;
    h->fence_id = c->hdr.fence_id;
    h->ctx_id = c->hdr.ctx_id;
    h->ring_idx = 0;
    memset(h->padding, 0, sizeof(h->padding));
    vgpu_elem_write(c->e, resp, size);
    c->responded = true;
}

static void respond_nodata(VgpuCmdCtx *c, uint32_t type)
{
    struct virtio_gpu_ctrl_hdr h;
    memset(&h, 0, sizeof(h));
    if (type >= VIRTIO_GPU_RESP_ERR_UNSPEC) {
        g_mutex_lock(&c->d->stats_lock);
        c->d->stats.cmd_errors++;
        c->d->stats.last_error_type = type;
        g_mutex_unlock(&c->d->stats_lock);
    }
    respond(c, type, &h, sizeof(h));
}

/* Copies the request body (after nothing: whole struct) or fails with
 * ERR_UNSPEC if the driver sent less than the command's size. */
static bool get_req(VgpuCmdCtx *c, void *req, size_t size)
{
    if (c->e->req_len < size) {
        respond_nodata(c, VIRTIO_GPU_RESP_ERR_UNSPEC);
        return false;
    }
    memcpy(req, c->e->req, size);
    return true;
}

static VgpuResource *find_resource(VgpuDevice *d, uint32_t id)
{
    return g_hash_table_lookup(d->resources, GUINT_TO_POINTER(id));
}

static pixman_format_code_t pixman_format_of(uint32_t format)
{
    /* virtio formats name bytes in memory order; pixman names a 32-bit
     * word, which is little-endian here. */
    switch (format) {
    case VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM: return PIXMAN_x8r8g8b8;
    case VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM: return PIXMAN_a8r8g8b8;
    case VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM: return PIXMAN_b8g8r8x8;
    case VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM: return PIXMAN_b8g8r8a8;
    case VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM: return PIXMAN_x8b8g8r8;
    case VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM: return PIXMAN_a8b8g8r8;
    default: return 0;
    }
}

/* Is (x, y, w, h) a non-empty rectangle inside w_max x h_max? 64-bit maths. */
static bool is_valid_rect(const struct virtio_gpu_rect *r, uint32_t w_max, uint32_t h_max)
{
    return r->width && r->height && (uint64_t)r->x + r->width <= w_max &&
           (uint64_t)r->y + r->height <= h_max;
}

/* The resource a request names, with a rectangle inside it; otherwise the
 * error response is sent and NULL returned. */
static VgpuResource *find_resource_rect(VgpuCmdCtx *c, uint32_t id,
                                        const struct virtio_gpu_rect *r)
{
    VgpuResource *res = find_resource(c->d, id);
    if (res == NULL) {
        respond_nodata(c, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    } else if (!is_valid_rect(r, res->width, res->height)) {
        respond_nodata(c, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
        res = NULL;
    }
    return res;
}

static void resource_free(VgpuDevice *d, VgpuResource *res)
{
    d->host_bytes -= (uint64_t)res->width * res->height * 4;
    pixman_image_unref(res->image);
    g_free(res->backing);
    g_free(res);
}

static void scanout_disable(VgpuDevice *d, uint32_t scanout_id)
{
    if (d->scanouts[scanout_id].resource_id) {
        d->scanouts[scanout_id] = (VgpuScanout){ 0 };
        vgpu_display_destroy_primary(d);
    }
}

void vgpu_resources_destroy_all(VgpuDevice *d)
{
    for (uint32_t s = 0; s < VGPU_NUM_SCANOUTS; s++) {
        scanout_disable(d, s);
    }
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, d->resources);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        resource_free(d, value);
        g_hash_table_iter_remove(&it);
    }
    d->cursor_resource = 0;
}

static void handle_get_display_info(VgpuCmdCtx *c)
{
    struct virtio_gpu_resp_display_info r;
    memset(&r, 0, sizeof(r));
    r.pmodes[0].r.width = c->d->cfg.width;
    r.pmodes[0].r.height = c->d->cfg.height;
    r.pmodes[0].enabled = 1;
    respond(c, VIRTIO_GPU_RESP_OK_DISPLAY_INFO, &r, sizeof(r));
}

static void handle_resource_create_2d(VgpuCmdCtx *c)
{
    struct virtio_gpu_resource_create_2d req;
    if (!get_req(c, &req, sizeof(req))) {
        return;
    }
    VgpuDevice *d = c->d;
    pixman_format_code_t pf = pixman_format_of(req.format);
    uint64_t bytes = (uint64_t)req.width * req.height * 4;
    if (req.resource_id == 0 || find_resource(d, req.resource_id)) {
        respond_nodata(c, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
        return;
    }
    if (pf == 0 || req.width == 0 || req.height == 0 || req.width > VGPU_MAX_DIM ||
        req.height > VGPU_MAX_DIM) {
        respond_nodata(c, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
        return;
    }
    if (g_hash_table_size(d->resources) >= VGPU_MAX_RESOURCES ||
        bytes > d->cfg.max_host_bytes - d->host_bytes) {
        respond_nodata(c, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
        return;
    }
    pixman_image_t *img = pixman_image_create_bits(pf, (int)req.width, (int)req.height, NULL, 0);
    if (img == NULL) {
        respond_nodata(c, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
        return;
    }
    VgpuResource *res = g_new0(VgpuResource, 1);
    *res = (VgpuResource){ .id = req.resource_id, .format = req.format, .width = req.width,
                           .height = req.height, .image = img };
    d->host_bytes += bytes;
    g_hash_table_insert(d->resources, GUINT_TO_POINTER(res->id), res);
    respond_nodata(c, VIRTIO_GPU_RESP_OK_NODATA);
}

static void handle_resource_unref(VgpuCmdCtx *c)
{
    struct virtio_gpu_resource_unref req;
    if (!get_req(c, &req, sizeof(req))) {
        return;
    }
    VgpuResource *res = find_resource(c->d, req.resource_id);
    if (res == NULL) {
        respond_nodata(c, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
        return;
    }
    for (uint32_t s = 0; s < VGPU_NUM_SCANOUTS; s++) {
        if (c->d->scanouts[s].resource_id == res->id) {
            scanout_disable(c->d, s);
        }
    }
    if (c->d->cursor_resource == res->id) {
        c->d->cursor_resource = 0;
    }
    g_hash_table_remove(c->d->resources, GUINT_TO_POINTER(res->id));
    resource_free(c->d, res);
    respond_nodata(c, VIRTIO_GPU_RESP_OK_NODATA);
}

static void handle_set_scanout(VgpuCmdCtx *c)
{
    struct virtio_gpu_set_scanout req;
    if (!get_req(c, &req, sizeof(req))) {
        return;
    }
    VgpuDevice *d = c->d;
    if (req.scanout_id >= VGPU_NUM_SCANOUTS) {
        respond_nodata(c, VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
        return;
    }
    if (req.resource_id == 0) {
        scanout_disable(d, req.scanout_id);
        respond_nodata(c, VIRTIO_GPU_RESP_OK_NODATA);
        return;
    }
    VgpuResource *res = find_resource_rect(c, req.resource_id, &req.r);
    if (res == NULL) {
        return;
    }
    d->scanouts[req.scanout_id] = (VgpuScanout){ res->id, req.r.x, req.r.y, req.r.width,
                                                 req.r.height };
    /* Same size as what the server shows: the primary (and what the
     * viewer sees) stays; this is what makes resume after a freeze seamless. */
    vgpu_display_set_primary(d, req.r.width, req.r.height);
    respond_nodata(c, VIRTIO_GPU_RESP_OK_NODATA);
}

static void handle_resource_flush(VgpuCmdCtx *c)
{
    struct virtio_gpu_resource_flush req;
    if (!get_req(c, &req, sizeof(req))) {
        return;
    }
    VgpuDevice *d = c->d;
    VgpuResource *res = find_resource_rect(c, req.resource_id, &req.r);
    if (res == NULL) {
        return;
    }
    for (uint32_t s = 0; s < VGPU_NUM_SCANOUTS; s++) {
        const VgpuScanout *so = &d->scanouts[s];
        if (so->resource_id != res->id) {
            continue;
        }
        /* The flushed rectangle clipped to the part the scanout shows. */
        uint64_t x1 = MAX(req.r.x, so->x), y1 = MAX(req.r.y, so->y);
        uint64_t x2 = MIN((uint64_t)req.r.x + req.r.width, (uint64_t)so->x + so->width);
        uint64_t y2 = MIN((uint64_t)req.r.y + req.r.height, (uint64_t)so->y + so->height);
        if (x1 < x2 && y1 < y2) {
            vgpu_display_draw(d, res->image, (int32_t)x1, (int32_t)y1, (int32_t)(x1 - so->x),
                              (int32_t)(y1 - so->y), (uint32_t)(x2 - x1), (uint32_t)(y2 - y1));
        }
    }
    respond_nodata(c, VIRTIO_GPU_RESP_OK_NODATA);
}

/* Where the last read ended: a transfer reads rows at increasing offsets,
 * so each row's walk starts at the segment the previous row reached instead
 * of at segment 0 (a scattered backing has one segment per page). */
typedef struct BackingCursor {
    uint32_t seg;               /* first segment not wholly before the read */
    uint64_t seg_start;         /* its offset in the backing */
} BackingCursor;

/* Copies n bytes at offset off of the backing into dst; false if past its end. */
static bool backing_read(const VgpuResource *res, BackingCursor *cur, uint64_t off, uint8_t *dst,
                         uint64_t n)
{
    if (off > res->backing_size || n > res->backing_size - off) {
        return false;
    }
    if (off < cur->seg_start) {
        *cur = (BackingCursor){ 0, 0 }; /* backwards: walk from the start */
    }
    while (cur->seg < res->n_backing && off >= cur->seg_start + res->backing[cur->seg].len) {
        cur->seg_start += res->backing[cur->seg].len;
        cur->seg++;
    }
    uint64_t in_seg = off - cur->seg_start;
    for (uint32_t i = cur->seg; i < res->n_backing && n; i++) {
        const VgpuSeg *s = &res->backing[i];
        uint64_t chunk = MIN(n, s->len - in_seg);
        memcpy(dst, s->host + in_seg, chunk);
        dst += chunk;
        n -= chunk;
        in_seg = 0;
    }
    return true;
}

static void handle_transfer_to_host_2d(VgpuCmdCtx *c)
{
    struct virtio_gpu_transfer_to_host_2d req;
    if (!get_req(c, &req, sizeof(req))) {
        return;
    }
    VgpuResource *res = find_resource(c->d, req.resource_id);
    if (res == NULL || res->backing == NULL) {
        respond_nodata(c, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
        return;
    }
    /* offset bounded first, so offset + stride * row (< 2^32 * 2^16) cannot wrap. */
    if (!is_valid_rect(&req.r, res->width, res->height) || req.offset > res->backing_size) {
        respond_nodata(c, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
        return;
    }
    /* The backing is laid out like the resource (stride = width * 4);
     * offset locates the rectangle's first pixel, as Linux computes it. */
    uint64_t stride = (uint64_t)res->width * 4;
    uint8_t *bits = (uint8_t *)pixman_image_get_data(res->image);
    int img_stride = pixman_image_get_stride(res->image);
    BackingCursor cur = { 0, 0 };
    for (uint32_t row = 0; row < req.r.height; row++) {
        uint8_t *dst = bits + (size_t)(req.r.y + row) * (size_t)img_stride + (size_t)req.r.x * 4;
        if (!backing_read(res, &cur, req.offset + stride * row, dst, (uint64_t)req.r.width * 4)) {
            respond_nodata(c, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
            return;
        }
    }
    respond_nodata(c, VIRTIO_GPU_RESP_OK_NODATA);
}

static void handle_attach_backing(VgpuCmdCtx *c)
{
    struct virtio_gpu_resource_attach_backing req;
    if (!get_req(c, &req, sizeof(req))) {
        return;
    }
    VgpuDevice *d = c->d;
    VgpuResource *res = find_resource(d, req.resource_id);
    if (res == NULL || res->backing) {
        respond_nodata(c, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
        return;
    }
    if (req.nr_entries == 0 || req.nr_entries > VGPU_MAX_BACKING_ENTRIES ||
        c->e->req_len - sizeof(req) < (uint64_t)req.nr_entries * sizeof(struct virtio_gpu_mem_entry)) {
        respond_nodata(c, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
        return;
    }
    VgpuSeg *segs = g_new(VgpuSeg, req.nr_entries);
    uint64_t total = 0;
    for (uint32_t i = 0; i < req.nr_entries; i++) {
        struct virtio_gpu_mem_entry me;
        memcpy(&me, c->e->req + sizeof(req) + i * sizeof(me), sizeof(me));
        uint8_t *host = me.length ? vm_machine_gpa_to_host(d->vm, me.addr, me.length) : NULL;
        if (host == NULL) {
            g_free(segs);
            vm_log_warn("virtio-gpu-%d: backing entry %u addr 0x%" G_GINT64_MODIFIER "x len %u "
                        "outside guest RAM", d->cfg.id, i, (guint64)me.addr, me.length);
            respond_nodata(c, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
            return;
        }
        segs[i] = (VgpuSeg){ host, me.length };
        total += me.length;
    }
    res->backing = segs;
    res->n_backing = req.nr_entries;
    res->backing_size = total;
    respond_nodata(c, VIRTIO_GPU_RESP_OK_NODATA);
}

static void handle_detach_backing(VgpuCmdCtx *c)
{
    struct virtio_gpu_resource_detach_backing req;
    if (!get_req(c, &req, sizeof(req))) {
        return;
    }
    VgpuResource *res = find_resource(c->d, req.resource_id);
    if (res == NULL || res->backing == NULL) {
        respond_nodata(c, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
        return;
    }
    g_free(res->backing);
    res->backing = NULL;
    res->n_backing = 0;
    res->backing_size = 0;
    respond_nodata(c, VIRTIO_GPU_RESP_OK_NODATA);
}

static void count_cmd(VgpuDevice *d, uint32_t type)
{
    if ((type >> 8 == 1 || type >> 8 == 3) && (type & 0xff) < 16) {
        g_mutex_lock(&d->stats_lock);
        d->stats.cmds[VGPU_STAT_CMD(type)]++;
        g_mutex_unlock(&d->stats_lock);
    }
}

void vgpu_handle_ctrl(VgpuDevice *d, VgpuElem *e)
{
    VgpuCmdCtx c = { .d = d, .e = e };
    if (e->req_len < sizeof(c.hdr)) {
        respond_nodata(&c, VIRTIO_GPU_RESP_ERR_UNSPEC);
        return;
    }
    memcpy(&c.hdr, e->req, sizeof(c.hdr));
    count_cmd(d, c.hdr.type);
    switch (c.hdr.type) {
    case VIRTIO_GPU_CMD_GET_DISPLAY_INFO: handle_get_display_info(&c); break;
    case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D: handle_resource_create_2d(&c); break;
    case VIRTIO_GPU_CMD_RESOURCE_UNREF: handle_resource_unref(&c); break;
    case VIRTIO_GPU_CMD_SET_SCANOUT: handle_set_scanout(&c); break;
    case VIRTIO_GPU_CMD_RESOURCE_FLUSH: handle_resource_flush(&c); break;
    case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D: handle_transfer_to_host_2d(&c); break;
    case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING: handle_attach_backing(&c); break;
    case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING: handle_detach_backing(&c); break;
    default:
        /* 3D, blob, capsets, EDID: not offered by any feature bit. */
        respond_nodata(&c, VIRTIO_GPU_RESP_ERR_UNSPEC);
        break;
    }
}

/* Cursor queue: the shape comes from a 64x64 resource; its position and
 * shape are recorded (the SPICE cursor channel is not fed, see the issue
 * note).  No response is written: Linux gives no writable part. */
void vgpu_handle_cursor(VgpuDevice *d, VgpuElem *e)
{
    struct virtio_gpu_update_cursor req;
    if (e->req_len < sizeof(req)) {
        return;
    }
    memcpy(&req, e->req, sizeof(req));
    count_cmd(d, req.hdr.type);
    if (req.pos.scanout_id >= VGPU_NUM_SCANOUTS) {
        return;
    }
    if (req.hdr.type == VIRTIO_GPU_CMD_UPDATE_CURSOR) {
        VgpuResource *res = req.resource_id ? find_resource(d, req.resource_id) : NULL;
        d->cursor_resource = res ? res->id : 0;
    }
    if (req.hdr.type == VIRTIO_GPU_CMD_UPDATE_CURSOR || req.hdr.type == VIRTIO_GPU_CMD_MOVE_CURSOR) {
        d->cursor_x = req.pos.x;
        d->cursor_y = req.pos.y;
    }
}
