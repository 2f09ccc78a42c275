/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gqxl-kms.c: the QXL backend of the KMS layer: scanout on the primary
 * surface, overlays as off-screen surfaces in BAR1, cursor on the cursor
 * ring, and the seed-004 suspend/resume. */
#include "config.h"

#include <string.h>

#include "gkms-backend.h"
#include "gkms-log.h"
#include "gqxl-cmd.h"
#include "gqxl-hw.h"

/* How long suspend waits for the device to give every command back. */
#define GQXL_RELEASE_TIMEOUT_US (2 * G_USEC_PER_SEC)

typedef struct GqxlSurfaceRec {
    bool live;
    uint32_t width, height;
    uint64_t vram_offset;
    uint8_t *backing;           /* saved contents while suspended */
} GqxlSurfaceRec;

typedef struct GqxlKms {
    const Gbus *bus;
    unsigned index;
    GqxlHw hw;
    GqxlReleases rel;
    bool scanout;
    uint32_t scanout_w, scanout_h;
    GqxlSurfaceRec surfaces[GKMS_MAX_SURFACES + 1];
    uint64_t resource_creations;
} GqxlKms;

static QXLRect to_rect(const pixman_box32_t *b)
{
    return (QXLRect){ .top = b->y1, .left = b->x1, .bottom = b->y2, .right = b->x2 };
}

static void be_destroy(void *p)
{
    GqxlKms *k = p;
    for (uint32_t id = 0; id <= GKMS_MAX_SURFACES; id++) {
        g_free(k->surfaces[id].backing);
    }
    gqxl_releases_finish(&k->rel, &k->hw);
    gqxl_hw_finish(&k->hw);
    g_free(k);
}

static unsigned be_get_modes(void *p, GkmsMode *modes, unsigned max)
{
    GqxlKms *k = p;
    unsigned n = 0;
    for (uint32_t i = 0; i < k->hw.n_modes && n < max; i++) {
        QXLMode m;
        memcpy(&m, &k->hw.modes->modes[i], sizeof(m));
        if (m.bits == 32 && m.orientation == 0 && m.x_res && m.y_res) {
            modes[n++] = (GkmsMode){ m.x_res, m.y_res };
        }
    }
    return n;
}

static int be_scanout_create(void *p, uint32_t w, uint32_t h, bool keep_data)
{
    GqxlKms *k = p;
    if ((uint64_t)w * h * 4 > k->hw.rom.surface0_area_size) {
        return -1;
    }
    QXLSurfaceCreate sc = {
        .width = w, .height = h, .stride = (int32_t)(w * 4), .format = SPICE_SURFACE_FMT_32_xRGB,
        .position = 0, .mouse_mode = 1, .flags = keep_data ? QXL_SURF_FLAG_KEEP_DATA : 0,
        .type = QXL_SURF_TYPE_PRIMARY,
        .mem = gqxl_hw_phys(&k->hw, GQXL_MAIN_SLOT, k->hw.rom.draw_area_offset),
    };
    memcpy((void *)&k->hw.ram->create_surface, &sc, sizeof(sc));
    if (gqxl_hw_async_io(&k->hw, QXL_IO_CREATE_PRIMARY_ASYNC, 0) != 0) {
        return -1;
    }
    k->scanout = true;
    k->scanout_w = w;
    k->scanout_h = h;
    k->resource_creations++;
    return 0;
}

static int be_scanout_destroy(void *p)
{
    GqxlKms *k = p;
    k->scanout = false;
    return gqxl_hw_async_io(&k->hw, QXL_IO_DESTROY_PRIMARY_ASYNC, 0);
}

static int be_scanout_blit(void *p, pixman_image_t *img, const pixman_box32_t *box)
{
    GqxlKms *k = p;
    QXLRect r = to_rect(box);
    return gqxl_cmd_blit(&k->hw, &k->rel, 0, img, &r, box->x1, box->y1);
}

