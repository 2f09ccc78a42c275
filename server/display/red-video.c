/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-video.c: video streams on the display channel (see red-video.h for
 * the rules).  Worker thread only. */
#include "config.h"

#include "red-video.h"

#include <spice.h>
#include <string.h>

#include "red-box.h"
#include "red-env.h"
#include "red-log.h"
#include "red-mjpeg.h"
#include "red-worker-private.h"

/* JPEG quality: where a client starts, and the range rate control keeps it in. */
#define VIDEO_QUALITY_START 70
#define VIDEO_QUALITY_LOW 20
#define VIDEO_QUALITY_HIGH 85
/* Presentation delay stamped on frames: spice-gtk drops a frame whose time
 * has passed on arrival, so frames are stamped ahead by what the link
 * needs; reports of late frames raise it. */
#define VIDEO_DELAY_START_MS 100
#define VIDEO_DELAY_MIN_MS 50
#define VIDEO_DELAY_MAX_MS 1000
/* Before a stream has played a second, the ladder search sizes its frames
 * for at least this rate: detection's rate runs low when the guest's
 * first frames come unevenly, and frames sized for 14 a second that come
 * at 25 fill the link past what it carries; then spice-gtk's STREAM_REPORTs
 * reached us only once the stream had ended (seen at 10 Mbit/s through
 * link-shaper), and it dropped every late frame.  Rate control raises the
 * quality again where the link keeps up.  The real server's MJPEG rate
 * control starts from 25 too. */
#define VIDEO_SIZING_MIN_FPS 25u
/* Rate control looks at one second of frames at a time. */
#define VIDEO_WINDOW_MS 1000
/* The qualities sizing searches (red-video.h), within LOW..HIGH. */
static const uint8_t VIDEO_LADDER[] = { 20, 30, 40, 50, 60, 70, 80, 85 };
#define VIDEO_LADDER_STEPS ((unsigned)G_N_ELEMENTS(VIDEO_LADDER))
/* What a client's STREAM_REPORT may claim (spice-gtk measures delays of a
 * few hundred ms; a minute either way is a lie, not a slow network). */
#define VIDEO_REPORT_MAX_DELAY_MS 60000
/* STREAM_ACTIVATE_REPORT: a report every this many frames or ms. */
#define VIDEO_REPORT_WINDOW_FRAMES 20
#define VIDEO_REPORT_TIMEOUT_MS 500

static int64_t now_ms(void)
{
    return g_get_monotonic_time() / 1000;
}

/* The main channel's multi-media clock (main-channel.c: same source). */
static uint32_t mm_time_now(void)
{
    return (uint32_t)now_ms();
}

void red_video_init(RedVideo *v)
{
    memset(v, 0, sizeof(*v));
    v->mode = SPICE_STREAM_VIDEO_OFF;
    v->max_gap_ms = red_env_ms("S3D_VIDEO_MAX_GAP_MS", RED_VIDEO_MAX_GAP_MS,
                               RED_VIDEO_MAX_GAP_LIMIT_MS);
    v->frame_us = 1000000 / RED_VIDEO_FPS_MAX;
    if (g_getenv("S3D_VIDEO_FRAME_MS") != NULL) {
        v->frame_us = (int64_t)red_env_ms("S3D_VIDEO_FRAME_MS", 1000 / RED_VIDEO_FPS_MAX,
                                          RED_VIDEO_FRAME_LIMIT_MS) * 1000;
    }
}

void red_video_fini(RedVideo *v)
{
    red_source_clear(&v->pace_timer);
    red_source_clear(&v->idle_timer);
    memset(v->streams, 0, sizeof(v->streams));
}

/* Ends stream i: each client that has it is owed STREAM_DESTROY and then
 * the rectangle again, lossless (its damage). */
static void video_end_stream(RedWorker *w, unsigned i)
{
    RedVideoStream *st = &w->video.streams[i];
    if (!st->active) {
        return;
    }
    st->active = false;
    for (GList *l = w->display_clients; l; l = l->next) {
        DisplayClient *dc = l->data;
        RedVideoClientStream *cs = &dc->video.streams[i];
        if (cs->unique == st->unique) {
            cs->destroy_pending = true;
            cs->frame_owed = false; /* the whole area goes lossless instead */
            pixman_region32_union_rect(&dc->damage, &dc->damage, st->box.x1, st->box.y1,
                                       (unsigned)(st->box.x2 - st->box.x1),
                                       (unsigned)(st->box.y2 - st->box.y1));
        }
    }
}

