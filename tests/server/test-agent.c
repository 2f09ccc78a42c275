/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-agent: the vdagent char device and the main channel's agent
 * messages, with a scripted agent (our SpiceCharDeviceInterface read/write)
 * and our minimal client: the agent announced, clipboard and monitors
 * traffic both ways, tokens both ways, floods cut off or held back, bad
 * chunks closing the client, copy/paste switched off, the client mouse
 * through the agent.
 *
 * The fixture (server, scripted agent, client) is agent-fixture.h's. */
#include "config.h"

#include <unistd.h>

#include <spice/vd_agent.h>

#include "agent-fixture.h"
#include "test-client.h"
#include "test-util.h"


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

/* The agent has the client's mouse state: VD_AGENT_MOUSE_STATE on the
 * server's port, payload as the agent reads it. */
static void expect_mouse_state(uint32_t x, uint32_t y, uint32_t buttons)
{
    Written w = { .client = g_byte_array_new() };
    gint64 deadline = g_get_monotonic_time() + IO_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    while (w.server_messages == 0 && g_get_monotonic_time() < deadline) {
        on_core(do_take_written, &w);
        g_usleep(2000); /* bounded poll of the server thread's books */
    }
    CHECK_EQ_U64(w.server_messages, 1);
    CHECK_EQ_U64(w.last_server_type, VD_AGENT_MOUSE_STATE);
    CHECK_EQ_U64(w.last_server_size, sizeof(VDAgentMouseState));
    VDAgentMouseState st;
    memcpy(&st, w.last_server_body, sizeof(st));
    CHECK_EQ_U64(GUINT32_FROM_LE(st.x), x);
    CHECK_EQ_U64(GUINT32_FROM_LE(st.y), y);
    CHECK_EQ_U64(GUINT32_FROM_LE(st.buttons), buttons);
    CHECK_EQ_U64(st.display_id, 0);
    CHECK(!w.bad);
    g_byte_array_free(w.client, TRUE);
}

/* The client mouse through the agent (QEMU's agent-mouse=on, the default):
 * with the vdagent attached and no tablet, client mode is offered; in it,
 * positions and buttons reach the agent; without the agent, server only. */
static void test_agent_mouse(void)
{
    Client c;
    client_open(&c);
    CHECK_EQ_U64(c.init.supported_mouse_modes, SPICE_MOUSE_MODE_SERVER);
    /* the agent comes: the client hears client mode is on offer */
    add_agent();
    SpiceMsg m;
    CHECK_EQ_U64(client_expect(&c, SPICE_MSG_MAIN_AGENT_CONNECTED_TOKENS, &m),
                 SPICE_MSG_MAIN_AGENT_CONNECTED_TOKENS);
    CHECK_EQ_U64(client_expect(&c, SPICE_MSG_MAIN_MOUSE_MODE, &m), SPICE_MSG_MAIN_MOUSE_MODE);
    CHECK_EQ_U64(m.u.mouse_mode.supported_modes, SPICE_MOUSE_MODE_SERVER | SPICE_MOUSE_MODE_CLIENT);
    SpiceMsgc req = { .type = SPICE_MSGC_MAIN_MOUSE_MODE_REQUEST,
                      .u.mouse_mode_request = { SPICE_MOUSE_MODE_CLIENT } };
    client_send(&c, &req);
    CHECK_EQ_U64(client_expect(&c, SPICE_MSG_MAIN_MOUSE_MODE, &m), SPICE_MSG_MAIN_MOUSE_MODE);
    CHECK_EQ_U64(m.u.mouse_mode.current_mode, SPICE_MOUSE_MODE_CLIENT);

    int in = test_client_connect(fx.port, 0);
    CHECK(in >= 0);
    CHECK_EQ_U64(test_client_link(in, SPICE_CHANNEL_INPUTS, c.init.session_id, PASSWORD,
                                  IO_TIMEOUT_MS), SPICE_LINK_ERR_OK);
    SpiceMsgc pos = { .type = SPICE_MSGC_INPUTS_MOUSE_POSITION,
                      .u.mouse_position = { .x = 300, .y = 200,
                                            .buttons_state = SPICE_MOUSE_BUTTON_MASK_LEFT } };
    CHECK(test_client_send_msgc(in, SPICE_CHANNEL_INPUTS, &pos) == 0);
    expect_mouse_state(300, 200, VD_AGENT_LBUTTON_MASK);
    SpiceMsgc wheel = { .type = SPICE_MSGC_INPUTS_MOUSE_PRESS,
                        .u.mouse_press = { .button = SPICE_MOUSE_BUTTON_DOWN,
                                           .buttons_state = SPICE_MOUSE_BUTTON_MASK_RIGHT } };
    CHECK(test_client_send_msgc(in, SPICE_CHANNEL_INPUTS, &wheel) == 0);
    expect_mouse_state(300, 200, VD_AGENT_RBUTTON_MASK | VD_AGENT_DBUTTON_MASK);
    SpiceMsgc up = { .type = SPICE_MSGC_INPUTS_MOUSE_RELEASE,
                     .u.mouse_release = { .button = SPICE_MOUSE_BUTTON_RIGHT } };
    CHECK(test_client_send_msgc(in, SPICE_CHANNEL_INPUTS, &up) == 0);
    expect_mouse_state(300, 200, 0);
    close(in);

    /* the agent goes: back to the server mouse, and the client hears it */
    remove_agent();
    CHECK_EQ_U64(client_expect(&c, SPICE_MSG_MAIN_AGENT_DISCONNECTED, &m),
                 SPICE_MSG_MAIN_AGENT_DISCONNECTED);
    CHECK_EQ_U64(client_expect(&c, SPICE_MSG_MAIN_MOUSE_MODE, &m), SPICE_MSG_MAIN_MOUSE_MODE);
    CHECK_EQ_U64(m.u.mouse_mode.supported_modes, SPICE_MOUSE_MODE_SERVER);
    CHECK_EQ_U64(m.u.mouse_mode.current_mode, SPICE_MOUSE_MODE_SERVER);
    client_close(&c);
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
        TEST_CASE(test_agent_mouse),
    };
    if (fixture_start(&fx) != 0) {
        fprintf(stderr, "cannot start the server\n");
        return 1;
    }
    int ret = test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
    fixture_stop(&fx);
    return ret;
}
