/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-agent.c: the vdagent char device and the main channel's agent
 * messages, with token flow control both ways (contracts in red-agent.h). */
#include "config.h"

#include "red-agent.h"

#include <string.h>

#include <glib.h>
#include <spice/vd_agent.h>

#include "red-agent-framing.h"
#include "red-agent-monitors.h"
#include "red-log.h"

#define CHUNK_HEADER_SIZE sizeof(VDIChunkHeader)
#define MESSAGE_HEADER_SIZE sizeof(VDAgentMessage)
#define MAX_CHUNK (CHUNK_HEADER_SIZE + VD_AGENT_MAX_DATA_SIZE)
/* Room kept in the device queue for the one message the server itself
 * writes (VD_AGENT_CLIENT_DISCONNECTED), so clients cannot crowd it out. */
#define INTERNAL_RESERVE (CHUNK_HEADER_SIZE + MESSAGE_HEADER_SIZE)
/* The device queue: two client chunks (one being written, one ready) plus
 * the reserve.  Clients wait in their own queues, bounded by their window. */
#define DEVICE_QUEUE (2 * MAX_CHUNK + INTERNAL_RESERVE)
/* Tag of the server's own writes; client ids start at 1. */
#define TAG_SERVER 0

typedef struct AgentChunk {
    size_t len;             /* bytes, chunk header included */
    bool ends_message;
    uint8_t bytes[];
} AgentChunk;

struct RedAgentClient {
    RedAgent *agent;
    RedChannelClient *rcc;  /* NULL once destroyed (a zombie awaiting reaping) */
    uint64_t id;
    /* client -> agent */
    uint32_t in_flight;     /* AGENT_DATA taken, token not yet returned */
    RedAgentFraming framing;    /* of its messages to the agent */
    GQueue pending;         /* AgentChunk* not yet given to the device */
    RedAgentMonitors monitors;  /* a monitors config on its way to the devices */
    /* agent -> client */
    bool started;           /* AGENT_START seen since the agent attached */
    uint64_t send_tokens;
};

struct RedAgent {
    RedsState *reds;
    GList *clients;         /* RedAgentClient*, round-robin order for writes */
    uint64_t next_id;
    int busy;               /* depth of our callbacks: destroys are deferred */
    bool pumping, pump_again;

    RedCharDevice *dev;     /* NULL: no agent */
    bool cut_off;           /* the agent broke the chunk format */
    uint64_t writer;        /* client whose message is half written; 0 none */
    SpiceTimer *token_timer;
    bool token_timer_armed;

    bool mouse_pending;         /* mouse holds a state not yet written */
    VDAgentMouseState mouse;

    RedAgentFraming out_framing; /* of the agent's messages to clients */
    VDIChunkHeader in_header;   /* the chunk being read from the agent */
    size_t in_header_have;
    uint32_t in_chunk_left;     /* its bytes not yet read into a piece */
    size_t in_body_have;        /* bytes of the current piece */
    uint8_t in_body[VD_AGENT_MAX_DATA_SIZE];
};

static void agent_reap(RedAgent *agent);

static void agent_enter(RedAgent *agent)
{
    agent->busy++;
}

static void agent_leave(RedAgent *agent)
{
    if (--agent->busy == 0) {
        agent_reap(agent);
    }
}

static bool client_alive(const RedAgentClient *c)
{
    return c->rcc != NULL;
}

static RedAgentClient *agent_find(RedAgent *agent, uint64_t id)
{
    for (GList *l = agent->clients; l; l = l->next) {
        RedAgentClient *c = l->data;
        if (c->id == id && client_alive(c)) {
            return c;
        }
    }
    return NULL;
}

static void client_send(RedAgentClient *c, const SpiceMsg *m)
{
    if (client_alive(c)) {
        (void)red_channel_client_send(c->rcc, m); /* a failure closes it */
    }
}

