/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-worker-private.h (internal to the worker): state shared by the worker's
 * files.  Everything here is touched only on the worker thread, except the
 * request queue (under `lock`) and `stats` (atomics). */
#ifndef RED_WORKER_PRIVATE_H
#define RED_WORKER_PRIVATE_H

#include <pixman.h>

#include "red-channel-client.h"
#include "red-cursor-parse.h"
#include "red-glz.h"
#include "red-image-cache.h"
#include "red-image-codec.h"
#include "red-cull.h"
#include "red-memslot.h"
#include "red-render.h"
#include "red-surfaces.h"
#include "red-video.h"
#include "red-worker-loop.h"
#include "red-worker-iface.h"

/* How long a guest that keeps its command ring busy may have its commands
 * wait for later ones before they go to clients (red-worker-commands.c):
 * well under a frame at 60 Hz.  S3D_WORKER_HOLD_MS changes it, up to
 * RED_WORKER_HOLD_LIMIT_MS (a test makes the batches deterministic). */
#define RED_WORKER_HOLD_MS 8
#define RED_WORKER_HOLD_LIMIT_MS 60000
/* The most display commands a batch keeps waiting, and so unreleased to
 * the guest: a full batch is handled at once (red-worker-commands.c). */
#define RED_WORKER_PENDING_MAX 512
/* The batch is culled, and what a later command hides released, after at
 * least this many new commands (more while many stay visible, so culling
 * costs a constant per command): a busy guest gets its memory back while
 * the batch waits, and reuses it while it is still in the caches. */
#define RED_WORKER_CULL_STEP 1
/* A batch of a busy guest waits this long for more when the guest empties
 * its ring (S3D_WORKER_LINGER_MS changes it; the hold's bounds still
 * apply).  Busy: the batch has at least RED_WORKER_LINGER_MIN display
 * commands (a ring's worth), or it began within that time of the last
 * one's end. */
#define RED_WORKER_LINGER_MIN 32
#define RED_WORKER_LINGER_MS 1

typedef struct RedWorker RedWorker;

typedef struct DisplayCmdQueue DisplayCmdQueue; /* red-display-cmds.c */

typedef struct DisplayClient {
    RedWorker *worker;
    RedChannelClient *rcc;
    RedsConnection *connection;
    uint32_t session_id;        /* the connection id its link quoted */
    pixman_region32_t damage;   /* primary area the client has not got yet */
    bool surface_sent;          /* SURFACE_CREATE of the current primary sent */
    RedImageCodecs codecs;      /* from the host's setting and the client's caps */
    RedVideoClient video;       /* its video streams (red-video.c) */
    DisplayCmdQueue *cmds;      /* drawing commands not sent yet (red-display-cmds.h) */
    uint64_t queued_image_pixels; /* of CACHE_ME images on cmds */
    RedImageCache *cache;       /* its pixmap cache (DISPLAY_INIT), or NULL */
    GArray *cache_inval;        /* ids evicted, to send in INVAL_LIST; or NULL */
    uint64_t inval_sent;        /* ids of cache_inval ever sent (those ever put in it:
                                 * this plus its length) */
    bool glz_allowed;           /* GLZ setting, and the client's first display channel */
    RedGlzDict *glz;            /* its GLZ window (DISPLAY_INIT), or NULL */
    bool init_received;         /* DISPLAY_INIT came: nothing is sent before */
    GSource *init_timer;        /* closes it if DISPLAY_INIT never comes */
    bool lossy_images;          /* may get JPEG (red-image-lossy.h) */
    bool zlib_glz;              /* GLZ payloads deflated (red-image-codec.h) */
    pixman_region32_t lossy;    /* where its canvas shows JPEG, not the pixels */
    bool batch_corked;          /* display_channel_cork_all's cork, not yet undone */
} DisplayClient;