static gboolean video_idle_check(gpointer opaque)
{
    RedWorker *w = opaque;
    RedVideo *v = &w->video;
    int64_t now = now_ms();
    bool live = false, ended = false;
    for (unsigned i = 0; i < RED_VIDEO_MAX_STREAMS; i++) {
        RedVideoStream *st = &v->streams[i];
        if (st->active && now - st->last_ms >= RED_VIDEO_IDLE_MS) {
            v->ended[i] = (RedVideoEnded){ .box = st->box, .ended_ms = now };
            video_end_stream(w, i);
            ended = true;
        }
        live |= st->active;
    }
    if (ended) {
        display_channel_push_all(w);
    }
    if (!live) {
        g_source_unref(v->idle_timer);
        v->idle_timer = NULL;
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

void red_video_end_all(RedWorker *w)
{
    for (unsigned i = 0; i < RED_VIDEO_MAX_STREAMS; i++) {
        video_end_stream(w, i);
    }
    memset(w->video.candidates, 0, sizeof(w->video.candidates));
    memset(w->video.ended, 0, sizeof(w->video.ended)); /* another picture now */
}

/* Did a stream of exactly this box end lately (a film paused)? */
static bool video_recently_ended(const RedVideo *v, const pixman_box32_t *box, int64_t now)
{
    for (unsigned i = 0; i < RED_VIDEO_MAX_STREAMS; i++) {
        const RedVideoEnded *e = &v->ended[i];
        if (e->ended_ms != 0 && now - e->ended_ms < RED_VIDEO_RESUME_MS &&
            red_box_equal(&e->box, box)) {
            return true;
        }
    }
    return false;
}

static bool any_client_takes_video(RedWorker *w)
{
    for (GList *l = w->display_clients; l; l = l->next) {
        if (((DisplayClient *)l->data)->video.enabled) {
            return true;
        }
    }
    return false;
}

static bool video_wants_natural(RedWorker *w)
{
    return w->video.mode == SPICE_STREAM_VIDEO_FILTER && any_client_takes_video(w);
}

bool red_video_natural_wanted(void *opaque, const QXLRect *bbox)
{
    RedWorker *w = opaque;
    const RedVideo *v = &w->video;
    if (!video_wants_natural(w)) {
        return false;
    }
    pixman_box32_t box = { bbox->left, bbox->top, bbox->right, bbox->bottom };
    for (unsigned i = 0; i < RED_VIDEO_MAX_STREAMS; i++) {
        if (v->streams[i].active && red_box_inside(&box, &v->streams[i].box)) {
            return false; /* red_video_note_draw counts it without a verdict */
        }
    }
    return true;
}

/* Frames per second: `intervals` frame intervals from first_ms to last_ms
 * (a burst, no time at all, counts as the most), clamped to
 * 1..RED_VIDEO_FPS_MAX. */
static uint32_t video_rate(uint32_t intervals, int64_t first_ms, int64_t last_ms)
{
    int64_t span = last_ms - first_ms;
    if (span <= 0) {
        return RED_VIDEO_FPS_MAX;
    }
    uint64_t fps = (uint64_t)intervals * 1000 / (uint64_t)span;
    return (uint32_t)CLAMP(fps, 1, RED_VIDEO_FPS_MAX);
}

static void video_start_stream(RedWorker *w, const pixman_box32_t *box, uint32_t frames,
                               int64_t first_ms, int64_t now)
{
    RedVideo *v = &w->video;
    RedVideoStream *free_slot = NULL;
    for (unsigned i = 0; i < RED_VIDEO_MAX_STREAMS; i++) {
        if (v->streams[i].active) {
            if (red_box_overlaps(box, &v->streams[i].box)) {
                return; /* one stream per area: frames of both would fight */
            }
        } else if (free_slot == NULL) {
            free_slot = &v->streams[i];
        }
    }
    if (free_slot == NULL) {
        return; /* all busy: the area stays lossless */
    }
    if (++v->next_unique == 0) {
        v->next_unique = 1;
    }
    *free_slot = (RedVideoStream){ .active = true, .box = *box, .last_ms = now,
                                   .start_ms = now,
                                   .detected_fps = video_rate(frames - 1, first_ms, now),
                                   .unique = v->next_unique };
    red_log_debug("video: stream %u at %d,%d %dx%d", (unsigned)(free_slot - v->streams),
                  box->x1, box->y1, box->x2 - box->x1, box->y2 - box->y1);
    if (v->idle_timer == NULL) {
        v->idle_timer = g_timeout_source_new(RED_VIDEO_IDLE_MS / 4);
        g_source_set_callback(v->idle_timer, video_idle_check, w, NULL);
        g_source_attach(v->idle_timer, w->context);
    }
}

/* Is video detection on, for someone? */
static bool video_watched(RedWorker *w)
{
    return w->video.mode != SPICE_STREAM_VIDEO_OFF && any_client_takes_video(w);
}

/* A frame of a live stream whose box holds `box`: true when there is one. */
static bool video_feed_stream(RedVideo *v, const pixman_box32_t *box, int64_t now)
{
    for (unsigned i = 0; i < RED_VIDEO_MAX_STREAMS; i++) {
        RedVideoStream *st = &v->streams[i];
        if (st->active && red_box_inside(box, &st->box)) {
            st->last_ms = now;
            st->frames++;
            return true;
        }
    }
    return false;
}

static bool is_image_copy(uint32_t draw_type)
{
    return draw_type == QXL_DRAW_COPY || draw_type == QXL_DRAW_OPAQUE ||
           draw_type == QXL_DRAW_BLEND;
}

/* The candidate of exactly `box`, or NULL and *oldest the slot a new
 * candidate would take. */
static RedVideoCandidate *video_candidate(RedVideo *v, const pixman_box32_t *box,
                                          RedVideoCandidate **oldest)
{
    RedVideoCandidate *old = &v->candidates[0];
    for (unsigned i = 0; i < RED_VIDEO_MAX_CANDIDATES; i++) {
        RedVideoCandidate *k = &v->candidates[i];
        if (k->count && red_box_equal(&k->box, box)) {
            return k;
        }
        if (k->count == 0 || (old->count && k->last_ms < old->last_ms)) {
            old = k;
        }
    }
    *oldest = old;
    return NULL;
}

void red_video_note_hidden(RedWorker *w, const pixman_box32_t *box, uint32_t draw_type)
{
    RedVideo *v = &w->video;
    if (!video_watched(w)) {
        return;
    }
    if (video_feed_stream(v, box, now_ms()) ||
        (v->mode == SPICE_STREAM_VIDEO_FILTER && !is_image_copy(draw_type))) {
        return;
    }
    if (v->hidden_frames == 0 || !red_box_equal(&v->hidden_box, box)) {
        v->hidden_box = *box;
        v->hidden_frames = 0;
    }
    v->hidden_frames++;
}

void red_video_note_draw(RedWorker *w, const pixman_box32_t *box, uint32_t draw_type,
                         bool natural)
{
    RedVideo *v = &w->video;
    if (!video_watched(w)) {
        return;
    }
    /* Frames this one hid count only when it is the same box's next. */
    uint32_t hidden = v->hidden_frames && red_box_equal(&v->hidden_box, box) ? v->hidden_frames : 0;
    v->hidden_frames = 0;
    int64_t now = now_ms();
    if (video_feed_stream(v, box, now)) {
        return;
    }
    bool image = is_image_copy(draw_type) && natural;
    uint64_t area = (uint64_t)(box->x2 - box->x1) * (uint64_t)(box->y2 - box->y1);
    if ((v->mode == SPICE_STREAM_VIDEO_FILTER && !image) || area < RED_VIDEO_MIN_AREA) {
        return;
    }
    RedVideoCandidate *oldest = NULL;
    RedVideoCandidate *c = video_candidate(v, box, &oldest);
    if (c && now - c->last_ms <= v->max_gap_ms) {
        c->count += 1 + hidden;
    } else {
        c = c ? c : oldest;
        c->box = *box;
        c->count = 1 + hidden;
        c->first_ms = now;
    }
    c->last_ms = now;
    if (c->count >= RED_VIDEO_START_FRAMES ||
        (c->count >= RED_VIDEO_RESUME_FRAMES && video_recently_ended(v, box, now))) {
        uint32_t frames = c->count;
        c->count = 0;
        video_start_stream(w, box, frames, c->first_ms, now);
    }
}

void red_video_client_init(RedVideoClient *vc, RedWorker *w, int mode, bool mjpeg_cap,
                           bool report_cap)
{
    memset(vc, 0, sizeof(*vc));
    vc->enabled = mode != SPICE_STREAM_VIDEO_OFF && mjpeg_cap;
    vc->reports = report_cap;
    vc->quality = VIDEO_QUALITY_START;
    vc->delay_ms = VIDEO_DELAY_START_MS;
    vc->window_start_ms = now_ms();
    w->video.mode = mode;
}

/* The ladder search is on while more than one step is possible. */
static bool video_sizing(const RedVideoClient *vc)
{
    return vc->size_lo < vc->size_hi;
}

/* Starts the ladder search from its middle. */
static void video_sizing_start(RedVideoClient *vc)
{
    vc->size_lo = 0;
    vc->size_hi = VIDEO_LADDER_STEPS - 1;
    vc->quality = VIDEO_LADDER[(vc->size_lo + vc->size_hi + 1) / 2];
}

void red_video_client_set_link(RedVideoClient *vc, uint64_t bits_per_sec, uint32_t ahead_ms)
{
    vc->link_bps = bits_per_sec;
    if (bits_per_sec > 0) {
        video_sizing_start(vc);
        vc->delay_ms = MAX(vc->delay_ms, MIN(VIDEO_DELAY_MAX_MS, VIDEO_DELAY_START_MS + ahead_ms));
    }
}

/* The live streams' frames per second, all together: they share the link. */
static uint64_t video_total_fps(const RedVideo *v, int64_t now)
{
    uint64_t fps = 0;
    for (unsigned i = 0; i < RED_VIDEO_MAX_STREAMS; i++) {
        const RedVideoStream *st = &v->streams[i];
        if (st->active) {
            /* After a second, what it really played (each of its frames
             * ends an interval begun at the start or the frame before);
             * before, detection's rate, at least VIDEO_SIZING_MIN_FPS. */
            fps += now - st->start_ms >= 1000 ? video_rate(st->frames, st->start_ms, now)
                                              : MAX(st->detected_fps, VIDEO_SIZING_MIN_FPS);
        }
    }
    return MAX(fps, 1);
}

/* A frame of `size` bytes went at the quality the search tried: it fits
 * the link if the streams' frames at that size fill at most
 * RED_VIDEO_LINK_SHARE percent of it.  Narrows the search; the last step
 * standing is the quality. */
static void video_sizing_step(RedVideoClient *vc, const RedVideo *v, size_t size, int64_t now)
{
    unsigned tried = (vc->size_lo + vc->size_hi + 1) / 2;
    uint64_t fps = video_total_fps(v, now);
    uint64_t budget = vc->link_bps / 8 * RED_VIDEO_LINK_SHARE / 100 / fps;
    if (size <= budget) {
        vc->size_lo = (uint8_t)tried;
    } else {
        vc->size_hi = (uint8_t)(tried - 1);
    }
    vc->quality = VIDEO_LADDER[(vc->size_lo + vc->size_hi + 1) / 2];
    if (!video_sizing(vc)) {
        red_log_debug("video: %" G_GUINT64_FORMAT " bit/s at %" G_GUINT64_FORMAT
                      " frames/s: quality %d", vc->link_bps, fps, vc->quality);
    }
}

static uint64_t video_total_frames(const RedVideo *v)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < RED_VIDEO_MAX_STREAMS; i++) {
        n += v->streams[i].active ? v->streams[i].frames : 0;
    }
    return n;
}

