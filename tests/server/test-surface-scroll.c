// SPDX-License-Identifier: GPL-2.0-or-later
/* test-surface-scroll: red_surface_scroll, the full-width scroll that moves
 * where a shadowed surface starts in its shadow instead of moving its rows.
 *  - random scrolls (bands, both directions, a few rows to most of the
 *    surface) mixed with fills leave the surface equal to a plain copy of
 *    the same operations, row by row, scroll after scroll; the guest's
 *    memory equals it after a sync, top-down and bottom-up.  Both in a
 *    shadow whose rows wrap around (red-row-ring.h: the surface's first
 *    row only ever moves by dy, across the end of the ring too) and in
 *    the plain one a shadow falls back to when the system refuses the
 *    ring (made here by leaving no file descriptor free), through its
 *    recentring when one side runs out of spare rows;
 *    Half the scrolls leave their strip (the rows outside the band on
 *    the side the scroll leaves) pending, then either settle it or drop it
 *    under a fill of exactly those rows, at random: the same pixels;
 *  - scrolls that go one way: in the ring, no move ever; in the plain
 *    shadow, one move per spare rows' worth; with the strip left to the
 *    next line's fill, no strip copied at all (each one dropped);
 *  - the cases it must leave to the caller (nothing changed): not the full
 *    width, more rows outside the band than half of it, dy past the spare
 *    rows, a surface that is not shadowed. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib.h>
#include <spice/enums.h>

#include "red-surfaces.h"
#include "test-util.h"

#define W 40
#define H 48
#define STRIDE (W * 4 + 12) /* padded lines, as a guest may give them */
#define STEPS 600

typedef struct Scene {
    RedSurfaces surfaces;
    RedSurface *surf;
    uint8_t *guest;
    int32_t stride;
    uint32_t ref[H][W];
    unsigned rings, fallbacks, recentres;
    unsigned dropped, settled; /* strips left pending, then overwritten or copied */
} Scene;

static uint32_t pixel_at(const RedSurface *surf, int x, int y)
{
    const uint8_t *row = (const uint8_t *)pixman_image_get_data(surf->image) +
                         (ptrdiff_t)y * pixman_image_get_stride(surf->image);
    uint32_t px;
    memcpy(&px, row + (size_t)x * 4, 4);
    return px & 0xffffff;
}

static bool scene_matches(const Scene *sc)
{
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            if (pixel_at(sc->surf, x, y) != sc->ref[y][x]) {
                g_printerr("pixel %d,%d: %06x, want %06x\n", x, y, pixel_at(sc->surf, x, y),
                           sc->ref[y][x]);
                return false;
            }
        }
    }
    return true;
}

static bool guest_matches(const Scene *sc)
{
    for (int y = 0; y < H; y++) {
        /* Bottom-up: line y of the surface is line H - 1 - y in memory. */
        const uint8_t *row = sc->stride > 0 ? sc->guest + (size_t)y * (size_t)sc->stride
                                            : sc->guest + (size_t)(H - 1 - y) * (size_t)-sc->stride;
        for (int x = 0; x < W; x++) {
            uint32_t px;
            memcpy(&px, row + (size_t)x * 4, 4);
            if ((px & 0xffffff) != sc->ref[y][x]) {
                g_printerr("guest pixel %d,%d: %06x, want %06x\n", x, y, px & 0xffffff,
                           sc->ref[y][x]);
                return false;
            }
        }
    }
    return true;
}

static void scene_fill(Scene *sc, int x, int y, int w, int h, uint32_t colour)
{
    pixman_color_t c = { (uint16_t)((colour >> 16 & 0xff) * 0x101),
                         (uint16_t)((colour >> 8 & 0xff) * 0x101),
                         (uint16_t)((colour & 0xff) * 0x101), 0xffff };
    pixman_box32_t box = { x, y, x + w, y + h };
    pixman_image_fill_boxes(PIXMAN_OP_SRC, sc->surf->image, &c, 1, &box);
    red_surface_mark_drawn(sc->surf, &box);
    for (int j = y; j < y + h; j++) {
        for (int i = x; i < x + w; i++) {
            sc->ref[j][i] = colour;
        }
    }
}

