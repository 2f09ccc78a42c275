/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-box.h (internal to the worker): comparisons of pixman boxes (x2, y2
 * exclusive) that the worker's hot paths make without a region: video
 * detection's rectangles, the scan for covered queued commands, the test
 * whether a drawing wrote its whole bbox. */
#ifndef RED_BOX_H
#define RED_BOX_H

#include <stdbool.h>

#include <pixman.h>

static inline bool red_box_equal(const pixman_box32_t *a, const pixman_box32_t *b)
{
    return a->x1 == b->x1 && a->y1 == b->y1 && a->x2 == b->x2 && a->y2 == b->y2;
}

/* Is all of `in` inside `out`? */
static inline bool red_box_inside(const pixman_box32_t *in, const pixman_box32_t *out)
{
    return in->x1 >= out->x1 && in->y1 >= out->y1 && in->x2 <= out->x2 && in->y2 <= out->y2;
}

static inline bool red_box_overlaps(const pixman_box32_t *a, const pixman_box32_t *b)
{
    return a->x1 < b->x2 && b->x1 < a->x2 && a->y1 < b->y2 && b->y1 < a->y2;
}

#endif /* RED_BOX_H */