/* Once per window: less than 70% of the source frames got through the
 * client's link, so each frame costs too much: lower the quality; nearly
 * all got through: raise it slowly. */
static void video_rate_control(RedVideoClient *vc, const RedVideo *v, int64_t now)
{
    if (now - vc->window_start_ms < VIDEO_WINDOW_MS) {
        return;
    }
    uint64_t total = video_total_frames(v);
    uint64_t source = total > vc->window_source ? total - vc->window_source : 0;
    /* Frames pacing held back are not frames the link lost. */
    uint64_t paced = (uint64_t)(now - vc->window_start_ms) * 1000 / (uint64_t)MAX(1, v->frame_us) + 1;
    source = MIN(source, paced);
    if (source > 0 && !video_sizing(vc)) {
        if (vc->window_sent * 10 < source * 7) {
            vc->quality = MAX(VIDEO_QUALITY_LOW, vc->quality - 10);
        } else if (vc->window_sent * 100 >= source * 95) {
            vc->quality = MIN(VIDEO_QUALITY_HIGH, vc->quality + 5);
        }
    }
    vc->window_start_ms = now;
    vc->window_sent = 0;
    vc->window_source = (uint32_t)total;
}

static int video_send_create(DisplayClient *dc, unsigned id, const RedVideoStream *st)
{
    uint32_t w = (uint32_t)(st->box.x2 - st->box.x1), h = (uint32_t)(st->box.y2 - st->box.y1);
    SpiceMsg m = { .type = SPICE_MSG_DISPLAY_STREAM_CREATE };
    m.u.stream_create = (SpiceMsgStreamCreate){
        .surface_id = 0, .id = id, .flags = SPICE_STREAM_FLAGS_TOP_DOWN,
        .codec_type = SPICE_VIDEO_CODEC_TYPE_MJPEG, .stamp = (uint64_t)mm_time_now(),
        .stream_width = w, .stream_height = h, .src_width = w, .src_height = h,
        .dest = { st->box.y1, st->box.x1, st->box.y2, st->box.x2 },
        .clip = { .type = SPICE_CLIP_TYPE_NONE },
    };
    bool reports = dc->video.reports;
    RedChannelClient *rcc = dc->rcc;
    if (red_channel_client_send(rcc, &m) != 0) {
        return -1;
    }
    if (reports) {
        SpiceMsg a = { .type = SPICE_MSG_DISPLAY_STREAM_ACTIVATE_REPORT };
        a.u.stream_activate_report = (SpiceMsgStreamActivateReport){
            .stream_id = id, .unique_id = st->unique,
            .max_window_size = VIDEO_REPORT_WINDOW_FRAMES, .timeout_ms = VIDEO_REPORT_TIMEOUT_MS,
        };
        if (red_channel_client_send(rcc, &a) != 0) {
            return -1;
        }
    }
    return 0;
}