static int be_surface_create(void *p, uint32_t id, uint32_t w, uint32_t h)
{
    GqxlKms *k = p;
    if (id == 0 || id > GKMS_MAX_SURFACES || k->surfaces[id].live || w == 0 || h == 0 ||
        w > 4096 || h > 4096) {
        return -1;
    }
    uint64_t off = gqxl_heap_alloc(&k->hw.surf_heap, (uint64_t)w * h * 4, 4096);
    if (off == UINT64_MAX) {
        return -1;
    }
    if (gqxl_cmd_surface_create(&k->hw, &k->rel, id, w, h, off, false) != 0) {
        gqxl_heap_free(&k->hw.surf_heap, off);
        return -1;
    }
    k->surfaces[id] = (GqxlSurfaceRec){ true, w, h, off, NULL };
    k->resource_creations++;
    return 0;
}

static int be_surface_destroy(void *p, uint32_t id)
{
    GqxlKms *k = p;
    if (id == 0 || id > GKMS_MAX_SURFACES || !k->surfaces[id].live) {
        return -1;
    }
    int ret = gqxl_cmd_surface_destroy(&k->hw, &k->rel, id);
    /* The ring is processed in order: a later create at this offset comes
     * after the destroy, so the memory can be reused right away. */
    gqxl_heap_free(&k->hw.surf_heap, k->surfaces[id].vram_offset);
    k->surfaces[id].live = false;
    return ret;
}

static int be_surface_fill(void *p, uint32_t id, const pixman_box32_t *box, uint32_t xrgb)
{
    GqxlKms *k = p;
    QXLRect r = to_rect(box);
    return gqxl_cmd_fill(&k->hw, &k->rel, id, &r, xrgb);
}

static int be_surface_upload(void *p, uint32_t id, pixman_image_t *src, const pixman_box32_t *box,
                             int32_t x, int32_t y)
{
    GqxlKms *k = p;
    QXLRect r = to_rect(box);
    return gqxl_cmd_blit(&k->hw, &k->rel, id, src, &r, x, y);
}

static int be_surface_present(void *p, uint32_t id, const pixman_box32_t *box, int32_t x, int32_t y)
{
    GqxlKms *k = p;
    QXLRect r = to_rect(box);
    return gqxl_cmd_copy_surface(&k->hw, &k->rel, 0, id, &r, x, y);
}

static int be_cursor_set(void *p, pixman_image_t *argb, uint16_t hx, uint16_t hy, int16_t x, int16_t y)
{
    GqxlKms *k = p;
    return gqxl_cmd_cursor_set(&k->hw, &k->rel, argb, hx, hy, x, y);
}

static int be_cursor_move(void *p, int16_t x, int16_t y)
{
    GqxlKms *k = p;
    return gqxl_cmd_cursor_move(&k->hw, &k->rel, x, y);
}

static int step_failed(char *err, size_t n, const char *what)
{
    g_strlcpy(err, what, n);
    return -1;
}

/* Steps 4: copy each surface out of device memory. */
static void evict_surfaces(GqxlKms *k)
{
    for (uint32_t id = 1; id <= GKMS_MAX_SURFACES; id++) {
        GqxlSurfaceRec *s = &k->surfaces[id];
        if (s->live) {
            g_free(s->backing);
            s->backing = g_memdup2(k->hw.bar_vram + s->vram_offset, (gsize)s->width * s->height * 4);
        }
    }
}

