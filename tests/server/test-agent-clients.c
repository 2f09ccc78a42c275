/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-agent-clients: the agent (server/chardev/red-agent.h) with several
 * main-channel clients at once, ahead of the main channel serving several:
 * each client is a RedChannelClient on a socketpair, wired to the agent as
 * the main channel wires its own, so the agent's per-client state is tested
 * directly.  Checks: data from the agent reaches every started client; the
 * slowest client's tokens pace the agent; two clients sending two-chunk
 * messages at once reach the agent whole, one after the other; a client
 * that goes half way through a message makes the agent hear
 * VD_AGENT_CLIENT_DISCONNECTED, and so does the last client going.
 *
 * Everything of the server runs on a TestCore thread (test_core_call). */
#include "config.h"

#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>
#include <spice.h>
#include <spice/vd_agent.h>

#include "red-agent.h"
#include "red-channel-client.h"
#include "red-stream.h"
#include "scripted-chardev.h"
#include "test-client.h"
#include "test-core.h"
#include "test-util.h"

#define IO_TIMEOUT_MS 5000
#define CALL_TIMEOUT_MS 5000
#define NCLIENTS 2

typedef struct Peer {
    RedChannelClient *rcc;      /* server side (core thread) */
    RedAgentClient *agent;
    int fd;                     /* client side (test thread) */
} Peer;

static struct {
    TestCore *core;
    SpiceServer *server;
    ScriptedCharDev dev;        /* the vdagent */
    Peer peers[NCLIENTS];
} T;

static void on_core(void (*func)(void *data), void *data)
{
    if (test_core_call(T.core, func, data, CALL_TIMEOUT_MS) != 0) {
        fprintf(stderr, "server thread stuck\n");
        exit(1);
    }
}

/* ---- the main channel's wiring, per client -------------------------------- */

static bool peer_message(RedChannelClient *rcc, const SpiceMsgc *msg, void *opaque)
{
    Peer *p = opaque;
    (void)rcc;
    return red_agent_client_handle_message(p->agent, msg);
}

static void peer_writable(RedChannelClient *rcc, void *opaque)
{
    Peer *p = opaque;
    (void)rcc;
    red_agent_client_writable(p->agent);
}

static void peer_closed(RedChannelClient *rcc, void *opaque)
{
    Peer *p = opaque;
    red_agent_client_destroy(p->agent);
    p->agent = NULL;
    red_channel_client_free(rcc);
    p->rcc = NULL;
}

static const RedChannelClientOps peer_ops = {
    .handle_message = peer_message,
    .on_writable = peer_writable,
    .on_closed = peer_closed,
};

static void do_setup(void *data)
{
    (void)data;
    T.server = spice_server_new();
    spice_server_set_addr(T.server, "127.0.0.1", SPICE_ADDR_FLAG_IPV4_ONLY);
    spice_server_set_port(T.server, 20000 + (int)(g_random_int() % 20000));
    spice_server_set_noauth(T.server);
    CHECK(spice_server_init(T.server, test_core_get_interface(T.core)) == 0);
    scripted_chardev_init(&T.dev, "vdagent");
    CHECK(spice_server_add_interface(T.server, &T.dev.sin.base) == 0);
}

static void do_open_peer(void *data)
{
    Peer *p = data;
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    SpiceLinkRequest req = { .channel_type = SPICE_CHANNEL_MAIN };
    p->rcc = red_channel_client_new(test_core_get_interface(T.core), red_stream_new(sv[0]), &req,
                                    false, &peer_ops, p);
    CHECK(p->rcc != NULL);
    p->agent = red_agent_client_create(reds_get_agent((RedsState *)T.server), p->rcc);
    p->fd = sv[1];
}

static void do_close_peer(void *data)
{
    Peer *p = data;
    if (p->rcc) {
        red_channel_client_close(p->rcc, "test closes it");
    }
}

static void do_nothing(void *data)
{
    (void)data;
}

static void do_teardown(void *data)
{
    (void)data;
    CHECK(spice_server_remove_interface(&T.dev.sin.base) == 0);
    spice_server_destroy(T.server);
    scripted_chardev_finish(&T.dev);
}

typedef struct Chunk {
    uint32_t port;
    GByteArray *bytes;
} Chunk;

static void do_queue(void *data)
{
    Chunk *c = data;
    VDIChunkHeader h = { .port = GUINT32_TO_LE(c->port), .size = GUINT32_TO_LE(c->bytes->len) };
    g_byte_array_append(T.dev.to_server, (const uint8_t *)&h, sizeof(h));
    g_byte_array_append(T.dev.to_server, c->bytes->data, c->bytes->len);
    spice_server_char_device_wakeup(&T.dev.sin);
}

static void do_take(void *data)
{
    GByteArray *out = data;
    g_byte_array_append(out, T.dev.from_server->data, T.dev.from_server->len);
    g_byte_array_set_size(T.dev.from_server, 0);
}

