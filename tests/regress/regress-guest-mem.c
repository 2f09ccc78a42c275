// SPDX-License-Identifier: GPL-2.0-or-later
/* regress-guest-mem.c: guest memory behind the memslot gate. */
#include "config.h"

#include "regress-guest-mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

void regress_mem_init(RegressGuestMem *m, size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    m->size = (size + page - 1) / page * page;
    m->base = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    m->slots = red_memslots_new(REGRESS_GROUPS, REGRESS_SLOTS, REGRESS_GEN_BITS, REGRESS_ID_BITS);
    QXLDevMemSlot s = {
        .slot_group_id = REGRESS_GROUP, .slot_id = REGRESS_SLOT, .generation = REGRESS_GEN,
        .virt_start = (uintptr_t)m->base, .virt_end = (uintptr_t)m->base + m->size,
        .addr_delta = (uintptr_t)m->base,
    };
    if (m->base == MAP_FAILED || m->slots == NULL || red_memslots_add(m->slots, &s) != 0) {
        fprintf(stderr, "regress: cannot set up guest memory\n");
        exit(1);
    }
}

void regress_mem_finish(RegressGuestMem *m)
{
    red_memslots_free(m->slots);
    munmap(m->base, m->size);
    m->slots = NULL;
    m->base = NULL;
}

QXLPHYSICAL regress_mem_addr_any(uint32_t slot, uint32_t gen, uint64_t off)
{
    const unsigned shift = 64 - REGRESS_GEN_BITS - REGRESS_ID_BITS;
    return ((((uint64_t)slot << REGRESS_GEN_BITS) | gen) << shift) |
           (off & (~UINT64_C(0) >> (64 - shift)));
}

QXLPHYSICAL regress_mem_addr(const RegressGuestMem *m, uint64_t off)
{
    (void)m;
    return regress_mem_addr_any(REGRESS_SLOT, REGRESS_GEN, off);
}

void *regress_mem_at(const RegressGuestMem *m, uint64_t off)
{
    return m->base + off;
}
