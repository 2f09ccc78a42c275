/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-draw-commands: solid fills and copy-bits reach a display client as
 * DRAW_FILL and COPY_BITS commands (with their clip) instead of pixels, the
 * client that replays them ends pixel-equal to the server's surface, and a
 * client that stops reading costs a bounded number of commands and still
 * converges.
 *
 * The server is our library behind <spice.h> with a fake QXL device
 * (test-qxl-server.h, raw images); the client is test-client.h with the
 * canvas model of test-canvas.h (no pixmap cache announced).
 *
 * Every phase ends with a "tag": an 8x8 bitmap at the bottom-right corner
 * in a colour of its own, drawn last.  It is pixels, and damage goes out
 * after every command and in top-to-bottom order, so the message that
 * brings the tag's last pixel is the last one of the phase: the reader
 * stops there (bounded wait), and the server's surface is read after a
 * completed flush.  Nothing is timed; counts are exact because every
 * phase stays below the server's command queue bound
 * (server/display/red-display-cmds.h, DISPLAY_MAX_QUEUED_CMDS), except the
 * slow client's, which is checked against that bound.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <pixman.h>

#include "test-canvas.h"
#include "test-client.h"
#include "test-qxl-server.h"
#include "test-util.h"

#define DC_WIDTH 640
#define DC_HEIGHT 480
#define DC_TAG 8
#define DC_IO_TIMEOUT_MS 20000
#define DC_FLUSH_TIMEOUT_MS 20000
#define DC_RELEASE_TIMEOUT_MS 10000
#define DC_MAX_MESSAGE ((uint32_t)DC_WIDTH * DC_HEIGHT * 4 + 4096)
#define DC_COOKIE 0x4443ull /* "DC" */
#define DC_MAX_REPORTED 8

/* Fills of the fill phase: fewer than the server's queue bound (256), so
 * every one of them is a command however late the reader runs. */
#define DC_FILLS 200
/* Scroll steps: a copy-bits and a fill each, and a bitmap every 4th. */
#define DC_SCROLLS 60
#define DC_SCROLL_ROWS 8
/* The slow client's fills: far past the queue bound. */
#define DC_SLOW_FILLS 2000
#define DC_SLOW_BATCH 100
/* The server's bounds (server/display/red-display-cmds.h and
 * server/channels/red-channel-client.h): the command queue, and the ack
 * window (two windows may be in flight) plus a few set-up messages. */
#define DC_SERVER_MAX_QUEUED 256
#define DC_SERVER_ACK_WINDOW 20
#define DC_WINDOW_SLACK 8

/* ---- the device side ------------------------------------------------------ */

typedef struct Dc {
    TestQxlServer *ts;
    int main_fd, display_fd;
    unsigned flushes;
    TestCanvas cv;
} Dc;

/* A client with no pixmap cache (0), or one of `cache_pixels` pixels, of
 * a server with raw images, or the `comp` given. */
static bool dc_start_with(Dc *dc, int rcvbuf, int64_t cache_pixels,
                          TestQxlServerCompression comp)
{
    memset(dc, 0, sizeof(*dc));
    dc->main_fd = dc->display_fd = -1;
    dc->ts = test_qxl_server_create(DC_WIDTH, DC_HEIGHT, comp);
    CHECK(dc->ts != NULL);
    if (dc->ts == NULL) {
        return false;
    }
    uint32_t session = 0;
    dc->main_fd = test_client_open_session(dc->ts->port, TEST_QXL_SERVER_PASSWORD, &session,
                                           DC_IO_TIMEOUT_MS);
    CHECK(dc->main_fd >= 0);
    dc->display_fd = test_client_connect(dc->ts->port, rcvbuf);
    CHECK(dc->display_fd >= 0);
    if (dc->main_fd < 0 || dc->display_fd < 0) {
        return false;
    }
    uint32_t r = test_client_link_display_cache(dc->display_fd, 0, session,
                                                TEST_QXL_SERVER_PASSWORD,
                                                TEST_CLIENT_DISPLAY_PLAIN, cache_pixels,
                                                DC_IO_TIMEOUT_MS);
    CHECK_EQ_U64(r, SPICE_LINK_ERR_OK);
    test_canvas_init(&dc->cv, dc->display_fd, DC_IO_TIMEOUT_MS, DC_MAX_MESSAGE);
    return r == SPICE_LINK_ERR_OK;
}

