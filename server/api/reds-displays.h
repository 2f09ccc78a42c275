// SPDX-License-Identifier: LGPL-2.1-or-later
/* reds-displays.h (api/ only): the QXL instances of a server, each with its
 * display worker and its display and cursor channels in the registry, and
 * the workers' events on the main thread.
 *
 * Threads: main thread only, except where a function says otherwise.
 */
#ifndef REDS_DISPLAYS_H
#define REDS_DISPLAYS_H

#include <stdbool.h>

#include <spice.h>

#include "red-main-queue.h"
#include "red-worker.h"
#include "reds-private.h"

/* Registers the display and cursor channel classes (spice_server_new). */
int reds_displays_register(RedsState *reds);

/* spice_server_add_interface(qxl): a worker and (DISPLAY, id), (CURSOR, id)
 * offered to clients.  0, or -1 (bad or used id, server not initialised). */
int reds_displays_add(RedsState *reds, QXLInstance *qxl);
/* spice_server_remove_interface(qxl): withdraws its channels, destroys its
 * worker (closing its clients).  0, or -1 if qxl was not added. */
int reds_displays_remove(QXLInstance *qxl);
/* Every instance removed (spice_server_destroy). */
void reds_displays_remove_all(RedsState *reds);

/* vm_start / vm_stop: every worker processes commands, or stops. */
void reds_displays_set_running(RedsState *reds, bool running);

/* The worker behind a QXLInstance (any thread the host calls spice_qxl_*
 * from); NULL if the instance was not added. */
RedWorker *reds_displays_worker(QXLInstance *qxl);

/* The main queue's handler: what the workers posted, on the main thread. */
void reds_displays_on_main_event(void *opaque, const RedMainEvent *event);

#endif /* REDS_DISPLAYS_H */