static void client_send_tokens(RedAgentClient *c, uint16_t type, uint32_t n)
{
    SpiceMsg m = { .type = type, .u.agent_tokens = { n } };
    client_send(c, &m);
}

/* Forget both directions: the agent came or went. */
static void client_reset(RedAgentClient *c)
{
    c->in_flight = 0;
    c->framing = (RedAgentFraming){ 0 };
    g_queue_clear_full(&c->pending, g_free);
    red_agent_monitors_clear(&c->monitors);
    c->started = false;
    c->send_tokens = 0;
}

/* ---- writing to the agent ------------------------------------------------ */

/* One message of the server's own (port VDP_SERVER_PORT, one chunk) with a
 * body of `body` bytes, on the wire; the mouse state is the largest. */
#define SERVER_MESSAGE_SIZE(body) (CHUNK_HEADER_SIZE + MESSAGE_HEADER_SIZE + (body))
#define SERVER_MESSAGE_MAX SERVER_MESSAGE_SIZE(sizeof(VDAgentMouseState))

/* Lays out that message into out (SERVER_MESSAGE_MAX bytes); returns its
 * length. */
static size_t server_message(uint8_t *out, uint32_t type, const void *body, uint32_t body_size)
{
    VDIChunkHeader chunk = { .port = GUINT32_TO_LE(VDP_SERVER_PORT),
                             .size = GUINT32_TO_LE(MESSAGE_HEADER_SIZE + body_size) };
    VDAgentMessage msg = { .protocol = GUINT32_TO_LE(VD_AGENT_PROTOCOL),
                           .type = GUINT32_TO_LE(type), .size = GUINT32_TO_LE(body_size) };
    g_assert(SERVER_MESSAGE_SIZE(body_size) <= SERVER_MESSAGE_MAX);
    memcpy(out, &chunk, sizeof(chunk));
    memcpy(out + sizeof(chunk), &msg, sizeof(msg));
    if (body_size > 0) {
        memcpy(out + sizeof(chunk) + sizeof(msg), body, body_size);
    }
    return SERVER_MESSAGE_SIZE(body_size);
}

static void agent_write_internal(RedAgent *agent, uint32_t type)
{
    uint8_t bytes[SERVER_MESSAGE_MAX];
    if (agent->dev == NULL || agent->cut_off) {
        return;
    }
    size_t n = server_message(bytes, type, NULL, 0);
    if (red_char_device_write(agent->dev, bytes, n, TAG_SERVER) != 0) {
        red_log_warn("agent: no room for server message %u", type);
    }
}

/* The latest client mouse state, when the device has room for it (and
 * the reserve). */
static void agent_write_mouse(RedAgent *agent)
{
    uint8_t bytes[SERVER_MESSAGE_MAX];
    if (!agent->mouse_pending || agent->dev == NULL || agent->cut_off ||
        red_char_device_write_room(agent->dev) <
            SERVER_MESSAGE_SIZE(sizeof(VDAgentMouseState)) + INTERNAL_RESERVE) {
        return;
    }
    VDAgentMouseState m = { .x = GUINT32_TO_LE(agent->mouse.x),
                            .y = GUINT32_TO_LE(agent->mouse.y),
                            .buttons = GUINT32_TO_LE(agent->mouse.buttons),
                            .display_id = agent->mouse.display_id };
    size_t n = server_message(bytes, VD_AGENT_MOUSE_STATE, &m, sizeof(m));
    (void)red_char_device_write(agent->dev, bytes, n, TAG_SERVER); /* room checked */
    agent->mouse_pending = false;
}

/* The client whose chunk goes next: the one with a half-written message,
 * else the first with a chunk ready (then moved to the end: turns). */