static bool dc_start(Dc *dc, int rcvbuf, int64_t cache_pixels)
{
    return dc_start_with(dc, rcvbuf, cache_pixels, TEST_QXL_SERVER_RAW);
}

static void dc_stop(Dc *dc)
{
    if (dc->display_fd >= 0) {
        close(dc->display_fd);
    }
    if (dc->main_fd >= 0) {
        close(dc->main_fd);
    }
    test_canvas_finish(&dc->cv);
    if (dc->ts) {
        CHECK(test_qxl_server_destroy(dc->ts, DC_RELEASE_TIMEOUT_MS));
    }
}

static void dc_flush(Dc *dc)
{
    dc->flushes++;
    spice_qxl_flush_surfaces_async(fake_qxl_get_instance(dc->ts->qxl), DC_COOKIE);
    unsigned n = fake_qxl_wait_async_count(dc->ts->qxl, DC_COOKIE, dc->flushes,
                                           DC_FLUSH_TIMEOUT_MS);
    CHECK_EQ_U64(n, dc->flushes);
}

static void dc_bitmap(Dc *dc, const QXLRect *box, uint32_t seed)
{
    uint32_t w = (uint32_t)(box->right - box->left), h = (uint32_t)(box->bottom - box->top);
    uint32_t *px = g_new(uint32_t, (size_t)w * h);
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            px[(size_t)y * w + x] = ((x * 3 + seed) ^ (y * 5)) * 0x010203u & 0xffffff;
        }
    }
    FakeQxlBitmap bmp = { .pixels = px, .width = w, .height = h,
                          .data = FAKE_QXL_BITMAP_DIRECT, .rows = FAKE_QXL_TOP_DOWN };
    CHECK(fake_qxl_submit_copy(dc->ts->qxl, box, &bmp) == 0);
    g_free(px);
}

/* Draws the tag (a colour of its own in the corner) and flushes: after
 * this the surface is final and the client's last message is the tag. */
static void dc_end_phase(Dc *dc, uint32_t tag)
{
    uint32_t px[DC_TAG * DC_TAG];
    for (size_t i = 0; i < G_N_ELEMENTS(px); i++) {
        px[i] = tag;
    }
    QXLRect box = { DC_HEIGHT - DC_TAG, DC_WIDTH - DC_TAG, DC_HEIGHT, DC_WIDTH };
    FakeQxlBitmap bmp = { .pixels = px, .width = DC_TAG, .height = DC_TAG,
                          .data = FAKE_QXL_BITMAP_DIRECT, .rows = FAKE_QXL_TOP_DOWN };
    CHECK(fake_qxl_submit_copy(dc->ts->qxl, &box, &bmp) == 0);
    dc_flush(dc);
}

/* The model equals the server's surface (RGB; read after a flush). */
static void dc_check_converged(Dc *dc, const char *phase)
{
    CHECK(dc->cv.img != NULL && dc->cv.tag_seen && !dc->cv.failed);
    CHECK_EQ_U64(dc->cv.bad, 0);
    if (dc->cv.img == NULL) {
        return;
    }
    unsigned diff = 0;
    for (int y = 0; y < DC_HEIGHT; y++) {
        for (int x = 0; x < DC_WIDTH; x++) {
            uint32_t want = fake_qxl_primary_pixel(dc->ts->qxl, (uint32_t)x, (uint32_t)y) &
                            0xffffff;
            uint32_t got = test_canvas_pixel(dc->cv.img, x, y);
            if (got != want && diff++ < DC_MAX_REPORTED) {
                fprintf(stderr, "%s: client pixel (%d,%d) %06x, server %06x\n", phase, x, y,
                        got, want);
            }
        }
    }
    CHECK_EQ_U64(diff, 0);
}

/* Runs the reader on its own thread while `draw` submits a phase. */
typedef void (*DcDraw)(Dc *dc, GRand *rnd, pixman_region32_t *drawn);

typedef struct DcPhase {
    uint64_t count[TEST_CANVAS_KINDS];
    uint64_t bytes;
    uint64_t drawn_area;      /* pixels the phase's drawables changed (union) */
} DcPhase;

static uint64_t dc_area(pixman_region32_t *r)
{
    int n;
    pixman_box32_t *b = pixman_region32_rectangles(r, &n);
    uint64_t a = 0;
    for (int i = 0; i < n; i++) {
        a += (uint64_t)(b[i].x2 - b[i].x1) * (uint64_t)(b[i].y2 - b[i].y1);
    }
    return a;
}