/* Rows y1..y2 take the rows dy further down, in the reference. */
static void ref_scroll(Scene *sc, int y1, int y2, int dy)
{
    uint32_t copy[H][W];
    memcpy(copy, sc->ref, sizeof(copy));
    for (int y = y1; y < y2; y++) {
        memcpy(sc->ref[y], copy[y + dy], sizeof(sc->ref[y]));
    }
}

/* What the renderer does when red_surface_scroll declines: rows moved in
 * place in the surface's image. */
static void image_scroll(Scene *sc, int y1, int y2, int dy)
{
    uint8_t *base = (uint8_t *)pixman_image_get_data(sc->surf->image);
    ptrdiff_t stride = pixman_image_get_stride(sc->surf->image);
    for (int i = 0; i < y2 - y1; i++) {
        int y = dy > 0 ? y1 + i : y2 - 1 - i;
        memmove(base + y * stride, base + (y + dy) * stride, (size_t)W * 4);
    }
}

/* Shadows the surface with every file descriptor taken (the soft limit
 * set to the lowest free one), so that the ring's memfd is refused. */
static int shadow_without_fds(RedSurfaces *s)
{
    struct rlimit old;
    int lowest = dup(0);
    CHECK(lowest >= 0 && getrlimit(RLIMIT_NOFILE, &old) == 0);
    close(lowest);
    struct rlimit none = { .rlim_cur = (rlim_t)lowest, .rlim_max = old.rlim_max };
    CHECK(setrlimit(RLIMIT_NOFILE, &none) == 0);
    int ret = red_surface_shadow(s, 0);
    CHECK(setrlimit(RLIMIT_NOFILE, &old) == 0);
    return ret;
}

static void scene_init(Scene *sc, int32_t stride, bool ring)
{
    memset(sc, 0, sizeof(*sc));
    sc->stride = stride;
    size_t bytes = (size_t)(stride < 0 ? -stride : stride) * H;
    sc->guest = g_malloc0(bytes);
    CHECK(red_surfaces_init(&sc->surfaces, 1) == 0);
    CHECK(red_surface_create(&sc->surfaces, 0, W, H, stride, SPICE_SURFACE_FMT_32_xRGB,
                             sc->guest, false) == 0);
    CHECK((ring ? red_surface_shadow(&sc->surfaces, 0) : shadow_without_fds(&sc->surfaces)) ==
          0);
    sc->surf = red_surfaces_get(&sc->surfaces, 0);
    CHECK(sc->surf->shadow_rows > H);
    CHECK((sc->surf->shadow_ring.base != NULL) == ring);
}

/* Where a scroll by dy that only moves the surface's first row puts it:
 * in a ring the rows wrap around. */
static uint32_t moved_top(const RedSurface *surf, uint32_t top, int dy)
{
    int64_t t = (int64_t)top + dy;
    if (surf->shadow_ring.base != NULL) {
        t = (t + surf->shadow_rows) % surf->shadow_rows;
    }
    return (uint32_t)t;
}

static void scene_finish(Scene *sc)
{
    red_surfaces_finish(&sc->surfaces);
    g_free(sc->guest);
}

