/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-video.h (internal to the worker): video streams on the display channel.
 *
 * A rectangle of the primary that the guest redraws at video rate becomes a
 * stream: clients that can take MJPEG get STREAM_CREATE once, then each
 * time they are owed pixels inside it, one JPEG of the whole rectangle
 * (STREAM_DATA) instead of lossless bands.  The stream ends once the guest
 * leaves it alone for RED_VIDEO_IDLE_MS; clients then get STREAM_DESTROY
 * and the rectangle again, lossless, so their canvas converges to the
 * surface exactly as without streams.
 *
 * The rule that keeps this exact and bounded: a frame is always the
 * current picture of the whole rectangle (whatever was drawn there, by any
 * command), sent in place of the client's damage inside it.  So frames
 * need no clipping against later draws, a slow client skips frames instead
 * of queueing them (its damage merges as before), and nothing but frames
 * touches the client's pixels inside a live stream.
 *
 * Detection (the host's streaming-video setting): FILTER streams only
 * rectangles redrawn by image copies (DRAW_COPY/OPAQUE/BLEND) of pictures
 * that look like a film's frames (`natural`: red_image_is_natural; text, a
 * window, a status line never do), ALL any drawable, OFF none; either way the rectangle is at least RED_VIDEO_MIN_AREA
 * pixels and was drawn RED_VIDEO_START_FRAMES times in a row, each within
 * RED_VIDEO_MAX_GAP_MS of the last (the thresholds of the real server).
 * A rectangle whose stream ended less than RED_VIDEO_RESUME_MS ago (a film
 * paused, then played on) needs only RED_VIDEO_RESUME_FRAMES: otherwise
 * each resume would cost 20 lossless pictures of a film's size on the link
 * before the stream took over again.
 *
 * Pacing: a client gets at most one frame of a stream per
 * 1/RED_VIDEO_FPS_MAX s (no screen shows more; a guest that draws at
 * 150 fps would otherwise cost a JPEG per draw here and a decode per draw
 * in the client).  A frame owed sooner waits, as a flag, for a timer; the
 * draws meanwhile merge into it, as damage does, and what goes is still
 * the current picture.  The real server's MJPEG rate control caps its
 * streams too, at 25 frames a second.
 *
 * Rate control, per client: the JPEG quality follows the share of source
 * frames the client's link let through (its ack window decides), and the
 * frames' presentation delay follows the margins its STREAM_REPORTs give.
 * Where to start: when the main channel's link test measured the client's
 * bitrate, the first frames of each stream search the quality ladder
 * (VIDEO_LADDER in red-video.c, a binary search, one frame per step) for the
 * best quality whose frames, at the rate the guest plays them, fill at most
 * RED_VIDEO_LINK_SHARE percent of the link, as the real server's MJPEG
 * encoder evaluates its qualities from the link's bitrate.  Without a
 * measurement, it starts at a fixed quality and the ack window decides.
 *
 * Sound and picture: a client shows a frame when its multimedia clock
 * reaches the frame's time.  Without sound that clock is the server's, so
 * frames are stamped delay_ms ahead.  While its session hears playback
 * (audio_clock), spice-gtk runs the clock from the sound instead, as late
 * as the sound is buffered: frames are then stamped now, and the delay goes
 * to the playback channel as PLAYBACK_LATENCY (the worker's video_latency
 * event), so that the sound waits as long as the frames need and both
 * come out together, as upstream's server does.
 */
#ifndef RED_VIDEO_H
#define RED_VIDEO_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <pixman.h>
#include <spice/qxl_dev.h>

#include "spice-messages.h"

#define RED_VIDEO_MAX_STREAMS 8         /* live at once; also the client's ids 0..7 */
#define RED_VIDEO_MAX_CANDIDATES 16     /* rectangles being watched */
#define RED_VIDEO_MIN_AREA (96 * 96)
#define RED_VIDEO_START_FRAMES 20
#define RED_VIDEO_RESUME_FRAMES 2
#define RED_VIDEO_RESUME_MS 10000
#define RED_VIDEO_MAX_GAP_MS 200
#define RED_VIDEO_MAX_GAP_LIMIT_MS 600000   /* the most S3D_VIDEO_MAX_GAP_MS may say */
#define RED_VIDEO_IDLE_MS 1000
#define RED_VIDEO_LINK_SHARE 70         /* percent of the measured link frames may fill */
#define RED_VIDEO_FPS_MAX 60            /* a guest's burst counts as this rate at most, and
                                         * a client gets no more frames a second */
#define RED_VIDEO_FRAME_LIMIT_MS 10000  /* the most S3D_VIDEO_FRAME_MS may say */

typedef struct RedVideoStream {
    bool active;
    pixman_box32_t box;
    int64_t last_ms;            /* last draw inside it (monotonic ms) */
    int64_t start_ms;           /* when it started */
    uint32_t detected_fps;      /* the rate detection saw, 1..RED_VIDEO_FPS_MAX */
    uint32_t unique;            /* this stream's instance, never 0 */
    uint32_t frames;            /* draws inside it since it started */
} RedVideoStream;

typedef struct RedVideoCandidate {
    pixman_box32_t box;
    int64_t first_ms;           /* the first draw of the run */
    int64_t last_ms;
    uint32_t count;             /* draws of exactly this box in a row; 0: free */
} RedVideoCandidate;

/* A stream that ended because the guest left it alone. */
typedef struct RedVideoEnded {
    pixman_box32_t box;
    int64_t ended_ms;           /* 0: free */
} RedVideoEnded;

