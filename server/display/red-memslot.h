/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-memslot.h: the one gate between QXL addresses and host memory.
 *
 * A QXLPHYSICAL holds a slot id in its top `id_bits`, a generation in the
 * next `gen_bits` and an offset below them.  A translation succeeds only if
 * the slot's group is the one the command came from, the slot is in use, the
 * generation matches, and the whole [address, address + size) range lies
 * inside the slot.  Every guest pointer the server follows goes through
 * red_memslots_translate() with the size it is about to read.
 *
 * Thread: the display worker only.
 */
#ifndef RED_MEMSLOT_H
#define RED_MEMSLOT_H

#include <stdbool.h>
#include <stdint.h>

#include <spice.h>

/* QEMU uses 2 groups of 8 slots; the real server accepts up to 256 slots.
 * More than this is a broken device, refused at creation. */
#define RED_MEMSLOT_MAX_GROUPS 16
#define RED_MEMSLOT_MAX_SLOTS 256

typedef struct RedMemSlots RedMemSlots;

/* NULL if the geometry is out of range (no groups/slots, too many, or
 * id_bits + gen_bits leaving no offset bits). */
RedMemSlots *red_memslots_new(uint32_t num_groups, uint32_t num_slots, uint8_t gen_bits,
                              uint8_t id_bits);
void red_memslots_free(RedMemSlots *m); /* NULL ok */

/* Adds (or replaces) a slot. -1 if the group or slot id is out of range or
 * virt_end < virt_start. */
int red_memslots_add(RedMemSlots *m, const QXLDevMemSlot *slot);
void red_memslots_del(RedMemSlots *m, uint32_t group_id, uint32_t slot_id);
void red_memslots_reset(RedMemSlots *m);

/* Host pointer for `size` bytes at addr, or NULL (logged with the address
 * and the reason). size 0 is refused: callers always read something. */
void *red_memslots_translate(const RedMemSlots *m, uint32_t group_id, QXLPHYSICAL addr,
                             uint64_t size);

/* Like red_memslots_translate but silent, for probing. */
void *red_memslots_try_translate(const RedMemSlots *m, uint32_t group_id, QXLPHYSICAL addr,
                                 uint64_t size, const char **why);

#endif /* RED_MEMSLOT_H */