static RedAgentClient *agent_next_writer(RedAgent *agent)
{
    if (agent->writer != 0) {
        RedAgentClient *c = agent_find(agent, agent->writer);
        return c && !g_queue_is_empty(&c->pending) ? c : NULL;
    }
    for (GList *l = agent->clients; l; l = l->next) {
        RedAgentClient *c = l->data;
        if (client_alive(c) && !g_queue_is_empty(&c->pending)) {
            agent->clients = g_list_remove_link(agent->clients, l);
            agent->clients = g_list_concat(agent->clients, l);
            return c;
        }
    }
    return NULL;
}

/* Moves client chunks into the device queue while it has room. */
static void agent_pump(RedAgent *agent)
{
    if (agent->pumping) {
        agent->pump_again = true;
        return;
    }
    agent->pumping = true;
    do {
        agent->pump_again = false;
        agent_write_mouse(agent);
        while (agent->dev && !agent->cut_off) {
            RedAgentClient *c = agent_next_writer(agent);
            if (c == NULL) {
                break;
            }
            AgentChunk *ch = g_queue_peek_head(&c->pending);
            if (red_char_device_write_room(agent->dev) < ch->len + INTERNAL_RESERVE) {
                break;
            }
            g_queue_pop_head(&c->pending);
            agent->writer = ch->ends_message ? 0 : c->id;
            (void)red_char_device_write(agent->dev, ch->bytes, ch->len, c->id); /* room checked */
            g_free(ch);
        }
    } while (agent->pump_again);
    agent->pumping = false;
}

static void dev_on_written(void *opaque, uint64_t tag)
{
    RedAgent *agent = opaque;
    agent_enter(agent);
    RedAgentClient *c = tag == TAG_SERVER ? NULL : agent_find(agent, tag);
    if (c && c->in_flight > 0) {
        c->in_flight--;
        client_send_tokens(c, SPICE_MSG_MAIN_AGENT_TOKEN, 1);
    }
    agent_pump(agent);
    agent_leave(agent);
}

static RedAgentPolicy agent_policy(const RedAgent *agent)
{
    return (RedAgentPolicy){ .copypaste = reds_agent_copypaste(agent->reds),
                             .file_xfer = reds_agent_file_xfer(agent->reds) };
}

/* A chunk of a monitors config the display devices take: collected, and
 * handed to them once complete.  false: the client sent a bad one. */
static bool client_take_monitors(RedAgentClient *c, const SpiceWireArray *raw, bool ends)
{
    uint32_t value;
    if (red_agent_monitors_add(&c->monitors, raw->data, raw->count, &value) != 0) {
        red_log_warn("main: monitors config of %u bytes (at most %u): closing the client",
                     value, (unsigned)RED_AGENT_MONITORS_MAX_BYTES);
        return false;
    }
    client_send_tokens(c, SPICE_MSG_MAIN_AGENT_TOKEN, 1);
    if (!ends) {
        return true;
    }
    const char *why = NULL;
    VDAgentMonitorsConfig *config = red_agent_monitors_take(&c->monitors, &why, &value);
    if (config == NULL) {
        red_log_warn("main: %s (%u): closing the client", why, value);
        return false;
    }
    red_log_debug("main: a monitors config for %u monitors goes to the display devices",
                  config->num_of_monitors);
    reds_client_monitors_config(c->agent->reds, config);
    g_free(config);
    return true;
}

