/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-cursor-parse.h: commands of the QXL cursor ring.
 *
 * A SET carries a shape, copied out of guest memory (it outlives the
 * command, which is released at once) after its size was checked against
 * its type: a client copies exactly the bytes the type implies, so a short
 * shape would make it read past the message.
 * Thread: the display worker.
 */
#ifndef RED_CURSOR_PARSE_H
#define RED_CURSOR_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include <spice.h>

#include "red-memslot.h"

/* spice-gtk and Windows cap cursors well below this. */
#define RED_CURSOR_MAX_DIM 512

typedef struct RedCursorShape {
    uint64_t unique;
    uint16_t type;              /* SPICE_CURSOR_TYPE_* */
    uint16_t width, height, hot_x, hot_y;
    uint8_t *data;
    uint32_t data_size;
} RedCursorShape;

typedef struct RedCursorCommand {
    uint8_t type;               /* QXL_CURSOR_* */
    int16_t x, y;
    bool visible;
    uint16_t trail_length, trail_frequency;
    RedCursorShape *shape;      /* SET only; owned by the caller */
    QXLReleaseInfo *release_info;
} RedCursorCommand;

/* Parses the QXLCursorCmd at addr. 0, or -1 (logged) for a guest error;
 * release_info is set whenever the command itself was readable. */
int red_cursor_parse(const RedMemSlots *slots, uint32_t group_id, QXLPHYSICAL addr,
                     RedCursorCommand *out);
void red_cursor_shape_free(RedCursorShape *shape); /* NULL ok */

/* Bytes a shape of this type and size needs at least, 0 if invalid. */
uint64_t red_cursor_shape_min_size(uint16_t type, uint16_t width, uint16_t height);

#endif /* RED_CURSOR_PARSE_H */
