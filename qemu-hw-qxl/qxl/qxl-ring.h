/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qxl-ring.h: the device's end of a SPICE ring in guest-shared memory
 * (<spice/ipc_ring.h> layout: num_items, prod, notify_on_prod, cons,
 * notify_on_cons, then the items).
 *
 * The guest can write every field at any time, so the size is our constant
 * (never the num_items the guest could change), indices are read once with
 * acquire semantics, and producer/consumer distances past the size are
 * reported as broken instead of being used.
 */
#ifndef QXL_RING_H
#define QXL_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct QxlRing {
    uint8_t *base;          /* the ring header in BAR memory */
    uint32_t num_items;     /* power of two */
    size_t item_size;
} QxlRing;

typedef enum QxlRingStatus {
    QXL_RING_OK,
    QXL_RING_EMPTY,         /* pop: nothing there */
    QXL_RING_FULL,          /* producer: no room */
    QXL_RING_BROKEN,        /* prod - cons > num_items: a guest bug */
} QxlRingStatus;

void qxl_ring_init(QxlRing *r, void *base, uint32_t num_items, size_t item_size);
/* Resets the shared header: prod = cons = 0, notify_on_prod = 1. */
void qxl_ring_reset(QxlRing *r);

/* Consumer: copies the item at cons and advances it. *notify is set when
 * the producer asked to be told (cons reached notify_on_cons). */
QxlRingStatus qxl_ring_pop(QxlRing *r, void *item, bool *notify);
/* Consumer going to sleep: asks for a notification on the next push.
 * Returns true if the ring is still empty (sleep), false if not. */
bool qxl_ring_wait_for_push(QxlRing *r);
/* The producer index as the guest last wrote it (a number only: used for
 * bookkeeping, never to address memory). */
uint32_t qxl_ring_prod_index(QxlRing *r);
/* True when empty; false when not or broken. */
bool qxl_ring_is_empty(QxlRing *r);

/* Producer side of the release ring: the 64-bit slot at prod (the element
 * under construction), or NULL if the indices are broken. */
uint64_t *qxl_ring_prod_item(QxlRing *r);
/* Producer: is there room to push while keeping one slot for the next
 * element under construction? */
QxlRingStatus qxl_ring_can_push(QxlRing *r);
/* Producer: advances prod. Returns true if the consumer asked to be told. */
bool qxl_ring_push(QxlRing *r);

#endif /* QXL_RING_H */