static bool client_handle_data(RedAgentClient *c, const SpiceWireArray *raw)
{
    RedAgent *agent = c->agent;
    if (raw->count == 0 || raw->count > VD_AGENT_MAX_DATA_SIZE) {
        red_log_warn("main: AGENT_DATA of %u bytes (1..%u allowed)", raw->count,
                     VD_AGENT_MAX_DATA_SIZE);
        return false;
    }
    if (!red_agent_is_connected(agent)) {
        /* Sent before the client heard AGENT_DISCONNECTED; its tokens are
         * reset when an agent comes. */
        red_log_debug("main: AGENT_DATA with no agent dropped");
        return true;
    }
    if (c->in_flight >= RED_AGENT_CLIENT_WINDOW) {
        red_log_warn("main: AGENT_DATA without a token (%u of %u in flight): client floods "
                     "the agent", c->in_flight, RED_AGENT_CLIENT_WINDOW);
        return false;
    }
    RedAgentChunkFate fate;
    bool ends;
    uint32_t value;
    RedAgentPolicy policy = agent_policy(agent);
    /* Asked only where a message may begin: it calls into the host. */
    policy.monitors_to_devices = c->framing.msg_left == 0 && reds_take_monitors_config(agent->reds);
    RedAgentFrameError err = red_agent_frame_chunk(&c->framing, &policy, raw->data, raw->count,
                                                   &fate, &ends, &value);
    if (err != RED_AGENT_FRAME_OK) {
        red_log_warn("main: AGENT_DATA of %u bytes: %s %u", raw->count,
                     red_agent_frame_error_str(err), value);
        return false;
    }
    if (fate == RED_AGENT_CHUNK_TAKE) {
        return client_take_monitors(c, raw, ends);
    }
    if (fate == RED_AGENT_CHUNK_DROP) {
        /* The host disabled this kind of message: dropped, token back. */
        client_send_tokens(c, SPICE_MSG_MAIN_AGENT_TOKEN, 1);
        return true;
    }
    AgentChunk *ch = g_malloc(sizeof(*ch) + CHUNK_HEADER_SIZE + raw->count);
    VDIChunkHeader h = { .port = GUINT32_TO_LE(VDP_CLIENT_PORT),
                         .size = GUINT32_TO_LE(raw->count) };
    memcpy(ch->bytes, &h, sizeof(h));
    memcpy(ch->bytes + sizeof(h), raw->data, raw->count);
    ch->len = sizeof(h) + raw->count;
    ch->ends_message = ends;
    g_queue_push_tail(&c->pending, ch);
    c->in_flight++;
    agent_pump(agent);
    return true;
}

/* ---- reading from the agent ---------------------------------------------- */

static void agent_tell_clients(RedAgent *agent, bool connected)
{
    for (GList *l = agent->clients; l; l = l->next) {
        RedAgentClient *c = l->data;
        client_reset(c);
        if (!client_alive(c)) {
            continue;
        }
        if (!connected) {
            SpiceMsg m = { .type = SPICE_MSG_MAIN_AGENT_DISCONNECTED,
                           .u.agent_disconnected = { SPICE_LINK_ERR_OK } };
            client_send(c, &m);
        } else if (red_channel_client_has_cap(c->rcc, SPICE_MAIN_CAP_AGENT_CONNECTED_TOKENS)) {
            client_send_tokens(c, SPICE_MSG_MAIN_AGENT_CONNECTED_TOKENS,
                               RED_AGENT_CLIENT_WINDOW);
        } else {
            SpiceMsg m = { .type = SPICE_MSG_MAIN_AGENT_CONNECTED };
            client_send(c, &m);
        }
    }
}

static void agent_set_token_timer(RedAgent *agent, bool arm)
{
    if (agent->token_timer == NULL || arm == agent->token_timer_armed) {
        return;
    }
    const SpiceCoreInterface *core = reds_get_core(agent->reds);
    if (arm) {
        core->timer_start(agent->token_timer, RED_AGENT_TOKEN_WAIT_MS);
    } else {
        core->timer_cancel(agent->token_timer);
    }
    agent->token_timer_armed = arm;
}

/* Can every started client take one more chunk now? */
static bool agent_can_deliver(RedAgent *agent)
{
    bool short_of_tokens = false, ok = true;
    for (GList *l = agent->clients; l; l = l->next) {
        RedAgentClient *c = l->data;
        if (!client_alive(c) || !c->started) {
            continue;
        }
        if (c->send_tokens == 0) {
            short_of_tokens = true;
            ok = false;
        } else if (!red_channel_client_can_send(c->rcc)) {
            ok = false; /* its socket stall timer watches it */
        }
    }
    agent_set_token_timer(agent, short_of_tokens);
    return ok;
}

