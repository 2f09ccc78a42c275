// SPDX-License-Identifier: GPL-2.0-or-later
/* test-render-strip: a full-width COPY_BITS whose renderer may leave the
 * rows outside its band pending (RedRenderer.defer_strip, red-render.h)
 * for the next drawable, on a shadowed primary in guest memory with no VM.
 * After the scroll and what follows, the surface always equals a plain
 * model of the same operations:
 *  - the next drawable fills exactly the strip (a terminal's new line):
 *    the strip's copy is never made (strips_dropped counts it);
 *  - the next one fills only half of it: the strip is copied first;
 *  - the next one is an image copy over the strip whose image is outside
 *    guest memory (a guest error, nothing drawn): the strip comes back;
 *  - the next one copies from the surface itself onto the strip, reading
 *    half of it: the strip is copied first;
 *  - nothing comes next (the batch ends): red_render_settle copies it;
 *  - without defer_strip nothing is ever pending. */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <spice/enums.h>

#include "red-render.h"
#include "red-surfaces.h"
#include "regress-guest-mem.h"
#include "test-util.h"

#define W 32
#define H 32
#define LINE 4 /* rows a scroll moves */
#define SCROLL_OFF 0x100
#define NEXT_OFF 0x400
#define IMAGE_OFF 0x800

typedef struct Scene {
    RegressGuestMem mem;
    RedSurfaces surfaces;
    RedRenderer r;
    uint32_t guest[W * H];
    uint32_t ref[H][W];
} Scene;

static void scene_init(Scene *sc)
{
    memset(sc, 0, sizeof(*sc));
    regress_mem_init(&sc->mem, 4096);
    CHECK(red_surfaces_init(&sc->surfaces, 4) == 0);
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            sc->guest[y * W + x] = sc->ref[y][x] = (uint32_t)(y * 0x010101 + x * 0x30) & 0xffffff;
        }
    }
    CHECK(red_surface_create(&sc->surfaces, 0, W, H, W * 4, SPICE_SURFACE_FMT_32_xRGB,
                             (uint8_t *)sc->guest, true) == 0);
    CHECK(red_surface_shadow(&sc->surfaces, 0) == 0);
    sc->r.slots = sc->mem.slots;
    sc->r.surfaces = &sc->surfaces;
}

static RedSurface *primary(Scene *sc)
{
    return red_surfaces_get(&sc->surfaces, 0);
}

static bool scene_matches(Scene *sc)
{
    pixman_image_t *img = primary(sc)->image;
    int stride = pixman_image_get_stride(img);
    const uint8_t *base = (const uint8_t *)pixman_image_get_data(img);
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            uint32_t px;
            memcpy(&px, base + (size_t)y * stride + (size_t)x * 4, 4);
            if ((px & 0xffffff) != sc->ref[y][x]) {
                g_printerr("(%d,%d) is %06x, want %06x\n", x, y, px & 0xffffff, sc->ref[y][x]);
                return false;
            }
        }
    }
    return true;
}

static QXLDrawable *drawable_at(Scene *sc, uint64_t off, uint8_t type, QXLRect bbox)
{
    QXLDrawable *d = regress_mem_at(&sc->mem, off);
    memset(d, 0, sizeof(*d));
    d->surface_id = 0;
    d->effect = QXL_EFFECT_OPAQUE;
    d->type = type;
    d->bbox = bbox;
    d->clip.type = SPICE_CLIP_TYPE_NONE;
    d->surfaces_dest[0] = d->surfaces_dest[1] = d->surfaces_dest[2] = -1;
    return d;
}

static int render(Scene *sc, uint64_t off)
{
    RedCommandResult res;
    int ret = red_render_command(&sc->r, REGRESS_GROUP, regress_mem_addr(&sc->mem, off),
                                 QXL_CMD_DRAW, 0, &res);
    red_command_result_finish(&res);
    return ret;
}

/* The scroll: rows 0..H-LINE take the rows LINE further down, with the
 * strip (the last LINE rows) left pending when defer. */
static void scroll(Scene *sc, bool defer)
{
    QXLDrawable *d = drawable_at(sc, SCROLL_OFF, QXL_COPY_BITS,
                                 (QXLRect){ .top = 0, .left = 0, .bottom = H - LINE, .right = W });
    d->u.copy_bits.src_pos = (QXLPoint){ .x = 0, .y = LINE };
    sc->r.defer_strip = defer;
    CHECK(render(sc, SCROLL_OFF) == 0);
    sc->r.defer_strip = false;
    CHECK((sc->r.strip_surface != NULL) == defer);
    memmove(sc->ref[0], sc->ref[LINE], sizeof(sc->ref[0]) * (H - LINE));
}

static void put_fill(Scene *sc, QXLRect box, uint32_t colour)
{
    QXLDrawable *d = drawable_at(sc, NEXT_OFF, QXL_DRAW_FILL, box);
    d->u.fill.brush.type = SPICE_BRUSH_TYPE_SOLID;
    d->u.fill.brush.u.color = colour;
    d->u.fill.rop_descriptor = SPICE_ROPD_OP_PUT;
}

static void ref_fill(Scene *sc, QXLRect box, uint32_t colour)
{
    for (int y = box.top; y < box.bottom; y++) {
        for (int x = box.left; x < box.right; x++) {
            sc->ref[y][x] = colour;
        }
    }
}

