/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gqxl-hw.h: the guest driver's view of a QXL device: probe, ports,
 * interrupts, rings, memslots and the release ring.
 *
 * Runs on the guest's thread and touches the device only as a real driver
 * can: BAR memory (through the machine's guest-physical mapping), port
 * writes, the PCI config space and the interrupt line.  Everything read
 * from the device (ROM fields, ring indices, release ids) is range-checked.
 * Interrupts are taken when the driver waits (there is one guest thread):
 * gqxl_hw_wait() sleeps on the line, then acknowledges like Linux's handler
 * (int_pending exchanged with 0, int_mask rewritten, QXL_IO_UPDATE_IRQ).
 */
#ifndef GQXL_HW_H
#define GQXL_HW_H

#include <stdbool.h>
#include <stdint.h>

#include <spice/qxl_dev.h>

#include "gqxl-alloc.h"
#include "gbus.h"

/* Linux waits 5 s for an async I/O; so do we, then give up with an error. */
#define GQXL_IO_TIMEOUT_US (5 * G_USEC_PER_SEC)
/* The interrupts a driver listens to (Linux's QXL_INTERRUPT_MASK, plus
 * ERROR so that the guest-bug latch is noticed at once). */
#define GQXL_INT_MASK (QXL_INTERRUPT_DISPLAY | QXL_INTERRUPT_CURSOR | QXL_INTERRUPT_IO_CMD | \
                       QXL_INTERRUPT_ERROR | QXL_INTERRUPT_CLIENT_MONITORS_CONFIG)
#define GQXL_MAIN_SLOT 0
#define GQXL_SURF_SLOT 1

typedef enum GqxlRingId { GQXL_RING_CMD, GQXL_RING_CURSOR } GqxlRingId;

typedef struct GqxlHw {
    const Gbus *bus;
    GbusPci *pci;
    unsigned irq_line;
    GbusPciBar rom_bar;         /* BAR 2, the ROM */
    uint16_t io_base;
    uint8_t *bar_ram, *bar_vram;
    uint64_t bar_ram_gpa, bar_vram_gpa;
    uint32_t bar_ram_size, bar_vram_size;
    QXLRom rom;                 /* a checked copy of the ROM */
    const QXLModes *modes;      /* in the ROM BAR; n_modes checked */
    uint32_t n_modes;
    QXLRam *ram;
    uint8_t slot_ids[2];
    uint64_t slot_high_bits[2];

    /* Memory the driver hands to the device: commands and images in BAR0
     * pages, surfaces in BAR1, each a range of the main/surface memslot. */
    GqxlHeap cmd_heap, surf_heap;

    /* interrupt counts, by source */
    uint64_t irq_io_cmd, irq_display, irq_cursor, irq_error, irq_client_monitors;
} GqxlHw;

/* Finds the index-th QXL function and checks its ROM (magic, revision,
 * offsets inside the BARs). -1 with a log line if anything is off. */
int gqxl_hw_probe(GqxlHw *hw, const Gbus *bus, unsigned index);
void gqxl_hw_finish(GqxlHw *hw);

void gqxl_hw_out(GqxlHw *hw, uint32_t port, uint8_t value);
/* Takes pending interrupts (counts them, acks them). Returns the bits. */
uint32_t gqxl_hw_take_irq(GqxlHw *hw);
/* Waits until one of `bits` was taken or the deadline passes. Returns the
 * bits seen (0 on timeout). */
uint32_t gqxl_hw_wait(GqxlHw *hw, uint32_t bits, int64_t deadline_us);
/* An async port: write it, wait for IO_CMD. -1 on timeout or ERROR. */
int gqxl_hw_async_io(GqxlHw *hw, uint32_t port, uint8_t value);

/* QXL_IO_RESET, int_mask, both memslots (async adds): the device's state
 * after probe and after every resume from S3. */
int gqxl_hw_setup(GqxlHw *hw);

/* A QXL address of an offset inside a slot's range. */
uint64_t gqxl_hw_phys(const GqxlHw *hw, int slot, uint64_t offset);
/* Host pointer of a heap allocation / QXL address of it. */
void *gqxl_hw_cmd_ptr(GqxlHw *hw, uint64_t offset);
uint64_t gqxl_hw_cmd_phys(const GqxlHw *hw, uint64_t offset);

/* Pushes a command; waits (interrupt, deadline) while the ring is full.
 * Kicks the device when it asked for it.  -1 on timeout. */
int gqxl_hw_push(GqxlHw *hw, GqxlRingId ring, uint64_t phys, uint32_t type);
bool gqxl_hw_ring_idle(GqxlHw *hw, GqxlRingId ring);

/* Pops one release-ring element: the first id of a chain. 1, or 0 if the
 * ring is empty (then asks for an interrupt on the next push). */
int gqxl_hw_release_pop(GqxlHw *hw, uint64_t *id);

#endif /* GQXL_HW_H */
