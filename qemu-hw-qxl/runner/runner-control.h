/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runner-control.h: the runner's control socket, a Unix socket speaking
 * JSON lines in the spirit of QMP.
 *
 *   -> {"execute": "status"}
 *   <- {"return": {...}}            or  {"error": {"desc": "..."}}
 *   <- {"event": "RESUMED", "data": {...}}   (sent to every client, any time)
 *
 * On connect the server greets with {"greeting": {"name": "s3d-stack"}}.
 * Lines longer than RUNNER_CONTROL_MAX_LINE and malformed commands get an
 * error; a client that keeps sending garbage past the limit is dropped.
 * Everything runs on the given main context (the host loop).
 */
#ifndef RUNNER_CONTROL_H
#define RUNNER_CONTROL_H

#include <glib.h>

#define RUNNER_CONTROL_MAX_LINE 4096
#define RUNNER_CONTROL_MAX_CLIENTS 16

typedef struct RunnerControl RunnerControl;

/* Answers one parsed command: returns the reply line (without newline),
 * newly allocated.  cmd maps keys to value texts (see runner-json.h). */
typedef char *(*RunnerControlHandler)(void *opaque, GHashTable *cmd);

/* Listens on path (an existing socket file there is replaced). The file
 * appears only once the socket listens, so a client that sees it can
 * connect. NULL with a log line on failure. */
RunnerControl *runner_control_new(GMainContext *ctx, const char *path,
                                  RunnerControlHandler handler, void *opaque);
/* Closes every client, removes the socket file. NULL ok. */
void runner_control_free(RunnerControl *ctl);

/* Sends {"event": name, "data": data_json} to every client. */
void runner_control_broadcast(RunnerControl *ctl, const char *name, const char *data_json);

#endif /* RUNNER_CONTROL_H */
