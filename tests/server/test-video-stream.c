/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-video-stream: video streams on our display channel (server/display/
 * red-video.c), seen by a client that renders what it gets.
 *
 * A fake QXL device redraws one 160x120 rectangle of a 320x240 primary
 * with a new image 40 times in a row, as a video player does.  The client
 * keeps a canvas: DRAW_COPY bitmaps are copied in, STREAM_DATA frames are
 * decoded with libjpeg into the stream's rectangle.  Cases:
 *
 *  - filter:   streaming-video=filter, a client with MJPEG and reports: it
 *              gets STREAM_CREATE for exactly the rectangle, at least one
 *              STREAM_DATA, a STREAM_ACTIVATE_REPORT, and the last frame is
 *              close to the last image (mean error per channel bounded: it
 *              is lossy, so not exact); once the guest stops, STREAM_DESTROY
 *              and then the canvas equals the guest's picture exactly.
 *  - resume:   once the film's stream ended (the guest paused), playing
 *              on in the same rectangle makes a stream again after 2
 *              pictures, not 20: three pictures bring a second
 *              STREAM_CREATE for the same rectangle.
 *  - filter-skips-text: text redrawn as often, in the same rectangle, is
 *              no film: filter makes no stream of it.
 *  - filter-skips-strip: nor of a film-like strip 30 pixels high (320x30,
 *              over the minimum area): a line of a terminal or a ticker.
 *  - off:      streaming-video=off: no stream message, the canvas is exact.
 *  - no-mjpeg: a client announcing MULTI_CODEC without MJPEG gets no stream;
 *              nor does any client when the host's video codec list
 *              (spice_server_set_video_codecs) leaves MJPEG out.
 *  - small:    a rectangle under the minimum size never becomes a stream.
 *  - report-lies / report-unknown: a STREAM_REPORT claiming more frames
 *              than were sent, or naming a stream never created, closes
 *              that client (the server logs the value).
 *  - report-drops: a STREAM_REPORT of dropped frames lowers the quality
 *              of the frames after it (70 to 60).
 *  - link-sizing: frames start at the server's fixed quality (70) when the
 *              link was not measured; for a client whose link test measured
 *              0.68 Mbit/s (the big PING answered 3 s late), the first
 *              frame already tries another quality (60: the search began)
 *              and, noise at any plausible frame rate being far over its
 *              share of that link, the search ends at the ladder's floor
 *              (20).  The quality is read off each JPEG's luminance table.
 *              The frames of the measured link are stamped ahead by the
 *              time the display's send-ahead limit lets them wait (0.77 s
 *              there) on top of the usual 100 ms; the unmeasured ones by
 *              100 ms at most.
 *  - pacing:   a client gets one frame of a stream per frame interval
 *              (S3D_VIDEO_FRAME_MS=300 here) however fast the guest draws:
 *              a burst of 16 new pictures, each flushed so that it reaches
 *              the worker on its own, arrives as at most one frame per
 *              300 ms of the time it took (plus one), and the burst's last
 *              picture still arrives as a frame once its turn comes, with
 *              nothing drawn after it.
 *  - audio-clock: while the session's playback sounds, frames are stamped
 *              no later than they arrive (the client's clock follows the
 *              sound), a late frame's report reaches the playback client
 *              as PLAYBACK_LATENCY (the new delay); after PLAYBACK_STOP the
 *              frames are stamped that delay ahead again.
 *
 * Every wait is bounded; a deadline reached is a failure.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <spice.h>

#include "jpeg-decode.h"
#include "test-client.h"
#include "test-qxl-server.h"
#include "test-util.h"

#define VT_WIDTH 320
#define VT_HEIGHT 240
#define VT_FRAMES 40
#define VT_IO_TIMEOUT_MS 10000
/* The server ends a stream after 1 s without draws (RED_VIDEO_IDLE_MS);
 * everything must have arrived well within this. */
#define VT_DEADLINE_MS 30000
/* After the canvas is right: how long we keep listening for a stream
 * message that must not come (longer than the server's idle time). */
#define VT_QUIET_MS 2500
#define VT_MAX_MESSAGE (16u << 20)
/* JPEG at the server's qualities: well under this mean error on a smooth
 * image; a frame that is garbage or misplaced is far above it. */
#define VT_MAX_MEAN_ERROR 8.0

typedef struct Canvas {
    uint32_t px[VT_WIDTH * VT_HEIGHT];
} Canvas;

typedef struct Seen {
    unsigned creates, datas, destroys, reports_activated;
    SpiceMsgRect create_dest;
    uint32_t stream_id, unique_id;
    bool destroy_after_data;
    bool stamped;               /* a STREAM_DATA came (since the last reset) */
    uint32_t stamp_min;         /* the least multi_media_time of those */
    int32_t ahead_max;          /* the most one was ahead of its arrival, ms */
    double last_frame_error;    /* of the last frame, against `want` */
    int first_dc_quant, last_dc_quant; /* luminance DC quantizer of frames; 0: none */
    unsigned frames_at_first_quant;    /* frames with first_dc_quant */
} Seen;

/* libjpeg's luminance DC quantizer at quality q (jpeg_set_quality, baseline):
 * the standard table's 16 scaled by 5000/q below 50, by 200 - 2q above. */
