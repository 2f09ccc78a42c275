/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gqxl-alloc.h: a first-fit allocator over a range of device memory, by
 * offset (the driver turns offsets into QXL addresses and host pointers).
 * init/finish; not thread-safe (the guest driver has one thread). */
#ifndef GQXL_ALLOC_H
#define GQXL_ALLOC_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

typedef struct GqxlHeap {
    uint64_t base, size;
    GArray *free;               /* sorted, coalesced extents {offset, length} */
    GHashTable *used;           /* offset -> length */
    uint64_t used_bytes;
} GqxlHeap;

void gqxl_heap_init(GqxlHeap *h, uint64_t base, uint64_t size);
void gqxl_heap_finish(GqxlHeap *h);
/* Offset of size bytes aligned to align (power of two), or UINT64_MAX. */
uint64_t gqxl_heap_alloc(GqxlHeap *h, uint64_t size, uint64_t align);
/* Frees an allocation; false if offset is not one. */
bool gqxl_heap_free(GqxlHeap *h, uint64_t offset);
unsigned gqxl_heap_count(const GqxlHeap *h);

#endif /* GQXL_ALLOC_H */