static DcPhase dc_phase(Dc *dc, const char *name, uint32_t tag, DcDraw draw, GRand *rnd)
{
    TestCanvas before = dc->cv;
    dc->cv.tag = tag;
    GThread *reader = g_thread_new("dc-reader", test_canvas_pump, &dc->cv);
    pixman_region32_t drawn;
    pixman_region32_init(&drawn);
    if (draw) {
        draw(dc, rnd, &drawn);
    }
    dc_end_phase(dc, tag);
    g_thread_join(reader);
    DcPhase p = { .bytes = dc->cv.bytes - before.bytes, .drawn_area = dc_area(&drawn) };
    printf("%s:", name);
    for (int k = 0; k < TEST_CANVAS_KINDS; k++) {
        p.count[k] = dc->cv.count[k] - before.count[k];
        printf(" %s %" PRIu64, test_canvas_kind_names[k], p.count[k]);
    }
    printf("; %" PRIu64 " bytes for %" PRIu64 " pixels drawn\n", p.bytes, p.drawn_area);
    pixman_region32_fini(&drawn);
    dc_check_converged(dc, name);
    return p;
}

static void dc_draw_background(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    (void)rnd;
    QXLRect all = { 0, 0, DC_HEIGHT, DC_WIDTH };
    dc_bitmap(dc, &all, 7);
    pixman_region32_union_rect(drawn, drawn, 0, 0, DC_WIDTH, DC_HEIGHT);
}

/* A random box of 16..128 pixels a side inside the surface. */
static QXLRect dc_random_box(GRand *rnd)
{
    int32_t w = g_rand_int_range(rnd, 16, 129), h = g_rand_int_range(rnd, 16, 129);
    int32_t x = g_rand_int_range(rnd, 0, DC_WIDTH - w + 1);
    int32_t y = g_rand_int_range(rnd, 0, DC_HEIGHT - h + 1);
    return (QXLRect){ .top = y, .left = x, .bottom = y + h, .right = x + w };
}

/* A clip of two or three rectangles of the box (each at least 16x8). */
static unsigned dc_random_clip(GRand *rnd, const QXLRect *box, QXLRect *clip)
{
    unsigned n = (unsigned)g_rand_int_range(rnd, 2, 4);
    int32_t h = (box->bottom - box->top) / (int32_t)n;
    for (unsigned i = 0; i < n; i++) {
        int32_t inset = g_rand_int_range(rnd, 0, 4);
        clip[i] = (QXLRect){ .top = box->top + (int32_t)i * h, .left = box->left + inset,
                             .bottom = box->top + (int32_t)i * h + h - 1, .right = box->right };
    }
    return n;
}

static void dc_region_add(pixman_region32_t *drawn, const QXLRect *box, const QXLRect *clip,
                          unsigned n_clip)
{
    pixman_region32_t r;
    pixman_region32_init_rect(&r, box->left, box->top, (unsigned)(box->right - box->left),
                              (unsigned)(box->bottom - box->top));
    if (n_clip) {
        pixman_region32_t c;
        pixman_region32_init(&c);
        for (unsigned i = 0; i < n_clip; i++) {
            pixman_region32_union_rect(&c, &c, clip[i].left, clip[i].top,
                                       (unsigned)(clip[i].right - clip[i].left),
                                       (unsigned)(clip[i].bottom - clip[i].top));
        }
        pixman_region32_intersect(&r, &r, &c);
        pixman_region32_fini(&c);
    }
    pixman_region32_union(drawn, drawn, &r);
    pixman_region32_fini(&r);
}

static void dc_draw_fills(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    for (unsigned i = 0; i < DC_FILLS; i++) {
        QXLRect box = dc_random_box(rnd), clip[3];
        unsigned n_clip = (i % 4 == 3) ? dc_random_clip(rnd, &box, clip) : 0;
        uint32_t rgb = g_rand_int(rnd) & 0xffffff;
        CHECK(fake_qxl_submit_fill_clip(dc->ts->qxl, &box, rgb, clip, n_clip) == 0);
        dc_region_add(drawn, &box, clip, n_clip);
    }
}

/* A terminal scrolling: the screen (or, every third step, a clipped
 * window of it) moves up, the new bottom rows are cleared, and every
 * fourth step a "line of text" (a bitmap) lands there, which the next
 * scrolls move while the client may not have it yet. */
