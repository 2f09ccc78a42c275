/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-cull.h: drawables of one batch that a later one hides.
 *
 * The worker handles the display ring's commands in batches: those it
 * pulls while the guest keeps the ring busy (red-worker-commands.c).
 * A drawable on the primary whose whole area a later drawable of the same
 * batch overwrites, with nothing in between reading those pixels from
 * elsewhere, changes nothing anyone will see: it is released to the guest
 * without being read or rendered.  Spice-server drops such drawables from
 * its tree too; here it saves the pixel work (a guest that draws faster
 * than we render fills whole batches with frames the next one covers).
 *
 * What overwrites: a solid fill and an image copy, with OP_PUT, no mask and
 * no clip list, and the blackness and whiteness fills.  What reads pixels
 * from elsewhere and so ends the look-back: copy-bits, a copy from a
 * surface image, a drawable on another surface or with surface
 * dependencies, and every type not named here.  The guest's own
 * `effect` claim is not used.  The decision only skips work: every
 * drawable that is rendered is read and checked again (red-render.h), so
 * a guest that rewrites a drawable after this look loses only its own
 * picture.
 *
 * Thread: the display worker.
 */
#ifndef RED_CULL_H
#define RED_CULL_H

#include <stdbool.h>
#include <stdint.h>

#include <pixman.h>
#include <spice.h>

#include "red-memslot.h"

/* What red_cull_hidden says of one command. */
typedef struct RedCullMark {
    bool hidden;
    uint8_t draw_type;          /* a hidden drawable's type (QXL_DRAW_*) */
    pixman_box32_t box;         /* and its box on the primary */
} RedCullMark;

/* Marks each command of cmds[0..n) that a later one hides on the primary.
 * The batch grows between calls: a command marked hidden on entry stays so
 * (what hid it is still there), and is passed over, as the caller may have
 * released it already; what it overwrites, what hid it overwrites too.
 * A new command's mark starts zeroed.  Returns how many are hidden now. */
unsigned red_cull_hidden(const RedMemSlots *slots, const QXLCommandExt *cmds, unsigned n,
                         RedCullMark *marks);

/* Whether drawable d (already copied out of guest memory) writes every
 * pixel of its bbox without reading any: what hides another above. */
bool red_cull_overwrites(const RedMemSlots *slots, uint32_t group_id, const QXLDrawable *d);

#endif /* RED_CULL_H */