static void play_random(Scene *sc, uint32_t seed)
{
    GRand *rand = g_rand_new_with_seed(seed);
    for (int y = 0; y < H; y++) {
        scene_fill(sc, 0, y, W, 1, (uint32_t)(y * 0x010203 + 7) & 0xffffff);
    }
    for (int step = 0; step < STEPS; step++) {
        if (g_rand_int_range(rand, 0, 4) == 0) {
            int w = g_rand_int_range(rand, 1, W + 1), h = g_rand_int_range(rand, 1, H / 4);
            scene_fill(sc, g_rand_int_range(rand, 0, W - w + 1),
                       g_rand_int_range(rand, 0, H - h + 1), w, h,
                       g_rand_int(rand) & 0xffffff);
        } else {
            /* Mostly small steps, so that one side runs out of spare rows. */
            int mag = g_rand_int_range(rand, 0, 5) == 0 ? g_rand_int_range(rand, 1, H)
                                                         : g_rand_int_range(rand, 1, 5);
            int dy = g_rand_int_range(rand, 0, 3) == 0 ? -mag : mag;
            int y1 = g_rand_int_range(rand, 0, 3) == 0 ? g_rand_int_range(rand, 0, 6) : 0;
            int y2 = H - (dy > 0 ? dy : 0) - (g_rand_int_range(rand, 0, 3) == 0 ? 3 : 0);
            if (dy < 0) {
                y1 = MAX(y1, -dy);
            }
            if (y2 <= y1) {
                continue;
            }
            pixman_box32_t band = { 0, y1, W, y2 };
            uint32_t top = sc->surf->shadow_top;
            bool defer = g_rand_boolean(rand);
            if (red_surface_scroll(sc->surf, &band, dy, defer)) {
                sc->rings++;
                sc->recentres += sc->surf->shadow_top != moved_top(sc->surf, top, dy);
            } else {
                image_scroll(sc, y1, y2, dy);
                sc->fallbacks++;
            }
            red_surface_mark_drawn(sc->surf, &band);
            ref_scroll(sc, y1, y2, dy);
            RedSurface *surf = sc->surf;
            CHECK(!surf->strip_pending || defer);
            if (surf->strip_pending && g_rand_boolean(rand)) {
                /* What the strip owes is overwritten: a new line. */
                pixman_box32_t strip = { 0, surf->strip_y1, W, surf->strip_y2 };
                CHECK(red_surface_strip_inside(surf, &strip));
                red_surface_strip_drop(surf);
                scene_fill(sc, 0, strip.y1, W, strip.y2 - strip.y1,
                           g_rand_int(rand) & 0xffffff);
                sc->dropped++;
            } else if (surf->strip_pending) {
                red_surface_strip_settle(surf);
                sc->settled++;
            }
        }
        if (!scene_matches(sc)) {
            g_printerr("after step %d\n", step);
            CHECK(false);
            break;
        }
        if (step % 50 == 0) {
            red_surface_sync(sc->surf, NULL);
            CHECK(guest_matches(sc));
        }
    }
    red_surface_sync(sc->surf, NULL);
    CHECK(guest_matches(sc));
    g_rand_free(rand);
}

static void random_scrolls(int32_t stride, bool ring, uint32_t seed)
{
    Scene sc;
    scene_init(&sc, stride, ring);
    play_random(&sc, seed);
    g_print("%s, %s: %u scrolls by the shadow's start (%u recentred), %u by rows; "
            "strips dropped %u, settled %u\n",
            stride > 0 ? "top-down" : "bottom-up", ring ? "ring" : "plain", sc.rings,
            sc.recentres, sc.fallbacks, sc.dropped, sc.settled);
    CHECK(sc.rings > 100);
    CHECK(sc.dropped > 10 && sc.settled > 10);
    CHECK(sc.fallbacks > 0);
    /* The ring never moves the surface; the plain shadow must. */
    CHECK(ring ? sc.recentres == 0 : sc.recentres > 0);
    scene_finish(&sc);
}

static void test_random_scrolls_top_down(void)
{
    random_scrolls(STRIDE, true, 1);
    random_scrolls(STRIDE, false, 1);
}

static void test_random_scrolls_bottom_up(void)
{
    random_scrolls(-STRIDE, true, 2);
    random_scrolls(-STRIDE, false, 2);
}

/* A terminal scrolling by a line, one way, for a few screenfuls, and
 * staying right throughout: in the ring the surface never moves and its
 * first row wraps around the ring's end; in the plain shadow it moves only
 * once per spare rows' worth of lines (to the far end of them), not per
 * half of that. */
