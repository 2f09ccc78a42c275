// SPDX-License-Identifier: GPL-2.0-or-later
/* regress-cursor-util.c: hostile cursor commands in guest memory. */
#include "config.h"

#include "regress-cursor-util.h"

#include <stddef.h>
#include <string.h>

#include <spice/enums.h>
#include <spice/qxl_dev.h>

void regress_cursor_put(RegressGuestMem *m, uint16_t type, uint16_t width, uint16_t height,
                        uint32_t data_size, uint32_t chunk_bytes)
{
    QXLCursorCmd cmd;
    memset(&cmd, 0, sizeof(cmd));
    cmd.release_info.id = 0x77;
    cmd.type = QXL_CURSOR_SET;
    cmd.u.set.visible = 1;
    cmd.u.set.shape = regress_mem_addr(m, REGRESS_CURSOR_SHAPE);
    memcpy(regress_mem_at(m, REGRESS_CURSOR_CMD), &cmd, sizeof(cmd));
    QXLCursor c;
    memset(&c, 0, sizeof(c));
    c.header = (QXLCursorHeader){ .unique = 1, .type = type, .width = width, .height = height,
                                  .hot_spot_x = 1, .hot_spot_y = 1 };
    c.data_size = data_size;
    c.chunk.data_size = chunk_bytes;
    memcpy(regress_mem_at(m, REGRESS_CURSOR_SHAPE), &c, sizeof(c));
}

int regress_cursor_shape_consistent(const RedCursorShape *s)
{
    uint64_t need = red_cursor_shape_min_size(s->type, s->width, s->height);
    return need != 0 && s->data_size >= need && s->hot_x < s->width && s->hot_y < s->height;
}
