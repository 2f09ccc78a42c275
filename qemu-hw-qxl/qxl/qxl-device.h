/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qxl-device.h: the QXL PCI display device, as QEMU's hw/display/qxl.c is
 * toward a guest driver and toward a SPICE server.
 *
 * Guest side (the ABI of <spice/qxl_dev.h>, revision QXL_REVISION_STABLE_V12):
 *   BAR0 "ram"  : surface-0 area, command pages, and the QXLRam header (the
 *                 command, cursor and release rings) in its last pages;
 *   BAR1 "vram" : off-screen surfaces;
 *   BAR2 "rom"  : QXLRom and the QXLModes table;
 *   BAR3        : the QXL_IO_* ports, one byte each, written by the guest.
 * Every QXL_IO_* port is served, including the async ones (one at a time:
 * a second before the first completes is a guest bug), FLUSH_SURFACES_ASYNC
 * and FLUSH_RELEASE.  Interrupts: QXL_INTERRUPT_DISPLAY, _CURSOR, _IO_CMD,
 * _ERROR, _CLIENT and _CLIENT_MONITORS_CONFIG, raised into int_pending and
 * signalled on the PCI line while int_pending & int_mask != 0.
 *
 * Modes: UNDEFINED after reset, NATIVE once a primary surface exists.  The
 * legacy VGA mode and the qxl-1 COMPAT mode (QXL_IO_SET_MODE) are left out:
 * no VGA emulation exists in this machine, and no driver of the last ten
 * years uses SET_MODE; the port is answered as a guest bug.
 *
 * Guest bugs (the latch): an invalid port value, memslot, surface id, ring
 * index or a second async I/O raises QXL_INTERRUPT_ERROR, logs the field and
 * value, and makes the device ignore every port but QXL_IO_RESET (and
 * QXL_IO_UPDATE_IRQ, the interrupt acknowledge) until the next reset.  Nothing the guest writes can crash or hang the host.
 *
 * Releases: resources the server releases are chained into the release-ring
 * element under construction (release_info.next) and pushed in bunches of
 * QXL_DEVICE_FREE_BUNCH, or at once on QXL_IO_FLUSH_RELEASE / when the
 * server flushes resources.
 *
 * Resets (QEMU's qxl_hard_reset; the port and the machine reset are the same
 * reset of the device, the machine's also lowers the interrupt line first):
 *   kept:  BAR0/BAR1 contents outside the QXLRam header (surface pixels,
 *          command pages: the guest's RAM survives S3), the ROM as it was
 *          built at creation (modes, geometry, memslot layout), the PCI
 *          identity and BAR addresses;
 *   lost:  the server's memslots, primary and surfaces, cursor and image
 *          cache; ring indices (prod = cons = 0, notify_on_prod = 1), the
 *          release batch, int_pending and int_mask, the guest-bug latch, a
 *          pending async I/O, the mode (back to UNDEFINED), the client's
 *          monitors config in the ROM.
 *
 * Threads: port writes come from the guest's thread with the machine lock
 * held; QXLInterface callbacks run on the SPICE worker thread and never take
 * the machine lock; state they share with the port side has its own locks.
 */
#ifndef QXL_DEVICE_H
#define QXL_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <spice.h>

#include "vm-machine.h"

/* QEMU's numbers, so drivers see what they see there. */
#define QXL_DEVICE_NUM_MEMSLOTS 8
#define QXL_DEVICE_SLOT_GEN_BITS 8
#define QXL_DEVICE_SLOT_ID_BITS 8
#define QXL_DEVICE_SLOTS_START 1
#define QXL_DEVICE_MEMSLOT_GROUP_HOST 0
#define QXL_DEVICE_MEMSLOT_GROUP_GUEST 1
#define QXL_DEVICE_FREE_BUNCH 32

typedef struct QxlDevice QxlDevice;

typedef struct QxlDeviceConfig {
    int id;                     /* QXLInstance id (display channel id) */
    uint64_t bar_gpa;           /* guest-physical address of BAR0; the others follow */
    uint16_t io_base;           /* first I/O port of BAR3 */
    unsigned irq_line;
    uint32_t ram_size;          /* BAR0, power of two, >= 2 * vgamem */
    uint32_t vgamem_size;       /* surface-0 area at the start of BAR0 */
    uint32_t vram_size;         /* BAR1 */
    uint32_t n_surfaces;        /* ROM n_surfaces, <= 65536 */
} QxlDeviceConfig;

/* QEMU's defaults scaled for a small machine: 32 MiB BAR0 with a 16 MiB
 * surface-0 area, 16 MiB BAR1, 1024 surfaces. */
void qxl_device_default_config(QxlDeviceConfig *cfg);

/* Creates the device in vm (BARs, ports, PCI function, reset handler) and
 * adds it to the server (spice_server_add_interface).  NULL on failure. */
QxlDevice *qxl_device_create(VmMachine *vm, SpiceServer *server, const QxlDeviceConfig *cfg);
/* Removes it from the server and frees it (after the guest stopped). NULL ok. */
void qxl_device_destroy(QxlDevice *dev);

VmPciDevice *qxl_device_pci(QxlDevice *dev);
QXLInstance *qxl_device_instance(QxlDevice *dev);

/* Counters, for tests and the runner's status. */
typedef struct QxlDeviceStats {
    uint64_t io_writes[QXL_IO_RANGE_SIZE];
    uint64_t guest_bugs;
    uint64_t commands, cursor_commands;     /* popped from the rings */
    uint64_t releases;                      /* release_resource calls */
    uint64_t release_pushes;                /* elements pushed onto the release ring */
    uint64_t async_completions;
    uint64_t resets;
    char last_guest_bug[160];

    /* The S3 audit: what the guest left behind as the machine entered S3
     * (counted over all entries), and surface destroys that came while
     * drawing commands were pushed after the last flush (a server that
     * renders lazily, like spice-server, drops those draws: the seed-004
     * order is flush, then destroy). */
    uint64_t s3_entries;
    uint64_t s3_unflushed_releases;  /* released, never pushed to the ring */
    uint64_t s3_ring_commands;       /* rings (cmd, cursor) found not empty */
    uint64_t s3_primary_alive;       /* entries with the primary still created */
    uint64_t destroys_before_flush;
    char last_s3_problem[160];
} QxlDeviceStats;
void qxl_device_get_stats(QxlDevice *dev, QxlDeviceStats *out);
bool qxl_device_in_guest_bug(QxlDevice *dev);
/* Whether an interrupt can still come from the device's worker: an async
 * I/O not completed yet, or a command on a ring it pulls from.  Call it from
 * the port writer's side (the machine lock's); a harness that waits for
 * interrupts skips waits that could only time out. */
bool qxl_device_worker_has_work(QxlDevice *dev);

#endif /* QXL_DEVICE_H */