static void agent_cut_off(RedAgent *agent, const char *what, uint32_t value)
{
    red_log_warn("agent: %s %u: agent cut off until its device is added again", what, value);
    agent->cut_off = true;
    agent_set_token_timer(agent, false);
    agent_tell_clients(agent, false);
}

static void agent_deliver(RedAgent *agent)
{
    uint32_t port = GUINT32_FROM_LE(agent->in_header.port);
    uint32_t size = (uint32_t)agent->in_body_have;
    if (port != VDP_CLIENT_PORT) {
        return; /* VDP_SERVER_PORT: nothing the server acts on (no agent mouse) */
    }
    RedAgentChunkFate fate;
    bool ends;
    uint32_t value;
    /* The agent's own monitors messages go to the clients (fate PASS). */
    RedAgentPolicy policy = agent_policy(agent);
    RedAgentFrameError err = red_agent_frame_chunk(&agent->out_framing, &policy, agent->in_body,
                                                   size, &fate, &ends, &value);
    if (err != RED_AGENT_FRAME_OK) {
        agent_cut_off(agent, red_agent_frame_error_str(err), value);
        return;
    }
    if (fate == RED_AGENT_CHUNK_DROP) {
        return; /* the host disabled this kind of message */
    }
    SpiceMsg m = { .type = SPICE_MSG_MAIN_AGENT_DATA,
                   .u.raw = { agent->in_body, size } };
    unsigned sent = 0;
    for (GList *l = agent->clients; l; l = l->next) {
        RedAgentClient *c = l->data;
        if (client_alive(c) && c->started && c->send_tokens > 0) {
            c->send_tokens--;
            client_send(c, &m);
            sent++;
        }
    }
    if (sent == 0) {
        red_log_debug("agent: %u bytes for no started client dropped", size);
    }
}

/* Size of the piece of the current chunk being read: spice-vdagentd writes
 * a whole message as one chunk however large, and clients take AGENT_DATA
 * of at most VD_AGENT_MAX_DATA_SIZE, so a chunk goes out in pieces (as
 * upstream's server does). */
static size_t agent_piece_size(const RedAgent *agent)
{
    return MIN(agent->in_chunk_left, VD_AGENT_MAX_DATA_SIZE);
}

static size_t dev_read_room(void *opaque)
{
    RedAgent *agent = opaque;
    if (agent->cut_off) {
        return 0;
    }
    /* A chunk header is always read: it tells us the agent has data
     * waiting, so only then does a client short of tokens hold it up (and
     * start the token timer).  Chunks for the server need no tokens. */
    if (agent->in_header_have < CHUNK_HEADER_SIZE) {
        return CHUNK_HEADER_SIZE - agent->in_header_have;
    }
    if (GUINT32_FROM_LE(agent->in_header.port) == VDP_CLIENT_PORT && !agent_can_deliver(agent)) {
        return 0;
    }
    return agent_piece_size(agent) - agent->in_body_have;
}

static void dev_on_read(void *opaque, const uint8_t *data, size_t len)
{
    RedAgent *agent = opaque;
    agent_enter(agent);
    if (agent->in_header_have < CHUNK_HEADER_SIZE) {
        memcpy((uint8_t *)&agent->in_header + agent->in_header_have, data, len);
        agent->in_header_have += len;
        if (agent->in_header_have == CHUNK_HEADER_SIZE) {
            uint32_t port = GUINT32_FROM_LE(agent->in_header.port);
            agent->in_chunk_left = GUINT32_FROM_LE(agent->in_header.size);
            agent->in_body_have = 0;
            if (port != VDP_CLIENT_PORT && port != VDP_SERVER_PORT) {
                agent_cut_off(agent, "bad chunk port", port);
            } else if (agent->in_chunk_left == 0) {
                agent->in_header_have = 0; /* an empty chunk: nothing to pass on */
            }
        }
    } else {
        memcpy(agent->in_body + agent->in_body_have, data, len);
        agent->in_body_have += len;
        if (agent->in_body_have == agent_piece_size(agent)) {
            agent->in_chunk_left -= (uint32_t)agent->in_body_have;
            agent_deliver(agent);
            agent->in_body_have = 0;
            if (agent->in_chunk_left == 0) {
                agent->in_header_have = 0;
            }
        }
    }
    agent_leave(agent);
}