/* Step 6: FLUSH_RELEASE and take back every command, bounded. */
static int take_back_everything(GqxlKms *k, bool flush_release, char *err, size_t n)
{
    int64_t deadline = g_get_monotonic_time() + GQXL_RELEASE_TIMEOUT_US;
    for (;;) {
        if (flush_release) {
            gqxl_hw_out(&k->hw, QXL_IO_FLUSH_RELEASE, 0);
        }
        if (gqxl_releases_collect(&k->rel, &k->hw) < 0) {
            return step_failed(err, n, "the device released a command it was never given");
        }
        if (gqxl_releases_outstanding(&k->rel) == 0) {
            break;
        }
        if (g_get_monotonic_time() >= deadline) {
            g_snprintf(err, n, "release: %u commands never came back from the device "
                       "(is QXL_IO_FLUSH_RELEASE missing from the sequence?)",
                       gqxl_releases_outstanding(&k->rel));
            return -1;
        }
        gqxl_hw_wait(&k->hw, QXL_INTERRUPT_DISPLAY, MIN(deadline, g_get_monotonic_time() + 10000));
    }
    if (gqxl_heap_count(&k->hw.cmd_heap) != 0) {
        g_snprintf(err, n, "release: %u allocations left in device memory",
                   gqxl_heap_count(&k->hw.cmd_heap));
        return -1;
    }
    return 0;
}

/* The skip-flush-release fault bites only while a command waits in the
 * device's unfinished release batch.  With none outstanding (the device may
 * have pushed its batch already: a full element, or the server asked for it
 * on memory pressure) skipping FLUSH_RELEASE is harmless and the suspend
 * goes through, so the fault would break the sequence only some of the
 * time.  One cursor command puts one there: the fault always bites. */
static int keep_one_in_flight(GqxlKms *k, char *err, size_t n)
{
    if (gqxl_releases_collect(&k->rel, &k->hw) < 0) {
        return step_failed(err, n, "the device released a command it was never given");
    }
    if (gqxl_releases_outstanding(&k->rel) == 0 && gqxl_cmd_cursor_hide(&k->hw, &k->rel) != 0) {
        return step_failed(err, n, "no room for a cursor command");
    }
    return 0;
}

static int be_suspend(void *p, unsigned faults, char *err, size_t n)
{
    GqxlKms *k = p;
    /* 1, 2: the worker empties both rings before its next request. */
    gqxl_hw_out(&k->hw, QXL_IO_NOTIFY_CMD, 0);
    gqxl_hw_out(&k->hw, QXL_IO_NOTIFY_CURSOR, 0);
    if ((faults & GKMS_FAULT_DESTROY_BEFORE_FLUSH) &&
        gqxl_hw_async_io(&k->hw, QXL_IO_DESTROY_ALL_SURFACES_ASYNC, 0) != 0) {
        return step_failed(err, n, "destroy all surfaces: no completion");
    }
    /* 3: every surface's device memory holds its final pixels. */
    if (gqxl_hw_async_io(&k->hw, QXL_IO_FLUSH_SURFACES_ASYNC, 0) != 0) {
        return step_failed(err, n, "flush surfaces: no completion (or a device error)");
    }
    if (!gqxl_hw_ring_idle(&k->hw, GQXL_RING_CMD) || !gqxl_hw_ring_idle(&k->hw, GQXL_RING_CURSOR)) {
        return step_failed(err, n, "flush surfaces: the rings are not empty after the flush");
    }
    /* 4: keep what lives only in device memory. */
    if (!(faults & GKMS_FAULT_SKIP_EVICT)) {
        evict_surfaces(k);
    }
    /* 5: the server drops every surface and releases their commands. */
    if (!(faults & GKMS_FAULT_DESTROY_BEFORE_FLUSH) &&
        gqxl_hw_async_io(&k->hw, QXL_IO_DESTROY_ALL_SURFACES_ASYNC, 0) != 0) {
        return step_failed(err, n, "destroy all surfaces: no completion");
    }
    /* 6: the partly filled release element too; then all is back. */
    if ((faults & GKMS_FAULT_SKIP_FLUSH_RELEASE) && keep_one_in_flight(k, err, n) != 0) {
        return -1;
    }
    return take_back_everything(k, !(faults & GKMS_FAULT_SKIP_FLUSH_RELEASE), err, n);
}

