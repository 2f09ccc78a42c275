/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-draw-commands: solid fills and copy-bits reach a display client as
 * DRAW_FILL and COPY_BITS commands (with their clip) instead of pixels, the
 * client that replays them ends pixel-equal to the server's surface, and a
 * client that stops reading costs a bounded number of commands and still
 * converges, and a command that a later fill of the same batch covers is
 * dropped, unless a copy-bits between them reads it, also across the
 * worker's runs while the guest keeps the ring busy (and the worker does
 * not even render a drawable of its batch that a later one hides); a flush
 * completes before the client is written to.  The fixture and the tag
 * that ends each phase: display-fixture.h.  Counts are exact because every
 * phase stays below the server's command queue bound
 * (server/display/red-display-cmds.h, DISPLAY_MAX_QUEUED_CMDS), except the
 * slow client's, which is checked against that bound.
 *
 * --serve: the same scenes (and repeated icons) for a real client, driven
 * by tests/client/test-draw-commands-client.sh.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <glib.h>
#include <pixman.h>

#include "display-fixture.h"
#include "test-util.h"

/* Fills of the fill phase: fewer than the server's queue bound (256), so
 * every one of them is a command however late the reader runs. */
#define DC_FILLS 200
/* Scroll steps: a copy-bits and a fill each, and a bitmap every 4th. */
#define DC_SCROLLS 60
#define DC_MOVES 120
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

/* Does `r` cover the whole of one of earlier[0..n)? */
static bool dc_covers_any(const pixman_region32_t *earlier, unsigned n, pixman_region32_t *r)
{
    bool covers = false;
    pixman_region32_t rest;
    pixman_region32_init(&rest);
    for (unsigned i = 0; i < n && !covers; i++) {
        pixman_region32_subtract(&rest, (pixman_region32_t *)&earlier[i], r);
        covers = !pixman_region32_not_empty(&rest);
    }
    pixman_region32_fini(&rest);
    return covers;
}

/* The box as a region. */
static void dc_box_region(pixman_region32_t *r, const QXLRect *box)
{
    pixman_region32_init_rect(r, box->left, box->top, (unsigned)(box->right - box->left),
                              (unsigned)(box->bottom - box->top));
}

/* Would an unclipped fill of box leave nothing of one of bare[0..n) (each
 * earlier fill's box less the unclipped fills after it)? */
static bool dc_hides_any(pixman_region32_t *bare, unsigned n, const QXLRect *box)
{
    bool hides = false;
    pixman_region32_t b, rest;
    dc_box_region(&b, box);
    pixman_region32_init(&rest);
    for (unsigned i = 0; i < n && !hides; i++) {
        pixman_region32_subtract(&rest, &bare[i], &b);
        hides = !pixman_region32_not_empty(&rest);
    }
    pixman_region32_fini(&rest);
    pixman_region32_fini(&b);
    return hides;
}

/* Random fills, none covering a whole earlier one, nor the unclipped ones
 * together an earlier one's box: the server drops a queued command that a
 * later fill of its batch covers (red-display-cmds.c), the worker skips a
 * drawable that later ones hide (server/display/red-cull.h), and this
 * phase counts every fill as a command. */
