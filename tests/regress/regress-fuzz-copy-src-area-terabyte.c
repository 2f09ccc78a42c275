// SPDX-License-Identifier: GPL-2.0-or-later
/* regress-fuzz-copy-src-area-terabyte: found by fuzz-server-parsers on its
 * first run.  A DRAW_COPY whose source is a SURFACE image of the
 * destination surface itself made the renderer copy the source area first
 * (reading and writing the same pixels), sized by the guest's src_area with
 * no check against the source: 0xffffff00 x 0xff asked pixman for a
 * terabyte (ASan: allocator out of memory; without ASan a guest-sized
 * allocation on the host).  Now a source area outside the source image is
 * a guest error for every composite (copy, alpha blend, copy-bits): the
 * command is not rendered, its release info still comes back, and an area
 * inside the image still copies. */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "red-render.h"
#include "red-surfaces.h"
#include "regress-guest-mem.h"
#include "test-util.h"

#define DIM 32
#define DRAWABLE_OFF 0x100
#define IMAGE_OFF 0x400

static uint32_t pixels[DIM * DIM];

/* Writes a DRAW_COPY of surface 0 onto itself: src_area to bbox. */
static void put_self_copy(RegressGuestMem *m, QXLRect src_area, QXLRect bbox)
{
    QXLDrawable *d = regress_mem_at(m, DRAWABLE_OFF);
    memset(d, 0, sizeof(*d));
    d->release_info.id = 0x5e1f;
    d->surface_id = 0;
    d->effect = QXL_EFFECT_OPAQUE;
    d->type = QXL_DRAW_COPY;
    d->bbox = bbox;
    d->clip.type = SPICE_CLIP_TYPE_NONE;
    d->surfaces_dest[0] = d->surfaces_dest[1] = d->surfaces_dest[2] = -1;
    d->u.copy.src_bitmap = regress_mem_addr(m, IMAGE_OFF);
    d->u.copy.src_area = src_area;
    d->u.copy.rop_descriptor = SPICE_ROPD_OP_PUT;
    QXLImage *img = regress_mem_at(m, IMAGE_OFF);
    memset(img, 0, sizeof(*img));
    img->descriptor.type = SPICE_IMAGE_TYPE_SURFACE;
    img->descriptor.width = DIM;
    img->descriptor.height = DIM;
    img->surface_image.surface_id = 0;
}

static int render(RegressGuestMem *m, RedSurfaces *s, RedCommandResult *res)
{
    RedRenderer r = { .slots = m->slots, .surfaces = s };
    return red_render_command(&r, REGRESS_GROUP, regress_mem_addr(m, DRAWABLE_OFF),
                              QXL_CMD_DRAW, 0, res);
}

static void test_self_copy_area_outside_source(void)
{
    RegressGuestMem m;
    regress_mem_init(&m, 4096);
    RedSurfaces s;
    CHECK(red_surfaces_init(&s, 4) == 0);
    for (uint32_t i = 0; i < DIM * DIM; i++) {
        pixels[i] = i;
    }
    CHECK(red_surface_create(&s, 0, DIM, DIM, DIM * 4, SPICE_SURFACE_FMT_32_xRGB,
                             (uint8_t *)pixels, true) == 0);
    QXLRect all = { .top = 0, .left = 0, .bottom = DIM, .right = DIM };
    static const QXLRect bad[] = {
        { .top = 0, .left = 0, .bottom = 0xff, .right = (int32_t)0xffffff00 }, /* the finding */
        { .top = 0, .left = 0, .bottom = DIM + 1, .right = DIM },               /* one row past */
        { .top = 0, .left = 0, .bottom = DIM, .right = DIM + 1 },               /* one column past */
        { .top = -1, .left = 0, .bottom = DIM - 1, .right = DIM },              /* above */
        { .top = 0, .left = INT32_MIN, .bottom = DIM, .right = 0 },             /* far left */
    };
    uint32_t before[DIM * DIM];
    memcpy(before, pixels, sizeof(before));
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        put_self_copy(&m, bad[i], all);
        RedCommandResult res;
        CHECK(render(&m, &s, &res) != 0);
        CHECK(res.release_info == regress_mem_at(&m, DRAWABLE_OFF));
        CHECK(memcmp(before, pixels, sizeof(before)) == 0);
    }
    /* Inside the image: rows 16..31 copied onto rows 0..15. */
    QXLRect lower = { .top = 16, .left = 0, .bottom = 32, .right = DIM };
    QXLRect upper = { .top = 0, .left = 0, .bottom = 16, .right = DIM };
    put_self_copy(&m, lower, upper);
    RedCommandResult res;
    CHECK(render(&m, &s, &res) == 0);
    CHECK(res.kind == RED_CMD_DRAWN);
    CHECK_EQ_U64(pixels[0] & 0xffffff, before[16 * DIM] & 0xffffff);
    CHECK_EQ_U64(pixels[15 * DIM + 31] & 0xffffff, before[31 * DIM + 31] & 0xffffff);
    CHECK_EQ_U64(pixels[16 * DIM], before[16 * DIM]);
    red_surfaces_finish(&s);
    regress_mem_finish(&m);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_self_copy_area_outside_source),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