static int be_resume(void *p, char *err, size_t n)
{
    GqxlKms *k = p;
    /* The wake reset the device: check it is still what we probed, then
     * QXL_IO_RESET, mask and memslots. Never touch the ring headers: the
     * device owns them after a reset. */
    const QXLRom *rom = gbus_phys_to_ptr(k->bus, k->hw.rom_bar.addr,
                                               sizeof(QXLRom));
    if (rom == NULL || rom->magic != QXL_ROM_MAGIC ||
        rom->ram_header_offset != k->hw.rom.ram_header_offset) {
        return step_failed(err, n, "resume: the device's ROM changed");
    }
    if (gqxl_hw_setup(&k->hw) != 0) {
        return step_failed(err, n, "resume: reset or memslots failed");
    }
    /* After a failed freeze (commands never came back) the reset is what
     * returns them: take the memory back instead of leaking it. */
    unsigned lost = gqxl_releases_reclaim_after_reset(&k->rel, &k->hw);
    if (lost) {
        gkms_log_warn("qxl: %u commands were reclaimed by the device reset", lost);
    }
    if (k->scanout && be_scanout_create(k, k->scanout_w, k->scanout_h, true) != 0) {
        return step_failed(err, n, "resume: cannot create the primary surface");
    }
    for (uint32_t id = 1; id <= GKMS_MAX_SURFACES; id++) {
        GqxlSurfaceRec *s = &k->surfaces[id];
        if (!s->live) {
            continue;
        }
        if (s->backing) {
            memcpy(k->hw.bar_vram + s->vram_offset, s->backing, (size_t)s->width * s->height * 4);
            g_free(s->backing);
            s->backing = NULL;
        }
        if (gqxl_cmd_surface_create(&k->hw, &k->rel, id, s->width, s->height, s->vram_offset,
                                    true) != 0) {
            return step_failed(err, n, "resume: cannot recreate a surface");
        }
        k->resource_creations++;
    }
    return 0;
}

static void be_stats(void *p, GkmsStats *out)
{
    GqxlKms *k = p;
    gqxl_releases_collect(&k->rel, &k->hw);
    out->commands_submitted = k->rel.submitted;
    out->commands_released = k->rel.released;
    out->commands_outstanding = gqxl_releases_outstanding(&k->rel);
    out->device_allocations = gqxl_heap_count(&k->hw.cmd_heap);
    out->resource_creations = k->resource_creations;
}

static int be_flush(void *p)
{
    GqxlKms *k = p;
    return gqxl_hw_async_io(&k->hw, QXL_IO_FLUSH_SURFACES_ASYNC, 0);
}

/* The primary lives at the draw area of BAR0 (be_scanout_create); the ROM
 * gives that offset, so check the whole primary is inside the BAR. */
static const void *be_scanout_pixels(void *p, uint32_t *stride)
{
    GqxlKms *k = p;
    if (!k->scanout || (uint64_t)k->hw.rom.draw_area_offset +
                       (uint64_t)k->scanout_w * k->scanout_h * 4 > k->hw.bar_ram_size) {
        return NULL;
    }
    *stride = k->scanout_w * 4;
    return k->hw.bar_ram + k->hw.rom.draw_area_offset;
}

static const GkmsBackendOps gqxl_kms_ops = {
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
    .flush = be_flush,
    .scanout_pixels = be_scanout_pixels,
};

void *gqxl_kms_open(const Gbus *bus, unsigned index, const GkmsBackendOps **ops)
{
    GqxlKms *k = g_new0(GqxlKms, 1);
    k->bus = bus;
    k->index = index;
    gqxl_releases_init(&k->rel);
    if (gqxl_hw_probe(&k->hw, bus, index) != 0 || gqxl_hw_setup(&k->hw) != 0) {
        gqxl_releases_finish(&k->rel, &k->hw);
        gqxl_hw_finish(&k->hw);
        g_free(k);
        return NULL;
    }
    *ops = &gqxl_kms_ops;
    return k;
}