static void do_read_total(void *data)
{
    *(size_t *)data = T.dev.read_total;
}

static GByteArray *message(uint32_t type, uint8_t fill, uint32_t size)
{
    VDAgentMessage h = { .protocol = GUINT32_TO_LE(VD_AGENT_PROTOCOL),
                         .type = GUINT32_TO_LE(type), .size = GUINT32_TO_LE(size) };
    GByteArray *m = g_byte_array_new();
    g_byte_array_append(m, (const uint8_t *)&h, sizeof(h));
    for (uint32_t i = 0; i < size; i++) {
        g_byte_array_append(m, &fill, 1);
    }
    return m;
}

static void send_msgc(Peer *p, uint16_t type, const void *data, uint32_t n)
{
    SpiceMsgc m = { .type = type };
    if (type == SPICE_MSGC_MAIN_AGENT_DATA) {
        m.u.raw = (SpiceWireArray){ data, n };
    } else {
        m.u.agent_tokens.num_tokens = n;
    }
    CHECK(test_client_send_msgc(p->fd, SPICE_CHANNEL_MAIN, &m) == 0);
}

/* Next message of type want (tokens skipped); its body (g_free) or NULL. */
static uint8_t *expect(Peer *p, int want, uint32_t *size)
{
    for (;;) {
        uint8_t *body;
        int type = test_client_read_message(p->fd, &body, size, 64 * 1024, IO_TIMEOUT_MS);
        if (type == SPICE_MSG_MAIN_AGENT_TOKEN) {
            g_free(body);
            continue;
        }
        if (type != want) {
            fprintf(stderr, "got %d, want %d\n", type, want);
            CHECK(type == want);
            if (type >= 0) {
                g_free(body);
            }
            return NULL;
        }
        return body;
    }
}

/* The agent's bytes, once at least want of them arrived. */
static GByteArray *agent_bytes(size_t want)
{
    GByteArray *got = g_byte_array_new();
    gint64 deadline = g_get_monotonic_time() + IO_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    for (;;) {
        on_core(do_take, got);
        if (got->len >= want || g_get_monotonic_time() > deadline) {
            break;
        }
        g_usleep(2000); /* bounded poll of the server thread's books */
    }
    CHECK(got->len >= want);
    return got;
}

/* ---- cases --------------------------------------------------------------- */

static void open_all(void)
{
    for (int i = 0; i < NCLIENTS; i++) {
        on_core(do_open_peer, &T.peers[i]);
    }
}

static void close_all(void)
{
    for (int i = 0; i < NCLIENTS; i++) {
        on_core(do_close_peer, &T.peers[i]);
        close(T.peers[i].fd);
    }
    GByteArray *rest = agent_bytes(0);
    g_byte_array_free(rest, TRUE);
}

/* Both get every chunk; the one with fewer tokens paces the agent. */
static void test_broadcast_paced_by_slowest(void)
{
    open_all();
    send_msgc(&T.peers[0], SPICE_MSGC_MAIN_AGENT_START, NULL, 100);
    send_msgc(&T.peers[1], SPICE_MSGC_MAIN_AGENT_START, NULL, 2);
    on_core(do_nothing, NULL);
    on_core(do_nothing, NULL);
    GByteArray *m = message(VD_AGENT_CLIPBOARD_GRAB, 'g', 40);
    Chunk c = { VDP_CLIENT_PORT, m };
    for (int i = 0; i < 4; i++) {
        on_core(do_queue, &c);
    }
    for (int i = 0; i < NCLIENTS; i++) {
        for (int n = 0; n < 2; n++) {
            uint32_t size;
            uint8_t *b = expect(&T.peers[i], SPICE_MSG_MAIN_AGENT_DATA, &size);
            CHECK_EQ_U64(size, m->len);
            if (b) {
                CHECK_MEM(b, m->data, MIN(size, m->len));
            }
            g_free(b);
        }
    }
    on_core(do_nothing, NULL);
    size_t read_total;
    on_core(do_read_total, &read_total);
    /* client 1 has no token left: the third chunk's header only */
    CHECK_EQ_U64(read_total, 2 * (8 + m->len) + 8);
    send_msgc(&T.peers[1], SPICE_MSGC_MAIN_AGENT_TOKEN, NULL, 5);
    for (int i = 0; i < NCLIENTS; i++) {
        for (int n = 0; n < 2; n++) {
            uint32_t size;
            g_free(expect(&T.peers[i], SPICE_MSG_MAIN_AGENT_DATA, &size));
        }
    }
    on_core(do_read_total, &read_total);
    CHECK_EQ_U64(read_total, 4 * (8 + m->len));
    g_byte_array_free(m, TRUE);
    close_all();
}

/* Two clients each send a two-chunk message, chunks interleaved on the
 * wire: the agent gets one whole message, then the other. */
