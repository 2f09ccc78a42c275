/* SPDX-License-Identifier: GPL-2.0-or-later */
/* agent-fixture.c: the agent tests' server, scripted agent and client
 * (agent-fixture.h). */
#include "config.h"

#include "agent-fixture.h"

#include <poll.h>
#include <unistd.h>

#include <spice/vd_agent.h>

#include "test-client.h"
#include "test-util.h"
#include "spice-link.h"

/* ---- the fixture ---------------------------------------------------------- */

Fixture fx;

static void capture_log(const gchar *domain, GLogLevelFlags level, const gchar *message,
                        gpointer data)
{
    (void)data;
    g_mutex_lock(&fx.log_lock);
    g_string_append_printf(fx.log, "%s\n", message);
    g_mutex_unlock(&fx.log_lock);
    if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL)) {
        fprintf(stderr, "[%s] %s\n", domain, message);
    }
}

/* True once the server logged a line containing what. */
bool logged(const char *what)
{
    g_mutex_lock(&fx.log_lock);
    bool found = strstr(fx.log->str, what) != NULL;
    g_mutex_unlock(&fx.log_lock);
    return found;
}

void on_core(void (*func)(void *data), void *data)
{
    if (test_core_call(fx.core, func, data, CALL_TIMEOUT_MS) != 0) {
        fprintf(stderr, "server thread stuck\n");
        exit(1);
    }
}

static void do_init(void *data)
{
    Fixture *f = data;
    f->server = spice_server_new();
    spice_server_set_addr(f->server, "127.0.0.1", SPICE_ADDR_FLAG_IPV4_ONLY);
    spice_server_set_port(f->server, f->port);
    spice_server_set_ticket(f->server, PASSWORD, 0, 0, 0);
    f->init_result = spice_server_init(f->server, test_core_get_interface(f->core));
    if (f->init_result != 0) {
        spice_server_destroy(f->server);
        f->server = NULL;
    }
}

static void do_destroy(void *data)
{
    Fixture *f = data;
    spice_server_destroy(f->server);
}

int fixture_start(Fixture *f)
{
    g_mutex_init(&f->log_lock);
    f->log = g_string_new("");
    g_log_set_handler("s3display-server", G_LOG_LEVEL_MASK, capture_log, NULL);
    f->core = test_core_create();
    if (f->core == NULL) {
        return -1;
    }
    for (int attempt = 0; attempt < 20; attempt++) {
        f->port = 20000 + (int)(g_random_int() % 20000);
        on_core(do_init, f);
        if (f->init_result == 0) {
            return 0;
        }
    }
    return -1;
}

void fixture_stop(Fixture *f)
{
    on_core(do_destroy, f);
    test_core_destroy(f->core);
    g_string_free(f->log, TRUE);
}

static void do_add_agent(void *data)
{
    ScriptedCharDev *a = data;
    scripted_chardev_init(a, "vdagent");
    CHECK(spice_server_add_interface(fx.server, &a->sin.base) == 0);
}

static void do_remove_agent(void *data)
{
    ScriptedCharDev *a = data;
    CHECK(spice_server_remove_interface(&a->sin.base) == 0);
    CHECK_EQ_U64(a->state, 0);
    scripted_chardev_finish(a);
}

void do_wakeup(void *data)
{
    ScriptedCharDev *a = data;
    spice_server_char_device_wakeup(&a->sin);
}

void do_nothing(void *data)
{
    (void)data;
}

/* The agent puts one chunk on its port (VDIChunkHeader + bytes); queued
 * only, the caller wakes the server. */
typedef struct ChunkOut {
    uint32_t port;
    const uint8_t *data;
    uint32_t size;
} ChunkOut;

static void do_agent_queue(void *data)
{
    ChunkOut *c = data;
    VDIChunkHeader h = { .port = GUINT32_TO_LE(c->port), .size = GUINT32_TO_LE(c->size) };
    g_byte_array_append(fx.agent.to_server, (const uint8_t *)&h, sizeof(h));
    g_byte_array_append(fx.agent.to_server, c->data, c->size);
}

void agent_send_chunk(uint32_t port, const uint8_t *data, uint32_t size, bool wake)
{
    ChunkOut c = { port, data, size };
    on_core(do_agent_queue, &c);
    if (wake) {
        on_core(do_wakeup, &fx.agent);
    }
}

/* A whole VDAgentMessage as the agent writes it: split into chunks of at
 * most VD_AGENT_MAX_DATA_SIZE bytes. */
GByteArray *agent_message(uint32_t type, const uint8_t *payload, uint32_t size)
{
    VDAgentMessage h = { .protocol = GUINT32_TO_LE(VD_AGENT_PROTOCOL),
                         .type = GUINT32_TO_LE(type), .opaque = 0,
                         .size = GUINT32_TO_LE(size) };
    GByteArray *m = g_byte_array_new();
    g_byte_array_append(m, (const uint8_t *)&h, sizeof(h));
    g_byte_array_append(m, payload, size);
    return m;
}

