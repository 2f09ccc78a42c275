/* SPDX-License-Identifier: GPL-2.0-or-later */
/* display-fixture.c: a server with a fake QXL device and one display
 * client that replays what it gets into a canvas model (display-fixture.h). */
#include "config.h"

#include "display-fixture.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "test-util.h"

/* A client with no pixmap cache (0), or one of `cache_pixels` pixels, of
 * a server with raw images, or the `comp` given. */
bool dc_start_with(Dc *dc, int rcvbuf, int64_t cache_pixels,
                          TestQxlServerCompression comp)
{
    return dc_start_on_link(dc, rcvbuf, cache_pixels, comp, -1);
}

bool dc_start_on_link(Dc *dc, int rcvbuf, int64_t cache_pixels, TestQxlServerCompression comp,
                      int pong_delay_ms)
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
    if (dc->main_fd >= 0 && pong_delay_ms >= 0) {
        CHECK(test_client_answer_link_test(dc->main_fd, (unsigned)pong_delay_ms,
                                           DC_IO_TIMEOUT_MS) == 0);
        /* The main thread has the verdict before the display link: the
         * PONG is in its socket before the display channel connects. */
    }
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

void dc_answer_link_test(Dc *dc, unsigned pong_delay_ms)
{
    CHECK(test_client_answer_link_test(dc->main_fd, pong_delay_ms, DC_IO_TIMEOUT_MS) == 0);
    /* The main thread handles the PONG before this ATTACH_CHANNELS (one
     * socket, in order), and queues the verdict to the worker then; the
     * flush goes through the same queue after it. */
    CHECK(test_client_session_alive(dc->main_fd, DC_IO_TIMEOUT_MS));
    dc_flush(dc);
}

bool dc_start(Dc *dc, int rcvbuf, int64_t cache_pixels)
{
    return dc_start_with(dc, rcvbuf, cache_pixels, TEST_QXL_SERVER_RAW);
}

void dc_stop(Dc *dc)
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

void dc_flush(Dc *dc)
{
    dc->flushes++;
    spice_qxl_flush_surfaces_async(fake_qxl_get_instance(dc->ts->qxl), DC_COOKIE);
    unsigned n = fake_qxl_wait_async_count(dc->ts->qxl, DC_COOKIE, dc->flushes,
                                           DC_FLUSH_TIMEOUT_MS);
    CHECK_EQ_U64(n, dc->flushes);
}

void dc_put_pixels(Dc *dc, const QXLRect *box, const uint32_t *px, uint64_t cache_id)
{
    FakeQxlBitmap bmp = { .pixels = px, .width = (uint32_t)(box->right - box->left),
                          .height = (uint32_t)(box->bottom - box->top),
                          .data = FAKE_QXL_BITMAP_DIRECT, .rows = FAKE_QXL_TOP_DOWN,
                          .cache_id = cache_id };
    CHECK(fake_qxl_submit_copy(dc->ts->qxl, box, &bmp) == 0);
}

void dc_bitmap(Dc *dc, const QXLRect *box, uint32_t seed)
{
    uint32_t w = (uint32_t)(box->right - box->left), h = (uint32_t)(box->bottom - box->top);
    uint32_t *px = g_new(uint32_t, (size_t)w * h);
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            px[(size_t)y * w + x] = ((x * 3 + seed) ^ (y * 5)) * 0x010203u & 0xffffff;
        }
    }
    dc_put_pixels(dc, box, px, 0);
    g_free(px);
}

/* Draws the tag (a colour of its own in the corner) and flushes: after
 * this the surface is final and the client's last message is the tag. */
void dc_end_phase(Dc *dc, uint32_t tag)
{
    uint32_t px[DC_TAG * DC_TAG];
    for (size_t i = 0; i < G_N_ELEMENTS(px); i++) {
        px[i] = tag;
    }
    QXLRect box = { DC_HEIGHT - DC_TAG, DC_WIDTH - DC_TAG, DC_HEIGHT, DC_WIDTH };
    dc_put_pixels(dc, &box, px, 0);
    dc_flush(dc);
}

/* The model equals the server's surface (RGB; read after a flush). */
void dc_check_converged(Dc *dc, const char *phase)
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

DcPhase dc_phase(Dc *dc, const char *name, uint32_t tag, DcDraw draw, GRand *rnd)
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

void dc_draw_background(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    (void)rnd;
    QXLRect all = { 0, 0, DC_HEIGHT, DC_WIDTH };
    dc_bitmap(dc, &all, 7);
    pixman_region32_union_rect(drawn, drawn, 0, 0, DC_WIDTH, DC_HEIGHT);
}

/* A random box of 16..128 pixels a side inside the surface. */
QXLRect dc_random_box(GRand *rnd)
{
    int32_t w = g_rand_int_range(rnd, 16, 129), h = g_rand_int_range(rnd, 16, 129);
    int32_t x = g_rand_int_range(rnd, 0, DC_WIDTH - w + 1);
    int32_t y = g_rand_int_range(rnd, 0, DC_HEIGHT - h + 1);
    return (QXLRect){ .top = y, .left = x, .bottom = y + h, .right = x + w };
}

/* A clip of two or three rectangles of the box (each at least 16x8). */
unsigned dc_random_clip(GRand *rnd, const QXLRect *box, QXLRect *clip)
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

