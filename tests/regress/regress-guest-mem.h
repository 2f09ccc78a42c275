// SPDX-License-Identifier: GPL-2.0-or-later
/* regress-guest-mem.h: a piece of "guest memory" behind our server's
 * memslot gate, for regression programs that feed a hostile QXL structure
 * straight to a server parser (red-cursor-parse, red-image, red-chunks)
 * with no VM.
 *
 * The memory is page-aligned (mmap), so a program can also mprotect it.
 * It is slot REGRESS_SLOT of group REGRESS_GROUP, generation REGRESS_GEN,
 * in a table of QEMU's geometry (2 groups of 8 slots, 8 generation bits,
 * 8 slot-id bits); guest offset 0 is the first byte. */
#ifndef REGRESS_GUEST_MEM_H
#define REGRESS_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "red-memslot.h"

#define REGRESS_GROUPS 2
#define REGRESS_SLOTS 8
#define REGRESS_GEN_BITS 8
#define REGRESS_ID_BITS 8
#define REGRESS_GROUP 1
#define REGRESS_SLOT 1
#define REGRESS_GEN 3

typedef struct RegressGuestMem {
    RedMemSlots *slots;
    uint8_t *base;
    size_t size;
} RegressGuestMem;

/* size bytes (rounded up to pages), zeroed, added as the slot. Exits the
 * program on failure (nothing to test then). */
void regress_mem_init(RegressGuestMem *m, size_t size);
void regress_mem_finish(RegressGuestMem *m);

/* The QXL address of guest offset `off` in our slot. */
QXLPHYSICAL regress_mem_addr(const RegressGuestMem *m, uint64_t off);
/* A QXL address naming any slot id and generation. */
QXLPHYSICAL regress_mem_addr_any(uint32_t slot, uint32_t gen, uint64_t off);
/* Host pointer to guest offset `off` (the test writes through it). */
void *regress_mem_at(const RegressGuestMem *m, uint64_t off);

#endif /* REGRESS_GUEST_MEM_H */