typedef struct CursorClient {
    RedWorker *worker;
    RedChannelClient *rcc;
    RedsConnection *connection;
    uint32_t session_id;        /* the connection id its link quoted */
    /* Got CURSOR_RESET: spice-gtk ignores SET/MOVE until a new CURSOR_INIT,
     * so this client's next cursor message is an INIT. */
    bool needs_init;
} CursorClient;

typedef struct QueuedRequest {
    RedWorkerRequest req;
    bool done;                  /* sync: set by the worker, waited on by the caller */
    GCond *cond;
} QueuedRequest;

struct RedWorker {
    RedWorkerEvents events;      /* to the server (main thread) */
    QXLInstance *qxl;
    const QXLInterface *qif;
    QXLDevInitInfo init;
    GThread *thread;
    GMainContext *context;
    GMainLoop *main_loop;
    RedWorkerLoop *loop;

    /* the dispatcher */
    GMutex lock;
    GCond done_cond;
    GQueue queue;               /* QueuedRequest* */
    int wake_fd;                /* eventfd: queue not empty */
    GSource *wake_source;
    gint wakeup_pending, oom_pending;
    unsigned cork_depth;        /* display_channel_cork_all calls not undone yet */
    /* worker_process's cork, kept across its runs while the guest keeps
     * the ring busy (red_worker_end_batch), and since when. */
    bool batch_open;
    int64_t batch_open_since_us;
    int64_t batch_ended_us;     /* when the last batch ended */
    unsigned hold_ms;           /* RED_WORKER_HOLD_MS, or S3D_WORKER_HOLD_MS */
    /* The batch's display commands, pulled but not yet handled: those a
     * later one hides are released unread (red-cull.h) and keep their
     * place, with a zero address, for video detection. */
    QXLCommandExt pending[RED_WORKER_PENDING_MAX];
    RedCullMark pending_marks[RED_WORKER_PENDING_MAX];
    unsigned pending_count;
    unsigned culled_count;      /* pending_count at the last cull */
    unsigned culled_visible;    /* and how many stayed visible */
    GSource *linger_source;     /* ends a batch that waits for more (armed then) */
    unsigned linger_ms;         /* RED_WORKER_LINGER_MS, or S3D_WORKER_LINGER_MS */

    /* rendering */
    RedMemSlots *slots;
    RedSurfaces surfaces;
    RedRenderer renderer;
    bool running;
    bool waiting_for_wakeup;     /* req_cmd_notification said "wait" */
    bool waiting_for_cursor_wakeup;
    GSource *process_source;     /* command processing (armed: scheduled) */
    pixman_region32_t primary_dirty; /* since the last update_area of surface 0 */
    /* The last primary's picture after the guest destroyed it (on the way
     * into S3, or a mode change): shown to clients until the next primary
     * (display_channel_keep_primary). Never drawn into. */
    RedSurface kept;
    RedVideo video;              /* video streams on the primary */
    RedImageSeen *images_seen;   /* digests of images drawn lately */

    /* cursor state, for clients that connect later */
    RedCursorShape *cursor_shape;
    int16_t cursor_x, cursor_y;
    bool cursor_visible;
    uint16_t trail_length, trail_frequency;

    GList *display_clients;      /* DisplayClient* */
    GList *cursor_clients;       /* CursorClient* */
    /* SHUTDOWN is closing every client: not their failure, so their
     * sessions are not ended for it (the instance went, not the client). */
    bool closing_all;

    RedWorkerStats stats;        /* updated with g_atomic where read elsewhere */
};

/* red-worker-commands.c: the command loop */
/* Attaches the loop's own sources (processing, the linger's end) to
 * w->context: on the worker thread, before its loop runs. */
void red_worker_commands_start(RedWorker *w);
/* Processes the rings soon (a source below client I/O). */
void red_worker_schedule_processing(RedWorker *w);
/* Ends an open batch of commands: renders what it holds and sends it. */
void red_worker_end_batch(RedWorker *w);
/* The same before a request (any but a wakeup): the display commands
 * queued before it join the batch first. */
