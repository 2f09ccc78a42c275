/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-agent: the vdagent char device and the main channel's agent
 * messages, with a scripted agent (our SpiceCharDeviceInterface read/write)
 * and our minimal client: the agent announced, clipboard and monitors
 * traffic both ways, tokens both ways, floods cut off or held back, bad
 * chunks closing the client, copy/paste switched off.
 *
 * The server runs on a TestCore thread; every spice_server_* call and every
 * look at the device's books is made there (test_core_call), which also
 * serves as the "the server has finished what it was doing" barrier. */
#include "config.h"

#include <poll.h>
#include <unistd.h>

#include <glib.h>
#include <spice.h>
#include <spice/vd_agent.h>

#include "scripted-chardev.h"
#include "test-client.h"
#include "test-core.h"
#include "test-util.h"
#include "spice-link.h"
#include "spice-messages.h"

#define IO_TIMEOUT_MS 5000
#define CALL_TIMEOUT_MS 5000
#define PASSWORD "secret"
#define WINDOW 10   /* RED_AGENT_CLIENT_WINDOW: what MAIN_INIT must offer */

/* ---- the fixture ---------------------------------------------------------- */

typedef struct Fixture {
    TestCore *core;
    SpiceServer *server;
    int port;
    int init_result;
    ScriptedCharDev agent;      /* the vdagent */
    GMutex log_lock;
    GString *log;               /* the server's warnings */
} Fixture;

static Fixture fx;

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
static bool logged(const char *what)
{
    g_mutex_lock(&fx.log_lock);
    bool found = strstr(fx.log->str, what) != NULL;
    g_mutex_unlock(&fx.log_lock);
    return found;
}

static void on_core(void (*func)(void *data), void *data)
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

static int fixture_start(Fixture *f)
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

static void fixture_stop(Fixture *f)
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

static void do_wakeup(void *data)
{
    ScriptedCharDev *a = data;
    spice_server_char_device_wakeup(&a->sin);
}

static void do_nothing(void *data)
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

static void agent_send_chunk(uint32_t port, const uint8_t *data, uint32_t size, bool wake)
{
    ChunkOut c = { port, data, size };
    on_core(do_agent_queue, &c);
    if (wake) {
        on_core(do_wakeup, &fx.agent);
    }
}

/* A whole VDAgentMessage as the agent writes it: split into chunks of at
 * most VD_AGENT_MAX_DATA_SIZE bytes. */
static GByteArray *agent_message(uint32_t type, const uint8_t *payload, uint32_t size)
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
static void agent_send_whole(const GByteArray *m)
{
    agent_send_chunk(VDP_CLIENT_PORT, m->data, m->len, true);
}

static unsigned agent_send_message(const GByteArray *m)
{
    unsigned chunks = 0;
    for (guint off = 0; off < m->len; off += VD_AGENT_MAX_DATA_SIZE, chunks++) {
        uint32_t n = MIN(m->len - off, VD_AGENT_MAX_DATA_SIZE);
        agent_send_chunk(VDP_CLIENT_PORT, m->data + off, n, false);
    }
    on_core(do_wakeup, &fx.agent);
    return chunks;
}

/* What the server wrote to the agent, reassembled per port: takes the
 * client port's bytes out (chunk headers checked) into *client. */
typedef struct Written {
    GByteArray *client;
    unsigned client_chunks, server_messages;
    uint32_t last_server_type;
    bool bad;
} Written;

static void do_take_written(void *data)
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
        } else if (GUINT32_FROM_LE(h.port) == VDP_SERVER_PORT && size == sizeof(VDAgentMessage)) {
            VDAgentMessage m;
            memcpy(&m, p, sizeof(m));
            w->server_messages++;
            w->last_server_type = GUINT32_FROM_LE(m.type);
        } else {
            w->bad = true;
        }
        off += (guint)sizeof(h) + size;
    }
    g_byte_array_remove_range(b, 0, off);
}

typedef struct Books {
    size_t read_total, pending_read, written, write_budget;
    int state;
} Books;

static void do_books(void *data)
{
    Books *k = data;
    k->read_total = fx.agent.read_total;
    k->pending_read = fx.agent.to_server->len;
    k->written = fx.agent.from_server->len;
    k->write_budget = fx.agent.write_budget;
    k->state = fx.agent.state;
}

static Books books(void)
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

static void set_write_budget(size_t n)
{
    on_core(do_set_budget, &n);
}

/* ---- the client ----------------------------------------------------------- */

typedef struct Client {
    int fd;
    SpiceMsgMainInit init;
    uint32_t tokens;            /* ours for AGENT_DATA */
    uint32_t sent_unreturned;   /* AGENT_DATA not yet answered by a token */
} Client;

