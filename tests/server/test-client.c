/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-client.c: see test-client.h. */
#include "config.h"

#include "test-client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <glib.h>

/* Room for any message body before the link reply parser sees it. */
#define TEST_CLIENT_MAIN_MAX_BODY (1u << 20)
/* Messages a main channel may send before MAIN_INIT (our server sends
 * none, Debian's none either today; a few are tolerated). */
#define TEST_CLIENT_MAX_MAIN_PREAMBLE 16

int test_client_connect(int port, int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    if (rcvbuf > 0) {
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    }
    /* As spice-gtk does: a link is several small writes, and Nagle would
     * hold each behind the server's delayed ACK (40 ms a write). */
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int test_client_write_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return -1;
        }
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

int test_client_read_all(int fd, void *p, size_t n, unsigned timeout_ms)
{
    uint8_t *b = p;
    while (n > 0) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int ready = poll(&pfd, 1, (int)timeout_ms);
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready <= 0) {
            return -1;
        }
        ssize_t r = recv(fd, b, n, 0);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return -1;
        }
        b += r;
        n -= (size_t)r;
    }
    return 0;
}

bool test_client_wait_closed(int fd, unsigned timeout_ms)
{
    uint8_t buf[4096];
    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, (int)timeout_ms) <= 0) {
            return false;
        }
        ssize_t r = recv(fd, buf, sizeof(buf), 0);
        if (r <= 0) {
            return true;
        }
    }
}

int test_client_send_link(int fd, uint8_t type, uint8_t id, uint32_t connection_id,
                          const uint32_t *channel_caps, uint32_t n_channel_caps)
{
    static const uint32_t common[] = { SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION,
                                       SPICE_COMMON_CAP_AUTH_SPICE, SPICE_COMMON_CAP_MINI_HEADER };
    return test_client_send_link_caps(fd, type, id, connection_id, common, 3, channel_caps,
                                      n_channel_caps);
}

int test_client_send_link_caps(int fd, uint8_t type, uint8_t id, uint32_t connection_id,
                               const uint32_t *common_caps, uint32_t n_common_caps,
                               const uint32_t *channel_caps, uint32_t n_channel_caps)
{
    SpiceWireWriter w;
    SpiceLinkRequest req = { .connection_id = connection_id, .channel_type = type,
                             .channel_id = id };
    for (uint32_t i = 0; i < n_common_caps; i++) {
        spice_link_caps_set(req.caps.common, &req.caps.num_common, common_caps[i]);
    }
    for (uint32_t i = 0; i < n_channel_caps; i++) {
        spice_link_caps_set(req.caps.channel, &req.caps.num_channel, channel_caps[i]);
    }
    spice_wire_writer_init(&w);
    spice_link_mess_write(&w, &req);
    int ret = spice_wire_writer_failed(&w) ? -1 : test_client_write_all(fd, w.data, w.len);
    spice_wire_writer_finish(&w);
    return ret;
}

uint32_t test_client_read_reply(int fd, uint8_t key[SPICE_TICKET_PUBKEY_BYTES],
                                unsigned timeout_ms)
{
    SpiceLinkCaps caps;
    return test_client_read_reply_caps(fd, key, &caps, timeout_ms);
}

uint32_t test_client_read_reply_caps(int fd, uint8_t key[SPICE_TICKET_PUBKEY_BYTES],
                                     SpiceLinkCaps *caps, unsigned timeout_ms)
{
    uint8_t hdr[SPICE_LINK_HEADER_SIZE], body[SPICE_LINK_MAX_SIZE];
    uint32_t size, err;
    if (test_client_read_all(fd, hdr, sizeof(hdr), timeout_ms) != 0 ||
        spice_link_header_parse(hdr, &size) != SPICE_LINK_ERR_OK || size > sizeof(body) ||
        test_client_read_all(fd, body, size, timeout_ms) != 0 ||
        spice_link_reply_parse(body, size, &err, key, caps) != 0) {
        return TEST_CLIENT_LINK_FAILED;
    }
    return err;
}

int test_client_send_ticket(int fd, const uint8_t key[SPICE_TICKET_PUBKEY_BYTES],
                            const char *password)
{
    const uint8_t *p = key;
    EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, SPICE_TICKET_PUBKEY_BYTES);
    EVP_PKEY_CTX *ctx = pkey ? EVP_PKEY_CTX_new(pkey, NULL) : NULL;
    uint8_t out[256];
    size_t out_len = sizeof(out);
    uint32_t mech = GUINT32_TO_LE(SPICE_COMMON_CAP_AUTH_SPICE);
    int ok = ctx && EVP_PKEY_encrypt_init(ctx) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
             EVP_PKEY_encrypt(ctx, out, &out_len, (const uint8_t *)password,
                              strlen(password) + 1) > 0;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    if (!ok || test_client_write_all(fd, &mech, 4) != 0 ||
        test_client_write_all(fd, out, out_len) != 0) {
        return -1;
    }
    return 0;
}