void dc_region_add(pixman_region32_t *drawn, const QXLRect *box, const QXLRect *clip,
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


/* Icon k in the next cell (display-fixture.h). */
void dc_icon(Dc *dc, unsigned k, uint64_t cache_id, pixman_region32_t *drawn)
{
    uint32_t px[DC_ICON * DC_ICON];
    for (uint32_t y = 0; y < DC_ICON; y++) {
        for (uint32_t x = 0; x < DC_ICON; x++) {
            px[y * DC_ICON + x] = (((x * 7 + k * 13) ^ (y * 3)) * 0x030507u + k * 0x404040u) &
                                  0xffffff;
        }
    }
    /* A prime step that does not divide the cell count walks every cell
     * once per round; the cells stop short of the tag's corner (DC_HEIGHT
     * is not a multiple of DC_ICON). */
    G_STATIC_ASSERT(DC_ICON_CELLS % 3 != 0 && DC_HEIGHT % DC_ICON >= DC_TAG);
    unsigned cell = dc->icons++ * 3 % DC_ICON_CELLS;
    int32_t x = (int32_t)(cell % (DC_WIDTH / DC_ICON)) * DC_ICON;
    int32_t y = (int32_t)(cell / (DC_WIDTH / DC_ICON)) * DC_ICON;
    QXLRect box = { y, x, y + DC_ICON, x + DC_ICON };
    dc_put_pixels(dc, &box, px, cache_id);
    dc_region_add(drawn, &box, NULL, 0);
}

/* Four icons drawn ten times each, unmarked, then a marked one thrice. */
void dc_draw_icons(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    (void)rnd;
    for (unsigned r = 0; r < DC_ICON_REPEATS; r++) {
        for (unsigned k = 0; k < DC_ICON_KINDS; k++) {
            dc_icon(dc, k, 0, drawn);
        }
    }
    for (unsigned r = 0; r < 3; r++) {
        dc_icon(dc, DC_ICON_KINDS, 0x1c0ull << 32, drawn);
    }
}

uint8_t *dc_load_ppm(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    unsigned w = 0, h = 0, max = 0;
    uint8_t *rgb = NULL;
    if (fscanf(f, "P6 %u %u %u", &w, &h, &max) == 3 && fgetc(f) == '\n' && w == DC_WIDTH &&
        h == DC_HEIGHT && max == 255) {
        rgb = g_malloc((size_t)w * h * 3);
        if (fread(rgb, 1, (size_t)w * h * 3, f) != (size_t)w * h * 3) {
            g_free(rgb);
            rgb = NULL;
        }
    }
    fclose(f);
    return rgb;
}

uint32_t dc_ppm_pixel(const uint8_t *rgb, uint32_t x, uint32_t y)
{
    const uint8_t *p = rgb + ((size_t)y * DC_WIDTH + x) * 3;
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

int dc_serve(TestQxlServerCompression comp, DcDraw scene, DcCompare compare)
{
    Dc dc;
    memset(&dc, 0, sizeof(dc));
    dc.main_fd = dc.display_fd = -1;
    dc.ts = test_qxl_server_create(DC_WIDTH, DC_HEIGHT, comp);
    if (dc.ts == NULL) {
        return 1;
    }
    spice_server_set_noauth(dc.ts->server);
    printf("SERVER-READY port=%d\n", dc.ts->port);
    fflush(stdout);
    GRand *rnd = g_rand_new_with_seed(0x5eed);
    GString *reply = g_string_new(NULL);
    char line[4096];
    while (fgets(line, sizeof(line), stdin)) {
        line[strcspn(line, "\n")] = '\0';
        if (strcmp(line, "draw") == 0) {
            pixman_region32_t drawn;
            pixman_region32_init(&drawn);
            scene(&dc, rnd, &drawn);
            dc_end_phase(&dc, 0x070707);
            pixman_region32_fini(&drawn);
            printf("DRAWN\n");
        } else if (strncmp(line, "compare ", 8) == 0) {
            uint8_t *rgb = dc_load_ppm(line + 8);
            compare(&dc, rgb, reply);
            g_free(rgb);
            printf("%s\n", reply->str);
        } else if (strcmp(line, "quit") == 0) {
            break;
        } else {
            printf("ERROR unknown command\n");
        }
        fflush(stdout);
    }
    g_string_free(reply, TRUE);
    g_rand_free(rnd);
    dc_stop(&dc);
    return test_failures_in_current ? 1 : 0;
}

/* "SAME", or "DIFF n" (n pixels differ, -1: no picture). */
void dc_compare_exact(Dc *dc, const uint8_t *rgb, GString *reply)
{
    long diff = -1;
    if (rgb) {
        diff = 0;
        for (uint32_t y = 0; y < DC_HEIGHT; y++) {
            for (uint32_t x = 0; x < DC_WIDTH; x++) {
                uint32_t got = dc_ppm_pixel(rgb, x, y);
                uint32_t want = fake_qxl_primary_pixel(dc->ts->qxl, x, y) & 0xffffff;
                if (got != want && diff++ < DC_MAX_REPORTED) {
                    fprintf(stderr, "client pixel (%u,%u) %06x, server %06x\n", x, y, got,
                            want);
                }
            }
        }
    }
    if (diff == 0) {
        g_string_assign(reply, "SAME");
    } else {
        g_string_printf(reply, "DIFF %ld", diff);
    }
}