static void dc_draw_scrolls(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    (void)rnd;
    for (unsigned i = 0; i < DC_SCROLLS; i++) {
        QXLRect box = { 0, 0, DC_HEIGHT - DC_SCROLL_ROWS, DC_WIDTH };
        QXLRect clip[2] = { { 0, 32, 200, 320 }, { 200, 64, DC_HEIGHT - DC_SCROLL_ROWS, 600 } };
        unsigned n_clip = (i % 3 == 2) ? 2 : 0;
        CHECK(fake_qxl_submit_copy_bits_clip(dc->ts->qxl, &box, 0, DC_SCROLL_ROWS, clip,
                                             n_clip) == 0);
        dc_region_add(drawn, &box, clip, n_clip);
        QXLRect strip = { DC_HEIGHT - DC_SCROLL_ROWS, 0, DC_HEIGHT, DC_WIDTH };
        CHECK(fake_qxl_submit_fill(dc->ts->qxl, &strip, 0x101010u * (i % 8)) == 0);
        if (i % 4 == 0) {
            QXLRect text = { DC_HEIGHT - DC_SCROLL_ROWS, 40, DC_HEIGHT,
                             40 + 8 * (int32_t)(i % 32 + 4) };
            dc_bitmap(dc, &text, i);
        }
        pixman_region32_union_rect(drawn, drawn, 0, DC_HEIGHT - DC_SCROLL_ROWS, DC_WIDTH,
                                   DC_SCROLL_ROWS);
    }
}

static void test_fills_are_commands(void)
{
    Dc dc;
    GRand *rnd = g_rand_new_with_seed(0x5eed);
    if (dc_start(&dc, 0, 0)) {
        dc_phase(&dc, "background", 0x010101, dc_draw_background, rnd);
        DcPhase p = dc_phase(&dc, "fills", 0x020202, dc_draw_fills, rnd);
        /* Every fill a command; the only pixels are the tag. */
        CHECK_EQ_U64(p.count[TEST_CANVAS_FILL], DC_FILLS);
        CHECK_EQ_U64(p.count[TEST_CANVAS_DRAW_COPY], 1);
        /* Pixels would cost at least 4 bytes for each pixel drawn (raw,
         * each sent once): the commands cost a small fraction of that. */
        CHECK(p.bytes * 32 < p.drawn_area * 4);
    }
    dc_stop(&dc);
    g_rand_free(rnd);
}

static void test_scrolls_are_copy_bits(void)
{
    Dc dc;
    if (dc_start(&dc, 0, 0)) {
        dc_phase(&dc, "background", 0x030303, dc_draw_background, NULL);
        DcPhase p = dc_phase(&dc, "scrolls", 0x040404, dc_draw_scrolls, NULL);
        CHECK_EQ_U64(p.count[TEST_CANVAS_COPY_BITS], DC_SCROLLS);
        CHECK_EQ_U64(p.count[TEST_CANVAS_FILL], DC_SCROLLS);
        /* Only the text lines and the tag are pixels: far less than one
         * screen, which each scroll would be as damage. */
        CHECK(p.bytes * 8 < (uint64_t)DC_WIDTH * DC_HEIGHT * 4);
    }
    dc_stop(&dc);
}

/* The client reads nothing while DC_SLOW_FILLS fills (and scrolls) are
 * drawn, then reads again: it gets at most the queue bound of commands
 * (plus what was in flight), the rest as damage, and converges. */
