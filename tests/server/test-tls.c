/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-tls: our server's TLS port (spice_server_set_tls) and channel
 * security (spice_server_set_channel_security), against OpenSSL clients.
 *
 * The certificates are made at start by tls-certs.sh in a temporary folder,
 * with an encrypted key (so the key password is used), a DH file and a
 * cipher list, as QEMU's -spice x509-dir=,x509-key-password=,tls-ciphers=
 * pass them.  The server has "inputs" TLS-only and "cursor" plain-only.
 *
 * Hostile TLS peers (garbage instead of a hello, a handshake that stalls,
 * a record cut off by a close, a renegotiation) must each cost only their
 * own connection: a good TLS session opened before each of them still
 * answers afterwards. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>
#include <spice.h>

#include "red-link.h"
#include "red-stream.h"
#include "red-tls.h"
#include "server-fixture.h"
#include "test-client.h"
#include "test-tls-client.h"
#include "test-util.h"
#include "spice-messages.h"

#define IO_TIMEOUT_MS 5000
#define MAX_MESSAGE (64u * 1024)
#define KEY_PASSWORD "tls-test-key-password"
/* TLS 1.2 suites the server allows (TLS 1.3 suites are not set by a cipher
 * list): a DHE one, which needs the DH file, and an ECDHE one. */
#define SERVER_CIPHERS "DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"

static char *cert_dir;
static ServerFixture fx;
static SSL_CTX *client_ctx;

static char *cert_file(const char *name)
{
    return test_tls_cert_file(cert_dir, name);
}

typedef struct TlsSetup {
    const char *key_password;
} TlsSetup;

static int configure_tls(SpiceServer *s, int port, int tls_port, void *opaque)
{
    const TlsSetup *setup = opaque;
    (void)port;
    char *ca = cert_file("ca-cert.pem"), *cert = cert_file("server-cert.pem");
    char *key = cert_file("server-key.pem"), *dh = cert_file("dh.pem");
    int ret = spice_server_set_tls(s, tls_port, ca, cert, key, setup->key_password, dh,
                                   SERVER_CIPHERS);
    g_free(ca);
    g_free(cert);
    g_free(key);
    g_free(dh);
    if (ret != 0 || spice_server_set_channel_security(s, "inputs", SPICE_CHANNEL_SECURITY_SSL) != 0 ||
        spice_server_set_channel_security(s, "cursor", SPICE_CHANNEL_SECURITY_NONE) != 0) {
        return -1;
    }
    return 0;
}

/* ---- a good TLS session ------------------------------------------------- */

typedef struct Session {
    TestTlsTunnel *tunnel;
    int fd;
    uint32_t id;
} Session;

static bool session_open(Session *s)
{
    memset(s, 0, sizeof(*s));
    s->fd = -1;
    s->tunnel = test_tls_tunnel_new(client_ctx, fx.tls_port, IO_TIMEOUT_MS, &s->fd);
    s->id = s->tunnel ? test_client_start_session(s->fd, "secret", IO_TIMEOUT_MS) : 0;
    return s->id != 0;
}

static bool session_alive(Session *s)
{
    return test_client_session_alive(s->fd, IO_TIMEOUT_MS);
}

static void session_close(Session *s)
{
    if (s->fd >= 0) {
        close(s->fd);
    }
    test_tls_tunnel_free(s->tunnel);
}

/* ---- cases --------------------------------------------------------------- */