static int dc_quant_of_quality(int q)
{
    int scale = q < 50 ? 5000 / q : 200 - 2 * q;
    return CLAMP((16 * scale + 50) / 100, 1, 255);
}

/* The DC quantizer of a JPEG's table 0 (its first DQT), or 0. */
static int jpeg_dc_quant(const uint8_t *p, size_t n)
{
    for (size_t i = 2; i + 5 < n; i++) {
        if (p[i] == 0xff && p[i + 1] == 0xdb) {
            /* length (2), precision << 4 | table id, then 64 values */
            return (p[i + 4] >> 4) == 0 && (p[i + 4] & 0xf) == 0 ? p[i + 5] : 0;
        }
    }
    return 0;
}

/* A smooth moving picture: gradients shifted by frame. */
static void make_frame(uint32_t *px, uint32_t w, uint32_t h, unsigned k)
{
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            uint32_t r = (x * 2 + k * 5) & 0xff, g = (y * 2 + k * 3) & 0xff,
                     b = ((x + y) + k * 7) & 0xff;
            px[y * w + x] = r << 16 | g << 8 | b;
        }
    }
}

static void put_rect(Canvas *c, const SpiceMsgRect *r, const uint32_t *src, uint32_t stride_px)
{
    for (int32_t y = r->top; y < r->bottom; y++) {
        memcpy(&c->px[y * VT_WIDTH + r->left], &src[(size_t)(y - r->top) * stride_px],
               (size_t)(r->right - r->left) * 4);
    }
}

static bool rect_ok(const SpiceMsgRect *r)
{
    return r->left >= 0 && r->top >= 0 && r->right <= VT_WIDTH && r->bottom <= VT_HEIGHT &&
           r->left < r->right && r->top < r->bottom;
}

static double mean_error(const uint32_t *a, const uint32_t *b, size_t n)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        for (int s = 0; s < 24; s += 8) {
            int d = (int)((a[i] >> s) & 0xff) - (int)((b[i] >> s) & 0xff);
            sum += (uint64_t)(d < 0 ? -d : d);
        }
    }
    return (double)sum / (double)(n * 3);
}

static bool canvas_equal(const Canvas *c, const uint32_t *want)
{
    for (size_t i = 0; i < VT_WIDTH * VT_HEIGHT; i++) {
        if ((c->px[i] & 0xffffff) != (want[i] & 0xffffff)) {
            return false;
        }
    }
    return true;
}

/* Applies one display message to the canvas and the tally.  false on a
 * message the client cannot take (bad rectangle, undecodable frame). */
static bool apply(Canvas *c, Seen *seen, int type, const uint8_t *body, uint32_t size,
                  const uint32_t *last_image, const SpiceMsgRect *video_rect)
{
    SpiceMsg m;
    if (type == SPICE_MSG_DISPLAY_DRAW_COPY) {
        if (spice_msg_parse(SPICE_CHANNEL_DISPLAY, (uint16_t)type, body, size, &m) != 0) {
            return false;
        }
        const SpiceMsgDrawCopy *d = &m.u.draw_copy;
        if (!rect_ok(&d->base.box) || d->src.type != SPICE_IMAGE_TYPE_BITMAP ||
            d->src.bitmap_format != SPICE_BITMAP_FMT_32BIT ||
            d->src.bitmap_x != (uint32_t)(d->base.box.right - d->base.box.left) ||
            d->src.bitmap_y != (uint32_t)(d->base.box.bottom - d->base.box.top) ||
            d->src.data.count < (size_t)d->src.bitmap_stride * d->src.bitmap_y) {
            return false;
        }
        /* the server's bitmaps are 4-byte aligned rows of xRGB */
        uint32_t *tmp = g_malloc((size_t)d->src.bitmap_stride * d->src.bitmap_y);
        memcpy(tmp, d->src.data.data, (size_t)d->src.bitmap_stride * d->src.bitmap_y);
        put_rect(c, &d->base.box, tmp, d->src.bitmap_stride / 4);
        g_free(tmp);
        return true;
    }
    if (type == SPICE_MSG_DISPLAY_STREAM_CREATE) {
        if (spice_msg_parse(SPICE_CHANNEL_DISPLAY, (uint16_t)type, body, size, &m) != 0 ||
            !rect_ok(&m.u.stream_create.dest) ||
            m.u.stream_create.codec_type != SPICE_VIDEO_CODEC_TYPE_MJPEG) {
            return false;
        }
        seen->creates++;
        seen->create_dest = m.u.stream_create.dest;
        seen->stream_id = m.u.stream_create.id;
        return true;
    }
    if (type == SPICE_MSG_DISPLAY_STREAM_ACTIVATE_REPORT) {
        if (spice_msg_parse(SPICE_CHANNEL_DISPLAY, (uint16_t)type, body, size, &m) != 0) {
            return false;
        }
        seen->reports_activated++;
        seen->unique_id = m.u.stream_activate_report.unique_id;
        return true;
    }
    if (type == SPICE_MSG_DISPLAY_STREAM_DATA) {
        if (spice_msg_parse(SPICE_CHANNEL_DISPLAY, (uint16_t)type, body, size, &m) != 0 ||
            seen->creates == 0 || m.u.stream_data.id != seen->stream_id) {
            return false;
        }
        const SpiceMsgRect *r = &seen->create_dest;
        uint32_t w = (uint32_t)(r->right - r->left), h = (uint32_t)(r->bottom - r->top);
        uint32_t *frame = g_new(uint32_t, (size_t)w * h);
        bool ok = test_jpeg_decode(m.u.stream_data.data.data, m.u.stream_data.data.count, w, h,
                                   frame) == 0;
        if (ok) {
            put_rect(c, r, frame, w);
            if (video_rect && memcmp(r, video_rect, sizeof(*r)) == 0) {
                seen->last_frame_error = mean_error(frame, last_image, (size_t)w * h);
            }
        }
        g_free(frame);
        int quant = jpeg_dc_quant(m.u.stream_data.data.data, m.u.stream_data.data.count);
        if (seen->datas == 0) {
            seen->first_dc_quant = quant;
        }
        seen->frames_at_first_quant += quant == seen->first_dc_quant;
        seen->last_dc_quant = quant;
        seen->datas++;
        /* The server's clock is g_get_monotonic_time in ms, as ours. */
        uint32_t t = m.u.stream_data.multi_media_time;
        int32_t ahead = (int32_t)(t - (uint32_t)(g_get_monotonic_time() / 1000));
        if (!seen->stamped || ahead > seen->ahead_max) {
            seen->ahead_max = ahead;
        }
        if (!seen->stamped || (int32_t)(t - seen->stamp_min) < 0) {
            seen->stamp_min = t;
        }
        seen->stamped = true;
        return ok;
    }
    if (type == SPICE_MSG_DISPLAY_STREAM_DESTROY) {
        seen->destroys++;
        seen->destroy_after_data = seen->datas > 0;
        return true;
    }
    return true; /* SET_ACK, SURFACE_CREATE, MARK, INVAL_*...: nothing to draw */
}

