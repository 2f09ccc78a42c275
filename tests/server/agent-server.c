/* SPDX-License-Identifier: GPL-2.0-or-later */
/* agent-server: our server (libserver-core) on 127.0.0.1 with a scripted
 * guest agent on its vdagent char device, for real-client tests
 * (tests/client/test-agent-clipboard.py).
 *
 * The agent acts as spice-vdagent does for the clipboard and the monitors:
 * it answers a client's capability announcement with its own (clipboard by
 * demand, selections, monitors config), serves a clipboard request with the
 * text it grabbed, requests the client's text after a client grab, and
 * reports what it hears.  Commands on stdin, one per line:
 *   grab TEXT      the guest copies TEXT (CLIPBOARD_GRAB, then serves it)
 *   quit
 * Reports on stdout, one per line:
 *   listening PORT
 *   caps            the client announced its capabilities (we replied)
 *   client-grab     the client copied; we sent CLIPBOARD_REQUEST
 *   clipboard TEXT  the client's text arrived
 *   request         the client asked for our text (we sent it)
 *   monitors N W H  a MONITORS_CONFIG: N heads, the first W x H
 *   disconnected    VD_AGENT_CLIENT_DISCONNECTED from the server
 * Exits when stdin closes, on quit, or after --lifetime seconds (default
 * 120).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib-unix.h>
#include <spice.h>
#include <spice/vd_agent.h>

#include "test-core.h"

typedef struct Agent {
    SpiceCharDeviceInstance sin;
    GByteArray *out;            /* chunks for the server to read */
    GByteArray *in;             /* bytes the server wrote, not yet parsed */
    GByteArray *msg;            /* the client-port message being reassembled */
    char *grabbed;              /* our clipboard text, if we grabbed */
    GMainLoop *loop;
} Agent;

static Agent agent;

static void report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

/* Queues one message on the client port as spice-vdagentd writes it: the
 * whole message in one chunk, however large. */
static void agent_send(uint32_t type, const void *payload, uint32_t size)
{
    VDIChunkHeader c = { .port = GUINT32_TO_LE(VDP_CLIENT_PORT),
                         .size = GUINT32_TO_LE((uint32_t)sizeof(VDAgentMessage) + size) };
    VDAgentMessage h = { .protocol = GUINT32_TO_LE(VD_AGENT_PROTOCOL),
                         .type = GUINT32_TO_LE(type), .size = GUINT32_TO_LE(size) };
    g_byte_array_append(agent.out, (const uint8_t *)&c, sizeof(c));
    g_byte_array_append(agent.out, (const uint8_t *)&h, sizeof(h));
    g_byte_array_append(agent.out, payload, size);
    spice_server_char_device_wakeup(&agent.sin);
}

static void send_caps(void)
{
    uint32_t caps[2] = { GUINT32_TO_LE(0), GUINT32_TO_LE((1u << VD_AGENT_CAP_MONITORS_CONFIG) |
                                                           (1u << VD_AGENT_CAP_CLIPBOARD_BY_DEMAND) |
                                                           (1u << VD_AGENT_CAP_CLIPBOARD_SELECTION)) };
    agent_send(VD_AGENT_ANNOUNCE_CAPABILITIES, caps, sizeof(caps)); /* request = 0 */
}

/* Selection header (VD_AGENT_CAP_CLIPBOARD_SELECTION) + utf-8 type. */
static void send_clipboard(uint32_t type, const char *text)
{
    size_t n = text ? strlen(text) : 0;
    uint8_t *p = g_malloc0(8 + n);
    p[0] = VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD;
    uint32_t t = GUINT32_TO_LE(VD_AGENT_CLIPBOARD_UTF8_TEXT);
    memcpy(p + 4, &t, 4);
    if (n) {
        memcpy(p + 8, text, n);
    }
    agent_send(type, p, (uint32_t)(8 + n));
    g_free(p);
}

static void handle_message(const VDAgentMessage *h, const uint8_t *data, uint32_t size)
{
    switch (GUINT32_FROM_LE(h->type)) {
    case VD_AGENT_ANNOUNCE_CAPABILITIES:
        if (size >= 4 && data[0]) { /* request: answer with ours */
            send_caps();
        }
        report("caps");
        break;
    case VD_AGENT_CLIPBOARD_GRAB:
        report("client-grab");
        send_clipboard(VD_AGENT_CLIPBOARD_REQUEST, NULL);
        break;
    case VD_AGENT_CLIPBOARD:
        if (size >= 8) {
            report("clipboard %.*s", (int)(size - 8), data + 8);
        }
        break;
    case VD_AGENT_CLIPBOARD_REQUEST:
        report("request");
        send_clipboard(VD_AGENT_CLIPBOARD, agent.grabbed ? agent.grabbed : "");
        break;
    case VD_AGENT_MONITORS_CONFIG: {
        uint32_t n = 0, w = 0, hgt = 0;
        if (size >= 8 + 20) {
            memcpy(&n, data, 4);
            memcpy(&hgt, data + 8, 4); /* VDAgentMonConfig: height, width, ... */
            memcpy(&w, data + 8 + 4, 4);
        }
        report("monitors %u %u %u", GUINT32_FROM_LE(n), GUINT32_FROM_LE(w), GUINT32_FROM_LE(hgt));
        break;
    }
    default:
        break;
    }
}