void red_worker_end_batch_for_request(RedWorker *w);
/* Empties both rings: every queued command rendered and released. */
void red_worker_drain_rings(RedWorker *w);
/* One command from the cursor ring (cursor) or the display ring. */
void red_worker_handle_command(RedWorker *w, const QXLCommandExt *ext, bool cursor);

/* red-worker-requests.c: handles one request; completes it if async. */
void red_worker_handle_request(RedWorker *w, RedWorkerRequest *r);
/* Tells the device (QXLInterface.set_client_capabilities, interface 3.2 and
 * later) whether a display client is connected and what the guest may draw
 * for it, as upstream's server does when a display client comes or goes and
 * when the VM starts; nothing while the VM is stopped. */
void red_worker_report_clients(RedWorker *w);

/* display-channel.c: clients of the display channel */
/* An ATTACH_CLIENT request for the display channel (its stream passes). */
void display_channel_attach(RedWorker *w, const RedWorkerRequest *r);
/* The link test's bitrate for this client (0: none): its video streams'
 * sizes and how far ahead of the link it is sent. */
void display_client_set_link(DisplayClient *dc, uint64_t bits_per_sec);
/* The pixels of area b of surface s as an encoder reads them: top-down
 * 32-bit rows, *stride bytes apart.  They are read where they lie when they
 * can be, else from a copy (x8r8g8b8, stride = width * 4, converted with
 * pixman if s is not 32-bit) returned in *copy for the caller to g_free;
 * *copy is NULL otherwise.  `lasting`: the encoder keeps what it reads (GLZ's
 * window) or needs rows of exactly width * 4 bytes (the lossless codecs),
 * so only a full-width band of an xRGB surface in memory of ours (a shadow
 * or a snapshot: only this thread writes it) is read in place: guest memory
 * may change between two reads.  Else (a JPEG, read once, now) any
 * top-down 32-bit surface is. */
const uint8_t *display_area_pixels(const RedSurface *s, const pixman_box32_t *b, bool lasting,
                                   uint32_t *stride, uint8_t **copy);
/* A primary was created: clients continue on it if it has the kept
 * picture's size (getting only the rows that differ), else they get a
 * destroy and a create; the kept picture is dropped. */
void display_channel_primary_created(RedWorker *w);
/* Call before surface 0 is destroyed by the guest: its picture is copied
 * into w->kept and clients keep showing it (no SURFACE_DESTROY); new ones
 * get it.  Falls back to display_channel_primary_destroyed without memory. */
void display_channel_keep_primary(RedWorker *w);
/* Surface 0 is gone and nothing is kept: clients get SURFACE_DESTROY. */
void display_channel_primary_destroyed(RedWorker *w);
/* The primary was drawn inside `box` by `op` (red-render.h): clients get
 * the drawing as a command when they can redo it exactly, else damage. */
void display_channel_drawn(RedWorker *w, const pixman_box32_t *box, const RedDrawOp *op);
void display_channel_push_all(RedWorker *w);
/* Around a batch of commands: what each client is sent while rendering
 * them (drawing commands) waits in its queue and leaves in one write at
 * display_channel_uncork_all (red_channel_client_cork), which may free
 * clients that closed meanwhile.  The pairs nest: only the outermost
 * uncork sends. */
void display_channel_cork_all(RedWorker *w);
void display_channel_uncork_all(RedWorker *w);
void display_channel_close_all(RedWorker *w);

/* cursor-channel.c: clients of the cursor channel */
void cursor_channel_attach(RedWorker *w, RedStream *stream, const SpiceLinkRequest *req,
                           RedsConnection *conn);
void cursor_channel_handle(RedWorker *w, const RedCursorCommand *cmd);
void cursor_channel_reset(RedWorker *w);
void cursor_channel_close_all(RedWorker *w);

#endif /* RED_WORKER_PRIVATE_H */