typedef struct VideoRun {
    TestQxlServer *ts;
    uint32_t session;
    int main_fd, disp_fd;
    TestChannel ch;
    Canvas canvas;
    Seen seen;
    uint32_t want[VT_WIDTH * VT_HEIGHT]; /* the guest's picture */
} VideoRun;

/* Starts the server and a client; link_delay_ms >= 0: its main channel
 * answers the link test, the big PING that late, before the display links. */
static bool video_run_start_on_link(VideoRun *r, int mode, TestClientDisplayCaps caps,
                                    const char *codecs, int link_delay_ms)
{
    memset(r, 0, sizeof(*r));
    r->main_fd = r->disp_fd = -1;
    r->ts = test_qxl_server_create(VT_WIDTH, VT_HEIGHT, TEST_QXL_SERVER_RAW);
    if (r->ts == NULL) {
        return false;
    }
    /* Read when the display client attaches, which is later. */
    spice_server_set_streaming_video(r->ts->server, mode);
    if (codecs && spice_server_set_video_codecs(r->ts->server, codecs) != 0) {
        return false;
    }
    r->main_fd = test_client_open_session(r->ts->port, TEST_QXL_SERVER_PASSWORD, &r->session,
                                          VT_IO_TIMEOUT_MS);
    if (r->main_fd < 0 ||
        (link_delay_ms >= 0 &&
         test_client_answer_link_test(r->main_fd, (unsigned)link_delay_ms, VT_IO_TIMEOUT_MS) != 0)) {
        return false;
    }
    r->disp_fd = test_client_connect(r->ts->port, 0);
    if (r->disp_fd < 0 ||
        test_client_link_display(r->disp_fd, 0, r->session, TEST_QXL_SERVER_PASSWORD, caps,
                                 VT_IO_TIMEOUT_MS) != SPICE_LINK_ERR_OK) {
        return false;
    }
    test_channel_init(&r->ch, r->disp_fd, SPICE_CHANNEL_DISPLAY, true);
    /* The link reply comes from the main thread, before the worker has
     * attached the client; its first message (SET_ACK) comes after.  Draws
     * made before that do not count toward a stream with filter (film-like
     * pictures are looked for only while a client takes video), so the
     * film waits for it. */
    uint8_t *body = NULL;
    uint32_t size = 0;
    int type = test_channel_read(&r->ch, &body, &size, VT_MAX_MESSAGE, VT_IO_TIMEOUT_MS);
    bool ok = type >= 0 && apply(&r->canvas, &r->seen, type, body, size, NULL, NULL);
    g_free(body);
    return ok;
}

static bool video_run_start(VideoRun *r, int mode, TestClientDisplayCaps caps,
                            const char *codecs)
{
    return video_run_start_on_link(r, mode, caps, codecs, -1);
}

static void video_run_stop(VideoRun *r)
{
    if (r->disp_fd >= 0) {
        close(r->disp_fd);
    }
    if (r->main_fd >= 0) {
        close(r->main_fd);
    }
    CHECK(test_qxl_server_destroy(r->ts, VT_IO_TIMEOUT_MS));
}

typedef void (*FrameMaker)(uint32_t *px, uint32_t w, uint32_t h, unsigned k);

/* A terminal's text redrawn: paper and ink in 8x16 cells, new text each
 * time (no film: streaming-video=filter must not stream it). */