static uint32_t test_client_finish_link(int fd, const char *password, unsigned timeout_ms)
{
    uint8_t key[SPICE_TICKET_PUBKEY_BYTES];
    uint32_t reply = test_client_read_reply(fd, key, timeout_ms);
    if (reply != SPICE_LINK_ERR_OK) {
        return reply;
    }
    uint32_t result;
    if (test_client_send_ticket(fd, key, password) != 0 ||
        test_client_read_all(fd, &result, 4, timeout_ms) != 0) {
        return TEST_CLIENT_LINK_FAILED;
    }
    return GUINT32_FROM_LE(result);
}

uint32_t test_client_link(int fd, uint8_t type, uint32_t connection_id, const char *password,
                          unsigned timeout_ms)
{
    return test_client_link_with_caps(fd, type, connection_id, password, NULL, 0, timeout_ms);
}

uint32_t test_client_link_with_caps(int fd, uint8_t type, uint32_t connection_id,
                                    const char *password, const uint32_t *channel_caps,
                                    uint32_t n_channel_caps, unsigned timeout_ms)
{
    if (test_client_send_link(fd, type, 0, connection_id, channel_caps, n_channel_caps) != 0) {
        return TEST_CLIENT_LINK_FAILED;
    }
    return test_client_finish_link(fd, password, timeout_ms);
}

uint32_t test_client_link_display(int fd, uint8_t id, uint32_t connection_id,
                                  const char *password, TestClientDisplayCaps caps,
                                  unsigned timeout_ms)
{
    return test_client_link_display_cache(fd, id, connection_id, password, caps, 0,
                                          timeout_ms);
}

uint32_t test_client_link_display_cache(int fd, uint8_t id, uint32_t connection_id,
                                        const char *password, TestClientDisplayCaps caps,
                                        int64_t pixmap_cache_size, unsigned timeout_ms)
{
    static const uint32_t lz4[] = { SPICE_DISPLAY_CAP_LZ4_COMPRESSION };
    static const uint32_t video[] = { SPICE_DISPLAY_CAP_MULTI_CODEC, SPICE_DISPLAY_CAP_CODEC_MJPEG,
                                      SPICE_DISPLAY_CAP_STREAM_REPORT };
    const uint32_t *cap_list = lz4;
    uint32_t n = 0;
    switch (caps) {
    case TEST_CLIENT_DISPLAY_PLAIN:
        break;
    case TEST_CLIENT_DISPLAY_LZ4:
        n = 1;
        break;
    case TEST_CLIENT_DISPLAY_VIDEO:
        cap_list = video;
        n = G_N_ELEMENTS(video);
        break;
    case TEST_CLIENT_DISPLAY_NO_VIDEO:
        cap_list = video; /* MULTI_CODEC only */
        n = 1;
        break;
    }
    if (test_client_send_link(fd, SPICE_CHANNEL_DISPLAY, id, connection_id, cap_list, n) != 0) {
        return TEST_CLIENT_LINK_FAILED;
    }
    uint32_t result = test_client_finish_link(fd, password, timeout_ms);
    /* Neither server sends anything on a new display channel until INIT
     * arrived (Debian's sleeps, blocking its loop; ours holds that client's
     * output), so a client must send it right away, as spice-gtk does. */
    if (result == SPICE_LINK_ERR_OK && test_client_send_display_init(fd, pixmap_cache_size) != 0) {
        return TEST_CLIENT_LINK_FAILED;
    }
    return result;
}

int test_client_send_display_init(int fd, int64_t pixmap_cache_size)
{
    SpiceMsgc init = { .type = SPICE_MSGC_DISPLAY_INIT,
                       .u.display_init = { .pixmap_cache_id = 1,
                                           .pixmap_cache_size = pixmap_cache_size,
                                           .glz_dictionary_id = 1,
                                           .glz_dictionary_window_size =
                                               TEST_CLIENT_GLZ_WINDOW_SIZE } };
    return test_client_send_msgc(fd, SPICE_CHANNEL_DISPLAY, &init);
}

