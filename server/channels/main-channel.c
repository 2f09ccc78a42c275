/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* main-channel.c: the main channel (one client session at a time).
 *
 * On link: MAIN_INIT (session id, display hint, mouse modes, the agent's
 * presence and tokens, the multimedia clock).  Agent messages go to the
 * agent (chardev/red-agent.h), which keeps per-client state.  The client answers ATTACH_CHANNELS, we list our
 * channels; MOUSE_MODE_REQUEST switches between server and client mouse when
 * the client mode is possible (a tablet is plugged in). */
#include "config.h"

#include "main-channel.h"

#include <string.h>

#include "red-agent.h"
#include "red-channel-client.h"
#include "red-log.h"
#include "reds-connection.h"

struct MainChannel {
    RedsState *reds;
    RedChannelClient *client;   /* of the current session; NULL = none */
    RedsConnection *connection; /* its channel-event record */
    RedAgentClient *agent;      /* its side of the agent */
};

static uint32_t mm_time_now(void)
{
    return (uint32_t)(g_get_monotonic_time() / 1000);
}

static void send_channels_list(MainChannel *mc)
{
    RedChannelRegistry *registry = reds_get_registry(mc->reds);
    size_t max = red_channel_registry_size(registry);
    uint8_t *list = g_new(uint8_t, 2 * MAX(max, 1));
    size_t n = red_channel_registry_list(registry, list, max);
    SpiceMsg m = { .type = SPICE_MSG_MAIN_CHANNELS_LIST };
    m.u.channels_list.channels = (SpiceWireArray){ list, (uint32_t)n };
    red_channel_client_send(mc->client, &m);
    g_free(list);
}

void main_channel_send_mouse_mode(MainChannel *mc)
{
    RedsState *reds = mc->reds;
    reds_check_mouse_mode(reds);
    if (mc->client) {
        SpiceMsg m = { .type = SPICE_MSG_MAIN_MOUSE_MODE,
                       .u.mouse_mode = { (uint16_t)reds_supported_mouse_modes(reds),
                                         (uint16_t)reds_get_mouse_mode(reds) } };
        red_channel_client_send(mc->client, &m);
    }
}

static bool main_handle_message(RedChannelClient *rcc, const SpiceMsgc *msg, void *opaque)
{
    MainChannel *mc = opaque;
    (void)rcc;
    switch (msg->type) {
    case SPICE_MSGC_MAIN_ATTACH_CHANNELS:
        send_channels_list(mc);
        return true;
    case SPICE_MSGC_MAIN_MOUSE_MODE_REQUEST: {
        uint32_t want = msg->u.mouse_mode_request.mode;
        if (reds_set_mouse_mode(mc->reds, want) != 0) {
            red_log_info("main: mouse mode %u not available", want);
        }
        main_channel_send_mouse_mode(mc);
        return true;
    }
    case SPICE_MSGC_MAIN_AGENT_START:
    case SPICE_MSGC_MAIN_AGENT_DATA:
    case SPICE_MSGC_MAIN_AGENT_TOKEN:
        return mc->client == rcc && red_agent_client_handle_message(mc->agent, msg);
    case SPICE_MSGC_MAIN_CLIENT_INFO:
    case SPICE_MSGC_MAIN_QUALITY_INDICATOR:
        return true; /* hints we do not use */
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
    MainChannel *mc = opaque;
    bool current = mc->client == rcc;
    red_channel_client_free(rcc);
    if (!current) {
        return; /* a client replaced earlier: its session is over already */
    }
    RedsConnection *conn = mc->connection;
    red_agent_client_destroy(mc->agent);
    mc->agent = NULL;
    mc->client = NULL;
    mc->connection = NULL;
    reds_connection_closed(mc->reds, conn);
    /* The session ends with its main channel; every class hears it (when
     * the session is ending already, this is a no-op). */
    red_session_end(reds_get_session(mc->reds), "session closed");
}

static void main_on_writable(RedChannelClient *rcc, void *opaque)
{
    MainChannel *mc = opaque;
    if (mc->client == rcc) {
        red_agent_client_writable(mc->agent);
    }
}

static const RedChannelClientOps main_ops = {
    .handle_message = main_handle_message,
    .on_writable = main_on_writable,
    .on_closed = main_on_closed,
};

static void main_link(void *opaque, void *instance, RedStream *stream,
                      const SpiceLinkRequest *req)
{
    MainChannel *mc = opaque;
    RedsState *reds = mc->reds;
    RedSession *session = reds_get_session(reds);
    (void)instance;
    uint32_t session_id = red_session_begin(session); /* ends the one before */
    RedsConnection *conn = reds_connection_new(reds, red_stream_fd(stream), SPICE_CHANNEL_MAIN, 0);
    mc->client = red_channel_client_new(reds_get_core(reds), stream, req, false, &main_ops, mc);
    if (mc->client == NULL) {
        reds_connection_closed(reds, conn);
        red_session_end(session, "main channel failed");
        return;
    }
    mc->connection = conn;
    mc->agent = red_agent_client_create(reds_get_agent(reds), mc->client);
    reds_connection_opened(reds, conn);
    SpiceMsg init = { .type = SPICE_MSG_MAIN_INIT };
    init.u.main_init = (SpiceMsgMainInit){
        .session_id = session_id,
        .display_channels_hint = red_channel_registry_count(reds_get_registry(reds),
                                                            SPICE_CHANNEL_DISPLAY),
        .supported_mouse_modes = reds_supported_mouse_modes(reds),
        .current_mouse_mode = reds_get_mouse_mode(reds),
        .multi_media_time = mm_time_now(),
        .ram_hint = 0,
    };
    red_agent_client_fill_init(mc->agent, &init.u.main_init);
    red_channel_client_send(mc->client, &init);
}

/* The session ended elsewhere (a new client, the ticket changed, the server
 * goes): close our client; main_on_closed follows. */
static void main_close(void *opaque, const char *why)
{
    MainChannel *mc = opaque;
    if (mc->client) {
        red_channel_client_close(mc->client, why);
    }
}

static const RedChannelClass main_class = {
    .type = SPICE_CHANNEL_MAIN,
    .opens_session = true,
    .link = main_link,
    .session_ended = main_close,
    .close_all = main_close,
};

MainChannel *main_channel_new(RedsState *reds)
{
    MainChannel *mc = g_new0(MainChannel, 1);
    mc->reds = reds;
    if (red_channel_registry_add_class(reds_get_registry(reds), &main_class, mc) != 0) {
        g_free(mc);
        return NULL;
    }
    return mc;
}

void main_channel_free(MainChannel *mc)
{
    g_free(mc);
}