/* Main, then inputs (TLS-only) over TLS, and a key reaches the keyboard. */
static void test_tls_session_and_inputs(void)
{
    Session s;
    CHECK(session_open(&s));
    CHECK(session_alive(&s));
    int fd = -1;
    TestTlsTunnel *t = test_tls_tunnel_new(client_ctx, fx.tls_port, IO_TIMEOUT_MS, &fd);
    CHECK(t != NULL);
    if (t) {
        CHECK_EQ_U64(test_client_link(fd, SPICE_CHANNEL_INPUTS, s.id, "secret", IO_TIMEOUT_MS),
                     SPICE_LINK_ERR_OK);
        uint8_t *body = NULL;
        uint32_t size;
        CHECK_EQ_U64(test_client_read_message(fd, &body, &size, MAX_MESSAGE, IO_TIMEOUT_MS),
                     SPICE_MSG_INPUTS_INIT);
        g_free(body);
        SpiceMsgc key = { .type = SPICE_MSGC_INPUTS_KEY_DOWN, .u.key_down.code = 0x1e };
        CHECK(test_client_send_msgc(fd, SPICE_CHANNEL_INPUTS, &key) == 0);
        key = (SpiceMsgc){ .type = SPICE_MSGC_INPUTS_KEY_UP, .u.key_up.code = 0x9e };
        CHECK(test_client_send_msgc(fd, SPICE_CHANNEL_INPUTS, &key) == 0);
        CHECK(server_fixture_wait_keys(&fx, "1e 9e ", IO_TIMEOUT_MS));
        close(fd);
        test_tls_tunnel_free(t);
    }
    session_close(&s);
}

/* A plain link to the TLS-only channel gets NEED_SECURED (the client then
 * retries on the TLS port); a TLS link to the plain-only one NEED_UNSECURED;
 * the default (both ways) still lets main in on either port. */
static void test_channel_security(void)
{
    int fd = test_client_connect(fx.port, 0);
    CHECK(fd >= 0);
    CHECK_EQ_U64(test_client_link(fd, SPICE_CHANNEL_INPUTS, 0, "secret", IO_TIMEOUT_MS),
                 SPICE_LINK_ERR_NEED_SECURED);
    CHECK(test_client_wait_closed(fd, IO_TIMEOUT_MS));
    close(fd);

    TestTlsTunnel *t = test_tls_tunnel_new(client_ctx, fx.tls_port, IO_TIMEOUT_MS, &fd);
    CHECK(t != NULL);
    if (t) {
        CHECK_EQ_U64(test_client_link(fd, SPICE_CHANNEL_CURSOR, 0, "secret", IO_TIMEOUT_MS),
                     SPICE_LINK_ERR_NEED_UNSECURED);
        CHECK(test_client_wait_closed(fd, IO_TIMEOUT_MS));
        close(fd);
        test_tls_tunnel_free(t);
    }

    fd = test_client_connect(fx.port, 0);
    CHECK_EQ_U64(test_client_link(fd, SPICE_CHANNEL_MAIN, 0, "secret", IO_TIMEOUT_MS),
                 SPICE_LINK_ERR_OK);
    close(fd);
}

static int set_default_security(SpiceServer *s, void *data)
{
    return spice_server_set_channel_security(s, NULL, *(int *)data);
}

static int set_named_security(SpiceServer *s, void *data)
{
    return spice_server_set_channel_security(s, data, SPICE_CHANNEL_SECURITY_SSL);
}

/* QEMU's tls-channel=default: channels not named go TLS-only; an unknown
 * channel name is refused. */
static void test_default_channel_security(void)
{
    int ssl_only = SPICE_CHANNEL_SECURITY_SSL, both = ssl_only | SPICE_CHANNEL_SECURITY_NONE;
    CHECK(server_fixture_call(&fx, set_named_security, "no-such-channel") == -1);
    CHECK(server_fixture_call(&fx, set_default_security, &ssl_only) == 0);
    int fd = test_client_connect(fx.port, 0);
    CHECK_EQ_U64(test_client_link(fd, SPICE_CHANNEL_MAIN, 0, "secret", IO_TIMEOUT_MS),
                 SPICE_LINK_ERR_NEED_SECURED);
    close(fd);
    Session s;
    CHECK(session_open(&s));
    session_close(&s);
    CHECK(server_fixture_call(&fx, set_default_security, &both) == 0);
}

/* tls-ciphers is applied (TLS 1.2): a suite outside the list is refused, a
 * DHE suite from it (usable only with the DH file) is chosen. */
