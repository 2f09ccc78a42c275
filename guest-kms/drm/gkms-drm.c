/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gkms-drm.c: the guest KMS API (gkms.h) on a real Linux DRM device
 * through libdrm, so the demo desktop runs in a Linux guest on any KMS
 * driver (ours, s3d_qxl, in particular).
 *
 * What DRM offers and the API wants:
 *   dumb buffers      the demo draws into user memory (a shadow); the
 *                     scanout is a pair of DRM dumb buffers composed from it;
 *   fb_dirty          compose the damage into the front buffer, DIRTYFB;
 *   page_flip         compose everything into the back buffer, then
 *                     drmModePageFlip and wait (bounded) for its event;
 *   overlay surfaces  DRM has no off-screen surfaces for us: they are
 *                     composed by the CPU over the framebuffer (pixman);
 *   cursor            a 64x64 ARGB dumb buffer, drmModeSetCursor2 with the
 *                     hot spot; the API places the hot spot, DRM the corner.
 * Suspend, resume and read-back belong to the kernel driver here: this
 * backend leaves them out. */
#include "config.h"

#include "gkms-drm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#include "gkms-log.h"

#define CURSOR_SIZE 64
#define FLIP_TIMEOUT_MS 1000

typedef struct DrmBuffer {
    uint32_t handle, fb_id, pitch;
    size_t size;
    uint8_t *map;
    pixman_image_t *image;
} DrmBuffer;

struct GkmsDevice {
    int fd;
    uint32_t crtc_id, conn_id;
    drmModeModeInfo modes[GKMS_MAX_MODES];
    unsigned n_modes;
    GkmsMode mode;
    bool mode_set;
    GkmsDumb *fb;
    DrmBuffer scan[2];
    unsigned front;
    struct {
        GkmsSurface *s;
        int32_t x, y;
    } planes[GKMS_MAX_OVERLAYS];
    DrmBuffer cursor;
    uint16_t hot_x, hot_y;
    char error[256];
};

struct GkmsDumb {
    GkmsDevice *dev;
    pixman_image_t *image;
};

struct GkmsSurface {
    GkmsDevice *dev;
    pixman_image_t *image;
};

static int fail(GkmsDevice *dev, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_vsnprintf(dev->error, sizeof(dev->error), fmt, ap);
    va_end(ap);
    return -err;
}

/* ---- DRM buffers ---- */

static void buffer_destroy(GkmsDevice *dev, DrmBuffer *b)
{
    if (b->image) {
        pixman_image_unref(b->image);
    }
    if (b->map) {
        munmap(b->map, b->size);
    }
    if (b->fb_id) {
        drmModeRmFB(dev->fd, b->fb_id);
    }
    if (b->handle) {
        struct drm_mode_destroy_dumb d = { .handle = b->handle };
        drmIoctl(dev->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
    }
    memset(b, 0, sizeof(*b));
}

static int buffer_create(GkmsDevice *dev, DrmBuffer *b, uint32_t w, uint32_t h,
                         pixman_format_code_t format, bool add_fb)
{
    struct drm_mode_create_dumb c = { .width = w, .height = h, .bpp = 32 };
    memset(b, 0, sizeof(*b));
    if (drmIoctl(dev->fd, DRM_IOCTL_MODE_CREATE_DUMB, &c) != 0) {
        return fail(dev, errno, "CREATE_DUMB %ux%u: %s", w, h, g_strerror(errno));
    }
    b->handle = c.handle;
    b->pitch = c.pitch;
    b->size = c.size;
    struct drm_mode_map_dumb m = { .handle = c.handle };
    if (drmIoctl(dev->fd, DRM_IOCTL_MODE_MAP_DUMB, &m) != 0) {
        int err = errno;
        buffer_destroy(dev, b);
        return fail(dev, err, "MAP_DUMB: %s", g_strerror(err));
    }
    b->map = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd, (off_t)m.offset);
    if (b->map == MAP_FAILED) {
        int err = errno;
        b->map = NULL;
        buffer_destroy(dev, b);
        return fail(dev, err, "mmap of a dumb buffer: %s", g_strerror(err));
    }
    memset(b->map, 0, b->size);
    b->image = pixman_image_create_bits(format, (int)w, (int)h, (uint32_t *)(void *)b->map,
                                        (int)b->pitch);
    if (add_fb && drmModeAddFB(dev->fd, w, h, 24, 32, b->pitch, b->handle, &b->fb_id) != 0) {
        int err = errno;
        buffer_destroy(dev, b);
        return fail(dev, err, "ADDFB: %s", g_strerror(err));
    }
    return b->image ? 0 : fail(dev, ENOMEM, "pixman image");
}

