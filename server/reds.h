/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* reds.h (internal): the server object behind SpiceServer, shared by the
 * API entry points and the main-thread channels.
 *
 * Threads: everything here belongs to the host's main thread (the thread
 * that calls spice_server_* and runs the SpiceCoreInterface callbacks),
 * except what red-worker.h says a worker may touch.
 */
#ifndef REDS_H
#define REDS_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <spice.h>

#include "red-channel-client.h"
#include "red-link.h"

typedef struct RedWorker RedWorker;
typedef struct RedsClient RedsClient;

/* One QXL instance and its display worker. */
typedef struct RedsQxl {
    QXLInstance *qxl;
    RedWorker *worker;
} RedsQxl;

/* A connection's channel-event record: valid from CONNECTED until after the
 * DISCONNECTED callback, as QEMU expects. */
typedef struct RedsConnection {
    SpiceChannelEventInfo info;
} RedsConnection;

struct RedsState {
    const SpiceCoreInterface *core;
    bool initialized;

    /* configuration */
    char *addr;
    int addr_flags;
    int port;
    bool ticketing;             /* default on: no password = nobody links */
    char password[SPICE_MAX_PASSWORD_LENGTH + 1];
    time_t ticket_expiry;       /* 0 = never */
    char *name;
    uint8_t uuid[16];
    bool have_uuid;
    SpiceImageCompression image_compression;
    bool agent_mouse;
    bool exit_on_disconnect;

    /* network */
    int listen_fd;
    SpiceWatch *listen_watch;
    GList *links;               /* RedLink* in handshake */
    RedLinkPolicy link_policy;
    uint32_t session_id;        /* of the connected client, 0 = none */
    RedChannelClient *main_client;
    GList *inputs_clients;      /* RedChannelClient* */
    GList *connections;         /* RedsConnection*, for channel events */

    /* devices */
    GPtrArray *qxls;            /* RedsQxl* */
    SpiceKbdInstance *keyboard;
    SpiceMouseInstance *mouse;
    SpiceTabletInstance *tablet;
    uint8_t kbd_leds;
    uint32_t mouse_mode;        /* SPICE_MOUSE_MODE_SERVER or _CLIENT */
    bool vm_running;

    /* posting from worker threads to the main thread */
    int post_pipe[2];
    SpiceWatch *post_watch;
    GMutex post_lock;
    GQueue post_queue;
};

typedef struct RedsState RedsState;

/* Runs fn(data) on the main thread soon (callable from any thread). */
void reds_post_to_main(RedsState *reds, void (*fn)(RedsState *, void *), void *data);

/* Channel events, delivered on the main thread. */
RedsConnection *reds_connection_new(RedsState *reds, int fd, uint8_t type, uint8_t id);
void reds_connection_event(RedsState *reds, RedsConnection *c, int event);
/* Emits DISCONNECTED and frees the record (main thread). */
void reds_connection_closed(RedsState *reds, RedsConnection *c);

/* main channel */
void reds_main_client_linked(RedsState *reds, RedStream *stream, const SpiceLinkRequest *req);
void reds_main_send_mouse_mode(RedsState *reds);
uint32_t reds_supported_mouse_modes(const RedsState *reds);
/* inputs channel */
void reds_inputs_client_linked(RedsState *reds, RedStream *stream, const SpiceLinkRequest *req);
void reds_inputs_send_leds(RedsState *reds);
void reds_inputs_close_all(RedsState *reds);

/* the primary surface size, for the tablet's logical size (0 if none) */
void reds_update_tablet_size(RedsState *reds, uint32_t width, uint32_t height);

#endif /* REDS_H */