/* One message as it comes, PINGs included. */
static int read_any_message(int fd, uint8_t **body, uint32_t *size, uint32_t max_size,
                            unsigned timeout_ms)
{
    uint8_t h[SPICE_WIRE_MINI_HEADER_SIZE];
    if (test_client_read_all(fd, h, sizeof(h), timeout_ms) != 0) {
        return -1;
    }
    uint32_t n = (uint32_t)h[2] | (uint32_t)h[3] << 8 | (uint32_t)h[4] << 16 |
                 (uint32_t)h[5] << 24;
    if (n > max_size) {
        return -1;
    }
    uint8_t *b = g_malloc(n ? n : 1);
    if (test_client_read_all(fd, b, n, timeout_ms) != 0) {
        g_free(b);
        return -1;
    }
    *body = b;
    *size = n;
    return h[0] | h[1] << 8;
}

/* read_any_message with max_size for every message but PINGs: the link
 * test's is larger than many callers' bound. */
static int read_bounded(int fd, uint8_t **body, uint32_t *size, uint32_t max_size,
                        unsigned timeout_ms)
{
    int type = read_any_message(fd, body, size, MAX(max_size, TEST_CLIENT_MAIN_MAX_BODY),
                                timeout_ms);
    if (type >= 0 && type != SPICE_MSG_PING && *size > max_size) {
        g_free(*body);
        *body = NULL;
        return -1;
    }
    return type;
}

/* PONG for a PING body; -1 if it does not parse or the answer fails.  The
 * base channel's messages parse the same on every channel. */
static int answer_ping(int fd, uint8_t channel_type, const uint8_t *body, uint32_t size)
{
    SpiceMsg m;
    if (spice_msg_parse(channel_type, SPICE_MSG_PING, body, size, &m) != 0) {
        return -1;
    }
    SpiceMsgc pong = { .type = SPICE_MSGC_PONG, .u.pong = { m.u.ping.id, m.u.ping.timestamp } };
    return test_client_send_msgc(fd, channel_type, &pong);
}

int test_client_read_message(int fd, uint8_t **body, uint32_t *size, uint32_t max_size,
                             unsigned timeout_ms)
{
    for (;;) {
        int type = read_bounded(fd, body, size, max_size, timeout_ms);
        if (type != SPICE_MSG_PING) {
            return type;
        }
        int r = answer_ping(fd, SPICE_CHANNEL_MAIN, *body, *size);
        g_free(*body);
        *body = NULL;
        if (r != 0) {
            return -1;
        }
    }
}

int test_client_send_msgc(int fd, uint8_t channel_type, const SpiceMsgc *m)
{
    SpiceWireWriter w;
    spice_wire_writer_init(&w);
    int ret = -1;
    if (spice_msgc_marshal(&w, channel_type, m) == 0 && !spice_wire_writer_failed(&w)) {
        ret = test_client_write_all(fd, w.data, w.len);
    }
    spice_wire_writer_finish(&w);
    return ret;
}

uint32_t test_client_start_session(int fd, const char *password, unsigned timeout_ms)
{
    if (test_client_link(fd, SPICE_CHANNEL_MAIN, 0, password, timeout_ms) != SPICE_LINK_ERR_OK) {
        return 0;
    }
    for (int i = 0; i < TEST_CLIENT_MAX_MAIN_PREAMBLE; i++) {
        uint8_t *body;
        uint32_t size;
        int type = test_client_read_message(fd, &body, &size, TEST_CLIENT_MAIN_MAX_BODY,
                                            timeout_ms);
        if (type < 0) {
            break;
        }
        SpiceMsg m;
        if (type == SPICE_MSG_MAIN_INIT &&
            spice_msg_parse(SPICE_CHANNEL_MAIN, SPICE_MSG_MAIN_INIT, body, size, &m) == 0 &&
            m.u.main_init.session_id != 0) {
            g_free(body);
            return m.u.main_init.session_id;
        }
        g_free(body);
    }
    return 0;
}

int test_client_open_session(int port, const char *password, uint32_t *session_id,
                             unsigned timeout_ms)
{
    int fd = test_client_connect(port, 0);
    if (fd < 0) {
        return -1;
    }
    *session_id = test_client_start_session(fd, password, timeout_ms);
    if (*session_id == 0) {
        close(fd);
        return -1;
    }
    return fd;
}