/* ---- device ---- */

GkmsDevice *gkms_open_drm(const char *path)
{
    GkmsDevice *dev = g_new0(GkmsDevice, 1);
    dev->fd = open(path, O_RDWR | O_CLOEXEC);
    if (dev->fd < 0) {
        gkms_log_warn("drm: cannot open %s: %s", path, g_strerror(errno));
        g_free(dev);
        return NULL;
    }
    drmModeRes *res = drmModeGetResources(dev->fd);
    for (int i = 0; res && i < res->count_connectors && dev->conn_id == 0; i++) {
        drmModeConnector *c = drmModeGetConnector(dev->fd, res->connectors[i]);
        if (c && c->connection == DRM_MODE_CONNECTED && c->count_modes > 0) {
            dev->conn_id = c->connector_id;
            for (int m = 0; m < c->count_modes && dev->n_modes < GKMS_MAX_MODES; m++) {
                dev->modes[dev->n_modes++] = c->modes[m];
            }
        }
        drmModeFreeConnector(c);
    }
    if (res && res->count_crtcs > 0) {
        dev->crtc_id = res->crtcs[0];
    }
    drmModeFreeResources(res);
    if (dev->conn_id == 0 || dev->crtc_id == 0) {
        gkms_log_warn("drm: %s has no connected connector with modes, or no CRTC", path);
        close(dev->fd);
        g_free(dev);
        return NULL;
    }
    return dev;
}

void gkms_close(GkmsDevice *dev)
{
    if (dev == NULL) {
        return;
    }
    buffer_destroy(dev, &dev->scan[0]);
    buffer_destroy(dev, &dev->scan[1]);
    buffer_destroy(dev, &dev->cursor);
    close(dev->fd);
    g_free(dev);
}

const char *gkms_last_error(GkmsDevice *dev)
{
    return dev->error;
}

unsigned gkms_connector_modes(GkmsDevice *dev, GkmsMode *modes, unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; i < dev->n_modes && n < max; i++) {
        GkmsMode m = { dev->modes[i].hdisplay, dev->modes[i].vdisplay };
        bool dup = false;
        for (unsigned j = 0; j < n; j++) {
            dup |= modes[j].width == m.width && modes[j].height == m.height;
        }
        if (!dup) {
            modes[n++] = m;
        }
    }
    return n;
}

/* ---- framebuffers (user memory) and overlays (composed by the CPU) ---- */

GkmsDumb *gkms_dumb_create(GkmsDevice *dev, uint32_t width, uint32_t height)
{
    if (width == 0 || height == 0 || width > 8192 || height > 8192) {
        return NULL;
    }
    GkmsDumb *d = g_new0(GkmsDumb, 1);
    d->dev = dev;
    d->image = pixman_image_create_bits(PIXMAN_x8r8g8b8, (int)width, (int)height, NULL, 0);
    if (d->image == NULL) {
        g_free(d);
        return NULL;
    }
    return d;
}

pixman_image_t *gkms_dumb_map(GkmsDumb *dumb)
{
    return dumb->image;
}

void gkms_dumb_destroy(GkmsDumb *dumb)
{
    if (dumb == NULL) {
        return;
    }
    if (dumb->dev->fb == dumb) {
        dumb->dev->fb = NULL;
    }
    pixman_image_unref(dumb->image);
    g_free(dumb);
}

GkmsSurface *gkms_surface_create(GkmsDevice *dev, uint32_t width, uint32_t height)
{
    GkmsSurface *s = g_new0(GkmsSurface, 1);
    s->dev = dev;
    s->image = pixman_image_create_bits(PIXMAN_x8r8g8b8, (int)width, (int)height, NULL, 0);
    if (s->image == NULL) {
        g_free(s);
        return NULL;
    }
    return s;
}

void gkms_surface_destroy(GkmsSurface *s)
{
    if (s == NULL) {
        return;
    }
    for (unsigned i = 0; i < GKMS_MAX_OVERLAYS; i++) {
        if (s->dev->planes[i].s == s) {
            s->dev->planes[i].s = NULL;
        }
    }
    pixman_image_unref(s->image);
    g_free(s);
}