/* The same message as spice-vdagentd writes it: one chunk, however large. */
void agent_send_whole(const GByteArray *m)
{
    agent_send_chunk(VDP_CLIENT_PORT, m->data, m->len, true);
}

unsigned agent_send_message(const GByteArray *m)
{
    unsigned chunks = 0;
    for (guint off = 0; off < m->len; off += VD_AGENT_MAX_DATA_SIZE, chunks++) {
        uint32_t n = MIN(m->len - off, VD_AGENT_MAX_DATA_SIZE);
        agent_send_chunk(VDP_CLIENT_PORT, m->data + off, n, false);
    }
    on_core(do_wakeup, &fx.agent);
    return chunks;
}

void do_take_written(void *data)
{
    Written *w = data;
    GByteArray *b = fx.agent.from_server;
    guint off = 0;
    while (b->len - off >= sizeof(VDIChunkHeader)) {
        VDIChunkHeader h;
        memcpy(&h, b->data + off, sizeof(h));
        uint32_t size = GUINT32_FROM_LE(h.size);
        if (b->len - off - sizeof(h) < size) {
            break; /* the rest is still being written */
        }
        const uint8_t *p = b->data + off + sizeof(h);
        if (GUINT32_FROM_LE(h.port) == VDP_CLIENT_PORT && size <= VD_AGENT_MAX_DATA_SIZE) {
            g_byte_array_append(w->client, p, size);
            w->client_chunks++;
        } else if (GUINT32_FROM_LE(h.port) == VDP_SERVER_PORT && size >= sizeof(VDAgentMessage)) {
            VDAgentMessage m;
            memcpy(&m, p, sizeof(m));
            w->server_messages++;
            w->last_server_type = GUINT32_FROM_LE(m.type);
            w->last_server_size = size - (uint32_t)sizeof(m);
            memcpy(w->last_server_body, p + sizeof(m),
                   MIN(w->last_server_size, sizeof(w->last_server_body)));
        } else {
            w->bad = true;
        }
        off += (guint)sizeof(h) + size;
    }
    g_byte_array_remove_range(b, 0, off);
}

static void do_books(void *data)
{
    Books *k = data;
    k->read_total = fx.agent.read_total;
    k->pending_read = fx.agent.to_server->len;
    k->written = fx.agent.from_server->len;
    k->write_budget = fx.agent.write_budget;
    k->state = fx.agent.state;
}

Books books(void)
{
    Books k;
    on_core(do_books, &k);
    return k;
}

static void do_set_budget(void *data)
{
    fx.agent.write_budget = *(size_t *)data;
    spice_server_char_device_wakeup(&fx.agent.sin);
}

void set_write_budget(size_t n)
{
    on_core(do_set_budget, &n);
}

/* ---- the client ----------------------------------------------------------- */

/* Links the main channel (with the AGENT_CONNECTED_TOKENS cap) and reads up
 * to MAIN_INIT. */
void client_open(Client *c)
{
    memset(c, 0, sizeof(*c));
    c->fd = test_client_connect(fx.port, 0);
    CHECK(c->fd >= 0);
    uint32_t caps = SPICE_MAIN_CAP_AGENT_CONNECTED_TOKENS;
    CHECK(test_client_send_link(c->fd, SPICE_CHANNEL_MAIN, 0, 0, &caps, 1) == 0);
    uint8_t key[SPICE_TICKET_PUBKEY_BYTES];
    CHECK_EQ_U64(test_client_read_reply(c->fd, key, IO_TIMEOUT_MS), SPICE_LINK_ERR_OK);
    CHECK(test_client_send_ticket(c->fd, key, PASSWORD) == 0);
    uint32_t result = 1;
    CHECK(test_client_read_all(c->fd, &result, sizeof(result), IO_TIMEOUT_MS) == 0);
    CHECK_EQ_U64(GUINT32_FROM_LE(result), SPICE_LINK_ERR_OK);
    uint8_t *body;
    uint32_t size;
    CHECK_EQ_U64(test_client_read_message(c->fd, &body, &size, 4096, IO_TIMEOUT_MS),
                 SPICE_MSG_MAIN_INIT);
    SpiceMsg m;
    CHECK(spice_msg_parse(SPICE_CHANNEL_MAIN, SPICE_MSG_MAIN_INIT, body, size, &m) == 0);
    c->init = m.u.main_init;
    c->tokens = c->init.agent_tokens;
    g_free(body);
}

void client_close(Client *c)
{
    close(c->fd);
    c->fd = -1;
}

void client_send(Client *c, const SpiceMsgc *m)
{
    CHECK(test_client_send_msgc(c->fd, SPICE_CHANNEL_MAIN, m) == 0);
}

void client_send_tokens(Client *c, uint16_t type, uint32_t n)
{
    SpiceMsgc m = { .type = type, .u.agent_tokens = { n } };
    client_send(c, &m);
}