/* Reassembles the server's chunks into messages. */
static void parse_input(void)
{
    while (agent.in->len >= sizeof(VDIChunkHeader)) {
        VDIChunkHeader c;
        memcpy(&c, agent.in->data, sizeof(c));
        uint32_t size = GUINT32_FROM_LE(c.size);
        if (agent.in->len - sizeof(c) < size) {
            return;
        }
        const uint8_t *p = agent.in->data + sizeof(c);
        if (GUINT32_FROM_LE(c.port) == VDP_SERVER_PORT && size >= sizeof(VDAgentMessage)) {
            VDAgentMessage h;
            memcpy(&h, p, sizeof(h));
            if (GUINT32_FROM_LE(h.type) == VD_AGENT_CLIENT_DISCONNECTED) {
                g_byte_array_set_size(agent.msg, 0); /* as spice-vdagentd resets the port */
                report("disconnected");
            }
        } else {
            g_byte_array_append(agent.msg, p, size);
            VDAgentMessage h;
            if (agent.msg->len >= sizeof(h)) {
                memcpy(&h, agent.msg->data, sizeof(h));
                uint32_t body = GUINT32_FROM_LE(h.size);
                if (agent.msg->len - sizeof(h) >= body) {
                    handle_message(&h, agent.msg->data + sizeof(h), body);
                    g_byte_array_set_size(agent.msg, 0);
                }
            }
        }
        g_byte_array_remove_range(agent.in, 0, (guint)(sizeof(c) + size));
    }
}

static int agent_write(SpiceCharDeviceInstance *sin, const uint8_t *buf, int len)
{
    (void)sin;
    g_byte_array_append(agent.in, buf, (guint)len);
    parse_input();
    return len;
}

static int agent_read(SpiceCharDeviceInstance *sin, uint8_t *buf, int len)
{
    (void)sin;
    guint n = MIN((guint)len, agent.out->len);
    if (n == 0) {
        return 0;
    }
    memcpy(buf, agent.out->data, n);
    g_byte_array_remove_range(agent.out, 0, n);
    return (int)n;
}

static void agent_state(SpiceCharDeviceInstance *sin, int connected)
{
    (void)sin;
    (void)connected;
}

static const SpiceCharDeviceInterface agent_interface = {
    .base = { .type = SPICE_INTERFACE_CHAR_DEVICE, .description = "scripted vdagent",
              .major_version = SPICE_INTERFACE_CHAR_DEVICE_MAJOR,
              .minor_version = SPICE_INTERFACE_CHAR_DEVICE_MINOR },
    .state = agent_state,
    .write = agent_write,
    .read = agent_read,
};

static gboolean on_stdin(gint fd, GIOCondition cond, gpointer data)
{
    (void)fd;
    (void)cond;
    GIOChannel *ch = data;
    char *line = NULL;
    gsize len = 0;
    GIOStatus st = g_io_channel_read_line(ch, &line, &len, NULL, NULL);
    if (st == G_IO_STATUS_EOF || st == G_IO_STATUS_ERROR) {
        g_main_loop_quit(agent.loop);
        return G_SOURCE_REMOVE;
    }
    if (line == NULL) {
        return G_SOURCE_CONTINUE;
    }
    g_strchomp(line);
    if (g_str_has_prefix(line, "grab ")) {
        g_free(agent.grabbed);
        agent.grabbed = g_strdup(line + 5);
        uint8_t grab[8] = { VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD, 0, 0, 0,
                            VD_AGENT_CLIPBOARD_UTF8_TEXT, 0, 0, 0 };
        agent_send(VD_AGENT_CLIPBOARD_GRAB, grab, sizeof(grab));
    } else if (strcmp(line, "quit") == 0) {
        g_main_loop_quit(agent.loop);
    }
    g_free(line);
    return G_SOURCE_CONTINUE;
}

static gboolean on_lifetime(gpointer data)
{
    (void)data;
    fprintf(stderr, "agent-server: lifetime over\n");
    g_main_loop_quit(agent.loop);
    return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
    unsigned lifetime = argc > 2 && strcmp(argv[1], "--lifetime") == 0 ? (unsigned)atoi(argv[2]) : 120;
    agent.out = g_byte_array_new();
    agent.in = g_byte_array_new();
    agent.msg = g_byte_array_new();
    agent.loop = g_main_loop_new(NULL, FALSE);
    SpiceCoreInterface *core = test_core_default_interface(false);
    SpiceServer *server = NULL;
    int port = 0;
    for (int attempt = 0; attempt < 20 && server == NULL; attempt++) {
        port = 20000 + (int)(g_random_int() % 20000);
        server = spice_server_new();
        spice_server_set_addr(server, "127.0.0.1", SPICE_ADDR_FLAG_IPV4_ONLY);
        spice_server_set_port(server, port);
        spice_server_set_noauth(server);
        if (spice_server_init(server, core) != 0) {
            spice_server_destroy(server);
            server = NULL;
        }
    }
    if (server == NULL) {
        fprintf(stderr, "agent-server: cannot listen\n");
        return 1;
    }
    agent.sin.base.sif = &agent_interface.base;
    agent.sin.subtype = "vdagent";
    if (spice_server_add_interface(server, &agent.sin.base) != 0) {
        fprintf(stderr, "agent-server: vdagent refused\n");
        return 1;
    }
    GIOChannel *in = g_io_channel_unix_new(0);
    g_unix_fd_add(0, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, in);
    g_timeout_add_seconds(lifetime, on_lifetime, NULL);
    report("listening %d", port);
    g_main_loop_run(agent.loop);
    spice_server_remove_interface(&agent.sin.base);
    spice_server_destroy(server);
    g_io_channel_unref(in);
    g_free(agent.grabbed);
    g_byte_array_free(agent.out, TRUE);
    g_byte_array_free(agent.in, TRUE);
    g_byte_array_free(agent.msg, TRUE);
    g_main_loop_unref(agent.loop);
    return 0;
}