int gkms_surface_fill(GkmsSurface *s, const pixman_box32_t *box, uint32_t xrgb)
{
    pixman_color_t c = { (uint16_t)(((xrgb >> 16) & 0xff) * 0x101),
                         (uint16_t)(((xrgb >> 8) & 0xff) * 0x101),
                         (uint16_t)((xrgb & 0xff) * 0x101), 0xffff };
    return pixman_image_fill_boxes(PIXMAN_OP_SRC, s->image, &c, 1, box) ? 0 : -EINVAL;
}

int gkms_surface_upload(GkmsSurface *s, pixman_image_t *src, const pixman_box32_t *src_box,
                        int32_t x, int32_t y)
{
    pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, s->image, src_box->x1, src_box->y1, 0, 0,
                             x, y, src_box->x2 - src_box->x1, src_box->y2 - src_box->y1);
    return 0;
}

int gkms_plane_set(GkmsDevice *dev, unsigned index, GkmsSurface *s, int32_t x, int32_t y)
{
    if (index >= GKMS_MAX_OVERLAYS) {
        return fail(dev, EINVAL, "no overlay plane %u", index);
    }
    dev->planes[index].s = s;
    dev->planes[index].x = x;
    dev->planes[index].y = y;
    return 0;
}

/* Composes the framebuffer and the overlays into `b` inside `damage`. */
static void compose(GkmsDevice *dev, DrmBuffer *b, pixman_region32_t *damage)
{
    pixman_image_set_clip_region32(b->image, damage);
    pixman_image_composite32(PIXMAN_OP_SRC, dev->fb->image, NULL, b->image, 0, 0, 0, 0, 0, 0,
                             (int)dev->mode.width, (int)dev->mode.height);
    for (unsigned i = 0; i < GKMS_MAX_OVERLAYS; i++) {
        if (dev->planes[i].s) {
            pixman_image_t *img = dev->planes[i].s->image;
            pixman_image_composite32(PIXMAN_OP_SRC, img, NULL, b->image, 0, 0, 0, 0,
                                     dev->planes[i].x, dev->planes[i].y,
                                     pixman_image_get_width(img), pixman_image_get_height(img));
        }
    }
    pixman_image_set_clip_region32(b->image, NULL);
}

/* Composes `damage` into the front buffer and tells the driver (DIRTYFB). */
static int present(GkmsDevice *dev, pixman_region32_t *damage)
{
    pixman_region32_intersect_rect(damage, damage, 0, 0, dev->mode.width, dev->mode.height);
    int n;
    pixman_box32_t *boxes = pixman_region32_rectangles(damage, &n);
    if (n == 0) {
        return 0;
    }
    DrmBuffer *b = &dev->scan[dev->front];
    compose(dev, b, damage);
    drmModeClip *clips = g_new(drmModeClip, n);
    for (int i = 0; i < n; i++) {
        clips[i] = (drmModeClip){ (uint16_t)boxes[i].x1, (uint16_t)boxes[i].y1,
                                  (uint16_t)boxes[i].x2, (uint16_t)boxes[i].y2 };
    }
    int ret = drmModeDirtyFB(dev->fd, b->fb_id, clips, (uint32_t)n);
    g_free(clips);
    /* Drivers without a dirty hook scan out the buffer as it is. */
    if (ret != 0 && errno != ENOSYS) {
        return fail(dev, errno, "DIRTYFB: %s", g_strerror(errno));
    }
    return 0;
}

static int present_all(GkmsDevice *dev)
{
    pixman_region32_t all;
    pixman_region32_init_rect(&all, 0, 0, dev->mode.width, dev->mode.height);
    int ret = present(dev, &all);
    pixman_region32_fini(&all);
    return ret;
}

int gkms_crtc_set(GkmsDevice *dev, GkmsDumb *fb, const GkmsMode *mode)
{
    const drmModeModeInfo *info = NULL;
    for (unsigned i = 0; i < dev->n_modes && info == NULL; i++) {
        if (dev->modes[i].hdisplay == mode->width && dev->modes[i].vdisplay == mode->height) {
            info = &dev->modes[i];
        }
    }
    if (info == NULL || fb == NULL ||
        (uint32_t)pixman_image_get_width(fb->image) < mode->width ||
        (uint32_t)pixman_image_get_height(fb->image) < mode->height) {
        return fail(dev, EINVAL, "no such mode, or a framebuffer smaller than the mode");
    }
    for (unsigned i = 0; i < 2; i++) {
        buffer_destroy(dev, &dev->scan[i]);
        int ret = buffer_create(dev, &dev->scan[i], mode->width, mode->height, PIXMAN_x8r8g8b8,
                                true);
        if (ret) {
            return ret;
        }
    }
    dev->fb = fb;
    dev->mode = *mode;
    dev->front = 0;
    compose(dev, &dev->scan[0], NULL);
    drmModeModeInfo m = *info;
    if (drmModeSetCrtc(dev->fd, dev->crtc_id, dev->scan[0].fb_id, 0, 0, &dev->conn_id, 1, &m) != 0) {
        return fail(dev, errno, "SETCRTC %ux%u: %s", mode->width, mode->height, g_strerror(errno));
    }
    dev->mode_set = true;
    return present_all(dev);
}

