/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* main-channel.c: the main channel, one client per session.
 *
 * Linking it opens a session (red-session.h), whose id goes to the client in
 * MAIN_INIT; the client closing it ends that session only.  On link:
 * MAIN_INIT (session id, display hint, mouse modes, the agent's presence
 * and tokens, the multimedia clock).  Agent messages go to the agent
 * (chardev/red-agent.h), which keeps each client's state.  The client
 * answers ATTACH_CHANNELS, we list our
 * channels; MOUSE_MODE_REQUEST switches between server and client mouse when
 * the client mode is possible (a tablet is plugged in, or reds_agent_mouse).  Right after
 * MAIN_INIT, a client on a network socket gets the three PINGs that measure
 * its link (red-net-test.h); a slow one is told to the display workers
 * (reds_set_session_link). */
#include "config.h"

#include "main-channel.h"

#include <string.h>
#include <sys/socket.h>

#include "red-agent.h"
#include "red-channel-client.h"
#include "red-log.h"
#include "red-net-test.h"
#include "reds-connection.h"

struct MainChannel {
    RedsState *reds;
    GList *clients;             /* MainClient*, one per session */
};

typedef struct MainClient {
    MainChannel *channel;
    RedChannelClient *rcc;
    RedsConnection *connection; /* its channel-event record */
    RedAgentClient *agent;      /* its side of the agent */
    uint32_t session_id;
    RedNetTest net;             /* its link's speed */
} MainClient;

static uint32_t mm_time_now(void)
{
    return (uint32_t)(g_get_monotonic_time() / 1000);
}

static void send_channels_list(MainClient *client)
{
    RedChannelRegistry *registry = reds_get_registry(client->channel->reds);
    size_t max = red_channel_registry_size(registry);
    uint8_t *list = g_new(uint8_t, 2 * MAX(max, 1));
    size_t n = red_channel_registry_list(registry, list, max);
    SpiceMsg m = { .type = SPICE_MSG_MAIN_CHANNELS_LIST };
    m.u.channels_list.channels = (SpiceWireArray){ list, (uint32_t)n };
    red_channel_client_send(client->rcc, &m);
    g_free(list);
}

void main_channel_send_mouse_mode(MainChannel *mc)
{
    RedsState *reds = mc->reds;
    reds_check_mouse_mode(reds);
    /* The mode is server-wide (reds.h): every client hears it. */
    SpiceMsg m = { .type = SPICE_MSG_MAIN_MOUSE_MODE,
                   .u.mouse_mode = { (uint16_t)reds_supported_mouse_modes(reds),
                                     (uint16_t)reds_get_mouse_mode(reds) } };
    for (GList *l = mc->clients, *next; l; l = next) {
        next = l->next; /* a failed send may close (and free) that client */
        MainClient *client = l->data;
        red_channel_client_send(client->rcc, &m);
    }
}