static void make_text_frame(uint32_t *px, uint32_t w, uint32_t h, unsigned k)
{
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            uint32_t cell = (y / 16) * (w / 8) + x / 8 + k * 7;
            uint32_t bits = (cell * 2654435761u) >> ((y % 16) % 13);
            bool ink = y % 16 >= 3 && y % 16 < 13 && x % 8 > 0 && (bits >> (x % 8) & 1);
            px[y * w + x] = ink ? 0x202020u : 0xf0f0e8u;
        }
    }
}

/* The guest plays images k0 .. k0 + frames - 1 made by `maker` into rect. */
static void play_frames_from(VideoRun *r, const QXLRect *rect, unsigned k0, unsigned frames,
                             uint32_t *last, FrameMaker maker)
{
    uint32_t w = (uint32_t)(rect->right - rect->left), h = (uint32_t)(rect->bottom - rect->top);
    for (unsigned k = k0; k < k0 + frames; k++) {
        maker(last, w, h, k);
        FakeQxlBitmap bmp = { .pixels = last, .width = w, .height = h };
        CHECK(fake_qxl_submit_copy(r->ts->qxl, rect, &bmp) == 0);
    }
    for (uint32_t y = 0; y < h; y++) {
        memcpy(&r->want[(size_t)(rect->top + y) * VT_WIDTH + rect->left], &last[(size_t)y * w],
               (size_t)w * 4);
    }
}

static void play_frames(VideoRun *r, const QXLRect *rect, unsigned frames, uint32_t *last,
                        FrameMaker maker)
{
    play_frames_from(r, rect, 0, frames, last, maker);
}

/* The guest plays `frames` frames of a smooth moving picture into rect. */
static void play(VideoRun *r, const QXLRect *rect, unsigned frames, uint32_t *last)
{
    play_frames(r, rect, frames, last, make_frame);
}

/* Reads and applies messages until the canvas equals the guest's picture
 * and (when want_destroy) the stream was destroyed after its frames, then
 * listens VT_QUIET_MS more.  false on a deadline or a bad message. */
static bool read_until_exact(VideoRun *r, bool want_destroy, const uint32_t *last,
                             const SpiceMsgRect *video_rect)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)VT_DEADLINE_MS * 1000;
    gint64 quiet_until = 0;
    for (;;) {
        gint64 now = g_get_monotonic_time();
        bool done = canvas_equal(&r->canvas, r->want) &&
                    (!want_destroy || r->seen.destroy_after_data);
        if (done && quiet_until == 0) {
            quiet_until = now + (gint64)VT_QUIET_MS * 1000;
        }
        if (quiet_until && now >= quiet_until) {
            return canvas_equal(&r->canvas, r->want);
        }
        if (now >= deadline) {
            fprintf(stderr, "deadline: creates %u datas %u destroys %u, canvas %s\n",
                    r->seen.creates, r->seen.datas, r->seen.destroys,
                    canvas_equal(&r->canvas, r->want) ? "exact" : "differs");
            return false;
        }
        gint64 until = quiet_until ? quiet_until : deadline;
        unsigned wait_ms = (unsigned)MAX(1, (until - now) / 1000);
        uint8_t *body = NULL;
        uint32_t size = 0;
        int type = test_channel_read(&r->ch, &body, &size, VT_MAX_MESSAGE, wait_ms);
        if (type < 0) {
            if (quiet_until) {
                continue; /* nothing more came: the quiet time ran out */
            }
            fprintf(stderr, "display channel: read failed or timed out\n");
            return false;
        }
        bool ok = apply(&r->canvas, &r->seen, type, body, size, last, video_rect);
        g_free(body);
        if (!ok) {
            fprintf(stderr, "display message %d: not what a client can draw\n", type);
            return false;
        }
    }
}

static const QXLRect video_qrect = { .top = 60, .left = 80, .bottom = 180, .right = 240 };
static const SpiceMsgRect video_rect = { .top = 60, .left = 80, .bottom = 180, .right = 240 };

static void test_filter(void)
{
    VideoRun *r = g_new(VideoRun, 1);
    uint32_t *last = g_new(uint32_t, 160 * 120);
    if (video_run_start(r, SPICE_STREAM_VIDEO_FILTER, TEST_CLIENT_DISPLAY_VIDEO, NULL)) {
        play(r, &video_qrect, VT_FRAMES, last);
        CHECK(read_until_exact(r, true, last, &video_rect));
        CHECK_EQ_U64(r->seen.creates, 1);
        CHECK(memcmp(&r->seen.create_dest, &video_rect, sizeof(video_rect)) == 0);
        CHECK(r->seen.datas >= 1);
        CHECK_EQ_U64(r->seen.reports_activated, 1);
        CHECK_EQ_U64(r->seen.destroys, 1);
        printf("filter: %u frames, last frame mean error %.2f\n", r->seen.datas,
               r->seen.last_frame_error);
        CHECK(r->seen.last_frame_error <= VT_MAX_MEAN_ERROR);
    } else {
        CHECK(!"server or client start-up");
    }
    video_run_stop(r);
    g_free(last);
    g_free(r);
}

#define VT_RESUME_PICTURES 3

