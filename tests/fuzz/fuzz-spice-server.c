/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-spice-server: libFuzzer target for our server as a hostile client
 * meets it on the network: the link message and the ticket, and the
 * data-phase byte stream (headers and bodies) of every channel, handled by
 * the real server (channels, session, display worker), not the parsers
 * alone (fuzz-spice-demarshal does those).
 *
 * The server (through <spice.h>: tests/server's fake QXL device with a
 * 64x64 primary, ticket TEST_QXL_SERVER_PASSWORD, on 127.0.0.1) is started
 * once and never torn down.  Byte 0 of an input picks what the rest is:
 *   0: the raw bytes of a link, ticket included, on a fresh connection;
 *   1-4: the data-phase stream of a main, display, cursor or inputs
 *        channel, after a correct link (a fresh main session first, whose
 *        id the other channels quote).
 * Then the harness stops writing (shutdown) and takes everything the
 * server sends until it closes the connection, within FUZZ_IO_MS: each
 * input is handled to its end before the next one starts.  A server that
 * hangs or never closes shows as a libFuzzer timeout. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "test-client.h"
#include "test-qxl-server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bounded waits for one connection: reaching one ends the input, and a
 * server that keeps a half-closed client open for ever surfaces as a
 * libFuzzer timeout (its -timeout is longer). */
#define FUZZ_IO_MS 2000
/* test-client.c's bounds for the main channel's first messages. */
#define FUZZ_MAIN_PREAMBLE 16
#define FUZZ_MAIN_MAX_BODY (1u << 20)

static void quiet_log(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
    (void)domain;
    (void)level;
    (void)msg;
    (void)data;
}

static TestQxlServer *fuzz_server(void)
{
    static TestQxlServer *ts;
    if (ts == NULL) {
        /* Closed clients are logged by the thousand. */
        g_log_set_handler("s3display-server", G_LOG_LEVEL_MASK, quiet_log, NULL);
        ts = test_qxl_server_create(64, 64, TEST_QXL_SERVER_LZ4);
        if (ts == NULL) {
            abort();
        }
    }
    return ts;
}

/* The ticket step of a link, with the server's public key parsed once.
 * test_client_send_ticket parses it for every link, and OpenSSL 3's
 * d2i_PUBKEY took 38% of this fuzzer's CPU; in fuzzing builds the server
 * keeps one key pair per process (fuzz-stack-flags.sh), so the key bytes
 * repeat.  They are still compared: a new key is parsed. */
static int fuzz_send_ticket(int fd, const uint8_t key[SPICE_TICKET_PUBKEY_BYTES],
                            const char *password)
{
    static uint8_t cached_key[SPICE_TICKET_PUBKEY_BYTES];
    static EVP_PKEY_CTX *ctx;
    if (ctx == NULL || memcmp(cached_key, key, sizeof(cached_key)) != 0) {
        EVP_PKEY_CTX_free(ctx);
        ctx = NULL;
        const uint8_t *p = key;
        EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, SPICE_TICKET_PUBKEY_BYTES);
        ctx = pkey ? EVP_PKEY_CTX_new(pkey, NULL) : NULL;
        EVP_PKEY_free(pkey); /* ctx holds its own reference */
        if (ctx == NULL || EVP_PKEY_encrypt_init(ctx) <= 0 ||
            EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0) {
            EVP_PKEY_CTX_free(ctx);
            ctx = NULL;
            return -1;
        }
        memcpy(cached_key, key, sizeof(cached_key));
    }
    uint8_t out[256];
    size_t out_len = sizeof(out);
    uint32_t mech = GUINT32_TO_LE(SPICE_COMMON_CAP_AUTH_SPICE);
    if (EVP_PKEY_encrypt(ctx, out, &out_len, (const uint8_t *)password, strlen(password) + 1) <= 0 ||
        test_client_write_all(fd, &mech, 4) != 0 || test_client_write_all(fd, out, out_len) != 0) {
        return -1;
    }
    return 0;
}

