/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-image-cache: images drawn again reach a display client with a
 * pixmap cache from that cache (server/display/red-image-cache.h): pixels
 * when first seen, CACHE_ME the second time (at once when the guest marks
 * them cacheable), FROM_CACHE after; least recently used entries are
 * invalidated (INVAL_LIST) before the cache would pass the client's size;
 * a client that announces a negative size is closed.  The client model
 * (test-canvas.h) refuses a FROM_CACHE or INVAL of an id it does not hold
 * and a CACHE_ME of an id it holds, and ends pixel-equal to the server's
 * surface.  Fixture: display-fixture.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <pixman.h>

#include "display-fixture.h"
#include "test-util.h"

/* A client cache of this many icons, for eviction. */
#define DC_SMALL_CACHE_ICONS 3
#define DC_EVICT_KINDS 6
#define DC_EVICT_ROUNDS 3

/* Six marked icons round-robin through a cache of three: every draw
 * misses and evicts the least recently used; then the last one twice. */
static void dc_draw_evicting(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    for (unsigned r = 0; r < DC_EVICT_ROUNDS; r++) {
        for (unsigned k = 0; k < DC_EVICT_KINDS; k++) {
            dc_icon(dc, rnd, 10 + k, (uint64_t)(0x200 + k) << 32, drawn);
        }
    }
    for (unsigned r = 0; r < 2; r++) {
        dc_icon(dc, rnd, 10 + DC_EVICT_KINDS - 1, (uint64_t)(0x200 + DC_EVICT_KINDS - 1) << 32,
                drawn);
    }
}

static void test_repeated_images_from_cache(void)
{
    Dc dc;
    GRand *rnd = g_rand_new_with_seed(0x1c0);
    if (dc_start(&dc, 0, 1 << 20)) {
        dc_phase(&dc, "background", 0x080808, dc_draw_background, rnd);
        DcPhase p = dc_phase(&dc, "icons", 0x090909, dc_draw_icons, rnd);
        /* An unmarked icon goes as pixels when first seen, into the cache
         * the second time, from it after; a marked one into the cache at
         * once. */
        CHECK_EQ_U64(dc.cv.cached, DC_ICON_KINDS + 1);
        CHECK_EQ_U64(p.count[TEST_CANVAS_FROM_CACHE], DC_ICON_KINDS * (DC_ICON_REPEATS - 2) + 2);
        CHECK_EQ_U64(p.count[TEST_CANVAS_INVAL], 0);
        /* The pixels of each icon go about twice, not 10 times. */
        uint64_t all_pixels = (uint64_t)(DC_ICON_KINDS * DC_ICON_REPEATS + 3) * DC_ICON *
                              DC_ICON * 4;
        CHECK(p.bytes * 3 < all_pixels);
    }
    dc_stop(&dc);
    g_rand_free(rnd);
}

static void test_cache_eviction(void)
{
    Dc dc;
    GRand *rnd = g_rand_new_with_seed(0xe1c7);
    uint64_t capacity = (uint64_t)DC_SMALL_CACHE_ICONS * DC_ICON * DC_ICON;
    if (dc_start(&dc, 0, (int64_t)capacity)) {
        dc_phase(&dc, "background", 0x0a0a0a, dc_draw_background, rnd);
        DcPhase p = dc_phase(&dc, "evicting", 0x0b0b0b, dc_draw_evicting, rnd);
        printf("cache: %" PRIu64 " cached, %" PRIu64 " invalidated, at most %" PRIu64
               " pixels held\n", dc.cv.cached, dc.cv.invalidated, dc.cv.cache_pixels_max);
        CHECK_EQ_U64(dc.cv.cached, DC_EVICT_KINDS * DC_EVICT_ROUNDS);
        CHECK_EQ_U64(dc.cv.invalidated, DC_EVICT_KINDS * DC_EVICT_ROUNDS - DC_SMALL_CACHE_ICONS);
        CHECK(dc.cv.cache_pixels_max <= capacity);
        CHECK_EQ_U64(p.count[TEST_CANVAS_FROM_CACHE], 2);
    }
    dc_stop(&dc);
    g_rand_free(rnd);
}

/* A client whose DISPLAY_INIT announces a negative cache is closed. */
static void test_cache_size_lie_closes(void)
{
    Dc dc;
    if (dc_start(&dc, 0, -4096)) {
        CHECK(test_client_wait_closed(dc.display_fd, DC_IO_TIMEOUT_MS));
    }
    dc_stop(&dc);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_repeated_images_from_cache),
        TEST_CASE(test_cache_eviction),
        TEST_CASE(test_cache_size_lie_closes),
    };
    return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