static void scene_finish(Scene *sc)
{
    red_surfaces_finish(&sc->surfaces);
    regress_mem_finish(&sc->mem);
}

static const QXLRect strip = { .top = H - LINE, .left = 0, .bottom = H, .right = W };

static void test_new_line_drops_the_strip(void)
{
    Scene sc;
    scene_init(&sc);
    for (unsigned i = 0; i < 20; i++) {
        scroll(&sc, true);
        put_fill(&sc, strip, 0x100000 * (i % 15) + 0x0a0b0c);
        CHECK(render(&sc, NEXT_OFF) == 0);
        ref_fill(&sc, strip, 0x100000 * (i % 15) + 0x0a0b0c);
        CHECK(sc.r.strip_surface == NULL);
        CHECK(scene_matches(&sc));
    }
    CHECK_EQ_U64(primary(&sc)->strips_dropped, 20);
    scene_finish(&sc);
}

static void test_half_fill_gets_the_strip_first(void)
{
    Scene sc;
    scene_init(&sc);
    scroll(&sc, true);
    QXLRect half = { .top = H - LINE, .left = 0, .bottom = H, .right = W / 2 };
    put_fill(&sc, half, 0x123456);
    CHECK(render(&sc, NEXT_OFF) == 0);
    ref_fill(&sc, half, 0x123456);
    CHECK(sc.r.strip_surface == NULL);
    CHECK_EQ_U64(primary(&sc)->strips_dropped, 0);
    CHECK(scene_matches(&sc));
    scene_finish(&sc);
}

/* An image copy of src_area of a `type` image of w x h onto the strip. */
static QXLImage *put_copy(Scene *sc, QXLRect src_area, uint8_t type, uint32_t w, uint32_t h)
{
    QXLDrawable *d = drawable_at(sc, NEXT_OFF, QXL_DRAW_COPY, strip);
    d->u.copy.src_bitmap = regress_mem_addr(&sc->mem, IMAGE_OFF);
    d->u.copy.src_area = src_area;
    d->u.copy.rop_descriptor = SPICE_ROPD_OP_PUT;
    QXLImage *img = regress_mem_at(&sc->mem, IMAGE_OFF);
    memset(img, 0, sizeof(*img));
    img->descriptor.type = type;
    img->descriptor.width = w;
    img->descriptor.height = h;
    return img;
}

static void test_failed_copy_gets_the_strip_back(void)
{
    Scene sc;
    scene_init(&sc);
    scroll(&sc, true);
    QXLImage *img = put_copy(&sc, (QXLRect){ .top = 0, .left = 0, .bottom = LINE, .right = W },
                             SPICE_IMAGE_TYPE_BITMAP, W, LINE);
    img->bitmap.format = SPICE_BITMAP_FMT_32BIT;
    img->bitmap.x = W;
    img->bitmap.y = LINE;
    img->bitmap.stride = W * 4;
    img->bitmap.data = regress_mem_addr(&sc.mem, 1u << 30); /* past the slot */
    CHECK(render(&sc, NEXT_OFF) != 0);
    CHECK(sc.r.strip_surface == NULL);
    CHECK_EQ_U64(primary(&sc)->strips_dropped, 0);
    CHECK(scene_matches(&sc));
    scene_finish(&sc);
}

/* A copy over the strip from the surface itself reads pixels, the strip's
 * among them: it gets the strip first. */
static void test_copy_from_the_surface_gets_the_strip_first(void)
{
    Scene sc;
    scene_init(&sc);
    scroll(&sc, true);
    QXLImage *img = put_copy(&sc, (QXLRect){ .top = H - LINE - 2, .left = 0, .bottom = H - 2,
                                             .right = W },
                             SPICE_IMAGE_TYPE_SURFACE, W, H);
    img->surface_image.surface_id = 0;
    CHECK(render(&sc, NEXT_OFF) == 0);
    /* Rows H-LINE-2 .. H-3 (two of them in the strip) onto the strip. */
    uint32_t rows[LINE][W];
    memcpy(rows, sc.ref[H - LINE - 2], sizeof(rows));
    memcpy(sc.ref[H - LINE], rows, sizeof(rows));
    CHECK(sc.r.strip_surface == NULL);
    CHECK_EQ_U64(primary(&sc)->strips_dropped, 0);
    CHECK(scene_matches(&sc));
    scene_finish(&sc);
}

static void test_settle_at_the_end_and_no_defer(void)
{
    Scene sc;
    scene_init(&sc);
    scroll(&sc, true);
    red_render_settle(&sc.r);
    CHECK(sc.r.strip_surface == NULL && !primary(&sc)->strip_pending);
    CHECK(scene_matches(&sc));
    scroll(&sc, false);
    CHECK(!primary(&sc)->strip_pending);
    CHECK(scene_matches(&sc));
    /* A scroll right after a pending one: the first strip is copied first. */
    scroll(&sc, true);
    scroll(&sc, true);
    red_render_settle(&sc.r);
    CHECK(scene_matches(&sc));
    CHECK_EQ_U64(primary(&sc)->strips_dropped, 0);
    scene_finish(&sc);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_new_line_drops_the_strip),
        TEST_CASE(test_half_fill_gets_the_strip_first),
        TEST_CASE(test_failed_copy_gets_the_strip_back),
        TEST_CASE(test_copy_from_the_surface_gets_the_strip_first),
        TEST_CASE(test_settle_at_the_end_and_no_defer),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