static void test_slow_client_converges(void)
{
    /* The server would close a client that stalls it this long (10 s):
     * under a loaded ASan run that can happen here; this case is about
     * what it holds for the client, not when it gives up. */
    g_setenv("S3D_CLIENT_STALL_MS", "0", TRUE);
    Dc dc;
    GRand *rnd = g_rand_new_with_seed(0x510e);
    if (dc_start(&dc, 16384, 0)) {
        dc_phase(&dc, "background", 0x050505, dc_draw_background, NULL);
        TestCanvas before = dc.cv;
        for (unsigned i = 0; i < DC_SLOW_FILLS; i++) {
            QXLRect box = dc_random_box(rnd), clip[3];
            unsigned n_clip = (i % 4 == 3) ? dc_random_clip(rnd, &box, clip) : 0;
            CHECK(fake_qxl_submit_fill_clip(dc.ts->qxl, &box, g_rand_int(rnd) & 0xffffff, clip,
                                            n_clip) == 0);
            if (i % 50 == 49) {
                QXLRect all = { 0, 0, DC_HEIGHT - 4, DC_WIDTH };
                CHECK(fake_qxl_submit_copy_bits(dc.ts->qxl, &all, 0, 4) == 0);
            }
            if (i % DC_SLOW_BATCH == DC_SLOW_BATCH - 1) {
                dc_flush(&dc); /* the worker got them all, the client none */
            }
        }
        dc.cv.tag = 0x060606;
        dc_end_phase(&dc, dc.cv.tag);
        test_canvas_pump(&dc.cv);
        uint64_t fills = dc.cv.count[TEST_CANVAS_FILL] - before.count[TEST_CANVAS_FILL];
        uint64_t copies = dc.cv.count[TEST_CANVAS_COPY_BITS] -
                          before.count[TEST_CANVAS_COPY_BITS];
        printf("slow client: %" PRIu64 " fills, %" PRIu64 " copy-bits, %" PRIu64
               " draw-copies after %u fills\n", fills, copies,
               dc.cv.count[TEST_CANVAS_DRAW_COPY] - before.count[TEST_CANVAS_DRAW_COPY],
               DC_SLOW_FILLS);
        /* It stopped acking after a window or two, so its queue filled up
         * to the bound (commands were kept for it, not dropped at once)
         * and stopped there: an unbounded queue would have given it all
         * 2000. */
        CHECK(fills + copies >= DC_SERVER_MAX_QUEUED);
        CHECK(fills + copies <= DC_SERVER_MAX_QUEUED + 2 * DC_SERVER_ACK_WINDOW + DC_WINDOW_SLACK);
        CHECK(fills + copies < DC_SLOW_FILLS / 2);
        dc_check_converged(&dc, "slow client");
    }
    dc_stop(&dc);
    g_rand_free(rnd);
    g_unsetenv("S3D_CLIENT_STALL_MS");
}

/* ---- images from the client's pixmap cache -------------------------------- */

#define DC_ICON 64
#define DC_ICON_KINDS 4
#define DC_ICON_REPEATS 10
/* A client cache of this many icons, for eviction. */
#define DC_SMALL_CACHE_ICONS 3
#define DC_EVICT_KINDS 6
#define DC_EVICT_ROUNDS 3

/* Icon k (its own pixels) at a random place; cache_id != 0 marks it
 * QXL_IMAGE_CACHE as a Windows driver does (Linux's never does). */
static void dc_icon(Dc *dc, GRand *rnd, unsigned k, uint64_t cache_id, pixman_region32_t *drawn)
{
    uint32_t px[DC_ICON * DC_ICON];
    for (uint32_t y = 0; y < DC_ICON; y++) {
        for (uint32_t x = 0; x < DC_ICON; x++) {
            px[y * DC_ICON + x] = (((x * 7 + k * 13) ^ (y * 3)) * 0x030507u + k * 0x404040u) &
                                  0xffffff;
        }
    }
    int32_t x = g_rand_int_range(rnd, 0, DC_WIDTH - DC_ICON - DC_TAG);
    int32_t y = g_rand_int_range(rnd, 0, DC_HEIGHT - DC_ICON - DC_TAG);
    QXLRect box = { y, x, y + DC_ICON, x + DC_ICON };
    FakeQxlBitmap bmp = { .pixels = px, .width = DC_ICON, .height = DC_ICON,
                          .data = FAKE_QXL_BITMAP_DIRECT, .rows = FAKE_QXL_TOP_DOWN,
                          .cache_id = cache_id };
    CHECK(fake_qxl_submit_copy(dc->ts->qxl, &box, &bmp) == 0);
    dc_region_add(drawn, &box, NULL, 0);
}

/* Four icons drawn ten times each, unmarked, then a marked one thrice. */
static void dc_draw_icons(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    for (unsigned r = 0; r < DC_ICON_REPEATS; r++) {
        for (unsigned k = 0; k < DC_ICON_KINDS; k++) {
            dc_icon(dc, rnd, k, 0, drawn);
        }
    }
    for (unsigned r = 0; r < 3; r++) {
        dc_icon(dc, rnd, DC_ICON_KINDS, 0x1c0ull << 32, drawn);
    }
}

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

/* ---- lossy images ------------------------------------------------------------ */

#define DC_PHOTO_X 32
#define DC_PHOTO_Y 32
#define DC_PHOTO_W 256
#define DC_PHOTO_H 192
#define DC_TEXT_X 320
#define DC_TEXT_Y 300
#define DC_TEXT_W 256
#define DC_TEXT_H 64
/* JPEG at quality 85 on the photo: the mean error per channel and the
 * largest one allowed. */