static void test_resume(void)
{
    VideoRun *r = g_new(VideoRun, 1);
    uint32_t *last = g_new(uint32_t, 160 * 120);
    if (video_run_start(r, SPICE_STREAM_VIDEO_FILTER, TEST_CLIENT_DISPLAY_VIDEO, NULL)) {
        play(r, &video_qrect, VT_FRAMES, last);
        CHECK(read_until_exact(r, true, last, &video_rect)); /* ended: paused */
        CHECK_EQ_U64(r->seen.creates, 1);
        play_frames_from(r, &video_qrect, VT_FRAMES, VT_RESUME_PICTURES, last, make_frame);
        CHECK(read_until_exact(r, true, last, &video_rect));
        printf("resume: %u pictures after the pause, stream creates %u, destroys %u\n",
               VT_RESUME_PICTURES, r->seen.creates, r->seen.destroys);
        CHECK_EQ_U64(r->seen.creates, 2);
        CHECK(memcmp(&r->seen.create_dest, &video_rect, sizeof(video_rect)) == 0);
        CHECK_EQ_U64(r->seen.destroys, 2);
    } else {
        CHECK(!"server or client start-up");
    }
    video_run_stop(r);
    g_free(last);
    g_free(r);
}

/* No stream at all: the setting says off, the client takes no MJPEG, or
 * the area is too small. */
static void expect_no_stream_of(int mode, TestClientDisplayCaps caps, const QXLRect *q,
                                const char *codecs, FrameMaker maker)
{
    VideoRun *r = g_new(VideoRun, 1);
    uint32_t *last = g_new(uint32_t, (size_t)(q->right - q->left) * (q->bottom - q->top));
    if (video_run_start(r, mode, caps, codecs)) {
        play_frames(r, q, VT_FRAMES, last, maker);
        CHECK(read_until_exact(r, false, last, NULL));
        CHECK_EQ_U64(r->seen.creates, 0);
        CHECK_EQ_U64(r->seen.datas, 0);
    } else {
        CHECK(!"server or client start-up");
    }
    video_run_stop(r);
    g_free(last);
    g_free(r);
}

static void expect_no_stream(int mode, TestClientDisplayCaps caps, const QXLRect *q,
                             const char *codecs)
{
    expect_no_stream_of(mode, caps, q, codecs, make_frame);
}

/* Text redrawn as often as a film, in the film's rectangle: filter keeps
 * it lossless (a scrolling terminal whose lines became a stream would have
 * every scroll sent as pixels). */
static void test_filter_skips_text(void)
{
    expect_no_stream_of(SPICE_STREAM_VIDEO_FILTER, TEST_CLIENT_DISPLAY_VIDEO, &video_qrect, NULL,
                        make_text_frame);
}

/* A strip of film-like pixels, thinner than any film (and than
 * RED_RENDER_NATURAL_MIN_SIDE) but over the minimum area: filter does not
 * even look at it. */
static void test_filter_skips_strip(void)
{
    static const QXLRect strip = { .top = 100, .left = 0, .bottom = 130, .right = 320 };
    expect_no_stream(SPICE_STREAM_VIDEO_FILTER, TEST_CLIENT_DISPLAY_VIDEO, &strip, NULL);
}

static void test_off(void)
{
    expect_no_stream(SPICE_STREAM_VIDEO_OFF, TEST_CLIENT_DISPLAY_VIDEO, &video_qrect, NULL);
}

static void test_no_mjpeg(void)
{
    expect_no_stream(SPICE_STREAM_VIDEO_ALL, TEST_CLIENT_DISPLAY_NO_VIDEO, &video_qrect, NULL);
}

/* The host's codec list leaves out MJPEG, our only encoder. */
static void test_codecs_without_mjpeg(void)
{
    expect_no_stream(SPICE_STREAM_VIDEO_ALL, TEST_CLIENT_DISPLAY_VIDEO, &video_qrect, "spice:vp8");
}

static void test_small(void)
{
    /* 90x90 = 8100 pixels, under the 96x96 minimum */
    static const QXLRect small = { .top = 10, .left = 10, .bottom = 100, .right = 100 };
    expect_no_stream(SPICE_STREAM_VIDEO_ALL, TEST_CLIENT_DISPLAY_VIDEO, &small, NULL);
}

/* Film grain: every pixel its own, new each frame (JPEG's worst case). */
static void make_noise_frame(uint32_t *px, uint32_t w, uint32_t h, unsigned k)
{
    for (uint32_t i = 0; i < w * h; i++) {
        px[i] = ((i + 1) * 2654435761u ^ (k + 1) * 40503u * (i | 1)) & 0xffffffu;
    }
}

#define VT_SLOW_PONG_MS 3000    /* 250 KiB in 3 s: 0.68 Mbit/s */
#define VT_PACED_FRAMES 6       /* the search's three steps, its answer, and more */

/* Once the stream is on: the guest draws frame k0, k0 + 1, ... each after
 * the client got the last one, so that each becomes a frame of its own
 * (drawn at once, they merge into the latest).  false on a deadline. */
static bool play_paced(VideoRun *r, unsigned k0, uint32_t *last)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)VT_DEADLINE_MS * 1000;
    for (unsigned k = k0; k < k0 + VT_PACED_FRAMES; k++) {
        unsigned datas = r->seen.datas;
        play_frames_from(r, &video_qrect, k, 1, last, make_noise_frame);
        while (r->seen.datas == datas) {
            gint64 now = g_get_monotonic_time();
            uint8_t *body = NULL;
            uint32_t size = 0;
            int type = now < deadline ? test_channel_read(&r->ch, &body, &size, VT_MAX_MESSAGE,
                                                          (unsigned)((deadline - now) / 1000) + 1)
                                      : -1;
            bool ok = type >= 0 && apply(&r->canvas, &r->seen, type, body, size, NULL, NULL);
            g_free(body);
            if (!ok) {
                fprintf(stderr, "paced frame %u: no STREAM_DATA (%u so far)\n", k, datas);
                return false;
            }
        }
    }
    return true;
}