static int video_send_frame(DisplayClient *dc, unsigned id, const RedVideoStream *st,
                            const RedSurface *s)
{
    uint32_t w = (uint32_t)(st->box.x2 - st->box.x1), h = (uint32_t)(st->box.y2 - st->box.y1);
    /* Read once, now: a 32-bit top-down surface is encoded where it lies;
     * others are converted (and flipped) first. */
    uint8_t *copy;
    uint32_t stride;
    const uint8_t *pixels = display_area_pixels(s, &st->box, false, &stride, &copy);
    uint8_t *jpeg = NULL;
    size_t size = 0;
    int ret = red_mjpeg_encode(pixels, w, h, stride, dc->video.quality, &jpeg, &size);
    g_free(copy);
    if (ret != 0 || size > UINT32_MAX) {
        free(jpeg);
        /* The frame is lost, not the picture: the area goes lossless once
         * the stream ends. */
        return 0;
    }
    if (video_sizing(&dc->video)) {
        video_sizing_step(&dc->video, &dc->worker->video, size, now_ms());
    }
    SpiceMsg m = { .type = SPICE_MSG_DISPLAY_STREAM_DATA };
    m.u.stream_data = (SpiceMsgStreamData){
        .id = id,
        .multi_media_time = mm_time_now() + (dc->video.audio_clock ? 0 : dc->video.delay_ms),
        .data = { jpeg, (uint32_t)size },
    };
    dc->video.streams[id].frames_sent++;
    dc->video.window_sent++;
    RedWorker *worker = dc->worker;
    ret = red_channel_client_send(dc->rcc, &m); /* may free dc */
    free(jpeg);
    worker->stats.frames_sent++;
    return ret;
}

