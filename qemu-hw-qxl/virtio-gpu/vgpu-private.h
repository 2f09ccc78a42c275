/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vgpu-private.h (internal to virtio-gpu/): the device state shared by its
 * files. */
#ifndef VGPU_PRIVATE_H
#define VGPU_PRIVATE_H

#include <glib.h>
#include <linux/virtio_config.h>
#include <linux/virtio_gpu.h>
#include <linux/virtio_pci.h>

#include "virtio-pci-freeze.h"
#include "vgpu-device.h"
#include "vgpu-virtqueue.h"
#include "vm-log.h"

#define VGPU_CTRLQ 0
#define VGPU_CURSORQ 1
#define VGPU_NUM_SCANOUTS 1     /* one QXLInstance, one scanout */
/* Resources the device tracks at most; a driver needs a handful per
 * framebuffer and cursor, this bounds the hash table a guest can grow. */
#define VGPU_MAX_RESOURCES 1024
/* Largest resource edge: the SPICE primary surface limit in practice. */
#define VGPU_MAX_DIM 16384
/* Entries of one ATTACH_BACKING: 64 MiB in pages; bounds the request. */
#define VGPU_MAX_BACKING_ENTRIES 16384
/* PCI PMCSR power states. */
#define VGPU_PM_D0 0
#define VGPU_PM_D3HOT 3

typedef struct VgpuResource {
    uint32_t id;
    uint32_t format;
    uint32_t width, height;
    pixman_image_t *image;      /* host copy, the format's pixman layout */
    VgpuSeg *backing;           /* guest RAM pages, checked at attach */
    uint32_t n_backing;
    uint64_t backing_size;
} VgpuResource;

typedef struct VgpuScanout {
    uint32_t resource_id;       /* 0: disabled */
    uint32_t x, y, width, height;
} VgpuScanout;

/* The server side: a QXLInstance whose primary is the scanout (vgpu-spice.c). */
typedef struct VgpuDisplay {
    QXLInstance qxl;
    GMutex lock;                /* primary; held across spice_qxl_* calls */
    uint8_t *primary;
    uint32_t width, height;
    GMutex qlock;               /* the command queue, shared with the worker */
    GQueue pending;             /* VgpuDraw waiting for get_command */
    GHashTable *live;           /* VgpuDraw not yet released */
    uint32_t next_image;
} VgpuDisplay;

struct VgpuDevice {
    VmMachine *vm;
    VmIrq *irq;
    SpiceServer *server;
    VgpuDeviceConfig cfg;
    VmPciDevice pci;
    uint8_t config_init[VM_PCI_CONFIG_SIZE];    /* what config writes cannot change */

    /* transport (machine lock) */
    uint64_t device_features, driver_features;
    uint32_t dfselect, gfselect;
    uint8_t status;             /* without SUSPEND, shown separately */
    uint8_t generation;
    uint16_t queue_select;
    VgpuVq vq[VGPU_NUM_QUEUES];
    uint8_t isr;
    uint32_t events_read;
    uint16_t freeze_mode, freeze_status;
    bool suspend_req, suspended;
    uint8_t pm_state;

    /* resources (machine lock) */
    GHashTable *resources;      /* id -> VgpuResource */
    uint64_t host_bytes;
    VgpuScanout scanouts[VGPU_NUM_SCANOUTS];
    uint32_t cursor_resource, cursor_x, cursor_y;

    /* the worker thread */
    GThread *worker;
    GMutex wlock;
    GCond wcond;
    bool kick, quit;

    VgpuDisplay display;

    GMutex stats_lock;
    VgpuDeviceStats stats;
};

#define VGPU_STATS_INC(d, field) \
    do { g_mutex_lock(&(d)->stats_lock); (d)->stats.field++; g_mutex_unlock(&(d)->stats_lock); } while (0)

/* vgpu-device.c */
/* NEEDS_RESET, config interrupt once DRIVER_OK, log naming field and value. */
void vgpu_driver_error(VgpuDevice *d, const char *field, uint64_t value, const char *why);
void vgpu_raise_isr(VgpuDevice *d, uint8_t bits);
void vgpu_kick(VgpuDevice *d);  /* wakes the worker */
/* The device reset (status 0 or machine reset): keeps resources while
 * frozen, wipes them otherwise. */
void vgpu_reset(VgpuDevice *d);
bool vgpu_negotiated(const VgpuDevice *d, unsigned bit);

/* vgpu-transport.c */
void vgpu_port_write(void *opaque, uint16_t offset, uint32_t value, unsigned size);
uint32_t vgpu_port_read(void *opaque, uint16_t offset, unsigned size);

/* vgpu-cmd.c */
void vgpu_handle_ctrl(VgpuDevice *d, VgpuElem *e);
void vgpu_handle_cursor(VgpuDevice *d, VgpuElem *e);
void vgpu_resources_destroy_all(VgpuDevice *d);

/* vgpu-spice.c */
int vgpu_display_init(VgpuDevice *d);
void vgpu_display_finish(VgpuDevice *d);
/* Makes the primary w x h (kept if it already is). */
void vgpu_display_set_primary(VgpuDevice *d, uint32_t w, uint32_t h);
void vgpu_display_destroy_primary(VgpuDevice *d);
/* Queues a DRAW_COPY of img's (sx, sy, w, h) to (dx, dy) of the primary. */
void vgpu_display_draw(VgpuDevice *d, pixman_image_t *img, int32_t sx, int32_t sy, int32_t dx,
                       int32_t dy, uint32_t w, uint32_t h);

#endif /* VGPU_PRIVATE_H */