/* Links the main channel (with the AGENT_CONNECTED_TOKENS cap) and reads up
 * to MAIN_INIT. */
static void client_open(Client *c)
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

static void client_close(Client *c)
{
    close(c->fd);
    c->fd = -1;
}

static void client_send(Client *c, const SpiceMsgc *m)
{
    CHECK(test_client_send_msgc(c->fd, SPICE_CHANNEL_MAIN, m) == 0);
}

static void client_send_tokens(Client *c, uint16_t type, uint32_t n)
{
    SpiceMsgc m = { .type = type, .u.agent_tokens = { n } };
    client_send(c, &m);
}

/* Sends one AGENT_DATA regardless of tokens (for the hostile cases). */
static void client_send_chunk_raw(Client *c, const uint8_t *data, uint32_t n)
{
    SpiceMsgc m = { .type = SPICE_MSGC_MAIN_AGENT_DATA, .u.raw = { data, n } };
    client_send(c, &m);
}

/* Reads the next main message; token grants are counted (a grant for more
 * than we have out is a failure).  Returns its type, the body in *body. */
static int client_read(Client *c, SpiceMsg *out, uint8_t **body)
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
static int client_expect(Client *c, int want, SpiceMsg *out)
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
static void client_send_message(Client *c, const GByteArray *m)
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
static GByteArray *client_receive_bytes(Client *c, size_t want, unsigned *chunks)
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
static GByteArray *agent_receive_bytes(size_t want, Written *w)
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

static void add_agent(void)
{
    on_core(do_add_agent, &fx.agent);
}

static void remove_agent(void)
{
    on_core(do_remove_agent, &fx.agent);
}

static bool socket_quiet(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    return poll(&p, 1, 0) == 0;
}

/* A client with the agent attached and tokens granted. */
static void client_start(Client *c, uint32_t grant)
{
    client_open(c);
    CHECK_EQ_U64(c->init.agent_connected, 1);
    CHECK_EQ_U64(c->init.agent_tokens, WINDOW);
    client_send_tokens(c, SPICE_MSGC_MAIN_AGENT_START, grant);
}

/* Adds the agent, opens a client that starts it with grant tokens, and
 * waits until the server has taken the AGENT_START in. */
static void client_with_agent(Client *c, uint32_t grant)
{
    add_agent();
    client_start(c, grant);
    on_core(do_nothing, NULL);
}

/* ---- cases --------------------------------------------------------------- */

static void test_agent_announced(void)
{
    Client c;
    client_open(&c);
    CHECK_EQ_U64(c.init.agent_connected, 0);
    CHECK_EQ_U64(c.init.agent_tokens, WINDOW);

    add_agent();
    SpiceMsg m;
    CHECK_EQ_U64(client_expect(&c, SPICE_MSG_MAIN_AGENT_CONNECTED_TOKENS, &m),
                 SPICE_MSG_MAIN_AGENT_CONNECTED_TOKENS);
    CHECK_EQ_U64(m.u.agent_tokens.num_tokens, WINDOW);
    CHECK_EQ_U64(books().state, 1);
    client_close(&c);

    Client d;
    client_open(&d); /* a client coming later hears it in MAIN_INIT */
    CHECK_EQ_U64(d.init.agent_connected, 1);
    remove_agent();
    CHECK_EQ_U64(client_expect(&d, SPICE_MSG_MAIN_AGENT_DISCONNECTED, &m),
                 SPICE_MSG_MAIN_AGENT_DISCONNECTED);
    client_close(&d);
}

/* Clipboard both ways as spice-vdagent and spice-gtk exchange it (with the
 * selection byte), and a MONITORS_CONFIG from the client. */