static gboolean video_pace_fire(gpointer opaque)
{
    RedWorker *w = opaque;
    g_source_unref(w->video.pace_timer);
    w->video.pace_timer = NULL;
    display_channel_push_all(w); /* re-arms for frames still early */
    return G_SOURCE_REMOVE;
}

/* A frame waits until due_us: make sure a push comes then. */
static void video_pace_arm(RedWorker *w, int64_t due_us, int64_t now_us)
{
    RedVideo *v = &w->video;
    if (v->pace_timer && v->pace_due_us <= due_us) {
        return;
    }
    red_source_clear(&v->pace_timer);
    v->pace_due_us = due_us;
    v->pace_timer = g_timeout_source_new((guint)((due_us - now_us + 999) / 1000));
    g_source_set_callback(v->pace_timer, video_pace_fire, w, NULL);
    g_source_attach(v->pace_timer, w->context);
}

int red_video_client_push(DisplayClient *dc, const RedSurface *s)
{
    RedVideoClient *vc = &dc->video;
    if (!vc->enabled) {
        return 0;
    }
    const RedVideo *v = &dc->worker->video;
    for (unsigned i = 0; i < RED_VIDEO_MAX_STREAMS; i++) {
        RedVideoClientStream *cs = &vc->streams[i];
        if (!cs->destroy_pending) {
            continue;
        }
        if (!red_channel_client_can_send(dc->rcc)) {
            return 0;
        }
        cs->destroy_pending = false;
        cs->unique = 0;
        SpiceMsg m = { .type = SPICE_MSG_DISPLAY_STREAM_DESTROY, .u.stream_destroy = { i } };
        if (red_channel_client_send(dc->rcc, &m) != 0) {
            return -1;
        }
    }
    int64_t now = now_ms();
    for (unsigned i = 0; i < RED_VIDEO_MAX_STREAMS; i++) {
        const RedVideoStream *st = &v->streams[i];
        RedVideoClientStream *cs = &vc->streams[i];
        if (!st->active) {
            continue;
        }
        if (cs->unique != st->unique) {
            if (!red_channel_client_can_send(dc->rcc)) {
                return 0;
            }
            cs->unique = st->unique;
            cs->frames_sent = 0;
            cs->frame_owed = false;
            vc->ever_created |= 1u << i;
            if (vc->link_bps > 0) {
                video_sizing_start(vc); /* a new picture: its own sizes */
            }
            if (video_send_create(dc, i, st) != 0) {
                return -1;
            }
        }
        pixman_region32_t in;
        pixman_region32_init_rect(&in, st->box.x1, st->box.y1,
                                  (unsigned)(st->box.x2 - st->box.x1),
                                  (unsigned)(st->box.y2 - st->box.y1));
        pixman_region32_intersect(&in, &in, &dc->damage);
        if (pixman_region32_not_empty(&in)) {
            /* The next frame covers it, whenever it goes. */
            pixman_region32_subtract(&dc->damage, &dc->damage, &in);
            cs->frame_owed = true;
        }
        pixman_region32_fini(&in);
        if (!cs->frame_owed) {
            continue;
        }
        int64_t now_us = g_get_monotonic_time(), due_us = cs->last_frame_us + v->frame_us;
        if (cs->frames_sent > 0 && now_us < due_us) {
            video_pace_arm(dc->worker, due_us, now_us);
            continue;
        }
        if (!red_channel_client_can_send(dc->rcc)) {
            return 0;
        }
        cs->frame_owed = false;
        cs->last_frame_us = now_us;
        video_rate_control(vc, v, now);
        if (video_send_frame(dc, i, st, s) != 0) {
            return -1;
        }
    }
    return 0;
}