#define DC_LOSSY_MEAN_MAX 4.0
#define DC_LOSSY_MAX 96

/* A photograph's traits: smooth gradients and sensor noise, no flat area. */
static void dc_draw_photo(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    uint32_t *px = g_new(uint32_t, DC_PHOTO_W * DC_PHOTO_H);
    for (uint32_t y = 0; y < DC_PHOTO_H; y++) {
        for (uint32_t x = 0; x < DC_PHOTO_W; x++) {
            int noise = g_rand_int_range(rnd, -6, 7);
            uint32_t r = CLAMP((int)(40 + x * 180 / DC_PHOTO_W) + noise, 0, 255);
            uint32_t g = CLAMP((int)(30 + y * 200 / DC_PHOTO_H) - noise, 0, 255);
            uint32_t b = CLAMP((int)(60 + (x + y) / 3) + noise / 2, 0, 255);
            px[y * DC_PHOTO_W + x] = r << 16 | g << 8 | b;
        }
    }
    QXLRect box = { DC_PHOTO_Y, DC_PHOTO_X, DC_PHOTO_Y + DC_PHOTO_H, DC_PHOTO_X + DC_PHOTO_W };
    FakeQxlBitmap bmp = { .pixels = px, .width = DC_PHOTO_W, .height = DC_PHOTO_H,
                          .data = FAKE_QXL_BITMAP_DIRECT, .rows = FAKE_QXL_TOP_DOWN };
    CHECK(fake_qxl_submit_copy(dc->ts->qxl, &box, &bmp) == 0);
    dc_region_add(drawn, &box, NULL, 0);
    g_free(px);
}

/* A line of text: paper and ink in 8x16 glyph cells. */
static void dc_draw_text(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    uint32_t *px = g_new(uint32_t, DC_TEXT_W * DC_TEXT_H);
    for (uint32_t cell = 0; cell < (DC_TEXT_W / 8) * (DC_TEXT_H / 16); cell++) {
        uint32_t glyph[16];
        for (int row = 0; row < 16; row++) {
            glyph[row] = g_rand_int(rnd) & 0x7e;
        }
        uint32_t cx = cell % (DC_TEXT_W / 8) * 8, cy = cell / (DC_TEXT_W / 8) * 16;
        for (uint32_t y = 0; y < 16; y++) {
            for (uint32_t x = 0; x < 8; x++) {
                bool ink = y >= 3 && y < 13 && (glyph[y] >> x & 1);
                px[(cy + y) * DC_TEXT_W + cx + x] = ink ? 0x202020u : 0xf0f0e8u;
            }
        }
    }
    QXLRect box = { DC_TEXT_Y, DC_TEXT_X, DC_TEXT_Y + DC_TEXT_H, DC_TEXT_X + DC_TEXT_W };
    FakeQxlBitmap bmp = { .pixels = px, .width = DC_TEXT_W, .height = DC_TEXT_H,
                          .data = FAKE_QXL_BITMAP_DIRECT, .rows = FAKE_QXL_TOP_DOWN };
    CHECK(fake_qxl_submit_copy(dc->ts->qxl, &box, &bmp) == 0);
    dc_region_add(drawn, &box, NULL, 0);
    g_free(px);
}

static void dc_draw_photo_and_text(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    dc_draw_photo(dc, rnd, drawn);
    dc_draw_text(dc, rnd, drawn);
}

/* Copies a block of the photo beside it: the client must not copy its
 * JPEG approximation, so the server sends that as pixels. */
static void dc_draw_copy_from_photo(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    (void)rnd;
    QXLRect box = { 40, 400, 104, 464 };
    CHECK(fake_qxl_submit_copy_bits(dc->ts->qxl, &box, DC_PHOTO_X + 16, DC_PHOTO_Y + 8) == 0);
    dc_region_add(drawn, &box, NULL, 0);
}

/* The model equals the surface outside its lossy region, and is close to
 * it inside; the text never became lossy. */
