/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* main-channel.c: the main channel (one client session at a time).
 *
 * On link: MAIN_INIT (session id, display hint, mouse modes, no agent, the
 * multimedia clock).  The client answers ATTACH_CHANNELS, we list our
 * channels; MOUSE_MODE_REQUEST switches between server and client mouse when
 * the client mode is possible (a tablet is plugged in). */
#include "config.h"

#include <string.h>

#include "red-log.h"
#include "red-worker.h"
#include "reds.h"

/* What spice-server hands out: ten tokens for the (absent) agent. */
#define REDS_AGENT_TOKENS 10

uint32_t reds_supported_mouse_modes(const RedsState *reds)
{
    return SPICE_MOUSE_MODE_SERVER | (reds->tablet ? SPICE_MOUSE_MODE_CLIENT : 0);
}

static uint32_t mm_time_now(void)
{
    return (uint32_t)(g_get_monotonic_time() / 1000);
}

static void send_channels_list(RedsState *reds)
{
    uint8_t list[2 * (1 + 2 * 256)];
    uint32_t n = 0;
    list[2 * n] = SPICE_CHANNEL_INPUTS;
    list[2 * n + 1] = 0;
    n++;
    for (guint i = 0; i < reds->qxls->len; i++) {
        RedsQxl *q = g_ptr_array_index(reds->qxls, i);
        list[2 * n] = SPICE_CHANNEL_DISPLAY;
        list[2 * n + 1] = (uint8_t)q->qxl->id;
        n++;
        list[2 * n] = SPICE_CHANNEL_CURSOR;
        list[2 * n + 1] = (uint8_t)q->qxl->id;
        n++;
    }
    SpiceMsg m = { .type = SPICE_MSG_MAIN_CHANNELS_LIST };
    m.u.channels_list.channels = (SpiceWireArray){ list, n };
    red_channel_client_send(reds->main_client, &m);
}

void reds_main_send_mouse_mode(RedsState *reds)
{
    if (!(reds_supported_mouse_modes(reds) & reds->mouse_mode)) {
        reds->mouse_mode = SPICE_MOUSE_MODE_SERVER;
    }
    if (reds->main_client) {
        SpiceMsg m = { .type = SPICE_MSG_MAIN_MOUSE_MODE,
                       .u.mouse_mode = { (uint16_t)reds_supported_mouse_modes(reds),
                                         (uint16_t)reds->mouse_mode } };
        red_channel_client_send(reds->main_client, &m);
    }
}

static bool main_handle_message(RedChannelClient *rcc, const SpiceMsgc *msg, void *opaque)
{
    RedsState *reds = opaque;
    (void)rcc;
    switch (msg->type) {
    case SPICE_MSGC_MAIN_ATTACH_CHANNELS:
        send_channels_list(reds);
        return true;
    case SPICE_MSGC_MAIN_MOUSE_MODE_REQUEST: {
        uint32_t want = msg->u.mouse_mode_request.mode;
        if (want & reds_supported_mouse_modes(reds) &&
            (want == SPICE_MOUSE_MODE_SERVER || want == SPICE_MOUSE_MODE_CLIENT)) {
            reds->mouse_mode = want;
        } else {
            red_log_info("main: mouse mode %u not available", want);
        }
        reds_main_send_mouse_mode(reds);
        return true;
    }
    case SPICE_MSGC_MAIN_CLIENT_INFO:
    case SPICE_MSGC_MAIN_AGENT_START:
    case SPICE_MSGC_MAIN_AGENT_DATA:
    case SPICE_MSGC_MAIN_AGENT_TOKEN:
    case SPICE_MSGC_MAIN_QUALITY_INDICATOR:
        return true; /* no agent: nothing to forward */
    case SPICE_MSGC_MAIN_MIGRATE_CONNECTED:
    case SPICE_MSGC_MAIN_MIGRATE_CONNECT_ERROR:
    case SPICE_MSGC_MAIN_MIGRATE_END:
    case SPICE_MSGC_MAIN_MIGRATE_DST_DO_SEAMLESS:
    case SPICE_MSGC_MAIN_MIGRATE_CONNECTED_SEAMLESS:
        return true; /* migration never announced: harmless to ignore */
    default:
        return false;
    }
}

static void main_on_closed(RedChannelClient *rcc, void *opaque)
{
    RedsState *reds = opaque;
    RedsConnection *conn = NULL;
    /* The session ends with its main channel: drop the other main-thread
     * channels; display/cursor clients notice their sockets on their own
     * once the client closes them. */
    if (reds->main_client == rcc) {
        reds->main_client = NULL;
        reds->session_id = 0;
    }
    for (GList *l = reds->connections; l; l = l->next) {
        RedsConnection *c = l->data;
        if (c->info.type == SPICE_CHANNEL_MAIN) {
            conn = c;
        }
    }
    red_channel_client_free(rcc);
    if (conn) {
        reds_connection_closed(reds, conn);
    }
    reds_inputs_close_all(reds);
}

static const RedChannelClientOps main_ops = {
    .handle_message = main_handle_message,
    .on_closed = main_on_closed,
};

void reds_main_client_linked(RedsState *reds, RedStream *stream, const SpiceLinkRequest *req)
{
    if (reds->main_client) {
        /* One session at a time, as the real server: the new client wins. */
        red_channel_client_close(reds->main_client, "replaced by a new client");
    }
    do {
        reds->session_id = g_random_int();
    } while (reds->session_id == 0);
    RedsConnection *conn = reds_connection_new(reds, red_stream_fd(stream), SPICE_CHANNEL_MAIN, 0);
    reds->main_client = red_channel_client_new(reds->core, stream, req, false, &main_ops, reds);
    if (reds->main_client == NULL) {
        reds->session_id = 0;
        reds_connection_closed(reds, conn);
        return;
    }
    reds_connection_event(reds, conn, SPICE_CHANNEL_EVENT_CONNECTED);
    reds_connection_event(reds, conn, SPICE_CHANNEL_EVENT_INITIALIZED);
    SpiceMsg init = { .type = SPICE_MSG_MAIN_INIT };
    init.u.main_init = (SpiceMsgMainInit){
        .session_id = reds->session_id,
        .display_channels_hint = reds->qxls->len,
        .supported_mouse_modes = reds_supported_mouse_modes(reds),
        .current_mouse_mode = reds->mouse_mode,
        .agent_connected = 0,
        .agent_tokens = REDS_AGENT_TOKENS,
        .multi_media_time = mm_time_now(),
        .ram_hint = 0,
    };
    red_channel_client_send(reds->main_client, &init);
}
