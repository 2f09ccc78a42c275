// SPDX-License-Identifier: GPL-2.0-or-later
/* regress-cursor-util.h: a QXLCursorCmd + QXLCursor laid out in
 * RegressGuestMem, for the cursor regression programs.
 *
 * The command is at REGRESS_CURSOR_CMD, the shape at REGRESS_CURSOR_SHAPE
 * (one chunk holding data_size bytes right after the header). */
#ifndef REGRESS_CURSOR_UTIL_H
#define REGRESS_CURSOR_UTIL_H

#include <stdint.h>

#include "red-cursor-parse.h"
#include "regress-guest-mem.h"

#define REGRESS_CURSOR_CMD 0x100
#define REGRESS_CURSOR_SHAPE 0x200

/* Writes a SET command with this shape; chunk_bytes is what the chunk
 * says it holds (normally data_size). */
void regress_cursor_put(RegressGuestMem *m, uint16_t type, uint16_t width, uint16_t height,
                        uint32_t data_size, uint32_t chunk_bytes);
/* A shape the parser returned is safe for every client: its data holds at
 * least what its type and size imply, hot spot inside. */
int regress_cursor_shape_consistent(const RedCursorShape *s);

#endif /* REGRESS_CURSOR_UTIL_H */