static void dc_check_lossy(Dc *dc, const char *phase)
{
    TestCanvas *cv = &dc->cv;
    CHECK(cv->img != NULL && cv->tag_seen && !cv->failed);
    CHECK_EQ_U64(cv->bad, 0);
    if (cv->img == NULL) {
        return;
    }
    pixman_box32_t text = { DC_TEXT_X, DC_TEXT_Y, DC_TEXT_X + DC_TEXT_W, DC_TEXT_Y + DC_TEXT_H };
    CHECK(pixman_region32_contains_rectangle(&cv->lossy, &text) == PIXMAN_REGION_OUT);
    unsigned exact_diff = 0;
    uint64_t lossy_sum = 0, lossy_n = 0;
    uint32_t lossy_max = 0;
    for (int y = 0; y < DC_HEIGHT; y++) {
        for (int x = 0; x < DC_WIDTH; x++) {
            uint32_t want = fake_qxl_primary_pixel(dc->ts->qxl, (uint32_t)x, (uint32_t)y);
            uint32_t got = test_canvas_pixel(cv->img, x, y);
            if (!pixman_region32_contains_point(&cv->lossy, x, y, NULL)) {
                if ((want & 0xffffff) != got && exact_diff++ < DC_MAX_REPORTED) {
                    fprintf(stderr, "%s: exact pixel (%d,%d) %06x, server %06x\n", phase, x, y,
                            got, want & 0xffffff);
                }
                continue;
            }
            for (int shift = 0; shift < 24; shift += 8) {
                int d = (int)((want >> shift) & 0xff) - (int)((got >> shift) & 0xff);
                uint32_t ad = (uint32_t)ABS(d);
                lossy_sum += ad;
                lossy_max = MAX(lossy_max, ad);
                lossy_n++;
            }
        }
    }
    double mean = lossy_n ? (double)lossy_sum / (double)lossy_n : 0.0;
    printf("%s: %" PRIu64 " JPEG images; lossy pixels %" PRIu64 ", mean error %.2f, max %u\n",
           phase, cv->jpeg_images, lossy_n / 3, mean, lossy_max);
    CHECK_EQ_U64(exact_diff, 0);
    CHECK(mean <= DC_LOSSY_MEAN_MAX);
    CHECK(lossy_max <= DC_LOSSY_MAX);
}

/* Like dc_phase, checked with dc_check_lossy. */
static void dc_lossy_phase(Dc *dc, const char *name, uint32_t tag, DcDraw draw, GRand *rnd)
{
    dc->cv.tag = tag;
    GThread *reader = g_thread_new("dc-reader", test_canvas_pump, &dc->cv);
    pixman_region32_t drawn;
    pixman_region32_init(&drawn);
    draw(dc, rnd, &drawn);
    dc_end_phase(dc, tag);
    g_thread_join(reader);
    pixman_region32_fini(&drawn);
    dc_check_lossy(dc, name);
}

static void test_photos_lossy_text_exact(void)
{
    Dc dc;
    GRand *rnd = g_rand_new_with_seed(0x9407);
    if (dc_start_with(&dc, 0, 0, TEST_QXL_SERVER_AUTO_JPEG)) {
        /* Its own phase: a band of the photo with background in it would
         * rightly go lossless.  (Its smooth pattern may go as JPEG.) */
        dc_lossy_phase(&dc, "background", 0x0c0c0c, dc_draw_background, rnd);
        uint64_t jpegs = dc.cv.jpeg_images;
        dc_lossy_phase(&dc, "photo and text", 0x0d0d0d, dc_draw_photo_and_text, rnd);
        CHECK(dc.cv.jpeg_images > jpegs);
        pixman_box32_t photo = { DC_PHOTO_X, DC_PHOTO_Y, DC_PHOTO_X + DC_PHOTO_W,
                                 DC_PHOTO_Y + DC_PHOTO_H };
        CHECK(pixman_region32_contains_rectangle(&dc.cv.lossy, &photo) == PIXMAN_REGION_IN);
        uint64_t copies_before = dc.cv.count[TEST_CANVAS_COPY_BITS];
        dc_lossy_phase(&dc, "copy from the photo", 0x0e0e0e, dc_draw_copy_from_photo, rnd);
        CHECK_EQ_U64(dc.cv.count[TEST_CANVAS_COPY_BITS] - copies_before, 0);
    }
    dc_stop(&dc);
    g_rand_free(rnd);
}

/* Under the default settings (auto: the link is not measured) and any
 * fixed lossless choice, nothing is lossy. */
static void test_photos_exact_by_default(void)
{
    Dc dc;
    GRand *rnd = g_rand_new_with_seed(0x9408);
    if (dc_start(&dc, 0, 0)) {
        dc_phase(&dc, "background", 0x0f0f0f, dc_draw_background, rnd);
        dc_phase(&dc, "photo and text", 0x101010, dc_draw_photo_and_text, rnd);
        CHECK_EQ_U64(dc.cv.jpeg_images, 0);
    }
    dc_stop(&dc);
    g_rand_free(rnd);
}

