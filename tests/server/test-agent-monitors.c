/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-agent-monitors: where a client's VD_AGENT_MONITORS_CONFIG goes.
 * Upstream's rule: when every display device takes client monitor layouts
 * (QXLInterface.client_monitors_config answers yes to NULL, as QEMU's qxl
 * does once the guest's driver listens), the server hands the config to
 * the devices and the agent never sees it; otherwise it goes to the agent
 * as any other message.  A config that lies about its size or monitor
 * count closes that client, with a log line naming the value, and reaches
 * no device.
 *
 * A fake QXL device (fake-qxl.h) plays the display, a scripted agent and
 * our minimal client the rest (agent-fixture.h). */
#include "config.h"

#include <spice/vd_agent.h>

#include "agent-fixture.h"
#include "fake-qxl.h"
#include "test-client.h"
#include "test-util.h"

static FakeQxl *qxl;

static void do_add_qxl(void *data)
{
    (void)data;
    CHECK(spice_server_add_interface(fx.server, &fake_qxl_get_instance(qxl)->base) == 0);
}

static void do_remove_qxl(void *data)
{
    (void)data;
    CHECK(spice_server_remove_interface(&fake_qxl_get_instance(qxl)->base) == 0);
}

static FakeQxlStats qxl_stats(void)
{
    FakeQxlStats s;
    on_core(do_nothing, NULL); /* what the server was doing is done */
    fake_qxl_get_stats(qxl, &s);
    return s;
}

/* VDAgentMonitorsConfig for n monitors, monitor i of (1000 + i) x (700 + i)
 * at x = 1000 * i; with `mm`, their physical sizes follow.  count: the
 * num_of_monitors written (n, or a lie). */
static GByteArray *monitors_message(uint32_t n, uint32_t count, bool mm)
{
    GByteArray *body = g_byte_array_new();
    uint32_t head[2] = { GUINT32_TO_LE(count),
                         GUINT32_TO_LE(mm ? VD_AGENT_CONFIG_MONITORS_FLAG_PHYSICAL_SIZE : 0) };
    g_byte_array_append(body, (const uint8_t *)head, sizeof(head));
    for (uint32_t i = 0; i < n; i++) {
        /* VDAgentMonConfig: height, width, depth, x, y */
        uint32_t mon[5] = { GUINT32_TO_LE(700 + i), GUINT32_TO_LE(1000 + i), GUINT32_TO_LE(32),
                            GUINT32_TO_LE(1000 * i), 0 };
        g_byte_array_append(body, (const uint8_t *)mon, sizeof(mon));
    }
    for (uint32_t i = 0; mm && i < n; i++) {
        uint16_t size_mm[2] = { GUINT16_TO_LE(200), GUINT16_TO_LE(300) };
        g_byte_array_append(body, (const uint8_t *)size_mm, sizeof(size_mm));
    }
    GByteArray *m = agent_message(VD_AGENT_MONITORS_CONFIG, body->data, body->len);
    g_byte_array_free(body, TRUE);
    return m;
}

/* The client sends m; the agent must get it next, byte for byte (and
 * nothing before it).  Frees m. */
static void agent_gets(Client *c, GByteArray *m)
{
    client_send_message(c, m);
    Written w;
    GByteArray *got = agent_receive_bytes(m->len, &w);
    CHECK_EQ_U64(got->len, m->len);
    CHECK_MEM(got->data, m->data, MIN(got->len, m->len));
    g_byte_array_free(got, TRUE);
    g_byte_array_free(m, TRUE);
}

/* Proof that the configs the client sent before went elsewhere. */
static void expect_agent_gets_only(Client *c, uint32_t type)
{
    uint8_t caps[8] = { 0 };
    agent_gets(c, agent_message(type, caps, sizeof(caps)));
}

static void wait_configs(uint64_t want)
{
    gint64 deadline = g_get_monotonic_time() + IO_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    while (qxl_stats().monitors_configs < want && g_get_monotonic_time() < deadline) {
        g_usleep(2000); /* bounded poll of the device's counters */
    }
    CHECK_EQ_U64(qxl_stats().monitors_configs, want);
}

/* The device takes layouts: configs go to it, in any number (each one's
 * token comes back, so more than the window pass), never to the agent. */
static void test_to_device(void)
{
    fake_qxl_take_monitors_config(qxl, true);
    Client c;
    client_with_agent(&c, 100);
    uint64_t before = qxl_stats().monitors_configs;
    for (uint32_t i = 0; i < 2 * WINDOW; i++) {
        GByteArray *m = monitors_message(1 + i % 3, 1 + i % 3, i % 2);
        client_send_message(&c, m);
        g_byte_array_free(m, TRUE);
    }
    wait_configs(before + 2 * WINDOW);
    FakeQxlStats s = qxl_stats();
    uint32_t last = (2 * WINDOW - 1) % 3; /* the last config's last monitor */
    CHECK_EQ_U64(s.monitors_count, last + 1);
    CHECK_EQ_U64(s.monitors_width, 1000 + last);
    CHECK_EQ_U64(s.monitors_height, 700 + last);
    expect_agent_gets_only(&c, VD_AGENT_ANNOUNCE_CAPABILITIES);
    client_close(&c);
    remove_agent();
}

/* One config cut into two AGENT_DATA pieces, physical sizes included. */
static void test_to_device_in_pieces(void)
{
    fake_qxl_take_monitors_config(qxl, true);
    Client c;
    client_with_agent(&c, 100);
    uint64_t before = qxl_stats().monitors_configs;
    GByteArray *m = monitors_message(2, 2, true);
    CHECK_EQ_U64(m->len, sizeof(VDAgentMessage) + 8 + 2 * 20 + 2 * 4);
    uint32_t first = sizeof(VDAgentMessage) + 20;
    client_send_chunk_raw(&c, m->data, first);
    client_send_chunk_raw(&c, m->data + first, m->len - first);
    c.tokens -= 2;
    c.sent_unreturned += 2;
    wait_configs(before + 1);
    FakeQxlStats s = qxl_stats();
    CHECK_EQ_U64(s.monitors_count, 2);
    CHECK_EQ_U64(s.monitors_width, 1001);
    CHECK_EQ_U64(s.monitors_height, 701);
    g_byte_array_free(m, TRUE);
    expect_agent_gets_only(&c, VD_AGENT_ANNOUNCE_CAPABILITIES);
    client_close(&c);
    remove_agent();
}

/* The device does not take them (the guest's driver does not listen): the
 * agent gets the config as the client sent it. */
static void test_to_agent(void)
{
    fake_qxl_take_monitors_config(qxl, false);
    Client c;
    client_with_agent(&c, 100);
    FakeQxlStats s0 = qxl_stats();
    agent_gets(&c, monitors_message(1, 1, false));
    FakeQxlStats s = qxl_stats();
    CHECK(s.monitors_queries > s0.monitors_queries); /* it was asked */
    CHECK_EQ_U64(s.monitors_configs, s0.monitors_configs);
    client_close(&c);
    remove_agent();
}

/* A lying config closes the client with the value in the log; no device
 * hears of it.  The server may close after any chunk, so a chunk that
 * finds the connection gone ends the sending. */
static void expect_closed_for(GByteArray *m, const char *log_line)
{
    fake_qxl_take_monitors_config(qxl, true);
    Client c;
    client_with_agent(&c, 100);
    uint64_t before = qxl_stats().monitors_configs;
    for (guint off = 0; off < m->len; off += VD_AGENT_MAX_DATA_SIZE) {
        SpiceMsgc d = { .type = SPICE_MSGC_MAIN_AGENT_DATA,
                        .u.raw = { m->data + off, MIN(m->len - off, VD_AGENT_MAX_DATA_SIZE) } };
        if (test_client_send_msgc(c.fd, SPICE_CHANNEL_MAIN, &d) != 0) {
            break;
        }
    }
    CHECK(test_client_wait_closed(c.fd, IO_TIMEOUT_MS));
    if (!logged(log_line)) {
        fprintf(stderr, "no log line \"%s\"\n", log_line);
        CHECK(false);
    }
    CHECK_EQ_U64(qxl_stats().monitors_configs, before);
    client_close(&c);
    remove_agent();
    g_byte_array_free(m, TRUE);
}

static void test_lies_close_client(void)
{
    /* CVE-2017-7506's input: a count far past the entries sent */
    expect_closed_for(monitors_message(1, UINT32_MAX, false),
                      "monitors config for too many monitors (4294967295)");
    expect_closed_for(monitors_message(1, 3, false),
                      "monitors config shorter than its monitor count needs (28)");
    /* physical sizes announced, not sent */
    GByteArray *m = monitors_message(2, 2, true);
    g_byte_array_set_size(m, m->len - 4);
    VDAgentMessage h;
    memcpy(&h, m->data, sizeof(h));
    h.size = GUINT32_TO_LE(GUINT32_FROM_LE(h.size) - 4);
    memcpy(m->data, &h, sizeof(h));
    expect_closed_for(m, "monitors config shorter than its monitor count needs (52)");
    uint8_t four[4] = { 1, 0, 0, 0 };
    expect_closed_for(agent_message(VD_AGENT_MONITORS_CONFIG, four, sizeof(four)),
                      "monitors config shorter than its 8-byte head (4)");
    /* more than 256 monitors with their sizes can need: refused at once */
    uint8_t big[7000] = { 0 };
    expect_closed_for(agent_message(VD_AGENT_MONITORS_CONFIG, big, sizeof(big)),
                      "monitors config of 7000 bytes (at most 6152)");
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_to_device),
        TEST_CASE(test_to_device_in_pieces),
        TEST_CASE(test_to_agent),
        TEST_CASE(test_lies_close_client),
    };
    if (fixture_start(&fx) != 0) {
        fprintf(stderr, "cannot start the server\n");
        return 1;
    }
    qxl = fake_qxl_create(0);
    CHECK(qxl != NULL);
    on_core(do_add_qxl, NULL);
    int ret = test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
    on_core(do_remove_qxl, NULL);
    fake_qxl_destroy(qxl);
    fixture_stop(&fx);
    return ret;
}