static void test_ciphers_and_dh(void)
{
    char *ca = cert_file("ca-cert.pem");
    SSL_CTX *dhe = test_tls_client_ctx(ca, TLS1_2_VERSION, "DHE-RSA-AES128-GCM-SHA256");
    SSL_CTX *other = test_tls_client_ctx(ca, TLS1_2_VERSION, "AES128-GCM-SHA256");
    g_free(ca);
    CHECK(dhe != NULL && other != NULL);
    SSL *ssl = test_tls_connect(dhe, fx.tls_port, IO_TIMEOUT_MS);
    CHECK(ssl != NULL);
    if (ssl) {
        CHECK(strcmp(SSL_get_cipher_name(ssl), "DHE-RSA-AES128-GCM-SHA256") == 0);
        CHECK(SSL_version(ssl) == TLS1_2_VERSION);
    }
    test_tls_close(ssl);
    ssl = test_tls_connect(other, fx.tls_port, IO_TIMEOUT_MS);
    CHECK(ssl == NULL);
    test_tls_close(ssl);
    SSL_CTX_free(dhe);
    SSL_CTX_free(other);
}

static int set_tls_bad_arguments(SpiceServer *s, void *data)
{
    (void)data;
    int refused = 0;
    refused += spice_server_set_tls(s, 0, "/ca", "/cert", "/key", NULL, NULL, NULL) == -1;
    refused += spice_server_set_tls(s, -1, "/ca", "/cert", "/key", NULL, NULL, NULL) == -1;
    refused += spice_server_set_tls(s, 65536, "/ca", "/cert", "/key", NULL, NULL, NULL) == -1;
    refused += spice_server_set_tls(s, 5901, NULL, "/cert", "/key", NULL, NULL, NULL) == -1;
    refused += spice_server_set_tls(s, 5901, "/ca", NULL, "/key", NULL, NULL, NULL) == -1;
    refused += spice_server_set_tls(s, 5901, "/ca", "/cert", NULL, NULL, NULL, NULL) == -1;
    return refused;
}

/* spice-server's argument checks: a port in 1..65535 and the three files. */
static void test_set_tls_arguments(void)
{
    CHECK_EQ_U64(server_fixture_call(&fx, set_tls_bad_arguments, NULL), 6);
}

/* A server whose key password is wrong does not start (QEMU then exits
 * instead of serving a TLS port that cannot work). */
static void test_wrong_key_password(void)
{
    ServerFixture bad;
    TlsSetup setup = { .key_password = "not the password" };
    CHECK(server_fixture_try_start(&bad, configure_tls, &setup) != 0);
    CHECK(bad.init_result != 0);
    /* the same with the right password starts (fx is that server) */
    CHECK(fx.init_result == 0);
}

/* The stream under TLS writes to a peer that is gone: -1, not SIGPIPE.
 * Runs on a thread of its own with SIGPIPE deliverable (the test thread
 * blocks it), over a socket pair, where a write to a closed peer always
 * raises it; without the server's MSG_NOSIGNAL BIO the program dies. */
