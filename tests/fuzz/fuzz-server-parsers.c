/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-server-parsers: libFuzzer target for the server's QXL command
 * parsers on their own, without a VM or a worker thread: the display
 * command renderer (red_render_command: drawables with their images,
 * brushes, clips and chunk lists; surface create/destroy; update and
 * message) and the cursor command parser (red_cursor_parse).
 *
 * Input layout: byte 0 selects the command type (QXL_CMD_* for the display
 * ring, QXL_CMD_CURSOR for the cursor ring), byte 1 its flags, bytes 2-3
 * the command's offset in guest memory (little endian), and the rest is
 * guest memory from offset 0: the structures a hostile guest would lay
 * out.  Guest memory is one page-aligned slot of FUZZ_MEM_SIZE bytes
 * behind the memslot gate, in QEMU's geometry (tests/regress's helper), so
 * every pointer the parsers follow goes through red_memslots_translate;
 * its QXL address is regress_mem_addr(off) (slot 1, generation 3 in the
 * top bytes).  A 64x64 primary lives outside guest memory so that draws
 * land somewhere; every other surface the input creates lives in guest
 * memory, as a guest's would.  State is rebuilt for every input. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "red-cursor-parse.h"
#include "red-render.h"
#include "red-surfaces.h"
#include "regress-guest-mem.h"

#define FUZZ_MEM_SIZE (16u << 10)
#define FUZZ_SURFACES 16
#define FUZZ_PRIMARY_DIM 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_quiet_log(const gchar *domain, GLogLevelFlags level, const gchar *message,
                           gpointer user_data)
{
    (void)domain;
    (void)level;
    (void)message;
    (void)user_data;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static RegressGuestMem mem;
    static uint32_t *primary;
    if (mem.base == NULL) {
        /* Guest errors are logged at warning level: thousands a second. */
        g_log_set_default_handler(fuzz_quiet_log, NULL);
        regress_mem_init(&mem, FUZZ_MEM_SIZE);
        primary = g_new(uint32_t, FUZZ_PRIMARY_DIM * FUZZ_PRIMARY_DIM);
    }
    if (size < 4) {
        return 0;
    }
    uint8_t type = data[0], flags = data[1];
    uint64_t off = (uint64_t)data[2] | (uint64_t)data[3] << 8;
    size_t n = MIN(size - 4, (size_t)FUZZ_MEM_SIZE);
    memset(mem.base, 0, FUZZ_MEM_SIZE);
    memcpy(mem.base, data + 4, n);

    QXLPHYSICAL addr = regress_mem_addr(&mem, off);
    if (type == QXL_CMD_CURSOR) {
        RedCursorCommand cmd;
        if (red_cursor_parse(mem.slots, REGRESS_GROUP, addr, &cmd) == 0) {
            red_cursor_shape_free(cmd.shape);
        }
        return 0;
    }

    RedSurfaces surfaces;
    if (red_surfaces_init(&surfaces, FUZZ_SURFACES) != 0) {
        return 0;
    }
    memset(primary, 0, FUZZ_PRIMARY_DIM * FUZZ_PRIMARY_DIM * 4);
    if (red_surface_create(&surfaces, 0, FUZZ_PRIMARY_DIM, FUZZ_PRIMARY_DIM,
                           FUZZ_PRIMARY_DIM * 4, SPICE_SURFACE_FMT_32_xRGB,
                           (uint8_t *)primary, true) == 0) {
        RedRenderer r = { .slots = mem.slots, .surfaces = &surfaces };
        RedCommandResult res;
        (void)red_render_command(&r, REGRESS_GROUP, addr, type, flags, &res);
    }
    red_surfaces_finish(&surfaces);
    return 0;
}