/* The worker's side: detection and the live streams. */
typedef struct RedVideo {
    int mode;                   /* SPICE_STREAM_VIDEO_*: the last attach's setting */
    RedVideoStream streams[RED_VIDEO_MAX_STREAMS];
    RedVideoCandidate candidates[RED_VIDEO_MAX_CANDIDATES];
    /* Hidden frames (red_video_note_hidden) of one box in a row, waiting
     * for the drawn frame of that box that hid them to vouch for them. */
    pixman_box32_t hidden_box;
    uint32_t hidden_frames;
    RedVideoEnded ended[RED_VIDEO_MAX_STREAMS];   /* slot of the stream that ended */
    uint32_t next_unique;
    GSource *idle_timer;        /* ends idle streams; NULL when none is live */
    /* RED_VIDEO_MAX_GAP_MS unless S3D_VIDEO_MAX_GAP_MS names another: tests
     * that play a film on a loaded machine make detection count frames
     * only, not the time between them. */
    unsigned max_gap_ms;
    /* The least time between two frames of a stream to one client:
     * 1/RED_VIDEO_FPS_MAX s, or S3D_VIDEO_FRAME_MS (tests). */
    int64_t frame_us;
    GSource *pace_timer;        /* sends frames that waited; NULL when none waits */
    int64_t pace_due_us;        /* when it fires (monotonic us) */
} RedVideo;

/* One stream as one client has it. */
typedef struct RedVideoClientStream {
    uint32_t unique;            /* instance created on the client; 0: none */
    uint32_t frames_sent;       /* of this instance */
    bool destroy_pending;       /* the worker ended it: STREAM_DESTROY owed */
    bool frame_owed;            /* its area changed since the last frame went */
    int64_t last_frame_us;      /* when the last frame went (monotonic us) */
} RedVideoClientStream;

/* A display client's side. */
typedef struct RedVideoClient {
    bool enabled;               /* the setting allows it and the client takes MJPEG */
    bool reports;               /* SPICE_DISPLAY_CAP_STREAM_REPORT */
    RedVideoClientStream streams[RED_VIDEO_MAX_STREAMS];
    uint32_t ever_created;      /* bit per id: created at least once */
    int quality;                /* JPEG quality, RED_MJPEG_QUALITY_MIN..MAX */
    uint64_t link_bps;          /* the link test's bitrate; 0: not measured */
    uint8_t size_lo, size_hi;   /* the ladder steps still possible; lo < hi: searching
                                 * (frames decide, not windows) */
    uint32_t delay_ms;          /* presentation delay the frames need */
    bool audio_clock;           /* the session hears playback: frames stamped now */
    int64_t window_start_ms;    /* rate control window */
    uint32_t window_sent, window_source;
} RedVideoClient;

typedef struct RedWorker RedWorker;
typedef struct DisplayClient DisplayClient;
typedef struct RedSurface RedSurface;

void red_video_init(RedVideo *v);
/* Ends every stream without telling clients (they are gone). */
void red_video_fini(RedVideo *v);

/* A drawable of type draw_type on `box` that a later one of its batch hid
 * (red-cull.h), unread: a frame of a live stream, or else one that the
 * next drawn frame counts in when it has the same box (in filter mode its
 * verdict stands for them). */
void red_video_note_hidden(RedWorker *w, const pixman_box32_t *box, uint32_t draw_type);
/* A drawable of type draw_type (QXL_DRAW_*) changed `box` of the primary
 * (`natural`: an image copy of a film-like picture, RedCommandResult):
 * feeds detection, may start a stream, keeps a live one alive. */
void red_video_note_draw(RedWorker *w, const pixman_box32_t *box, uint32_t draw_type,
                         bool natural);
/* RedRenderer.natural_wanted (opaque: the worker): whether detection needs
 * to know if a draw of bbox is natural: with filter, while a client takes
 * video, and not inside a live stream, whose draws only keep it alive. */
bool red_video_natural_wanted(void *opaque, const QXLRect *bbox);
/* The primary is going (destroyed, kept over S3, replaced): every stream
 * ends; each client is owed its STREAM_DESTROY. */
void red_video_end_all(RedWorker *w);

/* Client state from the attach: the host's setting and the client's caps. */
void red_video_client_init(RedVideoClient *vc, RedWorker *w, int mode, bool mjpeg_cap,
                           bool report_cap);
/* The session's link test measured bits_per_sec (at attach or later): the
 * next frames search the quality that fits it.  ahead_ms: how far ahead of
 * the link the display keeps this client's data (its send-ahead limit; 0:
 * none): a frame can wait that long in the queue, so frames are stamped
 * at least that much later from the start. */
void red_video_client_set_link(RedVideoClient *vc, uint64_t bits_per_sec, uint32_t ahead_ms);
/* Sends what this client is owed for streams (destroys, creates, frames),
 * as far as its ack window allows, taking the damage inside live streams
 * out of dc->damage.  -1 when the client went (dc is freed). */
int red_video_client_push(DisplayClient *dc, const RedSurface *s);
/* STREAM_DESTROY for every stream the client has (before SURFACE_DESTROY).
 * -1 when the client went. */
int red_video_client_drop_all(DisplayClient *dc);
/* Whether `region` moved by (dx, dy) meets a stream this client has (its
 * canvas there holds lossy frames): a copy-bits from there must go as
 * pixels, or the client would copy the loss out of the stream. */
bool red_video_client_overlaps(const DisplayClient *dc, const pixman_region32_t *region,
                               int32_t dx, int32_t dy);
/* A STREAM_REPORT: false (close the client) for a stream never created on
 * it or impossible figures, each logged with its value. */
bool red_video_client_report(DisplayClient *dc, const SpiceMsgcDisplayStreamReport *r);

#endif /* RED_VIDEO_H */
