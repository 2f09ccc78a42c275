// SPDX-License-Identifier: LGPL-2.1-or-later
/* red-worker-iface.h: what crosses between a server and a display worker:
 * the requests it queues (red_worker_request), the events the worker
 * reports back, and its counters.  Types only: the worker's own files and
 * its server both stand on this. */
#ifndef RED_WORKER_IFACE_H
#define RED_WORKER_IFACE_H

#include <stdbool.h>
#include <stdint.h>

#include <spice.h>

#include "red-stream.h"
#include "reds-connection.h"
#include "spice-link.h"

/* What the worker tells its server, called on the worker thread.  The
 * server's handlers must only queue the news for its main thread
 * (red-main-queue.h): the worker never touches main-thread state. */
typedef struct RedWorkerEvents {
    void *opaque;
    /* A display or cursor client is gone; connection (from its
     * ATTACH_CLIENT request) goes back to the server. */
    void (*client_closed)(void *opaque, RedsConnection *connection);
    /* A display or cursor client of session session_id failed (closed by
     * us, not by its peer): its whole session must end. */
    void (*client_failed)(void *opaque, uint32_t session_id);
    /* A primary surface of width x height was created. */
    void (*primary_created)(void *opaque, uint32_t width, uint32_t height);
    /* The video frames of session session_id's display client now need
     * latency_ms of margin (red-video.h): its playback should buffer that
     * much, so sound stays with the picture.  NULL: not wanted. */
    void (*video_latency)(void *opaque, uint32_t session_id, uint32_t latency_ms);
} RedWorkerEvents;

typedef enum {
    RED_WORKER_WAKEUP,
    RED_WORKER_OOM,
    RED_WORKER_START,
    RED_WORKER_STOP,
    RED_WORKER_UPDATE_AREA,
    RED_WORKER_ADD_MEMSLOT,
    RED_WORKER_DEL_MEMSLOT,
    RED_WORKER_RESET_MEMSLOTS,
    RED_WORKER_DESTROY_SURFACES,
    RED_WORKER_DESTROY_PRIMARY,
    RED_WORKER_CREATE_PRIMARY,
    RED_WORKER_RESET_IMAGE_CACHE,
    RED_WORKER_RESET_CURSOR,
    RED_WORKER_DESTROY_SURFACE,
    RED_WORKER_LOADVM_COMMANDS,
    RED_WORKER_FLUSH_SURFACES,
    RED_WORKER_MONITORS_CONFIG,
    RED_WORKER_DRIVER_UNLOAD,
    RED_WORKER_ATTACH_CLIENT,
    RED_WORKER_DETACH_SESSION,  /* close link.channel_type's clients of link.connection_id */
    RED_WORKER_AUDIO_CLOCK,     /* link.connection_id's playback on or off: audio_clock */
    RED_WORKER_SESSION_LINK,    /* link.connection_id's link measured: lossy_images, zlib_glz,
                                 * link_bps */
    RED_WORKER_COMPLETE_ONLY,   /* async no-op: just complete the cookie */
    RED_WORKER_SHUTDOWN,
} RedWorkerOp;

typedef struct RedWorkerRequest {
    RedWorkerOp op;
    bool async;
    uint64_t cookie;
    uint32_t surface_id;
    QXLRect area;
    QXLRect *dirty_rects;       /* UPDATE_AREA (sync): filled by the worker */
    uint32_t num_dirty_rects;
    bool clear_dirty;
    QXLDevMemSlot slot;         /* ADD_MEMSLOT */
    uint32_t group_id, slot_id; /* DEL_MEMSLOT; MONITORS_CONFIG group */
    QXLDevSurfaceCreate surface; /* CREATE_PRIMARY */
    QXLCommandExt *cmds;        /* LOADVM_COMMANDS (sync: caller's array) */
    uint32_t count;
    uint64_t addr;              /* MONITORS_CONFIG: QXLPHYSICAL */
    RedStream *stream;          /* ATTACH_CLIENT: ownership passes */
    SpiceLinkRequest link;      /* ATTACH_CLIENT; DETACH_SESSION: type and connection id */
    RedsConnection *connection; /* ATTACH_CLIENT: back through client_closed */
    SpiceImageCompression compression; /* ATTACH_CLIENT: the host's setting */
    int streaming_video;        /* ATTACH_CLIENT: SPICE_STREAM_VIDEO_* (the host's setting) */
    bool lossy_images;          /* ATTACH_CLIENT, SESSION_LINK: JPEG allowed (red-image-lossy.h) */
    bool zlib_glz;              /* ATTACH_CLIENT, SESSION_LINK: zlib over GLZ (red-image-codec.h) */
    bool audio_clock;           /* ATTACH_CLIENT, AUDIO_CLOCK: the session hears playback */
    uint64_t link_bps;          /* ATTACH_CLIENT, SESSION_LINK: the link test's bitrate; 0 unmeasured */
} RedWorkerRequest;

/* Counters for tests and benchmarks (any thread; approximate while running). */
typedef struct RedWorkerStats {
    uint64_t commands, cursor_commands, releases, guest_errors, frames_sent;
    uint64_t culled;            /* display commands hidden by a later one (red-cull.h) */
    uint32_t live_surfaces, display_clients, cursor_clients;
} RedWorkerStats;

#endif /* RED_WORKER_IFACE_H */