/* The film's frames through a client whose link was measured (or not, for
 * link_delay_ms < 0); returns false when start-up failed. */
static bool sized_run(int link_delay_ms, Seen *seen)
{
    VideoRun *r = g_new(VideoRun, 1);
    uint32_t *last = g_new(uint32_t, 160 * 120);
    bool ok = video_run_start_on_link(r, SPICE_STREAM_VIDEO_ALL, TEST_CLIENT_DISPLAY_VIDEO, NULL,
                                      link_delay_ms);
    if (ok) {
        play_frames(r, &video_qrect, VT_FRAMES, last, make_noise_frame);
        CHECK(play_paced(r, VT_FRAMES, last));
        CHECK(read_until_exact(r, true, last, NULL));
        *seen = r->seen;
        printf("link %s: %u frames, DC quantizers first %d (%u frames), last %d; stamped up "
               "to %d ms ahead\n", link_delay_ms < 0 ? "not measured" : "slow", seen->datas,
               seen->first_dc_quant, seen->frames_at_first_quant, seen->last_dc_quant,
               seen->ahead_max);
    }
    video_run_stop(r);
    g_free(last);
    g_free(r);
    return ok;
}

static void test_link_sizing(void)
{
    Seen seen;
    if (!sized_run(-1, &seen)) {
        CHECK(!"server or client start-up");
        return;
    }
    CHECK(seen.datas >= 1);
    CHECK_EQ_U64(seen.first_dc_quant, dc_quant_of_quality(70));
    CHECK_EQ_U64(seen.frames_at_first_quant, seen.datas);
    CHECK(seen.ahead_max <= 100); /* stamped the fixed 100 ms ahead, at most */
    if (!sized_run(VT_SLOW_PONG_MS, &seen)) {
        CHECK(!"server or client start-up");
        return;
    }
    CHECK(seen.datas >= 4); /* three steps of the search, then its answer */
    CHECK_EQ_U64(seen.first_dc_quant, dc_quant_of_quality(60));
    CHECK_EQ_U64(seen.last_dc_quant, dc_quant_of_quality(20));
    /* The display keeps 64 KiB ahead of that link, 0.77 s of it: frames
     * are stamped that much later too (100 + 771 ms), not 100 ms, so that
     * one that waited behind the others is not late on arrival. */
    CHECK(seen.ahead_max >= 500);
}

/* Reads (applying) until the client has a stream with a frame and its
 * reports are activated; a deadline reached is a failure. */
static void read_until_first_frame(VideoRun *r, const uint32_t *last)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)VT_DEADLINE_MS * 1000;
    while (r->seen.datas == 0 && g_get_monotonic_time() < deadline) {
        uint8_t *body = NULL;
        uint32_t size = 0;
        int type = test_channel_read(&r->ch, &body, &size, VT_MAX_MESSAGE, VT_IO_TIMEOUT_MS);
        if (type < 0) {
            break;
        }
        apply(&r->canvas, &r->seen, type, body, size, last, NULL);
        g_free(body);
    }
    if (r->seen.datas == 0 || r->seen.reports_activated != 1) {
        fprintf(stderr, "first frame: creates %u datas %u reports activated %u\n",
                r->seen.creates, r->seen.datas, r->seen.reports_activated);
    }
    CHECK(r->seen.datas > 0 && r->seen.reports_activated == 1);
}

#define VT_PACE_MS 300
#define VT_PACE_DRAWS 16
#define VT_PACE_COOKIE 0x9ace