int red_video_client_drop_all(DisplayClient *dc)
{
    RedVideoClient *vc = &dc->video;
    for (unsigned i = 0; i < RED_VIDEO_MAX_STREAMS; i++) {
        RedVideoClientStream *cs = &vc->streams[i];
        if (cs->unique == 0) {
            continue;
        }
        cs->unique = 0;
        cs->destroy_pending = false;
        SpiceMsg m = { .type = SPICE_MSG_DISPLAY_STREAM_DESTROY, .u.stream_destroy = { i } };
        if (red_channel_client_send(dc->rcc, &m) != 0) {
            return -1;
        }
    }
    return 0;
}

bool red_video_client_overlaps(const DisplayClient *dc, const pixman_region32_t *region,
                               int32_t dx, int32_t dy)
{
    const RedVideoClient *vc = &dc->video;
    const RedVideo *v = &dc->worker->video;
    bool hit = false;
    for (unsigned i = 0; i < RED_VIDEO_MAX_STREAMS && !hit; i++) {
        if (vc->streams[i].unique == 0) {
            continue;
        }
        /* A stream the worker ended keeps its box until the client's
         * STREAM_DESTROY; the live one in the slot may differ, so the
         * client's own instance decides: same unique, else the ended
         * box is still in the client's damage (see video_end_stream). */
        const RedVideoStream *st = &v->streams[i];
        if (!st->active || st->unique != vc->streams[i].unique) {
            continue;
        }
        pixman_region32_t moved;
        pixman_region32_init(&moved);
        pixman_region32_copy(&moved, (pixman_region32_t *)region);
        pixman_region32_translate(&moved, dx, dy);
        hit = pixman_region32_contains_rectangle(&moved, (pixman_box32_t *)&st->box) !=
              PIXMAN_REGION_OUT;
        pixman_region32_fini(&moved);
    }
    return hit;
}

