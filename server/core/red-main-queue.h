// SPDX-License-Identifier: LGPL-2.1-or-later
/* red-main-queue.h: the one queue from worker threads to the host's main
 * thread.
 *
 * A worker never touches main-thread state (the server, the input devices,
 * QEMU's channel-event callback); it posts a RedMainEvent, a tagged value,
 * and the main loop hands each event to the handler given at creation, in
 * the order they were posted.  Events are copied: nothing the poster owns
 * is kept.  A pipe watched through the SpiceCoreInterface wakes the main
 * loop, so the server never runs a loop of its own.
 */
#ifndef RED_MAIN_QUEUE_H
#define RED_MAIN_QUEUE_H

#include <stdint.h>

#include <spice.h>

#include "reds-connection.h"

typedef enum {
    /* A display/cursor client is gone: emit DISCONNECTED, free the record. */
    RED_MAIN_EVENT_CONNECTION_CLOSED,
    /* A primary surface was created: the tablet's logical size follows it. */
    RED_MAIN_EVENT_PRIMARY_SIZE,
    /* A display/cursor client failed: its session ends. */
    RED_MAIN_EVENT_SESSION_FAILED,
    /* A session's video frames need another margin: its playback buffers it. */
    RED_MAIN_EVENT_VIDEO_LATENCY,
} RedMainEventType;

typedef struct RedMainEvent {
    RedMainEventType type;
    union {
        RedsConnection *connection;             /* CONNECTION_CLOSED: ownership passes */
        struct { uint32_t width, height; } size; /* PRIMARY_SIZE */
        uint32_t session_id;                    /* SESSION_FAILED */
        struct { uint32_t session_id, ms; } latency; /* VIDEO_LATENCY */
    } u;
} RedMainEvent;

/* Runs on the main thread, once per posted event. */
typedef void (*RedMainHandler)(void *opaque, const RedMainEvent *event);

typedef struct RedMainQueue RedMainQueue;

/* Creates the queue and its watch on core (main thread). NULL on failure
 * (no pipe). */
RedMainQueue *red_main_queue_new(const SpiceCoreInterface *core, RedMainHandler handler,
                                 void *opaque);
/* Delivers what is still queued, then frees the queue (main thread; every
 * poster must be gone). NULL ok. */
void red_main_queue_free(RedMainQueue *q);

/* Queues a copy of event (any thread; never blocks on the main thread). */
void red_main_queue_post(RedMainQueue *q, const RedMainEvent *event);
/* Delivers every queued event now (main thread). */
void red_main_queue_flush(RedMainQueue *q);

#endif /* RED_MAIN_QUEUE_H */
