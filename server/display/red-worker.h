/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-worker.h: the display worker of one QXL instance.
 *
 * One thread per QXL instance.  It pulls commands with get_command /
 * get_cursor_command, renders them into the surfaces (which live in device
 * memory: rendering writes the guest-visible pixels), releases each command
 * with release_resource, and serves the display and cursor channel clients
 * of this instance on its own loop.
 *
 * The host calls spice_qxl_* on its own thread; each call becomes a
 * RedWorkerRequest in the worker's queue (the one dispatcher).  Sync requests
 * block the caller until the worker has handled them; async ones return at
 * once and end with exactly one QXLInterface.async_complete(cookie), called
 * on the worker thread.  Wakeup and OOM are coalesced.
 */
#ifndef RED_WORKER_H
#define RED_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <spice.h>

#include "red-stream.h"
#include "reds-connection.h"
#include "spice-link.h"

typedef struct RedWorker RedWorker;

/* What the worker tells its server, called on the worker thread.  The
 * server's handlers must only queue the news for its main thread
 * (red-main-queue.h): the worker never touches main-thread state. */
typedef struct RedWorkerEvents {
    void *opaque;
    /* A display or cursor client is gone; connection (from its
     * ATTACH_CLIENT request) goes back to the server. */
    void (*client_closed)(void *opaque, RedsConnection *connection);
    /* A primary surface of width x height was created. */
    void (*primary_created)(void *opaque, uint32_t width, uint32_t height);
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
    SpiceLinkRequest link;
    RedsConnection *connection; /* ATTACH_CLIENT: back through client_closed */
    bool compress;              /* ATTACH_CLIENT: LZ4 allowed (the host's setting) */
} RedWorkerRequest;

/* Creates the worker of qxl (calls get_init_info on this thread, then
 * attached_worker) and starts its thread, processing commands when running.
 * events (copied) is how it reports.  NULL on failure. */
RedWorker *red_worker_new(QXLInstance *qxl, const RedWorkerEvents *events, bool running);
/* Stops the thread, closes its clients (their client_closed events come
 * before it returns), frees everything. NULL ok. */
void red_worker_destroy(RedWorker *w);

/* Queues a request (copied). Sync requests return when it was handled. */
void red_worker_request(RedWorker *w, const RedWorkerRequest *req);

/* Counters for tests and benchmarks (any thread; approximate while running). */
typedef struct RedWorkerStats {
    uint64_t commands, cursor_commands, releases, guest_errors, frames_sent;
    uint32_t live_surfaces, display_clients, cursor_clients;
} RedWorkerStats;
void red_worker_get_stats(RedWorker *w, RedWorkerStats *out);

#endif /* RED_WORKER_H */