static const RedCharDeviceOps agent_device_ops = {
    .read_room = dev_read_room,
    .on_read = dev_on_read,
    .on_written = dev_on_written,
};

static void agent_wakeup(RedAgent *agent)
{
    if (agent->dev) {
        red_char_device_wakeup(agent->dev);
    }
}

/* Clients that kept the agent waiting for a token too long go. */
static void agent_token_timeout(void *opaque)
{
    RedAgent *agent = opaque;
    agent->token_timer_armed = false;
    agent_enter(agent);
    for (GList *l = agent->clients; l; l = l->next) {
        RedAgentClient *c = l->data;
        if (client_alive(c) && c->started && c->send_tokens == 0) {
            red_log_warn("main: client granted no agent token for %u ms", RED_AGENT_TOKEN_WAIT_MS);
            red_channel_client_close(c->rcc, "holds the agent without tokens");
        }
    }
    agent_leave(agent);
    agent_wakeup(agent);
}

/* ---- the device comes and goes ------------------------------------------- */

RedAgent *red_agent_create(RedsState *reds)
{
    RedAgent *agent = g_new0(RedAgent, 1);
    agent->reds = reds;
    agent->next_id = 1;
    return agent;
}

static void agent_drop_device(RedAgent *agent)
{
    agent_set_token_timer(agent, false);
    if (agent->token_timer) {
        reds_get_core(agent->reds)->timer_remove(agent->token_timer);
        agent->token_timer = NULL;
    }
    red_char_device_destroy(agent->dev);
    agent->dev = NULL;
    agent->cut_off = false;
    agent->writer = 0;
    agent->out_framing = (RedAgentFraming){ 0 };
    agent->in_header_have = 0;
    agent->in_chunk_left = 0;
    agent->in_body_have = 0;
    agent->mouse_pending = false;
}

void red_agent_destroy(RedAgent *agent)
{
    if (agent == NULL) {
        return;
    }
    agent_drop_device(agent);
    g_list_free(agent->clients); /* empty unless the owner broke the contract */
    g_free(agent);
}

RedCharDevice *red_agent_attach(RedAgent *agent, SpiceCharDeviceInstance *sin)
{
    if (agent->dev) {
        red_log_warn("char device vdagent: one is attached already; second refused");
        return NULL;
    }
    if (!red_char_device_is_valid_instance(sin)) {
        return NULL;
    }
    const SpiceCoreInterface *core = reds_get_core(agent->reds);
    agent->dev = red_char_device_create(core, sin, DEVICE_QUEUE, &agent_device_ops, agent);
    agent->token_timer = agent->dev ? core->timer_add(agent_token_timeout, agent) : NULL;
    if (agent->token_timer == NULL) {
        agent_drop_device(agent);
        return NULL;
    }
    red_log_info("agent connected");
    agent_enter(agent);
    agent_tell_clients(agent, true);
    agent_leave(agent);
    red_char_device_set_state(agent->dev, true);
    return agent->dev;
}

void red_agent_detach(RedAgent *agent, SpiceCharDeviceInstance *sin)
{
    if (agent->dev == NULL || red_char_device_instance(agent->dev) != sin) {
        return;
    }
    red_log_info("agent disconnected");
    bool told = agent->cut_off; /* clients heard it when it was cut off */
    red_char_device_set_state(agent->dev, false);
    agent_drop_device(agent);
    if (!told) {
        agent_enter(agent);
        agent_tell_clients(agent, false);
        agent_leave(agent);
    }
}