static void test_pacing(void)
{
    g_setenv("S3D_VIDEO_FRAME_MS", G_STRINGIFY(VT_PACE_MS), TRUE);
    VideoRun *r = g_new(VideoRun, 1);
    uint32_t *last = g_new(uint32_t, 160 * 120);
    bool started = video_run_start(r, SPICE_STREAM_VIDEO_FILTER, TEST_CLIENT_DISPLAY_VIDEO, NULL);
    g_unsetenv("S3D_VIDEO_FRAME_MS"); /* read by the worker at start */
    if (!started) {
        CHECK(!"server or client start-up");
        video_run_stop(r);
        g_free(last);
        g_free(r);
        return;
    }
    play(r, &video_qrect, VT_FRAMES, last);
    read_until_first_frame(r, last);
    unsigned before = r->seen.datas;
    QXLInstance *qin = fake_qxl_get_instance(r->ts->qxl);
    gint64 t0 = g_get_monotonic_time();
    for (unsigned i = 0; i < VT_PACE_DRAWS; i++) {
        /* 20 frames apart: each picture far from the others, so only the
         * last one's frame is close to `last`. */
        play_frames_from(r, &video_qrect, VT_FRAMES + 20 * i, 1, last, make_frame);
        spice_qxl_flush_surfaces_async(qin, VT_PACE_COOKIE);
        CHECK(fake_qxl_wait_async_count(r->ts->qxl, VT_PACE_COOKIE, i + 1, VT_IO_TIMEOUT_MS) ==
              i + 1);
    }
    /* Then nothing more is drawn: the last picture's frame must come. */
    gint64 deadline = t0 + (gint64)VT_DEADLINE_MS * 1000, arrived = 0;
    while (arrived == 0 && g_get_monotonic_time() < deadline) {
        uint8_t *body = NULL;
        uint32_t size = 0;
        unsigned datas = r->seen.datas;
        int type = test_channel_read(&r->ch, &body, &size, VT_MAX_MESSAGE, VT_IO_TIMEOUT_MS);
        bool ok = type >= 0 && apply(&r->canvas, &r->seen, type, body, size, last, &video_rect);
        g_free(body);
        if (!ok) {
            break;
        }
        if (r->seen.datas > datas && r->seen.last_frame_error <= VT_MAX_MEAN_ERROR) {
            arrived = g_get_monotonic_time();
        }
    }
    unsigned frames = r->seen.datas - before;
    int64_t took_ms = (arrived - t0) / 1000;
    printf("pacing: %u pictures drawn, %u frames in %" G_GINT64_FORMAT " ms, last frame mean "
           "error %.2f\n", VT_PACE_DRAWS, frames, (gint64)took_ms, r->seen.last_frame_error);
    CHECK(arrived != 0);
    CHECK(r->seen.destroys == 0); /* it came as a frame, not as the stream's end */
    /* Frames at least VT_PACE_MS apart, all sent within took_ms; one more
     * for the film's own frame that may still have been owed at t0 (sent
     * after the first one), one more for the rounding of the server's
     * ms clock.  Unpaced, each of the draws would be a frame. */
    CHECK(arrived == 0 || frames <= (unsigned)(took_ms / VT_PACE_MS) + 3);
    video_run_stop(r);
    g_free(last);
    g_free(r);
}

/* Plays until the client has a stream with at least one frame, then sends
 * `report`; the server must close the display channel. */
static void expect_report_closes(bool lie_about_frames)
{
    VideoRun *r = g_new(VideoRun, 1);
    uint32_t *last = g_new(uint32_t, 160 * 120);
    if (video_run_start(r, SPICE_STREAM_VIDEO_FILTER, TEST_CLIENT_DISPLAY_VIDEO, NULL)) {
        if (lie_about_frames) {
            play(r, &video_qrect, VT_FRAMES, last);
            read_until_first_frame(r, last);
        }
        SpiceMsgc rep = { .type = SPICE_MSGC_DISPLAY_STREAM_REPORT };
        rep.u.stream_report = (SpiceMsgcDisplayStreamReport){
            .stream_id = lie_about_frames ? r->seen.stream_id : 5,
            .unique_id = lie_about_frames ? r->seen.unique_id : 1,
            .num_frames = lie_about_frames ? 1000000 : 1,
        };
        CHECK(test_client_send_msgc(r->disp_fd, SPICE_CHANNEL_DISPLAY, &rep) == 0);
        CHECK(test_client_wait_closed(r->disp_fd, VT_IO_TIMEOUT_MS));
    } else {
        CHECK(!"server or client start-up");
    }
    video_run_stop(r);
    g_free(last);
    g_free(r);
}

static void test_report_lies(void)
{
    expect_report_closes(true);
}

static void test_report_unknown(void)
{
    expect_report_closes(false);
}

/* A report of dropped frames: the frames after it go at a lower quality
 * (70, then 60; at most 65 even if rate control raised it since). */
static void test_report_drops(void)
{
    VideoRun *r = g_new(VideoRun, 1);
    uint32_t *last = g_new(uint32_t, 160 * 120);
    if (video_run_start(r, SPICE_STREAM_VIDEO_FILTER, TEST_CLIENT_DISPLAY_VIDEO, NULL)) {
        play(r, &video_qrect, VT_FRAMES, last);
        read_until_first_frame(r, last);
        CHECK_EQ_U64(r->seen.first_dc_quant, dc_quant_of_quality(70));
        SpiceMsgc rep = { .type = SPICE_MSGC_DISPLAY_STREAM_REPORT };
        rep.u.stream_report = (SpiceMsgcDisplayStreamReport){
            .stream_id = r->seen.stream_id, .unique_id = r->seen.unique_id,
            .num_frames = 1, .num_drops = 1, .last_frame_delay = 5,
        };
        CHECK(test_client_send_msgc(r->disp_fd, SPICE_CHANNEL_DISPLAY, &rep) == 0);
        play_frames_from(r, &video_qrect, VT_FRAMES, VT_FRAMES, last, make_frame);
        CHECK(read_until_exact(r, true, last, &video_rect));
        printf("report-drops: DC quantizers first %d, last %d (quality 70: %d, 65: %d)\n",
               r->seen.first_dc_quant, r->seen.last_dc_quant, dc_quant_of_quality(70),
               dc_quant_of_quality(65));
        CHECK(r->seen.last_dc_quant >= dc_quant_of_quality(65));
    } else {
        CHECK(!"server or client start-up");
    }
    video_run_stop(r);
    g_free(last);
    g_free(r);
}

/* ---- sound and picture (red-video.h) --------------------------------------- */

static const SpicePlaybackInterface vt_playback_sif = {
    .base = { .type = SPICE_INTERFACE_PLAYBACK, .description = "test playback",
              .major_version = SPICE_INTERFACE_PLAYBACK_MAJOR,
              .minor_version = SPICE_INTERFACE_PLAYBACK_MINOR },
};
static SpicePlaybackInstance vt_playback;