static void test_clipboard_and_monitors(void)
{
    add_agent();
    Client c;
    client_start(&c, 1000);

    /* guest copies: GRAB -> client REQUEST -> agent CLIPBOARD (3 chunks) */
    uint8_t grab[] = { VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD, 0, 0, 0,
                       VD_AGENT_CLIPBOARD_UTF8_TEXT, 0, 0, 0 };
    GByteArray *m = agent_message(VD_AGENT_CLIPBOARD_GRAB, grab, sizeof(grab));
    CHECK_EQ_U64(agent_send_message(m), 1);
    unsigned chunks;
    GByteArray *got = client_receive_bytes(&c, m->len, &chunks);
    CHECK_EQ_U64(got->len, m->len);
    CHECK_MEM(got->data, m->data, MIN(got->len, m->len));
    g_byte_array_free(got, TRUE);
    g_byte_array_free(m, TRUE);

    uint8_t request[] = { VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD, 0, 0, 0,
                          VD_AGENT_CLIPBOARD_UTF8_TEXT, 0, 0, 0 };
    m = agent_message(VD_AGENT_CLIPBOARD_REQUEST, request, sizeof(request));
    client_send_message(&c, m);
    Written w;
    got = agent_receive_bytes(m->len, &w);
    CHECK_EQ_U64(got->len, m->len);
    CHECK_MEM(got->data, m->data, MIN(got->len, m->len));
    g_byte_array_free(got, TRUE);
    g_byte_array_free(m, TRUE);

    uint8_t text[5000 + 8];
    memcpy(text, request, 8);
    for (size_t i = 8; i < sizeof(text); i++) {
        text[i] = (uint8_t)('a' + i % 26);
    }
    m = agent_message(VD_AGENT_CLIPBOARD, text, sizeof(text));
    CHECK_EQ_U64(agent_send_message(m), 3);
    got = client_receive_bytes(&c, m->len, &chunks);
    CHECK_EQ_U64(chunks, 3);
    CHECK_EQ_U64(got->len, m->len);
    CHECK_MEM(got->data, m->data, MIN(got->len, m->len));
    g_byte_array_free(got, TRUE);
    /* as spice-vdagentd sends it: one 5028-byte chunk, 3 AGENT_DATA pieces */
    agent_send_whole(m);
    got = client_receive_bytes(&c, m->len, &chunks);
    CHECK_EQ_U64(chunks, 3);
    CHECK_EQ_U64(got->len, m->len);
    CHECK_MEM(got->data, m->data, MIN(got->len, m->len));
    g_byte_array_free(got, TRUE);
    g_byte_array_free(m, TRUE);

    /* the client copies: its CLIPBOARD reaches the agent in 3 chunks, more
     * than the window in total, so tokens must come back on the way */
    for (int round = 0; round < 5; round++) {
        m = agent_message(VD_AGENT_CLIPBOARD, text, sizeof(text));
        client_send_message(&c, m);
        got = agent_receive_bytes(m->len, &w);
        CHECK_EQ_U64(w.client_chunks, 3);
        CHECK_EQ_U64(got->len, m->len);
        CHECK_MEM(got->data, m->data, MIN(got->len, m->len));
        g_byte_array_free(got, TRUE);
        g_byte_array_free(m, TRUE);
    }

    /* the viewer's window changed size */
    uint8_t monitors[8 + 20] = { 1, 0, 0, 0, 0, 0, 0, 0 }; /* 1 monitor, no flags */
    /* VDAgentMonConfig: height, width, depth, x, y */
    uint32_t head[5] = { GUINT32_TO_LE(720), GUINT32_TO_LE(1280), GUINT32_TO_LE(32), 0, 0 };
    memcpy(monitors + 8, head, sizeof(head));
    m = agent_message(VD_AGENT_MONITORS_CONFIG, monitors, sizeof(monitors));
    client_send_message(&c, m);
    got = agent_receive_bytes(m->len, &w);
    CHECK_EQ_U64(got->len, m->len);
    CHECK_MEM(got->data, m->data, MIN(got->len, m->len));
    g_byte_array_free(got, TRUE);
    g_byte_array_free(m, TRUE);

    /* the client goes: the agent hears VD_AGENT_CLIENT_DISCONNECTED */
    client_close(&c);
    gint64 deadline = g_get_monotonic_time() + IO_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    memset(&w, 0, sizeof(w));
    w.client = g_byte_array_new();
    while (w.server_messages == 0 && g_get_monotonic_time() < deadline) {
        on_core(do_take_written, &w);
        g_usleep(2000);
    }
    CHECK_EQ_U64(w.server_messages, 1);
    CHECK_EQ_U64(w.last_server_type, VD_AGENT_CLIENT_DISCONNECTED);
    g_byte_array_free(w.client, TRUE);
    remove_agent();
}

/* A client with no token left that sends anyway is closed; what the server
 * held for the device meanwhile stayed within the window. */
