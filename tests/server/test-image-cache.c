/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-image-cache: images drawn again reach a display client with a
 * pixmap cache from that cache (server/display/red-image-cache.h): pixels
 * when first seen, CACHE_ME the second time (at once when the guest marks
 * them cacheable), FROM_CACHE after; least recently used entries are
 * invalidated (INVAL_LIST) before the cache would pass the client's size;
 * a client that announces a negative size is closed; nothing is sent before
 * DISPLAY_INIT, and a client that never sends it is closed.  The client model
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
    (void)rnd;
    for (unsigned r = 0; r < DC_EVICT_ROUNDS; r++) {
        for (unsigned k = 0; k < DC_EVICT_KINDS; k++) {
            dc_icon(dc, 10 + k, (uint64_t)(0x200 + k) << 32, drawn);
        }
    }
    for (unsigned r = 0; r < 2; r++) {
        dc_icon(dc, 10 + DC_EVICT_KINDS - 1, (uint64_t)(0x200 + DC_EVICT_KINDS - 1) << 32, drawn);
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

/* A server and a display channel linked without DISPLAY_INIT yet. */
typedef struct NoInit {
    TestQxlServer *ts;
    int main_fd, fd;
    TestChannel ch;
} NoInit;

static bool no_init_start(NoInit *n)
{
    *n = (NoInit){ .main_fd = -1, .fd = -1 };
    n->ts = test_qxl_server_create(DC_WIDTH, DC_HEIGHT, TEST_QXL_SERVER_GLZ);
    CHECK(n->ts != NULL);
    uint32_t session = 0;
    if (n->ts) {
        n->main_fd = test_client_open_session(n->ts->port, TEST_QXL_SERVER_PASSWORD, &session,
                                              DC_IO_TIMEOUT_MS);
        CHECK(n->main_fd >= 0);
    }
    if (n->main_fd >= 0) {
        n->fd = test_client_connect(n->ts->port, 0);
        CHECK(n->fd >= 0);
    }
    if (n->fd < 0) {
        return false;
    }
    uint32_t r = test_client_link(n->fd, SPICE_CHANNEL_DISPLAY, session,
                                  TEST_QXL_SERVER_PASSWORD, DC_IO_TIMEOUT_MS);
    CHECK_EQ_U64(r, SPICE_LINK_ERR_OK);
    test_channel_init(&n->ch, n->fd, SPICE_CHANNEL_DISPLAY, true);
    return r == SPICE_LINK_ERR_OK;
}

static void no_init_stop(NoInit *n)
{
    if (n->fd >= 0) {
        close(n->fd);
    }
    if (n->main_fd >= 0) {
        close(n->main_fd);
    }
    if (n->ts) {
        CHECK(test_qxl_server_destroy(n->ts, DC_RELEASE_TIMEOUT_MS));
    }
}

/* Nothing but SET_ACK reaches a display client before its DISPLAY_INIT:
 * the primary and its pixels wait until the client's pixmap cache and GLZ
 * window are known, as stock's do; then they come at once. */
static void test_nothing_before_init(void)
{
    NoInit n;
    if (no_init_start(&n)) {
        uint8_t *body = NULL;
        uint32_t size = 0;
        int type;
        unsigned before = 0;
        /* Half a second of silence after SET_ACK (the server has a primary
         * to send all along: see below). */
        while ((type = test_channel_read(&n.ch, &body, &size, DC_MAX_MESSAGE, 500)) >= 0) {
            if (type != SPICE_MSG_SET_ACK) {
                printf("before DISPLAY_INIT: message %d\n", type);
                before++;
            }
            g_free(body);
        }
        CHECK_EQ_U64(before, 0);
        CHECK(test_client_send_display_init(n.fd, 0) == 0);
        bool created = false;
        int first_image = -1;
        while (first_image < 0 &&
               (type = test_channel_read(&n.ch, &body, &size, DC_MAX_MESSAGE,
                                         DC_IO_TIMEOUT_MS)) >= 0) {
            SpiceMsg m;
            if (type == SPICE_MSG_DISPLAY_SURFACE_CREATE) {
                created = true;
            } else if (type == SPICE_MSG_DISPLAY_DRAW_COPY &&
                       spice_msg_parse(SPICE_CHANNEL_DISPLAY, (uint16_t)type, body, size,
                                       &m) == 0) {
                first_image = m.u.draw_copy.src.type;
            }
            g_free(body);
        }
        CHECK(created);
        /* Sent after the INIT, the very first picture is already in the
         * client's GLZ window. */
        CHECK_EQ_U64(first_image, SPICE_IMAGE_TYPE_GLZ_RGB);
    }
    no_init_stop(&n);
}

/* A display client that never sends DISPLAY_INIT is closed (after 30 s, as
 * stock; here the test's S3D_DISPLAY_INIT_WAIT_MS). */
static void test_no_init_closes(void)
{
    g_setenv("S3D_DISPLAY_INIT_WAIT_MS", "300", TRUE);
    NoInit n;
    if (no_init_start(&n)) {
        CHECK(test_client_wait_closed(n.fd, DC_IO_TIMEOUT_MS));
    }
    no_init_stop(&n);
    g_unsetenv("S3D_DISPLAY_INIT_WAIT_MS");
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_repeated_images_from_cache),
        TEST_CASE(test_cache_eviction),
        TEST_CASE(test_cache_size_lie_closes),
        TEST_CASE(test_nothing_before_init),
        TEST_CASE(test_no_init_closes),
    };
    return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