/* On the server's thread (test_core_call). */
static void playback_add_and_start(void *data)
{
    TestQxlServer *ts = data;
    vt_playback.base.sif = &vt_playback_sif.base;
    CHECK(spice_server_add_interface(ts->server, &vt_playback.base) == 0);
    spice_server_playback_start(&vt_playback);
}

static void playback_stop(void *data)
{
    (void)data;
    spice_server_playback_stop(&vt_playback);
}

/* The playback channel's next message must be of type want; its fixed
 * fields are parsed into *m (no array of it may be used). */
static void expect_playback(int fd, uint16_t want, SpiceMsg *m)
{
    uint8_t *body = test_client_expect(fd, SPICE_CHANNEL_PLAYBACK, want, m, 64u * 1024,
                                       VT_IO_TIMEOUT_MS);
    CHECK(body != NULL);
    g_free(body);
}

static void test_audio_clock(void)
{
    VideoRun *r = g_new(VideoRun, 1);
    uint32_t *last = g_new(uint32_t, 160 * 120);
    int pfd = -1;
    if (video_run_start(r, SPICE_STREAM_VIDEO_FILTER, TEST_CLIENT_DISPLAY_VIDEO, NULL)) {
        CHECK(test_core_call(r->ts->core, playback_add_and_start, r->ts, VT_IO_TIMEOUT_MS) == 0);
        static const uint32_t caps[] = { SPICE_PLAYBACK_CAP_LATENCY };
        pfd = test_client_connect(r->ts->port, 0);
        CHECK(pfd >= 0);
        CHECK_EQ_U64(test_client_link_with_caps(pfd, SPICE_CHANNEL_PLAYBACK, r->session,
                                                TEST_QXL_SERVER_PASSWORD, caps, 1,
                                                VT_IO_TIMEOUT_MS),
                     SPICE_LINK_ERR_OK);
        SpiceMsg m;
        expect_playback(pfd, SPICE_MSG_PLAYBACK_MODE, &m);
        expect_playback(pfd, SPICE_MSG_PLAYBACK_START, &m);

        /* Sounding (the clock change was queued to the worker before START
         * went): no frame is stamped ahead of its arrival. */
        play(r, &video_qrect, VT_FRAMES, last);
        read_until_first_frame(r, last);
        SpiceMsgc rep = { .type = SPICE_MSGC_DISPLAY_STREAM_REPORT };
        rep.u.stream_report = (SpiceMsgcDisplayStreamReport){
            .stream_id = r->seen.stream_id, .unique_id = r->seen.unique_id,
            .num_frames = 1, .last_frame_delay = -20, /* late: the delay grows 100 -> 150 */
        };
        CHECK(test_client_send_msgc(r->disp_fd, SPICE_CHANNEL_DISPLAY, &rep) == 0);
        CHECK(read_until_exact(r, true, last, &video_rect));
        printf("audio-clock: sounding, frames at most %d ms ahead of arrival\n",
               r->seen.ahead_max);
        CHECK(r->seen.stamped && r->seen.ahead_max <= 0);
        expect_playback(pfd, SPICE_MSG_PLAYBACK_LATENCY, &m);
        CHECK_EQ_U64(m.u.playback_latency.latency_ms, 150);

        /* Silent: the stream that follows is stamped the delay ahead. */
        CHECK(test_core_call(r->ts->core, playback_stop, NULL, VT_IO_TIMEOUT_MS) == 0);
        expect_playback(pfd, SPICE_MSG_PLAYBACK_STOP, &m);
        uint32_t t0 = (uint32_t)(g_get_monotonic_time() / 1000);
        r->seen.stamped = false;
        r->seen.destroy_after_data = false;
        play(r, &video_qrect, VT_FRAMES, last);
        CHECK(read_until_exact(r, true, last, &video_rect));
        CHECK(r->seen.stamped);
        printf("audio-clock: silent, first stamp %d ms after the frames began\n",
               (int32_t)(r->seen.stamp_min - t0));
        CHECK((int32_t)(r->seen.stamp_min - (t0 + 150)) >= 0);
    } else {
        CHECK(!"server or client start-up");
    }
    if (pfd >= 0) {
        close(pfd);
    }
    video_run_stop(r);
    g_free(last);
    g_free(r);
}

int main(int argc, char **argv)
{
    /* Detection counts frames only: on a loaded machine the worker may
     * see more than the real 200 ms between two of the film's frames. */
    g_setenv("S3D_VIDEO_MAX_GAP_MS", "600000", TRUE);
    static const TestCase cases[] = {
        TEST_CASE(test_filter),       TEST_CASE(test_filter_skips_text),
        TEST_CASE(test_filter_skips_strip),
        TEST_CASE(test_off),          TEST_CASE(test_no_mjpeg),
        TEST_CASE(test_small),        TEST_CASE(test_report_lies),  TEST_CASE(test_report_unknown),
        TEST_CASE(test_report_drops),
        TEST_CASE(test_codecs_without_mjpeg), TEST_CASE(test_audio_clock),
        TEST_CASE(test_link_sizing),  TEST_CASE(test_pacing),       TEST_CASE(test_resume),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