static gpointer stream_sigpipe_thread(gpointer data)
{
    (void)data;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    char *ca = cert_file("ca-cert.pem"), *cert = cert_file("server-cert.pem");
    char *key = cert_file("server-key.pem");
    RedTlsConfig config = { .ca_file = ca, .cert_file = cert, .key_file = key,
                            .key_password = KEY_PASSWORD };
    SSL_CTX *server_ctx = red_tls_context_new(&config);
    int pair[2] = { -1, -1 };
    bool ok = server_ctx && socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair) == 0;
    RedStream *s = ok ? red_stream_new(pair[0]) : NULL;
    SSL *c = ok ? SSL_new(client_ctx) : NULL;
    ok = s && c && red_stream_enable_tls(s, server_ctx) == 0 && SSL_set_fd(c, pair[1]) == 1;
    /* both ends non-blocking: alternate until both are through */
    bool server_done = false, client_done = false;
    for (int i = 0; ok && i < 200 && !(server_done && client_done); i++) {
        if (!server_done) {
            RedStreamTlsStatus st = red_stream_tls_accept(s);
            server_done = st == RED_STREAM_TLS_DONE;
            ok = st != RED_STREAM_TLS_FAILED;
        }
        if (!client_done) {
            int r = SSL_connect(c);
            client_done = r == 1;
            ok = ok && (r == 1 || SSL_get_error(c, r) == SSL_ERROR_WANT_READ);
        }
    }
    ok = ok && server_done && client_done;
    SSL_free(c);
    if (pair[1] >= 0) {
        close(pair[1]);
    }
    static const char data_out[] = "to a closed peer";
    int w = ok ? red_stream_write(s, data_out, sizeof(data_out)) : 0;
    red_stream_free(s);
    SSL_CTX_free(server_ctx);
    g_free(ca);
    g_free(cert);
    g_free(key);
    return GINT_TO_POINTER(ok && w == -1);
}

static void test_stream_write_to_closed_peer(void)
{
    GThread *t = g_thread_new("sigpipe", stream_sigpipe_thread, NULL);
    CHECK(GPOINTER_TO_INT(g_thread_join(t)));
}

static int add_ssl_client(SpiceServer *s, void *data)
{
    return spice_server_add_ssl_client(s, *(int *)data, 0);
}