bool red_agent_is_connected(const RedAgent *agent)
{
    return agent->dev != NULL && !agent->cut_off;
}

void red_agent_mouse_state(RedAgent *agent, const VDAgentMouseState *state)
{
    if (!red_agent_is_connected(agent)) {
        return;
    }
    agent->mouse = *state;
    agent->mouse_pending = true;
    agent_enter(agent);
    agent_pump(agent);
    agent_leave(agent);
}

/* ---- main-channel clients ------------------------------------------------ */

RedAgentClient *red_agent_client_create(RedAgent *agent, RedChannelClient *rcc)
{
    RedAgentClient *c = g_new0(RedAgentClient, 1);
    c->agent = agent;
    c->rcc = rcc;
    c->id = agent->next_id++;
    g_queue_init(&c->pending);
    agent->clients = g_list_append(agent->clients, c);
    return c;
}

/* Frees a client that is no longer referenced by any callback on the
 * stack, and tells the agent what it must know of its going. */
static void client_finish(RedAgent *agent, RedAgentClient *c)
{
    bool half_written = agent->writer == c->id;
    agent->clients = g_list_remove(agent->clients, c);
    g_queue_clear_full(&c->pending, g_free);
    red_agent_monitors_clear(&c->monitors);
    g_free(c);
    if (half_written) {
        agent->writer = 0;
    }
    bool none_left = true;
    for (GList *l = agent->clients; l; l = l->next) {
        none_left = none_left && !client_alive(l->data);
    }
    if (half_written || none_left) {
        agent_write_internal(agent, VD_AGENT_CLIENT_DISCONNECTED);
    }
}

static void agent_reap(RedAgent *agent)
{
    bool reaped = false;
    GList *l = agent->clients;
    while (l) {
        GList *next = l->next;
        RedAgentClient *c = l->data;
        if (!client_alive(c)) {
            client_finish(agent, c);
            reaped = true;
        }
        l = next;
    }
    if (reaped) {
        /* Another client's chunks may go now, and the agent may be read
         * again if the one gone was short of tokens. */
        agent->busy++;
        agent_pump(agent);
        agent->busy--;
        agent_wakeup(agent);
    }
}

void red_agent_client_destroy(RedAgentClient *client)
{
    if (client == NULL) {
        return;
    }
    RedAgent *agent = client->agent;
    client->rcc = NULL;
    if (agent->busy == 0) {
        agent_reap(agent);
    }
}

void red_agent_client_fill_init(const RedAgentClient *client, SpiceMsgMainInit *init)
{
    init->agent_connected = red_agent_is_connected(client->agent);
    init->agent_tokens = RED_AGENT_CLIENT_WINDOW;
}

bool red_agent_client_handle_message(RedAgentClient *client, const SpiceMsgc *msg)
{
    RedAgent *agent = client->agent;
    bool keep = true;
    agent_enter(agent);
    switch (msg->type) {
    case SPICE_MSGC_MAIN_AGENT_START:
        if (red_agent_is_connected(agent)) {
            client->started = true;
            client->send_tokens = msg->u.agent_tokens.num_tokens;
        }
        break;
    case SPICE_MSGC_MAIN_AGENT_TOKEN:
        if (client->started) {
            /* 64 bits: even 2^32 grants of UINT32_MAX do not wrap. */
            client->send_tokens += msg->u.agent_tokens.num_tokens;
        }
        break;
    case SPICE_MSGC_MAIN_AGENT_DATA:
        keep = client_handle_data(client, &msg->u.raw);
        break;
    default:
        break;
    }
    agent_leave(agent);
    if (keep && msg->type != SPICE_MSGC_MAIN_AGENT_DATA) {
        agent_wakeup(agent); /* tokens may let the agent be read again */
    }
    return keep;
}

void red_agent_client_writable(RedAgentClient *client)
{
    agent_wakeup(client->agent);
}
