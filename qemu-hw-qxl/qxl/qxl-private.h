/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qxl-private.h (internal to qxl/): the device state shared by its files. */
#ifndef QXL_PRIVATE_H
#define QXL_PRIVATE_H

#include <glib.h>
#include <spice/qxl_dev.h>

#include "qxl-device.h"
#include "qxl-ring.h"
#include "vm-log.h"

#define QXL_UNDEFINED_IO UINT32_MAX

/* async_complete cookies: the I/O port in the low bits, a tag above, so a
 * cookie we did not issue is recognised. */
#define QXL_COOKIE_TAG UINT64_C(0x5158430000000000) /* "QXC" */
#define QXL_COOKIE_IO(io) (QXL_COOKIE_TAG | (uint64_t)(io))

typedef enum QxlMode {
    QXL_DEVICE_MODE_UNDEFINED,
    QXL_DEVICE_MODE_NATIVE,
} QxlMode;

typedef struct QxlGuestSlot {
    bool active;
    uint64_t start, end;        /* guest-physical, as the guest gave them */
} QxlGuestSlot;

struct QxlDevice {
    VmMachine *vm;
    VmIrq *irq;
    SpiceServer *server;
    QXLInstance qxl;            /* its id is the display channel id */
    QxlDeviceConfig cfg;
    VmPciDevice pci;

    VmRegion *bar_ram, *bar_vram, *bar_rom;
    QXLRom *rom;                /* in BAR2 */
    QXLRom shadow_rom;          /* what a reset restores */
    QXLRam *ram;                /* the header at the end of BAR0 */
    uint32_t ram_header_offset;
    QxlRing cmd_ring, cursor_ring, release_ring;

    /* port side (machine lock) */
    QxlMode mode;
    bool primary_created;
    uint32_t cmd_prod_at_flush;  /* command ring prod at the last flush */
    QxlGuestSlot slots[QXL_DEVICE_NUM_MEMSLOTS];
    gint guest_bug;             /* atomic: also read by the worker */

    /* shared with the worker thread */
    GMutex async_lock;
    uint32_t current_async;     /* QXL_UNDEFINED_IO when none */
    GMutex release_lock;
    uint32_t num_free_res;
    QXLReleaseInfo *last_release;
    bool oom_running;

    GMutex stats_lock;
    QxlDeviceStats stats;
    /* The line follows int_pending & int_mask: reading them and setting the
     * line is one step, or a worker's raise and the guest's acknowledge can
     * interleave and leave the line low with an interrupt pending. */
    GMutex irq_lock;
};

/* qxl-device.c */
void qxl_send_events(QxlDevice *d, uint32_t events);
void qxl_update_irq(QxlDevice *d);
/* Raises the latch: error interrupt, log line naming field and value. */
void qxl_guest_bug(QxlDevice *d, const char *field, uint64_t value, const char *why);
void qxl_hard_reset(QxlDevice *d);
/* Pushes the release element under construction (flush: even a partial
 * bunch). Takes release_lock. */
void qxl_push_free_res(QxlDevice *d, bool flush);
/* Host address of [gpa, gpa + size) if inside BAR0 or BAR1, else NULL. */
uint8_t *qxl_bar_host(QxlDevice *d, uint64_t gpa, uint64_t size);
#define QXL_STATS_INC(d, field) \
    do { g_mutex_lock(&(d)->stats_lock); (d)->stats.field++; g_mutex_unlock(&(d)->stats_lock); } while (0)

/* qxl-ports.c */
void qxl_ioport_write(void *opaque, uint16_t offset, uint32_t value, unsigned size);
uint32_t qxl_ioport_read(void *opaque, uint16_t offset, unsigned size);
/* Completes an async I/O with no server call behind it (IO_CMD interrupt). */
void qxl_async_cancel(QxlDevice *d);

/* qxl-spice.c */
extern const QXLInterface qxl_device_interface;
uint32_t qxl_crc32(const uint8_t *p, size_t n);

#endif /* QXL_PRIVATE_H */