static void dc_draw_fills(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    pixman_region32_t regions[DC_FILLS], bare[DC_FILLS];
    for (unsigned i = 0; i < DC_FILLS; i++) {
        QXLRect box, clip[3];
        unsigned n_clip;
        pixman_region32_init(&regions[i]);
        do {
            box = dc_random_box(rnd);
            n_clip = (i % 4 == 3) ? dc_random_clip(rnd, &box, clip) : 0;
            pixman_region32_clear(&regions[i]);
            dc_region_add(&regions[i], &box, clip, n_clip);
        } while (dc_covers_any(regions, i, &regions[i]) ||
                 (n_clip == 0 && dc_hides_any(bare, i, &box)));
        uint32_t rgb = g_rand_int(rnd) & 0xffffff;
        CHECK(fake_qxl_submit_fill_clip(dc->ts->qxl, &box, rgb, clip, n_clip) == 0);
        dc_region_add(drawn, &box, clip, n_clip);
        dc_box_region(&bare[i], &box);
        if (n_clip == 0) {
            for (unsigned j = 0; j < i; j++) {
                pixman_region32_subtract(&bare[j], &bare[j], &bare[i]);
            }
        }
    }
    for (unsigned i = 0; i < DC_FILLS; i++) {
        pixman_region32_fini(&regions[i]);
        pixman_region32_fini(&bare[i]);
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

/* Windows dragged about: copy-bits in every direction (up, down, left,
 * right, diagonal; overlapping their source or not), some clipped.  The
 * server moves its surface's pixels in place (red-render.c); the client's
 * replay, from a copy of its source, must agree with it. */
static void dc_draw_moves(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    for (unsigned i = 0; i < DC_MOVES; i++) {
        QXLRect box = dc_random_box(rnd), clip[3];
        int32_t w = box.right - box.left, h = box.bottom - box.top;
        int32_t dx = i % 5 == 0 ? 0 : g_rand_int_range(rnd, -48, 49);
        int32_t dy = i % 7 == 0 ? 0 : g_rand_int_range(rnd, -48, 49);
        int32_t sx = CLAMP(box.left + dx, 0, DC_WIDTH - w);
        int32_t sy = CLAMP(box.top + dy, 0, DC_HEIGHT - h);
        unsigned n_clip = (i % 4 == 3) ? dc_random_clip(rnd, &box, clip) : 0;
        CHECK(fake_qxl_submit_copy_bits_clip(dc->ts->qxl, &box, sx, sy, clip, n_clip) == 0);
        dc_region_add(drawn, &box, clip, n_clip);
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

static void test_moves_in_every_direction(void)
{
    Dc dc;
    GRand *rnd = g_rand_new_with_seed(0x30e5);
    if (dc_start(&dc, 0, 0)) {
        dc_phase(&dc, "background", 0x070707, dc_draw_background, rnd);
        DcPhase p = dc_phase(&dc, "moves", 0x080808, dc_draw_moves, rnd);
        CHECK_EQ_U64(p.count[TEST_CANVAS_COPY_BITS], DC_MOVES);
    }
    dc_stop(&dc);
    g_rand_free(rnd);
}

/* One batch (the guest's commands queued while the VM is stopped, pulled
 * together when it starts): DC_COVERED fills of one box, the last one
 * winning; then a fill, a copy-bits out of its box and a fill over that
 * box again, where the copy reads the first fill. */
#define DC_COVERED 20
/* n fills of one box, in 16 colours of `step`. */
static void dc_fill_box_times(Dc *dc, const QXLRect *box, unsigned n, uint32_t step)
{
    for (unsigned i = 0; i < n; i++) {
        CHECK(fake_qxl_submit_fill(dc->ts->qxl, box, step * (i % 16 + 1)) == 0);
    }
}

/* n fills of box queued while the VM is stopped; the caller starts it. */
static void dc_queue_fills_stopped(Dc *dc, const QXLRect *box, unsigned n, uint32_t step,
                                   pixman_region32_t *drawn)
{
    spice_server_vm_stop(dc->ts->server);
    dc_fill_box_times(dc, box, n, step);
    dc_region_add(drawn, box, NULL, 0);
}

/* A fill of DC_READ_RGB, a copy-bits that reads it into dc_read_moved,
 * and another fill over it. */
#define DC_READ_RGB 0x00c0ffu
static const QXLRect dc_read_moved = { 300, 300, 360, 400 };
static void dc_fill_read_refill(Dc *dc, pixman_region32_t *drawn)
{
    QXLRect a = { 200, 40, 260, 140 };
    CHECK(fake_qxl_submit_fill(dc->ts->qxl, &a, DC_READ_RGB) == 0);
    CHECK(fake_qxl_submit_copy_bits(dc->ts->qxl, &dc_read_moved, a.left, a.top) == 0);
    CHECK(fake_qxl_submit_fill(dc->ts->qxl, &a, 0xff4000u) == 0);
    dc_region_add(drawn, &a, NULL, 0);
    dc_region_add(drawn, &dc_read_moved, NULL, 0);
}

static void dc_draw_covered(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    (void)rnd;
    QXLRect box = { 40, 40, 140, 240 };
    dc_queue_fills_stopped(dc, &box, DC_COVERED, 0x0c0d0eu, drawn);
    dc_fill_read_refill(dc, drawn);
    spice_server_vm_start(dc->ts->server);
}

static void test_covered_commands_dropped(void)
{
    Dc dc;
    if (dc_start(&dc, 0, 0)) {
        dc_phase(&dc, "background", 0x0c0c0c, dc_draw_background, NULL);
        DcPhase p = dc_phase(&dc, "covered", 0x0d0d0d, dc_draw_covered, NULL);
        /* The last of the 20 fills, and both fills around the copy: the
         * copy read the first, so it was kept (the client converged). */
        CHECK_EQ_U64(p.count[TEST_CANVAS_FILL], 3);
        CHECK_EQ_U64(p.count[TEST_CANVAS_COPY_BITS], 1);
    }
    dc_stop(&dc);
}

/* A guest that keeps the ring busy: the commands of one worker run wait
 * for the next runs' (server/display/red-worker-commands.c), which drop
 * those they cover.  DC_BUSY_FILLS fills of one box, queued while the VM is
 * stopped, are pulled in runs of 64 once it starts.  With the hold made
 * long enough to outlast a loaded machine (S3D_WORKER_HOLD_MS), one fill
 * reaches the client; one per run (5) would without it. */
#define DC_BUSY_FILLS 300
static void dc_draw_busy(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    (void)rnd;
    QXLRect box = { 60, 60, 120, 200 };
    dc_queue_fills_stopped(dc, &box, DC_BUSY_FILLS, 0x0a0b0cu, drawn);
    spice_server_vm_start(dc->ts->server);
    /* all pulled before the phase's flush, which ends any batch */
    CHECK(fake_qxl_wait_ring_room(dc->ts->qxl, QXL_COMMAND_RING_SIZE, DC_FLUSH_TIMEOUT_MS));
}

/* Makes the batch's hold, and with `linger` its wait for more, long
 * enough to outlast a loaded machine, for the servers started next; false
 * puts both back. */
static void dc_long_waits(bool hold, bool linger)
{
    if (hold) {
        g_setenv("S3D_WORKER_HOLD_MS", "60000", TRUE);
    } else {
        g_unsetenv("S3D_WORKER_HOLD_MS");
    }
    if (linger) {
        g_setenv("S3D_WORKER_LINGER_MS", "60000", TRUE);
    } else {
        g_unsetenv("S3D_WORKER_LINGER_MS");
    }
}

/* The worker's requests to be woken so far (FakeQxlStats). */
static uint64_t dc_asks(Dc *dc)
{
    FakeQxlStats st;
    fake_qxl_get_stats(dc->ts->qxl, &st);
    return st.notification_requests;
}

/* Waits until the worker, since dc_asks said `asks`, has asked to be woken
 * for both rings: its run took all they held. */
static void dc_wait_worker_asked(Dc *dc, uint64_t asks)
{
    CHECK(fake_qxl_wait_asked(dc->ts->qxl, asks + 2, DC_FLUSH_TIMEOUT_MS));
}

/* Draws a phase with the long waits (dc_long_waits); one fill of it
 * reaches the client. */
static void dc_one_fill_reaches(const char *name, DcDraw draw, bool linger)
{
    dc_long_waits(true, linger);
    Dc dc;
    if (dc_start(&dc, 0, 0)) {
        dc_phase(&dc, "background", 0x101010, dc_draw_background, NULL);
        DcPhase p = dc_phase(&dc, name, 0x111111, draw, NULL);
        CHECK_EQ_U64(p.count[TEST_CANVAS_FILL], 1);
    }
    dc_stop(&dc);
    dc_long_waits(false, false);
}

static void test_busy_guest_batches_held(void)
{
    dc_one_fill_reaches("busy", dc_draw_busy, false);
}

/* A guest that empties its ring while it draws on: a batch of a ring's
 * worth of commands or more waits a little for its next wakeup
 * (RED_WORKER_LINGER_MS, server/display/red-worker-private.h).  Here the
 * wait is made long (S3D_WORKER_LINGER_MS): DC_LINGER_FILLS fills of one
 * box, queued while the VM is stopped, are pulled in the first run, which
 * then asks to be woken (both rings: two asks); only then does one more
 * fill of the box come.  It joins the waiting batch and hides the others:
 * one fill reaches the client, where the batch sent at the empty ring
 * would make it two. */
#define DC_LINGER_FILLS 40
static const QXLRect dc_linger_box = { 80, 100, 180, 150 };

/* The fills queued and pulled, the batch waiting; returns the device's
 * count of released commands then. */
static uint64_t dc_linger_begin(Dc *dc, pixman_region32_t *drawn)
{
    dc_queue_fills_stopped(dc, &dc_linger_box, DC_LINGER_FILLS, 0x050607u, drawn);
    uint64_t asks = dc_asks(dc);
    spice_server_vm_start(dc->ts->server);
    dc_wait_worker_asked(dc, asks);
    FakeQxlStats st;
    fake_qxl_get_stats(dc->ts->qxl, &st);
    return st.released;
}

static void dc_draw_linger(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    (void)rnd;
    dc_linger_begin(dc, drawn);
    CHECK(fake_qxl_submit_fill(dc->ts->qxl, &dc_linger_box, 0x4080c0u) == 0);
}

static void test_busy_guest_lingers(void)
{
    dc_one_fill_reaches("linger", dc_draw_linger, true);
}

/* While the batch waits, the guest already has back the memory of the
 * fills that a later one hides (RED_WORKER_CULL_STEP): all but the last of
 * them are released before the batch ends.  Unculled, none would be. */
static void dc_draw_linger_released(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    (void)rnd;
    FakeQxlStats st;
    fake_qxl_get_stats(dc->ts->qxl, &st);
    uint64_t released = dc_linger_begin(dc, drawn) - st.released;
    CHECK_EQ_U64(released, DC_LINGER_FILLS - 1);
    CHECK(fake_qxl_submit_fill(dc->ts->qxl, &dc_linger_box, 0x4080c0u) == 0);
}

static void test_hidden_released_while_batch_waits(void)
{
    dc_one_fill_reaches("released", dc_draw_linger_released, true);
}

/* A guest that sends again as soon as a batch ended is busy too, though it
 * never fills its ring (guest and worker taking turns on one core): its
 * batch of one fill waits for the next.  Three fills of one box, each
 * sent after the worker asked to be woken: one reaches the client.  A
 * batch that waited only at a ring's worth would send all three. */
static void dc_draw_quick_resend(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    (void)rnd;
    for (unsigned i = 0; i < 3; i++) {
        uint64_t asks = dc_asks(dc);
        CHECK(fake_qxl_submit_fill(dc->ts->qxl, &dc_linger_box, 0x203040u + i) == 0);
        dc_wait_worker_asked(dc, asks);
    }
    dc_region_add(drawn, &dc_linger_box, NULL, 0);
}

static void test_quick_resend_lingers(void)
{
    dc_one_fill_reaches("resend", dc_draw_quick_resend, true);
}

/* One batch again: a cacheable image under a fill that covers it, and a
 * fill under another that covers it, read in between by a copy-bits.  The
 * worker skips the image without rendering it (server/display/red-cull.h):
 * the client gets no DRAW_COPY (the client's queue never drops a CACHE_ME
 * image, so it would come if it were drawn).  The read fill is drawn: the
 * copy-bits' destination on the server's own surface has its colour. */
static void dc_draw_hidden(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    (void)rnd;
    spice_server_vm_stop(dc->ts->server);
    QXLRect icon = { 40, 40, 40 + DC_ICON, 40 + DC_ICON };
    uint32_t px[DC_ICON * DC_ICON];
    for (size_t i = 0; i < G_N_ELEMENTS(px); i++) {
        px[i] = (uint32_t)(i * 0x010307u) & 0xffffff;
    }
    dc_put_pixels(dc, &icon, px, 0x1c1ull << 32);
    CHECK(fake_qxl_submit_fill(dc->ts->qxl, &icon, 0x305070u) == 0);
    dc_fill_read_refill(dc, drawn);
    spice_server_vm_start(dc->ts->server);
    dc_region_add(drawn, &icon, NULL, 0);
}

static void test_hidden_drawables_skipped(void)
{
    Dc dc;
    if (dc_start(&dc, 0, 1 << 20)) {
        dc_phase(&dc, "background", 0x0a0a0a, dc_draw_background, NULL);
        DcPhase p = dc_phase(&dc, "hidden", 0x0b0b0b, dc_draw_hidden, NULL);
        CHECK_EQ_U64(p.count[TEST_CANVAS_DRAW_COPY], 1); /* the phase's tag only */
        CHECK_EQ_U64(p.count[TEST_CANVAS_FILL], 3);
        CHECK_EQ_U64(p.count[TEST_CANVAS_COPY_BITS], 1);
        uint32_t px = fake_qxl_primary_pixel(dc.ts->qxl, (uint32_t)dc_read_moved.left + 1,
                                             (uint32_t)dc_read_moved.top + 1);
        CHECK_EQ_U64(px & 0xffffff, DC_READ_RGB);
    }
    dc_stop(&dc);
}

/* A flush completes its cookie before the server writes what the flush
 * rendered to the client (server/display/red-worker-requests.c), so the
 * guest goes on meanwhile.  The device stays quiet, so the fill waits in
 * the ring for the flush; bytes the client's socket holds are counted
 * when the cookie completes. */
typedef struct DcPending {
    int fd;
    int bytes;
    unsigned completions;
} DcPending;

static int dc_bytes_pending(int fd)
{
    int n = -1;
    return ioctl(fd, FIONREAD, &n) == 0 ? n : -1;
}

static void dc_note_pending(uint64_t cookie, void *opaque)
{
    DcPending *p = opaque;
    (void)cookie;
    p->bytes = dc_bytes_pending(p->fd);
    p->completions++;
}

/* The fill either waits in the ring for the flush (the device quiet), or
 * was pulled into a batch that waits for more (`batch_waits`: a busy
 * guest's, the wait made long) and that the flush ends. */
static void dc_check_flush_before_write(bool batch_waits)
{
    dc_long_waits(batch_waits, batch_waits);
    Dc dc;
    if (dc_start(&dc, 0, 0)) {
        dc_phase(&dc, "background", 0x0e0e0e, dc_draw_background, NULL);
        int before = dc_bytes_pending(dc.display_fd);
        DcPending p = { .fd = dc.display_fd, .bytes = -1 };
        uint64_t asks = dc_asks(&dc);
        fake_qxl_set_quiet(dc.ts->qxl, !batch_waits);
        fake_qxl_set_complete_hook(dc.ts->qxl, dc_note_pending, &p);
        QXLRect box = { 10, 20, 50, 90 };
        CHECK(fake_qxl_submit_fill(dc.ts->qxl, &box, 0x123456) == 0);
        if (batch_waits) {
            dc_wait_worker_asked(&dc, asks);
        }
        dc_flush(&dc);
        fake_qxl_set_complete_hook(dc.ts->qxl, NULL, NULL);
        fake_qxl_set_quiet(dc.ts->qxl, false);
        CHECK_EQ_U64(p.completions, 1);
        CHECK(before >= 0);
        CHECK_EQ_U64(p.bytes, before);
        /* and then the fill does reach the client */
        DcPhase after = dc_phase(&dc, "after the flush", 0x0f0f0f, NULL, NULL);
        CHECK_EQ_U64(after.count[TEST_CANVAS_FILL], 1);
    }
    dc_stop(&dc);
    dc_long_waits(false, false);
}

static void test_flush_completes_before_the_write(void)
{
    dc_check_flush_before_write(false);
}

static void test_flush_of_waiting_batch_completes_first(void)
{
    dc_check_flush_before_write(true);
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

/* ---- --serve: the same scene for a real client ----------------------------- */

static void dc_draw_serve_scene(Dc *dc, GRand *rnd, pixman_region32_t *drawn)
{
    dc_draw_background(dc, rnd, drawn);
    dc_draw_fills(dc, rnd, drawn);
    dc_draw_scrolls(dc, rnd, drawn);
    dc_draw_fills(dc, rnd, drawn);
    dc_draw_icons(dc, rnd, drawn);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--serve") == 0) {
        /* background, fills, scrolls, fills, icons (cached); compared exactly */
        return dc_serve(TEST_QXL_SERVER_LZ4, dc_draw_serve_scene, dc_compare_exact);
    }
    static const TestCase cases[] = {
        TEST_CASE(test_fills_are_commands),
        TEST_CASE(test_scrolls_are_copy_bits),
        TEST_CASE(test_moves_in_every_direction),
        TEST_CASE(test_slow_client_converges),
        TEST_CASE(test_covered_commands_dropped),
        TEST_CASE(test_flush_completes_before_the_write),
        TEST_CASE(test_flush_of_waiting_batch_completes_first),
        TEST_CASE(test_busy_guest_batches_held),
        TEST_CASE(test_busy_guest_lingers),
        TEST_CASE(test_hidden_released_while_batch_waits),
        TEST_CASE(test_quick_resend_lingers),
        TEST_CASE(test_hidden_drawables_skipped),
    };
    return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