/* test_client_link with fuzz_send_ticket: the server's SpiceLinkErr, or
 * TEST_CLIENT_LINK_FAILED. */
static uint32_t fuzz_link(int fd, uint8_t type, uint32_t session)
{
    uint8_t key[SPICE_TICKET_PUBKEY_BYTES];
    uint32_t result;
    if (test_client_send_link(fd, type, 0, session, NULL, 0) != 0) {
        return TEST_CLIENT_LINK_FAILED;
    }
    uint32_t reply = test_client_read_reply(fd, key, FUZZ_IO_MS);
    if (reply != SPICE_LINK_ERR_OK) {
        return reply;
    }
    if (fuzz_send_ticket(fd, key, TEST_QXL_SERVER_PASSWORD) != 0 ||
        test_client_read_all(fd, &result, 4, FUZZ_IO_MS) != 0) {
        return TEST_CLIENT_LINK_FAILED;
    }
    return GUINT32_FROM_LE(result);
}

/* A main channel linked on a fresh connection: its fd and the session id
 * of its MAIN_INIT, or -1 (test_client_open_session, with fuzz_link). */
static int fuzz_open_session(TestQxlServer *ts, uint32_t *session)
{
    int fd = test_client_connect(ts->port, 0);
    if (fd < 0 || fuzz_link(fd, SPICE_CHANNEL_MAIN, 0) != SPICE_LINK_ERR_OK) {
        goto fail;
    }
    /* MAIN_INIT comes first or after a few preamble messages. */
    for (int i = 0; i < FUZZ_MAIN_PREAMBLE; i++) {
        uint8_t *body;
        uint32_t size;
        SpiceMsg m;
        int type = test_client_read_message(fd, &body, &size, FUZZ_MAIN_MAX_BODY, FUZZ_IO_MS);
        if (type < 0) {
            break;
        }
        bool init = type == SPICE_MSG_MAIN_INIT &&
                    spice_msg_parse(SPICE_CHANNEL_MAIN, SPICE_MSG_MAIN_INIT, body, size, &m) == 0 &&
                    m.u.main_init.session_id != 0;
        g_free(body);
        if (init) {
            *session = m.u.main_init.session_id;
            return fd;
        }
    }
fail:
    if (fd >= 0) {
        close(fd);
    }
    return -1;
}

/* Stops writing on fd and reads until the server closes it. */
static void fuzz_finish(int fd)
{
    if (fd < 0) {
        return;
    }
    shutdown(fd, SHUT_WR);
    (void)test_client_wait_closed(fd, FUZZ_IO_MS);
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t channels[] = { SPICE_CHANNEL_MAIN, SPICE_CHANNEL_DISPLAY,
                                        SPICE_CHANNEL_CURSOR, SPICE_CHANNEL_INPUTS };
    TestQxlServer *ts = fuzz_server();
    if (size < 1) {
        return 0;
    }
    unsigned sel = data[0] % 5;
    const uint8_t *rest = data + 1;
    size_t n = size - 1;
    if (sel == 0) {
        int fd = test_client_connect(ts->port, 0);
        if (fd >= 0) {
            (void)test_client_write_all(fd, rest, n);
        }
        fuzz_finish(fd);
        return 0;
    }
    uint32_t session = 0;
    int main_fd = fuzz_open_session(ts, &session);
    if (main_fd < 0) {
        return 0;
    }
    int fd = main_fd;
    uint8_t type = channels[sel - 1];
    if (type != SPICE_CHANNEL_MAIN) {
        fd = test_client_connect(ts->port, 0);
        if (fd >= 0 && fuzz_link(fd, type, session) != SPICE_LINK_ERR_OK) {
            close(fd);
            fd = -1;
        }
    }
    if (fd >= 0) {
        (void)test_client_write_all(fd, rest, n);
        fuzz_finish(fd);
    }
    if (fd != main_fd) {
        fuzz_finish(main_fd);
    }
    return 0;
}