static void one_way_scrolls(bool ring)
{
    Scene sc;
    scene_init(&sc, STRIDE, ring);
    uint32_t spare = sc.surf->shadow_rows - H;
    CHECK(spare >= H); /* a screenful of lines between moves */
    for (int dir = 1; dir >= -1; dir -= 2) {
        const unsigned scrolls = 4 * spare;
        unsigned moves = 0, wraps = 0;
        for (unsigned i = 0; i < scrolls; i++) {
            pixman_box32_t band = { 0, dir > 0 ? 0 : 1, W, dir > 0 ? H - 1 : H };
            uint32_t top = sc.surf->shadow_top;
            CHECK(red_surface_scroll(sc.surf, &band, dir, true));
            moves += sc.surf->shadow_top != moved_top(sc.surf, top, dir);
            wraps += dir > 0 ? sc.surf->shadow_top < top : sc.surf->shadow_top > top;
            red_surface_mark_drawn(sc.surf, &band);
            ref_scroll(&sc, band.y1, band.y2, dir);
            /* The new line: what the scroll left pending, overwritten. */
            pixman_box32_t line = { 0, dir > 0 ? H - 1 : 0, W, dir > 0 ? H : 1 };
            CHECK(red_surface_strip_inside(sc.surf, &line));
            red_surface_strip_drop(sc.surf);
            scene_fill(&sc, 0, line.y1, W, 1, (i * 0x0a0b0c + 5) & 0xffffff);
        }
        CHECK(sc.surf->strips_dropped == (dir > 0 ? scrolls : 2 * scrolls));
        CHECK(scene_matches(&sc));
        g_print("%s: %u one-way scrolls by %d: %u moves, %u wraps\n", ring ? "ring" : "plain",
                scrolls, dir, moves, wraps);
        if (ring) {
            CHECK(moves == 0 && wraps >= 3); /* 4 * spare lines: past the end 3 times */
        } else {
            /* One move to reach an end, then one per `spare` lines. */
            CHECK(moves >= 3 && moves <= scrolls / spare + 1);
        }
    }
    red_surface_sync(sc.surf, NULL);
    CHECK(guest_matches(&sc));
    scene_finish(&sc);
}

static void test_one_way_scrolls_in_ring_and_plain_shadow(void)
{
    one_way_scrolls(true);
    one_way_scrolls(false);
}

static void test_declined_cases_change_nothing(void)
{
    Scene sc;
    scene_init(&sc, STRIDE, false);
    for (int y = 0; y < H; y++) {
        scene_fill(&sc, 0, y, W, 1, (uint32_t)y + 1);
    }
    uint32_t top = sc.surf->shadow_top;
    uint32_t spare = sc.surf->shadow_rows - H;
    pixman_box32_t narrow = { 1, 0, W, H - 1 };
    CHECK(!red_surface_scroll(sc.surf, &narrow, 1, false));
    pixman_box32_t thin = { 0, 10, W, 20 }; /* 10 rows inside, 38 outside */
    CHECK(!red_surface_scroll(sc.surf, &thin, 1, false));
    int32_t far = (int32_t)spare / 2 + 1;
    pixman_box32_t most = { 0, 0, W, H - far };
    CHECK(!red_surface_scroll(sc.surf, &most, far, false));
    pixman_box32_t past = { 0, 0, W, H - 1 };
    CHECK(!red_surface_scroll(sc.surf, &past, 2, false)); /* source past the last row */
    CHECK(!red_surface_scroll(sc.surf, &past, 0, false));
    CHECK_EQ_U64(sc.surf->shadow_top, top);
    CHECK(scene_matches(&sc));
    /* The same scroll on a surface drawn in place is the caller's. */
    RedSurfaces plain;
    CHECK(red_surfaces_init(&plain, 1) == 0);
    uint8_t *mem = g_malloc0((size_t)STRIDE * H);
    CHECK(red_surface_create(&plain, 0, W, H, STRIDE, SPICE_SURFACE_FMT_32_xRGB, mem, false) == 0);
    pixman_box32_t up = { 0, 0, W, H - 1 };
    CHECK(!red_surface_scroll(red_surfaces_get(&plain, 0), &up, 1, false));
    red_surfaces_finish(&plain);
    g_free(mem);
    scene_finish(&sc);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_random_scrolls_top_down),
        TEST_CASE(test_random_scrolls_bottom_up),
        TEST_CASE(test_one_way_scrolls_in_ring_and_plain_shadow),
        TEST_CASE(test_declined_cases_change_nothing),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
