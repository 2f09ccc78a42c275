/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qxl-ring.c: SPICE rings shared with an untrusted guest. */
#include "config.h"

#include "qxl-ring.h"

#include <string.h>

enum { OFF_NUM_ITEMS = 0, OFF_PROD = 4, OFF_NOTIFY_ON_PROD = 8, OFF_CONS = 12,
       OFF_NOTIFY_ON_CONS = 16, OFF_ITEMS = 20 };

static uint32_t *field(QxlRing *r, size_t off)
{
    return (uint32_t *)(void *)(r->base + off);
}

static uint32_t load(QxlRing *r, size_t off)
{
    return __atomic_load_n(field(r, off), __ATOMIC_ACQUIRE);
}

static void store(QxlRing *r, size_t off, uint32_t v)
{
    __atomic_store_n(field(r, off), v, __ATOMIC_RELEASE);
}

void qxl_ring_init(QxlRing *r, void *base, uint32_t num_items, size_t item_size)
{
    r->base = base;
    r->num_items = num_items;
    r->item_size = item_size;
}

void qxl_ring_reset(QxlRing *r)
{
    store(r, OFF_NUM_ITEMS, r->num_items);
    store(r, OFF_PROD, 0);
    store(r, OFF_NOTIFY_ON_PROD, 1);
    store(r, OFF_CONS, 0);
    store(r, OFF_NOTIFY_ON_CONS, 0);
    memset(r->base + OFF_ITEMS, 0, (size_t)r->num_items * r->item_size);
}

static uint8_t *item_at(QxlRing *r, uint32_t index)
{
    return r->base + OFF_ITEMS + (size_t)(index & (r->num_items - 1)) * r->item_size;
}

QxlRingStatus qxl_ring_pop(QxlRing *r, void *item, bool *notify)
{
    *notify = false;
    uint32_t prod = load(r, OFF_PROD), cons = load(r, OFF_CONS);
    if (prod == cons) {
        return QXL_RING_EMPTY;
    }
    if (prod - cons > r->num_items) {
        return QXL_RING_BROKEN;
    }
    memcpy(item, item_at(r, cons), r->item_size);
    cons++;
    store(r, OFF_CONS, cons);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    *notify = cons == load(r, OFF_NOTIFY_ON_CONS);
    return QXL_RING_OK;
}

bool qxl_ring_wait_for_push(QxlRing *r)
{
    store(r, OFF_NOTIFY_ON_PROD, load(r, OFF_PROD) + 1);
    /* The guest may have pushed between our last pop and the store above;
     * look again after the fence so no notification is lost. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return load(r, OFF_PROD) == load(r, OFF_CONS);
}

bool qxl_ring_is_empty(QxlRing *r)
{
    return load(r, OFF_PROD) == load(r, OFF_CONS);
}

uint64_t *qxl_ring_prod_item(QxlRing *r)
{
    uint32_t prod = load(r, OFF_PROD), cons = load(r, OFF_CONS);
    if (prod - cons > r->num_items) {
        return NULL;
    }
    return (uint64_t *)(void *)item_at(r, prod);
}

QxlRingStatus qxl_ring_can_push(QxlRing *r)
{
    uint32_t prod = load(r, OFF_PROD), cons = load(r, OFF_CONS);
    if (prod - cons >= r->num_items) {
        return prod - cons == r->num_items ? QXL_RING_FULL : QXL_RING_BROKEN;
    }
    /* One slot stays free: it holds the next element under construction. */
    return prod - cons + 1 == r->num_items ? QXL_RING_FULL : QXL_RING_OK;
}

bool qxl_ring_push(QxlRing *r)
{
    uint32_t prod = load(r, OFF_PROD) + 1;
    store(r, OFF_PROD, prod);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return prod == load(r, OFF_NOTIFY_ON_PROD);
}

uint32_t qxl_ring_prod_index(QxlRing *r)
{
    return load(r, OFF_PROD);
}
