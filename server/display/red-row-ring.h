/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-row-ring.h: a buffer of rows that wraps around.
 *
 * The buffer's memory is mapped twice, back to back, so that row r + rows
 * is row r again: any run of up to `rows` consecutive rows, from any first
 * row below `rows`, is one range of addresses that pixman can draw into.
 * A surface kept in it scrolls by moving its first row, never its pixels
 * (red_surface_scroll). */
#ifndef RED_ROW_RING_H
#define RED_ROW_RING_H

#include <stddef.h>
#include <stdint.h>

typedef struct RedRowRing {
    uint8_t *base;      /* 2 * rows * stride bytes of addresses; NULL: none */
    size_t bytes;       /* rows * stride: the memory, mapped twice */
    uint32_t rows;
} RedRowRing;

/* Makes a ring of at least min_rows rows of `stride` bytes, rounded up so
 * that the memory is whole pages (the second mapping starts on a page).
 * -1, with ring->base NULL, where the system refuses (no memfd, no
 * address space, sizes past what a mapping takes): the caller then does
 * without. */
int red_row_ring_init(RedRowRing *ring, size_t stride, uint32_t min_rows);
/* Unmaps the ring; a no-op on one that red_row_ring_init refused. */
void red_row_ring_fini(RedRowRing *ring);

#endif /* RED_ROW_RING_H */