bool red_video_client_report(DisplayClient *dc, const SpiceMsgcDisplayStreamReport *r)
{
    RedVideoClient *vc = &dc->video;
    if (r->stream_id >= RED_VIDEO_MAX_STREAMS || !(vc->ever_created & (1u << r->stream_id))) {
        red_log_warn("display client: STREAM_REPORT for stream %u, never created on it",
                     r->stream_id);
        return false;
    }
    RedVideoClientStream *cs = &vc->streams[r->stream_id];
    if (r->unique_id != cs->unique) {
        return true; /* an instance that ended while the report was on its way */
    }
    if (r->num_frames > cs->frames_sent || r->num_drops > r->num_frames) {
        red_log_warn("display client: STREAM_REPORT of stream %u claims %u frames, %u dropped;"
                     " %u were sent", r->stream_id, r->num_frames, r->num_drops, cs->frames_sent);
        return false;
    }
    if (r->last_frame_delay > VIDEO_REPORT_MAX_DELAY_MS ||
        r->last_frame_delay < -VIDEO_REPORT_MAX_DELAY_MS) {
        red_log_warn("display client: STREAM_REPORT of stream %u: last frame delay %d ms",
                     r->stream_id, r->last_frame_delay);
        return false;
    }
    /* The margin the last frame arrived with: late (negative) frames are
     * dropped by the client, so stamp later; a wide margin is latency the
     * viewer sees for nothing, so stamp earlier. */
    uint32_t old = vc->delay_ms;
    if (r->last_frame_delay < 0 || r->num_drops > 0) {
        vc->delay_ms = MIN(VIDEO_DELAY_MAX_MS, vc->delay_ms + 50);
    } else if ((uint32_t)r->last_frame_delay > vc->delay_ms / 2 + 50) {
        vc->delay_ms = MAX(VIDEO_DELAY_MIN_MS, vc->delay_ms - 10);
    }
    /* Dropped or late frames also mean the frames cost more than the link
     * carries in time: a frame counts as sent once our queue takes it,
     * and may still arrive after its time behind the others.  Each such
     * report steps the quality down, and ends a ladder search whose
     * frames the link could not take at the pace the stream really plays. */
    if (r->num_drops > 0 || r->last_frame_delay < 0) {
        vc->size_lo = vc->size_hi = 0;
        vc->quality = MAX(VIDEO_QUALITY_LOW, vc->quality - 10);
    }
    const RedWorkerEvents *ev = &dc->worker->events;
    if (vc->delay_ms != old && ev->video_latency) {
        ev->video_latency(ev->opaque, dc->session_id, vc->delay_ms);
    }
    return true;
}