static bool main_handle_message(RedChannelClient *rcc, const SpiceMsgc *msg, void *opaque)
{
    MainClient *client = opaque;
    MainChannel *mc = client->channel;
    (void)rcc;
    switch (msg->type) {
    case SPICE_MSGC_MAIN_ATTACH_CHANNELS:
        send_channels_list(client);
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
        return red_agent_client_handle_message(client->agent, msg);
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
    MainClient *client = opaque;
    MainChannel *mc = client->channel;
    uint32_t session_id = client->session_id;
    mc->clients = g_list_remove(mc->clients, client);
    red_agent_client_destroy(client->agent);
    red_channel_client_free(rcc);
    reds_connection_closed(mc->reds, client->connection);
    g_free(client);
    /* The session ends with its main channel; every class hears it and
     * closes that session's other channels (a no-op when the session is
     * ending already, which is how we got here from main_session_ended). */
    red_sessions_end(reds_get_sessions(mc->reds), session_id, "session closed");
    reds_client_disconnected(mc->reds);
}

static void main_on_writable(RedChannelClient *rcc, void *opaque)
{
    MainClient *client = opaque;
    (void)rcc;
    red_agent_client_writable(client->agent);
}

/* The link test needs a network: on a unix socket (a local client) the
 * third ping would only time the kernel's copy. */
static bool main_on_network(int fd)
{
    struct sockaddr_storage sa;
    socklen_t len = sizeof(sa);
    return getsockname(fd, (struct sockaddr *)&sa, &len) == 0 && sa.ss_family != AF_UNIX;
}

static void main_start_net_test(MainClient *client, int fd)
{
    /* Zeros compress nowhere on the way; sent three times per client at
     * most, copied into the send queue. */
    static const uint8_t payload[RED_NET_TEST_BYTES];
    if (!main_on_network(fd)) {
        return;
    }
    int64_t now = g_get_monotonic_time();
    red_net_test_start(&client->net, 1, now);
    for (unsigned i = 0; i < RED_NET_TEST_PINGS; i++) {
        SpiceMsg ping = { .type = SPICE_MSG_PING };
        ping.u.ping = (SpiceMsgPing){ .id = client->net.first_id + i, .timestamp = (uint64_t)now,
                                      .payload = { (uint8_t *)payload,
                                                   red_net_test_payload(i) } };
        if (red_channel_client_send(client->rcc, &ping) != 0) {
            return; /* being closed */
        }
    }
}

static void main_on_pong(RedChannelClient *rcc, const SpiceMsgcPong *pong, void *opaque)
{
    MainClient *client = opaque;
    (void)rcc;
    /* Only the PONG that ends the test acts: repeating PONGs, a client
     * would otherwise queue a worker request per 18 bytes it sends.  Other
     * ids: nothing else pings from this channel. */
    if (red_net_test_pong(&client->net, pong->id, g_get_monotonic_time()) !=
        RED_NET_PONG_ENDED) {
        return;
    }
    if (client->net.stage == RED_NET_TEST_FAILED) {
        red_log_info("main: session %u: link test without a result (pongs out of order, "
                     "or a loaded machine)", client->session_id);
    } else if (client->net.stage == RED_NET_TEST_DONE) {
        bool low = red_net_test_low_bandwidth(&client->net);
        red_log_info("main: session %u: link latency %.1f ms, %.1f Mbit/s%s",
                     client->session_id, client->net.latency_us / 1000.0,
                     client->net.bits_per_sec / 1e6, low ? ": low bandwidth" : "");
        /* Fast links too: video streams start from the bitrate. */
        reds_set_session_link(client->channel->reds, client->session_id,
                              client->net.bits_per_sec);
    }
}

static const MainClient *main_client_of_session(const MainChannel *mc, uint32_t session_id)
{
    for (GList *l = mc ? mc->clients : NULL; l; l = l->next) {
        const MainClient *client = l->data;
        if (client->session_id == session_id) {
            return client;
        }
    }
    return NULL;
}

uint64_t main_channel_session_bps(const MainChannel *mc, uint32_t session_id)
{
    const MainClient *client = main_client_of_session(mc, session_id);
    return client ? red_net_test_bits_per_sec(&client->net) : 0;
}

static const RedChannelClientOps main_ops = {
    .handle_message = main_handle_message,
    .on_writable = main_on_writable,
    .on_closed = main_on_closed,
    .on_pong = main_on_pong,
};

static void main_link(void *opaque, void *instance, RedStream *stream,
                      const SpiceLinkRequest *req)
{
    MainChannel *mc = opaque;
    RedsState *reds = mc->reds;
    RedSessions *sessions = reds_get_sessions(reds);
    (void)instance;
    uint32_t session_id = red_sessions_begin(sessions);
    if (session_id == 0) {
        /* The link policy refused the client past the limit a moment ago on
         * this thread: reaching here is a bug of ours, not the client's. */
        red_log_warn("main: no free session for a linked client");
        red_stream_free(stream);
        return;
    }
    MainClient *client = g_new0(MainClient, 1);
    client->channel = mc;
    client->session_id = session_id;
    client->connection = reds_connection_new(reds, red_stream_fd(stream), SPICE_CHANNEL_MAIN, 0,
                                             session_id);
    client->rcc = red_channel_client_new(reds_get_core(reds), stream, req, false, &main_ops,
                                         client);
    if (client->rcc == NULL) {
        reds_connection_closed(reds, client->connection);
        g_free(client);
        red_sessions_end(sessions, session_id, "main channel failed");
        return;
    }
    client->agent = red_agent_client_create(reds_get_agent(reds), client->rcc);
    mc->clients = g_list_prepend(mc->clients, client);
    reds_connection_opened(reds, client->connection);
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
    red_agent_client_fill_init(client->agent, &init.u.main_init);
    if (red_channel_client_send(client->rcc, &init) == 0) {
        main_start_net_test(client, red_channel_client_fd(client->rcc));
    }
}

/* Session session_id ended elsewhere (the ticket changed, the server goes,
 * or one of its other channels failed): close its main channel;
 * main_on_closed follows. */
static void main_session_ended(void *opaque, uint32_t session_id, const char *why)
{
    MainChannel *mc = opaque;
    for (GList *l = mc->clients; l; l = l->next) {
        MainClient *client = l->data;
        if (client->session_id == session_id) {
            red_channel_client_close(client->rcc, why);
            return; /* one main channel per session; l may be gone now */
        }
    }
}

static void main_close_all(void *opaque, const char *why)
{
    MainChannel *mc = opaque;
    for (GList *l = mc->clients, *next; l; l = next) {
        next = l->next; /* closing one frees only that one */
        MainClient *client = l->data;
        red_channel_client_close(client->rcc, why);
    }
}

static const RedChannelClass main_class = {
    .type = SPICE_CHANNEL_MAIN,
    .opens_session = true,
    .link = main_link,
    .session_ended = main_session_ended,
    .close_all = main_close_all,
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
