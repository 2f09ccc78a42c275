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

#include <spice.h>

#include "red-worker-iface.h"

typedef struct RedWorker RedWorker;

/* Creates the worker of qxl (calls get_init_info on this thread) and starts
 * its thread, processing commands when running.  events (copied) is how it
 * reports.  NULL on failure. */
RedWorker *red_worker_new(QXLInstance *qxl, const RedWorkerEvents *events, bool running);
/* Tells the device its worker is ready: attached_worker, then
 * set_compression_level, on this thread.  Call it once the instance answers
 * spice_qxl_* calls, since devices make them from attached_worker (QEMU's
 * and upstream's test devices add their memslots and primary there). */
void red_worker_attach(RedWorker *w);
/* Stops the thread, closes its clients (their client_closed events come
 * before it returns), frees everything. NULL ok. */
void red_worker_free(RedWorker *w);

/* Queues a request (copied). Sync requests return when it was handled. */
void red_worker_request(RedWorker *w, const RedWorkerRequest *req);

void red_worker_get_stats(RedWorker *w, RedWorkerStats *out);

#endif /* RED_WORKER_H */