static void test_client_flood_closed(void)
{
    add_agent();
    set_write_budget(0); /* the guest reads nothing */
    Client c;
    client_start(&c, 1000);
    uint8_t chunk[VD_AGENT_MAX_DATA_SIZE];
    memset(chunk, 'x', sizeof(chunk));
    VDAgentMessage h = { .protocol = GUINT32_TO_LE(VD_AGENT_PROTOCOL),
                         .type = GUINT32_TO_LE(VD_AGENT_CLIPBOARD),
                         .size = GUINT32_TO_LE(100 * VD_AGENT_MAX_DATA_SIZE) };
    memcpy(chunk, &h, sizeof(h));
    for (int i = 0; i <= WINDOW; i++) { /* one more than the tokens */
        client_send_chunk_raw(&c, chunk, sizeof(chunk));
        memset(chunk, 'y', sizeof(h)); /* continuation chunks */
    }
    CHECK(test_client_wait_closed(c.fd, IO_TIMEOUT_MS));
    CHECK(logged("AGENT_DATA without a token"));
    client_close(&c);
    Books k = books();
    CHECK_EQ_U64(k.written, 0);
    /* the guest reads again: at most the device queue (two chunks and the
     * server's own message) was held; the rest was the client's to lose */
    set_write_budget(SIZE_MAX);
    k = books();
    CHECK(k.written <= 2 * (8 + VD_AGENT_MAX_DATA_SIZE) + 8 + sizeof(VDAgentMessage));
    CHECK(k.written > 0);
    remove_agent();
}

/* An agent with more to say than the client granted tokens for is read no
 * further: the data stays in the device, nothing piles up in the server. */
static void test_agent_flood_held_back(void)
{
    Client c;
    client_with_agent(&c, 3); /* AGENT_START handled before the agent speaks */
    uint8_t payload[100 - sizeof(VDAgentMessage)];
    memset(payload, 'z', sizeof(payload));
    GByteArray *m = agent_message(VD_AGENT_CLIPBOARD, payload, sizeof(payload));
    for (int i = 0; i < 10; i++) {
        agent_send_chunk(VDP_CLIENT_PORT, m->data, m->len, false);
    }
    on_core(do_wakeup, &fx.agent);
    unsigned chunks;
    GByteArray *got = client_receive_bytes(&c, 3 * m->len, &chunks);
    CHECK_EQ_U64(chunks, 3);
    g_byte_array_free(got, TRUE);
    on_core(do_wakeup, &fx.agent); /* the host wakes us again: still nothing */
    Books k = books();
    /* three chunks and the fourth's header (which says data is waiting) */
    CHECK_EQ_U64(k.read_total, 3 * (8 + m->len) + 8);
    CHECK_EQ_U64(k.pending_read, 7 * (8 + m->len) - 8);
    CHECK(socket_quiet(c.fd));

    client_send_tokens(&c, SPICE_MSGC_MAIN_AGENT_TOKEN, 2);
    got = client_receive_bytes(&c, 2 * m->len, &chunks);
    CHECK_EQ_U64(chunks, 2);
    g_byte_array_free(got, TRUE);
    k = books();
    CHECK_EQ_U64(k.read_total, 5 * (8 + m->len) + 8);
    CHECK(socket_quiet(c.fd));
    g_byte_array_free(m, TRUE);
    client_close(&c);
    remove_agent();
}

static void expect_closed_for(const uint8_t *data, uint32_t n, const char *log_line)
{
    Client c;
    client_start(&c, 10);
    client_send_chunk_raw(&c, data, n);
    CHECK(test_client_wait_closed(c.fd, IO_TIMEOUT_MS));
    if (!logged(log_line)) {
        fprintf(stderr, "no log line \"%s\"\n", log_line);
        CHECK(false);
    }
    client_close(&c);
}

static void test_bad_chunks_close_client(void)
{
    add_agent();
    uint8_t big[VD_AGENT_MAX_DATA_SIZE + 1];
    memset(big, 0, sizeof(big));
    VDAgentMessage h = { .protocol = GUINT32_TO_LE(VD_AGENT_PROTOCOL),
                         .type = GUINT32_TO_LE(VD_AGENT_CLIPBOARD),
                         .size = GUINT32_TO_LE(10) };
    memcpy(big, &h, sizeof(h));
    expect_closed_for(big, sizeof(big), "AGENT_DATA of 2049 bytes");
    expect_closed_for(big, 0, "AGENT_DATA of 0 bytes");
    expect_closed_for(big, 12, "AGENT_DATA of 12 bytes: message starts without its 20-byte header; chunk size 12");
    /* 30 payload bytes after a header announcing 10 */
    expect_closed_for(big, sizeof(h) + 30, "AGENT_DATA of 50 bytes: chunk runs past the message end by 20");
    VDAgentMessage bad = h;
    bad.protocol = GUINT32_TO_LE(7);
    memcpy(big, &bad, sizeof(bad));
    expect_closed_for(big, sizeof(bad) + 10, "message header refused: protocol or type 7");
    /* a continuation that runs past the message's end */
    Client c;
    client_start(&c, 10);
    h.size = GUINT32_TO_LE(40);
    memcpy(big, &h, sizeof(h));
    client_send_chunk_raw(&c, big, sizeof(h) + 20);
    client_send_chunk_raw(&c, big, 21);
    CHECK(test_client_wait_closed(c.fd, IO_TIMEOUT_MS));
    CHECK(logged("AGENT_DATA of 21 bytes: chunk runs past the message end by 1"));
    client_close(&c);
    remove_agent();
}