/* Sends one AGENT_DATA regardless of tokens (for the hostile cases). */
void client_send_chunk_raw(Client *c, const uint8_t *data, uint32_t n)
{
    SpiceMsgc m = { .type = SPICE_MSGC_MAIN_AGENT_DATA, .u.raw = { data, n } };
    client_send(c, &m);
}

/* Reads the next main message; token grants are counted (a grant for more
 * than we have out is a failure).  Returns its type, the body in *body. */
int client_read(Client *c, SpiceMsg *out, uint8_t **body)
{
    uint32_t size;
    *body = NULL;
    int type = test_client_read_message(c->fd, body, &size, 64 * 1024, IO_TIMEOUT_MS);
    if (type < 0) {
        return -1;
    }
    if (spice_msg_parse(SPICE_CHANNEL_MAIN, (uint16_t)type, *body, size, out) != 0) {
        fprintf(stderr, "unparsable main message %d\n", type);
        return -1;
    }
    if (type == SPICE_MSG_MAIN_AGENT_TOKEN) {
        uint32_t n = out->u.agent_tokens.num_tokens;
        CHECK(n <= c->sent_unreturned); /* the server never hands out more than it took */
        c->sent_unreturned -= MIN(n, c->sent_unreturned);
        c->tokens += n;
    }
    return type;
}

/* Reads up to the next message that is not a token grant. */
int client_expect(Client *c, int want, SpiceMsg *out)
{
    uint8_t *body = NULL;
    int type;
    while ((type = client_read(c, out, &body)) == SPICE_MSG_MAIN_AGENT_TOKEN) {
        g_free(body);
    }
    if (type != want) {
        fprintf(stderr, "got main message %d, want %d\n", type, want);
        CHECK(type == want);
    }
    /* Views into body stay valid: it is freed at the next expect. */
    static uint8_t *last;
    g_free(last);
    last = type >= 0 ? body : NULL;
    return type;
}

/* Sends a whole message as spice-gtk does: header and data cut into
 * VD_AGENT_MAX_DATA_SIZE pieces, one AGENT_DATA each, waiting for a token
 * whenever it has none. */
void client_send_message(Client *c, const GByteArray *m)
{
    for (guint off = 0; off < m->len; off += VD_AGENT_MAX_DATA_SIZE) {
        while (c->tokens == 0) {
            uint8_t *body = NULL;
            SpiceMsg msg;
            int type = client_read(c, &msg, &body);
            g_free(body);
            if (type != SPICE_MSG_MAIN_AGENT_TOKEN) {
                fprintf(stderr, "waiting for a token, got main message %d\n", type);
                CHECK(type == SPICE_MSG_MAIN_AGENT_TOKEN);
                return;
            }
        }
        uint32_t n = MIN(m->len - off, VD_AGENT_MAX_DATA_SIZE);
        client_send_chunk_raw(c, m->data + off, n);
        c->tokens--;
        c->sent_unreturned++;
    }
}

/* Reads AGENT_DATA messages until `want` bytes arrived; returns them. */
GByteArray *client_receive_bytes(Client *c, size_t want, unsigned *chunks)
{
    GByteArray *got = g_byte_array_new();
    *chunks = 0;
    while (got->len < want) {
        SpiceMsg m;
        if (client_expect(c, SPICE_MSG_MAIN_AGENT_DATA, &m) != SPICE_MSG_MAIN_AGENT_DATA) {
            break;
        }
        CHECK(m.u.raw.count <= VD_AGENT_MAX_DATA_SIZE);
        g_byte_array_append(got, m.u.raw.data, m.u.raw.count);
        (*chunks)++;
    }
    return got;
}

/* Waits until the agent has been written `want` client-port bytes. */
GByteArray *agent_receive_bytes(size_t want, Written *w)
{
    memset(w, 0, sizeof(*w));
    w->client = g_byte_array_new();
    gint64 deadline = g_get_monotonic_time() + IO_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    while (w->client->len < want && g_get_monotonic_time() < deadline) {
        on_core(do_take_written, w);
        if (w->client->len < want) {
            g_usleep(2000); /* bounded poll of the server thread's books */
        }
    }
    CHECK(!w->bad);
    return w->client;
}

void add_agent(void)
{
    on_core(do_add_agent, &fx.agent);
}

void remove_agent(void)
{
    on_core(do_remove_agent, &fx.agent);
}

bool socket_quiet(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    return poll(&p, 1, 0) == 0;
}

/* A client with the agent attached and tokens granted. */
void client_start(Client *c, uint32_t grant)
{
    client_open(c);
    CHECK_EQ_U64(c->init.agent_connected, 1);
    CHECK_EQ_U64(c->init.agent_tokens, WINDOW);
    client_send_tokens(c, SPICE_MSGC_MAIN_AGENT_START, grant);
}

/* Adds the agent, opens a client that starts it with grant tokens, and
 * waits until the server has taken the AGENT_START in. */
void client_with_agent(Client *c, uint32_t grant)
{
    add_agent();
    client_start(c, grant);
    on_core(do_nothing, NULL);
}
