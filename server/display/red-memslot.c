/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-memslot.c: QXL address translation through the memslots. */
#include "config.h"

#include "red-memslot.h"

#include <glib.h>

#include "red-log.h"

typedef struct RedMemSlot {
    bool used;
    uint8_t generation;
    uint64_t virt_start, virt_end; /* host addresses, end exclusive */
    uint64_t delta;                /* host = offset + delta */
} RedMemSlot;

struct RedMemSlots {
    uint32_t num_groups, num_slots;
    uint8_t gen_bits, id_bits;
    uint64_t offset_mask;
    RedMemSlot *slots; /* num_groups * num_slots */
};

RedMemSlots *red_memslots_new(uint32_t num_groups, uint32_t num_slots, uint8_t gen_bits,
                              uint8_t id_bits)
{
    if (num_groups == 0 || num_groups > RED_MEMSLOT_MAX_GROUPS || num_slots == 0 ||
        num_slots > RED_MEMSLOT_MAX_SLOTS || (unsigned)gen_bits + id_bits >= 64 ||
        gen_bits > 8 || id_bits > 16) {
        return NULL;
    }
    RedMemSlots *m = g_new0(RedMemSlots, 1);
    m->num_groups = num_groups;
    m->num_slots = num_slots;
    m->gen_bits = gen_bits;
    m->id_bits = id_bits;
    m->offset_mask = ~UINT64_C(0) >> (gen_bits + id_bits);
    m->slots = g_new0(RedMemSlot, (gsize)num_groups * num_slots);
    return m;
}

void red_memslots_free(RedMemSlots *m)
{
    if (m == NULL) {
        return;
    }
    g_free(m->slots);
    g_free(m);
}

static RedMemSlot *slot_at(const RedMemSlots *m, uint32_t group_id, uint32_t slot_id)
{
    if (group_id >= m->num_groups || slot_id >= m->num_slots) {
        return NULL;
    }
    return &m->slots[(size_t)group_id * m->num_slots + slot_id];
}

int red_memslots_add(RedMemSlots *m, const QXLDevMemSlot *s)
{
    RedMemSlot *slot = slot_at(m, s->slot_group_id, s->slot_id);
    if (slot == NULL || s->virt_end < s->virt_start) {
        return -1;
    }
    slot->used = true;
    slot->generation = (uint8_t)s->generation;
    slot->virt_start = s->virt_start;
    slot->virt_end = s->virt_end;
    slot->delta = s->addr_delta;
    return 0;
}

void red_memslots_del(RedMemSlots *m, uint32_t group_id, uint32_t slot_id)
{
    RedMemSlot *slot = slot_at(m, group_id, slot_id);
    if (slot) {
        slot->used = false;
    }
}

void red_memslots_reset(RedMemSlots *m)
{
    for (size_t i = 0; i < (size_t)m->num_groups * m->num_slots; i++) {
        m->slots[i].used = false;
    }
}

void *red_memslots_try_translate(const RedMemSlots *m, uint32_t group_id, QXLPHYSICAL addr,
                                 uint64_t size, const char **why)
{
    uint32_t slot_id = m->id_bits ? (uint32_t)(addr >> (64 - m->id_bits)) : 0;
    unsigned gen_shift = 64 - m->id_bits - m->gen_bits;
    uint8_t gen = m->gen_bits ? (uint8_t)((addr >> gen_shift) & ((1u << m->gen_bits) - 1)) : 0;
    RedMemSlot *slot = slot_at(m, group_id, slot_id);
    if (size == 0) {
        *why = "empty range";
    } else if (slot == NULL) {
        *why = "slot or group out of range";
    } else if (!slot->used) {
        *why = "slot not in use";
    } else if (gen != slot->generation) {
        *why = "stale generation";
    } else {
        /* Unsigned wrap is defined; the range checks below catch it. */
        uint64_t host = (addr & m->offset_mask) + slot->delta;
        if (host < slot->virt_start || host > slot->virt_end ||
            size > slot->virt_end - host) {
            *why = "range outside the slot";
        } else {
            return (void *)(uintptr_t)host;
        }
    }
    return NULL;
}

void *red_memslots_translate(const RedMemSlots *m, uint32_t group_id, QXLPHYSICAL addr,
                             uint64_t size)
{
    const char *why = NULL;
    void *p = red_memslots_try_translate(m, group_id, addr, size, &why);
    if (p == NULL) {
        red_log_warn("guest error: address 0x%" G_GINT64_MODIFIER "x size %" G_GUINT64_FORMAT
                     " group %u: %s", (guint64)addr, (guint64)size, group_id, why);
    }
    return p;
}