int gkms_fb_dirty(GkmsDevice *dev, const pixman_box32_t *rects, unsigned n)
{
    if (!dev->mode_set || dev->fb == NULL) {
        return fail(dev, EINVAL, "no framebuffer scanned out");
    }
    pixman_region32_t damage;
    pixman_region32_init_rects(&damage, rects, (int)n);
    int ret = present(dev, &damage);
    pixman_region32_fini(&damage);
    return ret;
}

int gkms_planes_commit(GkmsDevice *dev)
{
    if (!dev->mode_set || dev->fb == NULL) {
        return fail(dev, EINVAL, "no framebuffer scanned out");
    }
    /* Moving or redrawn overlays: the cheapest correct damage is the screen. */
    return present_all(dev);
}

int gkms_page_flip(GkmsDevice *dev, GkmsDumb *fb)
{
    if (!dev->mode_set || fb == NULL) {
        return fail(dev, EINVAL, "no mode set");
    }
    dev->fb = fb;
    unsigned back = dev->front ^ 1;
    compose(dev, &dev->scan[back], NULL);
    if (drmModePageFlip(dev->fd, dev->crtc_id, dev->scan[back].fb_id, DRM_MODE_PAGE_FLIP_EVENT,
                        dev) != 0) {
        return fail(dev, errno, "PAGE_FLIP: %s", g_strerror(errno));
    }
    /* The flip is done when its event arrives; bounded. */
    struct pollfd p = { .fd = dev->fd, .events = POLLIN };
    if (poll(&p, 1, FLIP_TIMEOUT_MS) != 1) {
        return fail(dev, ETIMEDOUT, "no page flip event within %d ms", FLIP_TIMEOUT_MS);
    }
    drmEventContext ev = { .version = 2 };
    drmHandleEvent(dev->fd, &ev);
    dev->front = back;
    return 0;
}

int gkms_page_flip_current(GkmsDevice *dev)
{
    return gkms_page_flip(dev, dev->fb);
}

/* ---- cursor ---- */

int gkms_cursor_set(GkmsDevice *dev, pixman_image_t *argb, uint16_t hot_x, uint16_t hot_y)
{
    int w = pixman_image_get_width(argb), h = pixman_image_get_height(argb);
    if (w > CURSOR_SIZE || h > CURSOR_SIZE || hot_x >= w || hot_y >= h) {
        return fail(dev, EINVAL, "cursor larger than %d pixels", CURSOR_SIZE);
    }
    if (dev->cursor.handle == 0) {
        int ret = buffer_create(dev, &dev->cursor, CURSOR_SIZE, CURSOR_SIZE, PIXMAN_a8r8g8b8,
                                false);
        if (ret) {
            return ret;
        }
    }
    memset(dev->cursor.map, 0, dev->cursor.size);
    pixman_image_composite32(PIXMAN_OP_SRC, argb, NULL, dev->cursor.image, 0, 0, 0, 0, 0, 0, w, h);
    dev->hot_x = hot_x;
    dev->hot_y = hot_y;
    if (drmModeSetCursor2(dev->fd, dev->crtc_id, dev->cursor.handle, CURSOR_SIZE, CURSOR_SIZE,
                          hot_x, hot_y) != 0) {
        return fail(dev, errno, "SETCURSOR2: %s", g_strerror(errno));
    }
    return 0;
}

int gkms_cursor_move(GkmsDevice *dev, int16_t x, int16_t y)
{
    if (drmModeMoveCursor(dev->fd, dev->crtc_id, x - dev->hot_x, y - dev->hot_y) != 0) {
        return fail(dev, errno, "MOVECURSOR: %s", g_strerror(errno));
    }
    return 0;
}