/* ---- --serve: the same scene for a real client ----------------------------- */

/* Compares a P6 PPM (as spice-watch.py writes it) with the server's surface.
 * Returns the number of differing pixels, or -1 if the file is unusable. */
static long dc_compare_ppm(Dc *dc, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return -1;
    }
    unsigned w = 0, h = 0, max = 0;
    long diff = -1;
    if (fscanf(f, "P6 %u %u %u", &w, &h, &max) == 3 && fgetc(f) == '\n' && w == DC_WIDTH &&
        h == DC_HEIGHT && max == 255) {
        uint8_t *rgb = g_malloc((size_t)w * h * 3);
        if (fread(rgb, 1, (size_t)w * h * 3, f) == (size_t)w * h * 3) {
            diff = 0;
            for (uint32_t y = 0; y < h; y++) {
                for (uint32_t x = 0; x < w; x++) {
                    const uint8_t *p = rgb + ((size_t)y * w + x) * 3;
                    uint32_t got = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
                    uint32_t want = fake_qxl_primary_pixel(dc->ts->qxl, x, y) & 0xffffff;
                    if (got != want && diff++ < DC_MAX_REPORTED) {
                        fprintf(stderr, "client pixel (%u,%u) %06x, server %06x\n", x, y, got,
                                want);
                    }
                }
            }
        }
        g_free(rgb);
    }
    fclose(f);
    return diff;
}

/* Serves the scene to real clients, driven by lines on stdin:
 *   draw          background, fills, scrolls, fills, icons (cached) and the tag,
 *                 flushed: "DRAWN"
 *   compare PATH  "SAME", or "DIFF n" (n pixels differ, -1: bad file)
 *   quit (or EOF) tears down; exit 0 if every check held.
 * Prints "SERVER-READY port=N" first.  No password (spice-watch.py). */
static int dc_serve(void)
{
    Dc dc;
    memset(&dc, 0, sizeof(dc));
    dc.main_fd = dc.display_fd = -1;
    dc.ts = test_qxl_server_create(DC_WIDTH, DC_HEIGHT, TEST_QXL_SERVER_LZ4);
    if (dc.ts == NULL) {
        return 1;
    }
    spice_server_set_noauth(dc.ts->server);
    printf("SERVER-READY port=%d\n", dc.ts->port);
    fflush(stdout);
    GRand *rnd = g_rand_new_with_seed(0x5eed);
    char line[4096];
    while (fgets(line, sizeof(line), stdin)) {
        line[strcspn(line, "\n")] = '\0';
        pixman_region32_t drawn;
        pixman_region32_init(&drawn);
        if (strcmp(line, "draw") == 0) {
            dc_draw_background(&dc, rnd, &drawn);
            dc_draw_fills(&dc, rnd, &drawn);
            dc_draw_scrolls(&dc, rnd, &drawn);
            dc_draw_fills(&dc, rnd, &drawn);
            dc_draw_icons(&dc, rnd, &drawn);
            dc_end_phase(&dc, 0x070707);
            printf("DRAWN\n");
        } else if (strncmp(line, "compare ", 8) == 0) {
            long diff = dc_compare_ppm(&dc, line + 8);
            if (diff == 0) {
                printf("SAME\n");
            } else {
                printf("DIFF %ld\n", diff);
            }
        } else if (strcmp(line, "quit") == 0) {
            pixman_region32_fini(&drawn);
            break;
        } else {
            printf("ERROR unknown command\n");
        }
        pixman_region32_fini(&drawn);
        fflush(stdout);
    }
    g_rand_free(rnd);
    dc_stop(&dc);
    return test_failures_in_current ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--serve") == 0) {
        return dc_serve();
    }
    static const TestCase cases[] = {
        TEST_CASE(test_fills_are_commands),
        TEST_CASE(test_scrolls_are_copy_bits),
        TEST_CASE(test_slow_client_converges),
        TEST_CASE(test_repeated_images_from_cache),
        TEST_CASE(test_cache_eviction),
        TEST_CASE(test_cache_size_lie_closes),
        TEST_CASE(test_photos_lossy_text_exact),
        TEST_CASE(test_photos_exact_by_default),
    };
    return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
