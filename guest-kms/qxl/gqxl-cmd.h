/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gqxl-cmd.h: building QXL commands in device memory and getting that
 * memory back from the release ring.
 *
 * Every command lives in one allocation of the BAR0 command heap whose
 * first bytes are its QXLReleaseInfo; the release id is the allocation's
 * offset, so a released id leads back to the allocation (and, through
 * release_info.next, to the next released one).  Images a command points
 * to are extra allocations owned by the command and freed with it.
 */
#ifndef GQXL_CMD_H
#define GQXL_CMD_H

#include <stdint.h>

#include <pixman.h>

#include "gqxl-hw.h"

/* Every allocation the device may still read, by release id. */
typedef struct GqxlReleases {
    GHashTable *owned;          /* release id -> GArray of extra offsets (images) */
    uint64_t submitted, released;
} GqxlReleases;

void gqxl_releases_init(GqxlReleases *r);
void gqxl_releases_finish(GqxlReleases *r, GqxlHw *hw);
/* Pops the whole release ring and frees what it names. Returns the number
 * of commands freed; -1 if the device named something we never gave it. */
int gqxl_releases_collect(GqxlReleases *r, GqxlHw *hw);
unsigned gqxl_releases_outstanding(const GqxlReleases *r);
/* After a device reset nothing the device held is referenced any more:
 * frees every outstanding command as if released. Returns how many. */
unsigned gqxl_releases_reclaim_after_reset(GqxlReleases *r, GqxlHw *hw);

/* Draws: each allocates, fills and pushes one command; -1 if device memory
 * is exhausted even after collecting releases, or the ring stayed full. */
int gqxl_cmd_fill(GqxlHw *hw, GqxlReleases *r, uint32_t surface_id, const QXLRect *box,
                  uint32_t color);
/* Copies a rectangle of a host image (x8r8g8b8) to (x, y) of a surface: the
 * pixels go into device memory as a bitmap image in a chunk. */
int gqxl_cmd_blit(GqxlHw *hw, GqxlReleases *r, uint32_t surface_id, pixman_image_t *src,
                  const QXLRect *src_box, int32_t x, int32_t y);
/* Copies a rectangle of surface src_id to (x, y) of surface dst_id. */
int gqxl_cmd_copy_surface(GqxlHw *hw, GqxlReleases *r, uint32_t dst_id, uint32_t src_id,
                          const QXLRect *src_box, int32_t x, int32_t y);
int gqxl_cmd_surface_create(GqxlHw *hw, GqxlReleases *r, uint32_t surface_id, uint32_t width,
                            uint32_t height, uint64_t vram_offset, bool keep_data);
int gqxl_cmd_surface_destroy(GqxlHw *hw, GqxlReleases *r, uint32_t surface_id);
int gqxl_cmd_cursor_set(GqxlHw *hw, GqxlReleases *r, pixman_image_t *argb, uint16_t hot_x,
                        uint16_t hot_y, int16_t x, int16_t y);
int gqxl_cmd_cursor_move(GqxlHw *hw, GqxlReleases *r, int16_t x, int16_t y);
int gqxl_cmd_cursor_hide(GqxlHw *hw, GqxlReleases *r);

#endif /* GQXL_CMD_H */
