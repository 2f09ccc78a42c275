/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-worker-loop.h: a SpiceCoreInterface over a GMainContext, so the code
 * that serves clients runs the same way on the host's main loop and on a
 * display worker's own loop.  Only the worker thread may call it. */
#ifndef RED_WORKER_LOOP_H
#define RED_WORKER_LOOP_H

#include <glib.h>
#include <spice.h>

typedef struct RedWorkerLoop RedWorkerLoop;

RedWorkerLoop *red_worker_loop_new(GMainContext *context);
void red_worker_loop_free(RedWorkerLoop *loop); /* NULL ok; all watches/timers must be removed */
const SpiceCoreInterface *red_worker_loop_core(RedWorkerLoop *loop);
/* Removes *source from its context, if any, and sets it to NULL: for the
 * worker's own sources (timers, idle runs) kept in a field. */
void red_source_clear(GSource **source);

#endif /* RED_WORKER_LOOP_H */