/* QMP add_client tls=on: a connected socket whose client speaks TLS. */
static void test_add_ssl_client(void)
{
    int pair[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
    CHECK(server_fixture_call(&fx, add_ssl_client, &pair[0]) == 0);
    int fd = -1;
    /* the handshake runs on the server's loop while we connect */
    TestTlsTunnel *t = test_tls_tunnel_new_fd(client_ctx, pair[1], IO_TIMEOUT_MS, &fd);
    CHECK(t != NULL);
    if (t) {
        CHECK(test_client_start_session(fd, "secret", IO_TIMEOUT_MS) != 0);
        CHECK(test_client_session_alive(fd, IO_TIMEOUT_MS));
        close(fd);
        test_tls_tunnel_free(t);
    }
}

/* A socket whose client closed it already: -1, and the socket stays the
 * caller's (open), as spice-server does (upstream's test-leaks checks it). */
static void test_add_ssl_client_gone(void)
{
    int pair[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
    close(pair[1]);
    CHECK(server_fixture_call(&fx, add_ssl_client, &pair[0]) == -1);
    CHECK(close(pair[0]) == 0);
}

/* A client that is not speaking TLS on the TLS port (here: a SPICE link
 * header in clear) is closed. */
static void test_hostile_garbage_before_handshake(void)
{
    Session good;
    CHECK(session_open(&good));
    int fd = test_client_connect(fx.tls_port, 0);
    CHECK(fd >= 0);
    CHECK(test_client_send_link(fd, SPICE_CHANNEL_MAIN, 0, 0, NULL, 0) == 0);
    CHECK(test_client_wait_closed(fd, IO_TIMEOUT_MS));
    close(fd);
    CHECK(session_alive(&good));
    session_close(&good);
}

/* A record cut short, then the client stops sending: the server sees EOF
 * in the middle of the record and closes. */
static void test_hostile_close_mid_record(void)
{
    Session good;
    CHECK(session_open(&good));
    SSL *ssl = test_tls_connect(client_ctx, fx.tls_port, IO_TIMEOUT_MS);
    CHECK(ssl != NULL);
    if (ssl) {
        int fd = SSL_get_fd(ssl);
        /* application data, TLS 1.2 framing, 256 bytes announced, 16 sent */
        uint8_t record[5 + 16] = { 0x17, 0x03, 0x03, 0x01, 0x00 };
        memset(record + 5, 0xa5, 16);
        CHECK(test_client_write_all(fd, record, sizeof(record)) == 0);
        CHECK(shutdown(fd, SHUT_WR) == 0);
        CHECK(test_client_wait_closed(fd, IO_TIMEOUT_MS));
        test_tls_close(ssl);
    }
    /* and the same in the handshake: half a ClientHello, then EOF */
    int fd = test_client_connect(fx.tls_port, 0);
    static const uint8_t hello[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01 };
    CHECK(test_client_write_all(fd, hello, sizeof(hello)) == 0);
    CHECK(shutdown(fd, SHUT_WR) == 0);
    CHECK(test_client_wait_closed(fd, IO_TIMEOUT_MS));
    close(fd);
    CHECK(session_alive(&good));
    session_close(&good);
}

/* A TLS 1.2 client asks to renegotiate: refused, never a second handshake. */
static void test_hostile_renegotiation(void)
{
    Session good;
    CHECK(session_open(&good));
    char *ca = cert_file("ca-cert.pem");
    SSL_CTX *tls12 = test_tls_client_ctx(ca, TLS1_2_VERSION, NULL);
    g_free(ca);
    SSL *ssl = tls12 ? test_tls_connect(tls12, fx.tls_port, IO_TIMEOUT_MS) : NULL;
    CHECK(ssl != NULL);
    if (ssl) {
        /* the server reads while it waits for the link header */
        CHECK(SSL_renegotiate(ssl) == 1);
        int r = SSL_do_handshake(ssl);
        CHECK(r != 1);
        test_tls_close(ssl);
    }
    SSL_CTX_free(tls12);
    CHECK(session_alive(&good));
    session_close(&good);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_tls_session_and_inputs),
        TEST_CASE(test_channel_security),
        TEST_CASE(test_default_channel_security),
        TEST_CASE(test_ciphers_and_dh),
        TEST_CASE(test_set_tls_arguments),
        TEST_CASE(test_wrong_key_password),
        TEST_CASE(test_add_ssl_client),
        TEST_CASE(test_add_ssl_client_gone),
        TEST_CASE(test_stream_write_to_closed_peer),
        TEST_CASE(test_hostile_garbage_before_handshake),
        TEST_CASE(test_hostile_close_mid_record),
        TEST_CASE(test_hostile_renegotiation),
    };
    cert_dir = test_tls_make_certs(KEY_PASSWORD);
    if (cert_dir == NULL) {
        return 1;
    }
    char *ca = cert_file("ca-cert.pem");
    client_ctx = test_tls_client_ctx(ca, 0, NULL);
    g_free(ca);
    TlsSetup setup = { .key_password = KEY_PASSWORD };
    if (client_ctx == NULL || server_fixture_start(&fx, configure_tls, &setup) != 0) {
        fprintf(stderr, "cannot start the TLS server\n");
        return 1;
    }
    /* Two handshakes that stall (nothing, and half a record header), held
     * through every case and checked last: closed by the link timeout. */
    int silent = test_client_connect(fx.tls_port, 0);
    int stalled = test_client_connect(fx.tls_port, 0);
    static const uint8_t partial[] = { 0x16, 0x03, 0x01 };
    if (silent < 0 || stalled < 0 || test_client_write_all(stalled, partial, sizeof(partial)) != 0) {
        fprintf(stderr, "cannot connect the stalled clients\n");
        return 1;
    }
    test_tls_block_sigpipe();
    int ret = test_main(argc, argv, cases, G_N_ELEMENTS(cases));
    bool closed = test_client_wait_closed(silent, RED_LINK_TIMEOUT_MS + IO_TIMEOUT_MS) &&
                  test_client_wait_closed(stalled, RED_LINK_TIMEOUT_MS + IO_TIMEOUT_MS);
    printf("%s stalled handshakes closed by the link timeout\n", closed ? "ok  " : "FAIL");
    close(silent);
    close(stalled);
    server_fixture_stop(&fx);
    SSL_CTX_free(client_ctx);
    test_tls_remove_certs(cert_dir);
    return ret != 0 || !closed ? 1 : 0;
}
