// SPDX-License-Identifier: LGPL-2.1-or-later
/* reds-private.h (core/ and api/ only): the server object behind
 * SpiceServer.  Channels use the accessors of reds.h; display workers never
 * see it.
 *
 * Threads: main thread only.  The one field a worker reaches is main_queue,
 * through the RedWorkerEvents the api hands it (red_main_queue_post is
 * callable from any thread).
 */
#ifndef REDS_PRIVATE_H
#define REDS_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <glib.h>
#include <spice.h>

#include "red-channel-registry.h"
#include "red-link.h"
#include "red-session.h"
#include "reds.h"

struct MainChannel;
struct InputsChannel;
/* red-main-queue.h carries RedsConnection records (reds-connection.c stands
 * on this header), so the queue is named here, not included. */
struct RedMainQueue;

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

    /* channels and the sessions (one per connected client) */
    RedChannelRegistry *registry;
    RedSessions *sessions;
    struct MainChannel *main_channel;
    struct InputsChannel *inputs_channel;
    GList *connections;         /* RedsConnection*, for channel events */

    /* devices */
    GPtrArray *qxls;            /* RedsQxl* (api/reds-displays.c) */
    SpiceKbdInstance *keyboard;
    SpiceMouseInstance *mouse;
    SpiceTabletInstance *tablet;
    uint8_t kbd_leds;
    uint32_t mouse_mode;        /* SPICE_MOUSE_MODE_SERVER or _CLIENT */
    bool vm_running;

    /* events from the display workers */
    struct RedMainQueue *main_queue;
};

#endif /* REDS_PRIVATE_H */