bool test_client_session_alive(int fd, unsigned timeout_ms)
{
    SpiceMsgc attach = { .type = SPICE_MSGC_MAIN_ATTACH_CHANNELS };
    if (test_client_send_msgc(fd, SPICE_CHANNEL_MAIN, &attach) != 0) {
        return false;
    }
    for (int i = 0; i < TEST_CLIENT_MAX_MAIN_PREAMBLE; i++) {
        uint8_t *body = NULL;
        uint32_t size;
        int type = test_client_read_message(fd, &body, &size, TEST_CLIENT_MAIN_MAX_BODY,
                                            timeout_ms);
        g_free(body);
        if (type == SPICE_MSG_MAIN_CHANNELS_LIST) {
            return true;
        }
        if (type < 0) {
            return false;
        }
    }
    return false;
}

int test_client_answer_link_test(int fd, unsigned delay_ms, unsigned timeout_ms)
{
    for (int i = 0; i < TEST_CLIENT_MAX_MAIN_PREAMBLE; i++) {
        uint8_t *body = NULL;
        uint32_t size = 0;
        SpiceMsg m;
        int type = read_any_message(fd, &body, &size, TEST_CLIENT_MAIN_MAX_BODY, timeout_ms);
        if (type < 0) {
            return -1;
        }
        if (type != SPICE_MSG_PING ||
            spice_msg_parse(SPICE_CHANNEL_MAIN, SPICE_MSG_PING, body, size, &m) != 0) {
            g_free(body);
            continue;
        }
        bool loaded = m.u.ping.payload.count > 0;
        if (loaded) {
            g_usleep((gulong)delay_ms * 1000);
        }
        int r = answer_ping(fd, SPICE_CHANNEL_MAIN, body, size);
        g_free(body);
        if (r != 0) {
            return -1;
        }
        if (loaded) {
            return 0;
        }
    }
    return -1;
}

uint8_t *test_client_expect(int fd, uint8_t channel_type, uint16_t want, SpiceMsg *m,
                            uint32_t max_size, unsigned timeout_ms)
{
    uint8_t *body = NULL;
    uint32_t size = 0;
    int type = test_client_read_message(fd, &body, &size, max_size, timeout_ms);
    if (type != want) {
        fprintf(stderr, "channel %u: got message %d, want %u\n", channel_type, type, want);
    } else if (spice_msg_parse(channel_type, want, body, size, m) != 0) {
        fprintf(stderr, "channel %u: message %u does not parse\n", channel_type, want);
    } else {
        return body;
    }
    g_free(body);
    return NULL;
}

/* ---- TestChannel --------------------------------------------------------- */

void test_channel_init(TestChannel *ch, int fd, uint8_t channel_type, bool send_acks)
{
    memset(ch, 0, sizeof(*ch));
    ch->fd = fd;
    ch->type = channel_type;
    ch->send_acks = send_acks;
}

/* Base-channel duties for one received message; -1 if an answer failed. */
static int test_channel_answer(TestChannel *ch, int type, const uint8_t *body, uint32_t size)
{
    SpiceMsg m;
    if (type == SPICE_MSG_SET_ACK &&
        spice_msg_parse(ch->type, SPICE_MSG_SET_ACK, body, size, &m) == 0) {
        ch->ack_generation = m.u.set_ack.generation;
        ch->ack_window = m.u.set_ack.window;
        ch->since_ack = 0;
        /* The server counts from its SET_ACK on; spice-gtk syncs even when
         * it will never ack, and so do we. */
        SpiceMsgc sync = { .type = SPICE_MSGC_ACK_SYNC,
                           .u.ack_sync.generation = ch->ack_generation };
        return test_client_send_msgc(ch->fd, ch->type, &sync);
    }
    if (type == SPICE_MSG_PING && answer_ping(ch->fd, ch->type, body, size) != 0) {
        return -1;
    }
    if (ch->send_acks && ch->ack_window != 0 && ++ch->since_ack >= ch->ack_window) {
        ch->since_ack = 0;
        SpiceMsgc ack = { .type = SPICE_MSGC_ACK };
        return test_client_send_msgc(ch->fd, ch->type, &ack);
    }
    return 0;
}

int test_channel_read(TestChannel *ch, uint8_t **body, uint32_t *size, uint32_t max_size,
                      unsigned timeout_ms)
{
    int type = read_bounded(ch->fd, body, size, max_size, timeout_ms);
    if (type < 0) {
        return -1;
    }
    ch->messages++;
    ch->bytes += SPICE_WIRE_MINI_HEADER_SIZE + (uint64_t)*size;
    if (test_channel_answer(ch, type, *body, *size) != 0) {
        g_free(*body);
        *body = NULL;
        return -1;
    }
    return type;
}
