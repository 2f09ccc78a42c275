/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-worker-loop.h: a SpiceCoreInterface over a GMainContext, so the code
 * that serves clients runs the same way on the host's main loop and on a
 * display worker's own loop.  Only the worker thread may call it. */
#ifndef RED_WORKER_LOOP_H
#define RED_WORKER_LOOP_H

#include <stdbool.h>

#include <glib.h>
#include <glib-unix.h>
#include <spice.h>

typedef struct RedWorkerLoop RedWorkerLoop;

RedWorkerLoop *red_worker_loop_new(GMainContext *context);
void red_worker_loop_free(RedWorkerLoop *loop); /* NULL ok; all watches/timers must be removed */
const SpiceCoreInterface *red_worker_loop_core(RedWorkerLoop *loop);
/* Removes *source from its context, if any, and sets it to NULL: for the
 * worker's own sources (timers, idle runs) kept in a field. */
void red_source_clear(GSource **source);
/* A source watching `fd` for `condition` on the worker's loop, calling
 * func(fd, condition, data).  GLib's dispatch takes a source's fds out of
 * the poll set and puts them back around each call, and each of those
 * writes the context's wakeup eventfd (GLib 2.74), so every call cost two
 * writes, a read and an extra poll; these sources are marked recursive,
 * which skips that, and no callback of ours runs the loop inside. */
GSource *red_fd_source_new(GMainContext *context, int fd, GIOCondition condition,
                           GUnixFDSourceFunc func, gpointer data);
/* A source of the worker's own that stays attached to `context` and runs
 * `func` (which returns G_SOURCE_CONTINUE) once per arming: armed and
 * disarmed by red_ready_source_arm, without the allocation, attach and
 * destroy that an idle or timeout source per run costs. */
GSource *red_ready_source_new(GMainContext *context, gint priority, GSourceFunc func,
                              gpointer data);
/* Runs it once at monotonic time ready_us (0: at the loop's next turn), or
 * never (-1, disarmed).  Only from the loop's own thread. */
void red_ready_source_arm(GSource *source, gint64 ready_us);
bool red_ready_source_armed(GSource *source);

#endif /* RED_WORKER_LOOP_H */