static void test_messages_whole_in_turn(void)
{
    open_all();
    GByteArray *m[NCLIENTS] = { message(VD_AGENT_CLIPBOARD, 'a', 3000),
                                message(VD_AGENT_CLIPBOARD, 'b', 3000) };
    for (int part = 0; part < 2; part++) {
        for (int i = 0; i < NCLIENTS; i++) {
            guint off = part * VD_AGENT_MAX_DATA_SIZE;
            send_msgc(&T.peers[i], SPICE_MSGC_MAIN_AGENT_DATA, m[i]->data + off,
                      MIN(m[i]->len - off, VD_AGENT_MAX_DATA_SIZE));
        }
        on_core(do_nothing, NULL);
    }
    GByteArray *got = agent_bytes(2 * (m[0]->len + 2 * 8));
    /* strip the chunk headers, checking they are client-port chunks */
    GByteArray *stream = g_byte_array_new();
    for (guint off = 0; off + 8 <= got->len;) {
        VDIChunkHeader h;
        memcpy(&h, got->data + off, sizeof(h));
        CHECK_EQ_U64(GUINT32_FROM_LE(h.port), VDP_CLIENT_PORT);
        g_byte_array_append(stream, got->data + off + 8, GUINT32_FROM_LE(h.size));
        off += 8 + GUINT32_FROM_LE(h.size);
    }
    CHECK_EQ_U64(stream->len, 2 * m[0]->len);
    bool a_first = stream->len > 20 && stream->data[20] == 'a';
    GByteArray *first = m[a_first ? 0 : 1], *second = m[a_first ? 1 : 0];
    CHECK_MEM(stream->data, first->data, MIN(stream->len, first->len));
    if (stream->len == 2 * m[0]->len) {
        CHECK_MEM(stream->data + first->len, second->data, second->len);
    }
    g_byte_array_free(stream, TRUE);
    g_byte_array_free(got, TRUE);
    g_byte_array_free(m[0], TRUE);
    g_byte_array_free(m[1], TRUE);
    close_all();
}

static bool has_client_disconnected(const GByteArray *b)
{
    for (guint off = 0; off + 8 <= b->len;) {
        VDIChunkHeader h;
        memcpy(&h, b->data + off, sizeof(h));
        uint32_t size = GUINT32_FROM_LE(h.size);
        if (GUINT32_FROM_LE(h.port) == VDP_SERVER_PORT && size >= sizeof(VDAgentMessage)) {
            VDAgentMessage m;
            memcpy(&m, b->data + off + 8, sizeof(m));
            if (GUINT32_FROM_LE(m.type) == VD_AGENT_CLIENT_DISCONNECTED) {
                return true;
            }
        }
        off += 8 + size;
    }
    return false;
}

/* A client that goes half way through a message: the agent is told to
 * drop the half (VD_AGENT_CLIENT_DISCONNECTED) though another client stays,
 * and the other client's next message is written after it. */
static void test_half_message_reset(void)
{
    open_all();
    GByteArray *m = message(VD_AGENT_CLIPBOARD, 'h', 3000);
    send_msgc(&T.peers[0], SPICE_MSGC_MAIN_AGENT_DATA, m->data, VD_AGENT_MAX_DATA_SIZE);
    on_core(do_nothing, NULL);
    GByteArray *got = agent_bytes(8 + VD_AGENT_MAX_DATA_SIZE);
    CHECK(!has_client_disconnected(got));
    g_byte_array_free(got, TRUE);
    on_core(do_close_peer, &T.peers[0]);
    close(T.peers[0].fd);
    got = agent_bytes(8 + sizeof(VDAgentMessage));
    CHECK(has_client_disconnected(got));
    g_byte_array_free(got, TRUE);

    GByteArray *k = message(VD_AGENT_MONITORS_CONFIG, 'k', 28);
    send_msgc(&T.peers[1], SPICE_MSGC_MAIN_AGENT_DATA, k->data, k->len);
    got = agent_bytes(8 + k->len);
    CHECK_EQ_U64(got->len, 8 + k->len);
    CHECK_MEM(got->data + 8, k->data, MIN(got->len - 8, k->len));
    g_byte_array_free(got, TRUE);

    on_core(do_close_peer, &T.peers[1]); /* the last one goes */
    close(T.peers[1].fd);
    got = agent_bytes(8 + sizeof(VDAgentMessage));
    CHECK(has_client_disconnected(got));
    g_byte_array_free(got, TRUE);
    g_byte_array_free(k, TRUE);
    g_byte_array_free(m, TRUE);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_broadcast_paced_by_slowest),
        TEST_CASE(test_messages_whole_in_turn),
        TEST_CASE(test_half_message_reset),
    };
    T.core = test_core_create();
    if (T.core == NULL) {
        return 1;
    }
    on_core(do_setup, NULL);
    int ret = test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
    on_core(do_teardown, NULL);
    test_core_destroy(T.core);
    return ret;
}