/* A chunk on an unknown port from the guest cuts the agent off. */
static void test_bad_agent_cut_off(void)
{
    Client c;
    client_with_agent(&c, 100);
    uint8_t junk[16] = { 0 };
    agent_send_chunk(9, junk, sizeof(junk), false);
    agent_send_chunk(VDP_CLIENT_PORT, junk, sizeof(junk), true);
    SpiceMsg m;
    CHECK_EQ_U64(client_expect(&c, SPICE_MSG_MAIN_AGENT_DISCONNECTED, &m),
                 SPICE_MSG_MAIN_AGENT_DISCONNECTED);
    CHECK(logged("bad chunk port 9"));
    Books k = books();
    CHECK_EQ_U64(k.read_total, 8); /* its header, nothing after it */
    client_close(&c);
    remove_agent();
}

static void do_set_copypaste(void *data)
{
    spice_server_set_agent_copypaste(fx.server, *(int *)data);
}

/* With copy/paste off, clipboard messages are dropped both ways (the
 * client's token comes back), the rest passes. */
static void test_copypaste_off(void)
{
    int off = 0, on = 1;
    on_core(do_set_copypaste, &off);
    Client c;
    client_with_agent(&c, 100);
    uint8_t grab[8] = { VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD, 0, 0, 0,
                        VD_AGENT_CLIPBOARD_UTF8_TEXT, 0, 0, 0 };
    GByteArray *g = agent_message(VD_AGENT_CLIPBOARD_GRAB, grab, sizeof(grab));
    uint8_t caps[8] = { 0 };
    GByteArray *k = agent_message(VD_AGENT_ANNOUNCE_CAPABILITIES, caps, sizeof(caps));
    agent_send_whole(g);    /* dropped */
    agent_send_whole(k);    /* passes */
    unsigned chunks;
    GByteArray *got = client_receive_bytes(&c, k->len, &chunks);
    CHECK_EQ_U64(chunks, 1);
    CHECK_EQ_U64(got->len, k->len);
    CHECK_MEM(got->data, k->data, MIN(got->len, k->len));
    g_byte_array_free(got, TRUE);

    client_send_message(&c, g); /* dropped, token back */
    client_send_message(&c, k);
    Written w;
    got = agent_receive_bytes(k->len, &w);
    CHECK_EQ_U64(w.client_chunks, 1);
    CHECK_EQ_U64(got->len, k->len);
    CHECK_MEM(got->data, k->data, MIN(got->len, k->len));
    g_byte_array_free(got, TRUE);
    g_byte_array_free(g, TRUE);
    g_byte_array_free(k, TRUE);
    client_close(&c);
    remove_agent();
    on_core(do_set_copypaste, &on);
}

/* An agent message with a bad header cuts the agent off too. */
static void test_bad_agent_header_cut_off(void)
{
    Client c;
    client_with_agent(&c, 100);
    uint8_t payload[4] = { 0 };
    GByteArray *m = agent_message(VD_AGENT_CLIPBOARD, payload, sizeof(payload));
    VDAgentMessage bad = { .protocol = GUINT32_TO_LE(3) };
    memcpy(m->data, &bad, 4);
    agent_send_whole(m);
    SpiceMsg msg;
    CHECK_EQ_U64(client_expect(&c, SPICE_MSG_MAIN_AGENT_DISCONNECTED, &msg),
                 SPICE_MSG_MAIN_AGENT_DISCONNECTED);
    CHECK(logged("message header refused: protocol or type 3"));
    g_byte_array_free(m, TRUE);
    client_close(&c);
    remove_agent();
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_agent_announced),
        TEST_CASE(test_clipboard_and_monitors),
        TEST_CASE(test_client_flood_closed),
        TEST_CASE(test_agent_flood_held_back),
        TEST_CASE(test_bad_chunks_close_client),
        TEST_CASE(test_bad_agent_cut_off),
        TEST_CASE(test_copypaste_off),
        TEST_CASE(test_bad_agent_header_cut_off),
    };
    if (fixture_start(&fx) != 0) {
        fprintf(stderr, "cannot start the server\n");
        return 1;
    }
    int ret = test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
    fixture_stop(&fx);
    return ret;
}
