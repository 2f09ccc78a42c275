/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-send-ahead: on a link the server measured slow, a display client is
 * sent at most about a quarter of a second of that link ahead of what it
 * took (red_channel_client_set_send_ahead; DISPLAY_AHEAD_MS in
 * server/display/display-channel.c): what the guest draws meanwhile merges,
 * so the client catches up with the latest picture, not with a queue of
 * stale ones.
 *
 * A client with a small receive buffer answers the link test late (6.8
 * Mbit/s), then reads nothing while the guest draws twelve different
 * full-screen frames (raw images: 1.2 MB each); then it reads until its
 * canvas equals the server's surface.  What it got meanwhile must stay
 * under three frames: about the quarter second ahead, a message in
 * progress, and the last picture.  Without the limit the server queues up
 * to its high water mark (4 MiB) of stale frames first, and the client
 * gets more than five frames' worth.  Fixture: display-fixture.h.
 */
#include "config.h"

#include <stdio.h>

#include <glib.h>

#include "display-fixture.h"
#include "test-util.h"

#define SA_FRAMES 12
#define SA_FRAME_BYTES ((uint64_t)DC_WIDTH * DC_HEIGHT * 4)
#define SA_SLOW_PONG_MS 300     /* 250 KiB in 300 ms: 6.8 Mbit/s */
#define SA_RCVBUF 4096          /* the client's socket holds next to nothing */

/* Draws SA_FRAMES full-screen frames the client does not read, then reads
 * until its canvas is the server's: the bytes that took. */
static uint64_t catch_up_bytes(Dc *dc, uint32_t seed, uint32_t tag)
{
    dc_phase(dc, "background", tag, dc_draw_background, NULL);
    QXLRect all = { 0, 0, DC_HEIGHT, DC_WIDTH };
    for (uint32_t i = 0; i < SA_FRAMES; i++) {
        dc_bitmap(dc, &all, seed + i);
    }
    dc_flush(dc);
    DcPhase p = dc_phase(dc, "catching up", tag + 1, NULL, NULL);
    printf("%d frames of %" G_GUINT64_FORMAT " bytes drawn unread; %" G_GUINT64_FORMAT
           " bytes to catch up (%.1f frames)\n", SA_FRAMES, SA_FRAME_BYTES, p.bytes,
           (double)p.bytes / (double)SA_FRAME_BYTES);
    return p.bytes;
}

static void test_slow_link_catches_up_with_the_latest(void)
{
    Dc dc;
    if (dc_start_on_link(&dc, SA_RCVBUF, 0, TEST_QXL_SERVER_RAW, SA_SLOW_PONG_MS)) {
        CHECK(catch_up_bytes(&dc, 100, 0x212121) < 3 * SA_FRAME_BYTES);
    }
    dc_stop(&dc);
}

/* Without a measured link nothing is held back beyond the high water mark
 * (the client gets the queued frames): the limit is the link's. */
static void test_no_link_no_limit(void)
{
    Dc dc;
    if (dc_start_on_link(&dc, SA_RCVBUF, 0, TEST_QXL_SERVER_RAW, -1)) {
        CHECK(catch_up_bytes(&dc, 200, 0x232323) > 3 * SA_FRAME_BYTES);
    }
    dc_stop(&dc);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_slow_link_catches_up_with_the_latest),
        TEST_CASE(test_no_link_no_limit),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
