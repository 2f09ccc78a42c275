/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-sasl: spice_server_set_sasl / set_sasl_appname against a Cyrus SASL
 * client speaking SPICE's SASL exchange (as spice-gtk does), over the TLS
 * port, and on the plain port through a SASL security layer
 * (server/net/red-sasl.h).
 *
 * The SASL configuration is local to the test: APPNAME.conf and a sasldb
 * made with saslpasswd2 in a temporary folder, found through
 * SASL_CONF_PATH; nothing system-wide is read or written.  Mechanisms:
 * SCRAM-SHA-256, PLAIN and DIGEST-MD5 (from libsasl2-modules); or those
 * S3D_TEST_SASL_MECHS names (test-sasl-tls-only.sh: none with a layer). */
#include "config.h"

#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sasl/sasl.h>
#include <spice.h>

#include "red-sasl.h"
#include "scripted-chardev.h"
#include "server-fixture.h"
#include "test-client.h"
#include "test-tls-client.h"
#include "test-util.h"

#define IO_TIMEOUT_MS 5000
#define APPNAME "s3d-sasl-test"
#define USER "alice"
#define PASSWORD "wonderland"

static char *cert_dir, *sasl_dir;
static ServerFixture fx;
static SSL_CTX *client_ctx;

static int configure_sasl(SpiceServer *s, int port, int tls_port, void *opaque)
{
    (void)port;
    (void)opaque;
    char *ca = test_tls_cert_file(cert_dir, "ca-cert.pem");
    char *cert = test_tls_cert_file(cert_dir, "server-cert.pem");
    char *key = test_tls_cert_file(cert_dir, "server-key.pem");
    int ret = spice_server_set_tls(s, tls_port, ca, cert, key, NULL, NULL, NULL);
    g_free(ca);
    g_free(cert);
    g_free(key);
    if (ret != 0 || spice_server_set_sasl(s, 1) != 0 ||
        spice_server_set_sasl_appname(s, APPNAME) != 0) {
        return -1;
    }
    return 0;
}

/* ---- the SASL configuration in a temporary folder ------------------------ */

static char *sasl_file(const char *name)
{
    return g_build_filename(sasl_dir, name, NULL);
}

/* The mechanisms configured: by default one with a security layer
 * (DIGEST-MD5) beside two without; test-sasl-tls-only.sh leaves it out. */
static const char *sasl_mechs(void)
{
    const char *m = g_getenv("S3D_TEST_SASL_MECHS");
    return m ? m : "scram-sha-256 plain digest-md5";
}

static bool make_sasl_config(void)
{
    sasl_dir = g_dir_make_tmp("s3d-test-sasl-XXXXXX", NULL);
    if (sasl_dir == NULL) {
        return false;
    }
    char *db = sasl_file("sasldb2"), *conf = sasl_file(APPNAME ".conf");
    char *text = g_strdup_printf("mech_list: %s\n"
                                 "pwcheck_method: auxprop\n"
                                 "auxprop_plugin: sasldb\n"
                                 "sasldb_path: %s\n", sasl_mechs(), db);
    bool ok = g_file_set_contents(conf, text, -1, NULL);
    /* The user's realm is the host name, as the server's default. */
    char *argv[] = { "/usr/sbin/saslpasswd2", "-f", db, "-a", APPNAME, "-c", "-p", USER, NULL };
    GPid pid;
    int in = -1, status = -1;
    if (ok && g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                       &pid, &in, NULL, NULL, NULL)) {
        ok = write(in, PASSWORD, strlen(PASSWORD)) == (ssize_t)strlen(PASSWORD);
        close(in);
        ok = waitpid(pid, &status, 0) == pid && ok && g_spawn_check_wait_status(status, NULL);
        g_spawn_close_pid(pid);
    } else {
        ok = false;
    }
    g_free(text);
    g_free(conf);
    g_free(db);
    g_setenv("SASL_CONF_PATH", sasl_dir, TRUE);
    return ok;
}

static void remove_sasl_config(void)
{
    char *db = sasl_file("sasldb2"), *conf = sasl_file(APPNAME ".conf");
    g_unlink(db);
    g_unlink(conf);
    g_rmdir(sasl_dir);
    g_free(db);
    g_free(conf);
    g_free(sasl_dir);
}

/* ---- the client side of the exchange (what spice-gtk does) --------------- */

static const char *client_password = PASSWORD;

static int cb_user(void *context, int id, const char **result, unsigned *len)
{
    (void)context;
    (void)id;
    *result = USER;
    if (len) {
        *len = strlen(USER);
    }
    return SASL_OK;
}

static int cb_pass(sasl_conn_t *conn, void *context, int id, sasl_secret_t **psecret)
{
    static sasl_secret_t *secret;
    (void)conn;
    (void)context;
    (void)id;
    size_t n = strlen(client_password);
    g_free(secret);
    secret = g_malloc0(sizeof(*secret) + n + 1);
    secret->len = n;
    memcpy(secret->data, client_password, n);
    *psecret = secret;
    return SASL_OK;
}

/* Cyrus stores every callback as int (*)(void); void (*)(void) is the
 * cast GCC accepts between function types. */
#define SASL_CB(fn) ((int (*)(void))(void (*)(void))(fn))

static const sasl_callback_t client_callbacks[] = {
    { SASL_CB_AUTHNAME, SASL_CB(cb_user), NULL },
    { SASL_CB_USER, SASL_CB(cb_user), NULL },
    { SASL_CB_PASS, SASL_CB(cb_pass), NULL },
    { SASL_CB_LIST_END, NULL, NULL },
};

static int send_u32(int fd, uint32_t v)
{
    uint32_t le = GUINT32_TO_LE(v);
    return test_client_write_all(fd, &le, 4);
}

static int read_u32(int fd, uint32_t *v)
{
    uint32_t le;
    if (test_client_read_all(fd, &le, 4, IO_TIMEOUT_MS) != 0) {
        return -1;
    }
    *v = GUINT32_FROM_LE(le);
    return 0;
}

/* Sends data as the wire wants it: length with the NUL, data, NUL. */
static int send_data(int fd, const char *data, unsigned len)
{
    static const uint8_t nul = 0;
    if (data == NULL) {
        return send_u32(fd, 0);
    }
    return send_u32(fd, len + 1) == 0 && test_client_write_all(fd, data, len) == 0 &&
           test_client_write_all(fd, &nul, 1) == 0 ? 0 : -1;
}

/* Sends a link with AUTH_SASL; returns the server's link result. */
static uint32_t sasl_send_link(int fd, uint8_t channel, uint32_t session,
                               uint8_t key[SPICE_TICKET_PUBKEY_BYTES], SpiceLinkCaps *caps)
{
    static const uint32_t common[] = { SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION,
                                       SPICE_COMMON_CAP_AUTH_SPICE, SPICE_COMMON_CAP_AUTH_SASL,
                                       SPICE_COMMON_CAP_MINI_HEADER };
    if (test_client_send_link_caps(fd, channel, 0, session, common, 4, NULL, 0) != 0) {
        return TEST_CLIENT_LINK_FAILED;
    }
    return test_client_read_reply_caps(fd, key, caps, IO_TIMEOUT_MS);
}

/* Links main with AUTH_SASL and picks SASL, over a TLS tunnel, or in clear
 * when tunnel is NULL; returns the fd with the mechanism list read into
 * mechlist, or -1. */
static int sasl_link(TestTlsTunnel **tunnel, char *mechlist, size_t size, uint8_t channel,
                     uint32_t session)
{
    int fd = -1;
    if (tunnel) {
        *tunnel = test_tls_tunnel_new(client_ctx, fx.tls_port, IO_TIMEOUT_MS, &fd);
    } else {
        fd = test_client_connect(fx.port, 0);
    }
    uint8_t key[SPICE_TICKET_PUBKEY_BYTES];
    SpiceLinkCaps caps;
    uint32_t n;
    if ((tunnel && *tunnel == NULL) || fd < 0 ||
        sasl_send_link(fd, channel, session, key, &caps) != SPICE_LINK_ERR_OK) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    /* SASL is offered instead of the ticket, and no key is sent */
    CHECK(spice_link_caps_has(caps.common, caps.num_common, SPICE_COMMON_CAP_AUTH_SASL));
    CHECK(!spice_link_caps_has(caps.common, caps.num_common, SPICE_COMMON_CAP_AUTH_SPICE));
    static const uint8_t zeros[SPICE_TICKET_PUBKEY_BYTES];
    CHECK_MEM(key, zeros, sizeof(zeros));
    if (send_u32(fd, SPICE_COMMON_CAP_AUTH_SASL) != 0 || read_u32(fd, &n) != 0 || n >= size ||
        test_client_read_all(fd, mechlist, n, IO_TIMEOUT_MS) != 0) {
        close(fd);
        return -1;
    }
    mechlist[n] = '\0';
    return fd;
}

/* The whole exchange with mech; returns the auth result word (0 = OK), or
 * -1 when the server closed or answered out of protocol.  With layer (a
 * plain link), asks for a security layer as spice-gtk does and hands the
 * connection over in *layer on success. */
static int64_t sasl_exchange(int fd, const char *mech, sasl_conn_t **layer)
{
    sasl_conn_t *conn = NULL;
    sasl_security_properties_t props = { .maxbufsize = 8192 }; /* TLS is the layer */
    if (layer) {
        props = (sasl_security_properties_t){ .min_ssf = 56, .max_ssf = 100000,
                                              .maxbufsize = 8192 };
    }
    const char *out = NULL, *chosen = NULL;
    unsigned out_len = 0;
    int64_t result = -1;
    if (sasl_client_new("spice", "localhost", NULL, NULL, client_callbacks, 0, &conn) != SASL_OK ||
        sasl_setprop(conn, SASL_SEC_PROPS, &props) != SASL_OK) {
        goto out;
    }
    int err = sasl_client_start(conn, mech, NULL, &out, &out_len, &chosen);
    if ((err != SASL_OK && err != SASL_CONTINUE) || strcmp(chosen, mech) != 0 ||
        send_u32(fd, strlen(mech)) != 0 || test_client_write_all(fd, mech, strlen(mech)) != 0 ||
        send_data(fd, out, out_len) != 0) {
        goto out;
    }
    for (int round = 0; round < 10; round++) {
        uint32_t n;
        uint8_t complete;
        char buf[8192];
        if (read_u32(fd, &n) != 0 || n > sizeof(buf) ||
            test_client_read_all(fd, buf, n, IO_TIMEOUT_MS) != 0 ||
            test_client_read_all(fd, &complete, 1, IO_TIMEOUT_MS) != 0) {
            goto out;
        }
        /* the server's data ends with its NUL, not counted by SASL */
        const char *in = n ? buf : NULL;
        unsigned in_len = n ? n - 1 : 0;
        if (complete) {
            /* the last server data (SCRAM's signature) is checked too */
            if (in && sasl_client_step(conn, in, in_len, NULL, &out, &out_len) != SASL_OK) {
                goto out;
            }
            uint32_t word;
            if (read_u32(fd, &word) == 0) {
                result = word;
            }
            if (layer && result == SPICE_LINK_ERR_OK) {
                *layer = conn;
                conn = NULL;
            }
            goto out;
        }
        err = sasl_client_step(conn, in, in_len, NULL, &out, &out_len);
        if ((err != SASL_OK && err != SASL_CONTINUE) || send_data(fd, out, out_len) != 0) {
            goto out;
        }
    }
out:
    if (conn) {
        sasl_dispose(&conn);
    }
    return result;
}

static int64_t sasl_authenticate(int fd, const char *mech)
{
    return sasl_exchange(fd, mech, NULL);
}

/* ---- the client side of a SASL security layer ---------------------------- */

typedef struct Layer {
    sasl_conn_t *conn;
    int fd;
    GByteArray *plain;          /* decoded, not consumed yet */
} Layer;

/* Exactly n decoded bytes, or -1. */
static int layer_read(Layer *l, void *buf, size_t n)
{
    while (l->plain->len < n) {
        char raw[8192];
        ssize_t r = read(l->fd, raw, sizeof(raw));
        const char *out = NULL;
        unsigned out_len = 0;
        if (r <= 0 || sasl_decode(l->conn, raw, (unsigned)r, &out, &out_len) != SASL_OK) {
            return -1;
        }
        g_byte_array_append(l->plain, (const guint8 *)out, out_len);
    }
    memcpy(buf, l->plain->data, n);
    g_byte_array_remove_range(l->plain, 0, (guint)n);
    return 0;
}

static int layer_send(Layer *l, const void *data, unsigned n)
{
    const char *out = NULL;
    unsigned out_len = 0;
    return sasl_encode(l->conn, data, n, &out, &out_len) == SASL_OK &&
           test_client_write_all(l->fd, out, out_len) == 0 ? 0 : -1;
}

/* The next message (mini header) through the layer: its type, or -1; its
 * first four body bytes (little-endian) in *first when it has them. */
static int layer_read_message_u32(Layer *l, uint32_t *first)
{
    uint8_t h[6];
    if (layer_read(l, h, sizeof(h)) != 0) {
        return -1;
    }
    uint32_t size = (uint32_t)h[2] | (uint32_t)h[3] << 8 | (uint32_t)h[4] << 16 |
                    (uint32_t)h[5] << 24;
    if (size > 1024 * 1024) {
        return -1;
    }
    uint8_t *body = g_malloc(size ? size : 1);
    int ok = layer_read(l, body, size);
    if (ok == 0 && first && size >= 4) {
        *first = (uint32_t)body[0] | (uint32_t)body[1] << 8 | (uint32_t)body[2] << 16 |
                 (uint32_t)body[3] << 24;
    }
    g_free(body);
    return ok == 0 ? (h[0] | h[1] << 8) : -1;
}

/* Reads messages through the layer up to one of type want: want, or the
 * last type read (-1 on a failure); that message's first four body bytes
 * in *first as layer_read_message_u32. */
static int layer_wait_message(Layer *l, int want, uint32_t *first)
{
    int type;
    while ((type = layer_read_message_u32(l, first)) >= 0 && type != want) {
    }
    return type;
}

/* Links channel (of session) on the plain port with DIGEST-MD5 and reads
 * its link result through the layer; false on any failure. */
static bool layer_link(Layer *l, uint8_t channel, uint32_t session)
{
    char mechlist[512];
    *l = (Layer){ .fd = sasl_link(NULL, mechlist, sizeof(mechlist), channel, session),
                  .plain = g_byte_array_new() };
    uint32_t link_result = 1;
    return l->fd >= 0 && sasl_exchange(l->fd, "DIGEST-MD5", &l->conn) == SPICE_LINK_ERR_OK &&
           layer_read(l, &link_result, 4) == 0 &&
           GUINT32_FROM_LE(link_result) == SPICE_LINK_ERR_OK;
}

static void layer_close(Layer *l)
{
    if (l->conn) {
        sasl_dispose(&l->conn);
    }
    g_byte_array_free(l->plain, TRUE);
    if (l->fd >= 0) {
        close(l->fd);
    }
}

/* ---- cases --------------------------------------------------------------- */

static void test_sasl_success(void)
{
    char mechlist[512] = "";
    TestTlsTunnel *t;
    int fd = sasl_link(&t, mechlist, sizeof(mechlist), SPICE_CHANNEL_MAIN, 0);
    CHECK(fd >= 0);
    CHECK(strstr(mechlist, ",SCRAM-SHA-256,") != NULL);
    CHECK(strstr(mechlist, ",PLAIN,") != NULL);
    if (fd >= 0) {
        CHECK_EQ_U64(sasl_authenticate(fd, "SCRAM-SHA-256"), SPICE_LINK_ERR_OK);
        uint32_t link_result = 1;
        CHECK(read_u32(fd, &link_result) == 0);
        CHECK_EQ_U64(link_result, SPICE_LINK_ERR_OK);
        /* the data phase: MAIN_INIT, then a question answered */
        uint8_t *body = NULL;
        uint32_t size;
        CHECK_EQ_U64(test_client_read_message(fd, &body, &size, 64 * 1024, IO_TIMEOUT_MS),
                     SPICE_MSG_MAIN_INIT);
        g_free(body);
        CHECK(test_client_session_alive(fd, IO_TIMEOUT_MS));
        close(fd);
    }
    test_tls_tunnel_free(t);
    /* PLAIN too (over TLS, as the configuration allows) */
    fd = sasl_link(&t, mechlist, sizeof(mechlist), SPICE_CHANNEL_MAIN, 0);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK_EQ_U64(sasl_authenticate(fd, "PLAIN"), SPICE_LINK_ERR_OK);
        close(fd);
    }
    test_tls_tunnel_free(t);
}

static void test_sasl_wrong_password(void)
{
    static const char *const mechs[] = { "SCRAM-SHA-256", "PLAIN" };
    for (size_t i = 0; i < G_N_ELEMENTS(mechs); i++) {
        char mechlist[512];
        TestTlsTunnel *t;
        client_password = "not the password";
        int fd = sasl_link(&t, mechlist, sizeof(mechlist), SPICE_CHANNEL_MAIN, 0);
        CHECK(fd >= 0);
        if (fd >= 0) {
            /* refused: the server closes without a result */
            CHECK(sasl_authenticate(fd, mechs[i]) == -1);
            CHECK(test_client_wait_closed(fd, IO_TIMEOUT_MS));
            close(fd);
        }
        test_tls_tunnel_free(t);
        client_password = PASSWORD;
    }
}

/* On a plain link, with a mechanism that brings a security layer
 * configured (DIGEST-MD5), only such mechanisms are offered; after the auth
 * result (in clear) everything runs through the layer both ways: the link
 * result, MAIN_INIT, and a question answered.  Without one configured
 * (test-sasl-tls-only.sh), the link gets NEED_SECURED: come over TLS. */
static void test_sasl_plain_link(void)
{
    bool layered = strstr(sasl_mechs(), "digest-md5") != NULL;
    if (!layered) {
        int fd = test_client_connect(fx.port, 0);
        uint8_t key[SPICE_TICKET_PUBKEY_BYTES];
        SpiceLinkCaps caps;
        CHECK_EQ_U64(sasl_send_link(fd, SPICE_CHANNEL_MAIN, 0, key, &caps),
                     SPICE_LINK_ERR_NEED_SECURED);
        close(fd);
        return;
    }
    char mechlist[512] = "";
    int fd = sasl_link(NULL, mechlist, sizeof(mechlist), SPICE_CHANNEL_MAIN, 0);
    CHECK(fd >= 0);
    if (fd < 0) {
        return;
    }
    printf("  offered in clear: %s\n", mechlist);
    CHECK(strstr(mechlist, ",DIGEST-MD5,") != NULL);
    CHECK(strstr(mechlist, ",PLAIN,") == NULL);
    CHECK(strstr(mechlist, ",SCRAM-SHA-256,") == NULL);
    Layer l = { .fd = fd, .plain = g_byte_array_new() };
    CHECK_EQ_U64(sasl_exchange(fd, "DIGEST-MD5", &l.conn), SPICE_LINK_ERR_OK);
    if (l.conn) {
        const void *ssf = NULL;
        CHECK(sasl_getprop(l.conn, SASL_SSF, &ssf) == SASL_OK && ssf);
        printf("  security layer: %u bits\n", ssf ? *(const sasl_ssf_t *)ssf : 0);
        uint32_t link_result = 1;
        CHECK(layer_read(&l, &link_result, 4) == 0);
        CHECK_EQ_U64(GUINT32_FROM_LE(link_result), SPICE_LINK_ERR_OK);
        CHECK_EQ_U64(layer_wait_message(&l, SPICE_MSG_MAIN_INIT, NULL), SPICE_MSG_MAIN_INIT);
        uint8_t attach[6] = { SPICE_MSGC_MAIN_ATTACH_CHANNELS, 0, 0, 0, 0, 0 };
        CHECK(layer_send(&l, attach, sizeof(attach)) == 0);
        CHECK_EQ_U64(layer_wait_message(&l, SPICE_MSG_MAIN_CHANNELS_LIST, NULL),
                     SPICE_MSG_MAIN_CHANNELS_LIST);
        /* Bytes in clear are not taken any more: the server closes. */
        CHECK(test_client_write_all(fd, attach, sizeof(attach)) == 0);
        CHECK(test_client_wait_closed(fd, IO_TIMEOUT_MS));
    }
    layer_close(&l);
    /* A mechanism without a layer is refused in clear, as one not offered. */
    fd = sasl_link(NULL, mechlist, sizeof(mechlist), SPICE_CHANNEL_MAIN, 0);
    if (fd >= 0) {
        CHECK(send_u32(fd, 5) == 0 && test_client_write_all(fd, "PLAIN", 5) == 0);
        uint8_t key[SPICE_TICKET_PUBKEY_BYTES];
        CHECK_EQ_U64(test_client_read_reply(fd, key, IO_TIMEOUT_MS), SPICE_LINK_ERR_INVALID_DATA);
        close(fd);
    }
}

/* ---- a usbredir device behind the layer ---------------------------------- */

#define VMC_BIG (64u * 1024)    /* spice-gtk's largest usbredir write */

static ScriptedCharDev vmc_dev;

static int do_add_vmc(SpiceServer *server, void *data)
{
    (void)data;
    scripted_chardev_init(&vmc_dev, "usbredir");
    vmc_dev.write_budget = 0; /* a guest that reads nothing yet */
    return spice_server_add_interface(server, &vmc_dev.sin.base);
}

static int do_open_vmc(SpiceServer *server, void *data)
{
    (void)server;
    (void)data;
    vmc_dev.write_budget = SIZE_MAX;
    spice_server_char_device_wakeup(&vmc_dev.sin);
    return 0;
}

static int do_vmc_written(SpiceServer *server, void *data)
{
    (void)server;
    *(size_t *)data = vmc_dev.from_server->len;
    return 0;
}

static int do_vmc_write_calls(SpiceServer *server, void *data)
{
    (void)server;
    *(size_t *)data = vmc_dev.write_calls;
    return 0;
}

/* Polls (bounded) the server thread's books until fn's count reaches want. */
static size_t wait_count(int (*fn)(SpiceServer *, void *), size_t want)
{
    gint64 deadline = g_get_monotonic_time() + IO_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    size_t got = 0;
    while (server_fixture_call(&fx, fn, &got) == 0 && got < want &&
           g_get_monotonic_time() < deadline) {
        g_usleep(2000); /* a bounded poll: the books live on the server thread */
    }
    return got;
}

static int do_remove_vmc(SpiceServer *server, void *data)
{
    (void)server;
    (void)data;
    int ret = spice_server_remove_interface(&vmc_dev.sin.base);
    scripted_chardev_finish(&vmc_dev);
    return ret;
}

/* SPICEVMC_DATA of n bytes of c, framed (mini header). */
static void vmc_message(GByteArray *out, uint32_t n, uint8_t c)
{
    uint8_t h[6] = { SPICE_MSGC_SPICEVMC_DATA, 0, (uint8_t)n, (uint8_t)(n >> 8),
                     (uint8_t)(n >> 16), (uint8_t)(n >> 24) };
    g_byte_array_append(out, h, sizeof(h));
    guint at = out->len;
    g_byte_array_set_size(out, at + n);
    memset(out->data + at, c, n);
}

/* A usbredir channel whose device is full stops reading (red-vmc.c); bytes
 * the layer had already decoded then wait in the server, and the socket
 * says nothing of them.  When the device takes data again they must be
 * read all the same.  Two big messages fill the device's queue; a third,
 * small one travels in the same SASL packet as the second one's end, so
 * that it is decoded with it and nothing is left in the socket. */
static void test_sasl_layer_keeps_nothing_after_a_pause(void)
{
    if (strstr(sasl_mechs(), "digest-md5") == NULL) {
        return; /* no layer in this configuration */
    }
    CHECK(server_fixture_call(&fx, do_add_vmc, NULL) == 0);
    Layer main_l, vmc;
    uint32_t session = 0;
    int type = -1;
    if (layer_link(&main_l, SPICE_CHANNEL_MAIN, 0)) {
        type = layer_wait_message(&main_l, SPICE_MSG_MAIN_INIT, &session);
    }
    CHECK_EQ_U64(type, SPICE_MSG_MAIN_INIT);
    CHECK(layer_link(&vmc, SPICE_CHANNEL_USBREDIR, session));
    GByteArray *all = g_byte_array_new();
    vmc_message(all, VMC_BIG, 'a');
    vmc_message(all, VMC_BIG, 'b');
    vmc_message(all, 100, 'c');
    const void *max = NULL;
    CHECK(vmc.conn && sasl_getprop(vmc.conn, SASL_MAXOUTBUF, &max) == SASL_OK && max);
    unsigned chunk = max ? *(const unsigned *)max : 0;
    if (chunk > 200) {
        /* The last packet: the second message's last 100 bytes and the third. */
        size_t last = 100 + 6 + 100;
        for (size_t at = 0; at < all->len - last;) {
            unsigned n = (unsigned)MIN((size_t)chunk, all->len - last - at);
            CHECK(layer_send(&vmc, all->data + at, n) == 0);
            at += n;
        }
        CHECK(layer_send(&vmc, all->data + all->len - last, (unsigned)last) == 0);
        /* The device is offered each message as it is queued: at the
         * second, the queue is full and the channel has stopped reading,
         * with the third message decoded and kept. */
        CHECK_EQ_U64(wait_count(do_vmc_write_calls, 2), 2);
        CHECK(server_fixture_call(&fx, do_open_vmc, NULL) == 0);
        size_t want = 2 * VMC_BIG + 100;
        size_t got = wait_count(do_vmc_written, want);
        printf("  the device got %zu of %zu bytes\n", got, want);
        CHECK_EQ_U64(got, want);
    }
    g_byte_array_free(all, TRUE);
    layer_close(&vmc);
    layer_close(&main_l);
    CHECK(server_fixture_call(&fx, do_remove_vmc, NULL) == 0);
}

/* A SASL server does not take a ticket (AUTH_SPICE) instead of SASL. */
static void test_sasl_no_ticket(void)
{
    int fd = -1;
    TestTlsTunnel *t = test_tls_tunnel_new(client_ctx, fx.tls_port, IO_TIMEOUT_MS, &fd);
    CHECK(t != NULL);
    if (t) {
        uint8_t key[SPICE_TICKET_PUBKEY_BYTES];
        uint32_t result = 0;
        CHECK(test_client_send_link(fd, SPICE_CHANNEL_MAIN, 0, 0, NULL, 0) == 0);
        CHECK_EQ_U64(test_client_read_reply(fd, key, IO_TIMEOUT_MS), SPICE_LINK_ERR_OK);
        CHECK(send_u32(fd, SPICE_COMMON_CAP_AUTH_SPICE) == 0);
        CHECK(read_u32(fd, &result) == 0);
        CHECK_EQ_U64(result, SPICE_LINK_ERR_INVALID_DATA);
        close(fd);
        test_tls_tunnel_free(t);
    }
}

/* A client that cannot select a mechanism cannot do SASL: VERSION_MISMATCH
 * (spice-server's answer). */
static void test_sasl_client_without_auth_selection(void)
{
    static const uint32_t common[] = { SPICE_COMMON_CAP_AUTH_SPICE, SPICE_COMMON_CAP_MINI_HEADER };
    int fd = -1;
    TestTlsTunnel *t = test_tls_tunnel_new(client_ctx, fx.tls_port, IO_TIMEOUT_MS, &fd);
    CHECK(t != NULL);
    if (t) {
        uint8_t key[SPICE_TICKET_PUBKEY_BYTES];
        CHECK(test_client_send_link_caps(fd, SPICE_CHANNEL_MAIN, 0, 0, common, 2, NULL, 0) == 0);
        CHECK_EQ_U64(test_client_read_reply(fd, key, IO_TIMEOUT_MS), SPICE_LINK_ERR_VERSION_MISMATCH);
        CHECK(test_client_wait_closed(fd, IO_TIMEOUT_MS));
        close(fd);
        test_tls_tunnel_free(t);
    }
}

/* Hostile exchanges: a mechanism that was not offered, a mechanism name of
 * 1000 bytes, a step of 2 MiB announced.  Each closes that link only. */
static void test_sasl_hostile(void)
{
    char mechlist[512];
    TestTlsTunnel *t;
    int fd = sasl_link(&t, mechlist, sizeof(mechlist), SPICE_CHANNEL_MAIN, 0);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK(send_u32(fd, 8) == 0 && test_client_write_all(fd, "ANYTHING", 8) == 0);
        uint8_t key[SPICE_TICKET_PUBKEY_BYTES];
        CHECK_EQ_U64(test_client_read_reply(fd, key, IO_TIMEOUT_MS), SPICE_LINK_ERR_INVALID_DATA);
        close(fd);
    }
    test_tls_tunnel_free(t);
    fd = sasl_link(&t, mechlist, sizeof(mechlist), SPICE_CHANNEL_MAIN, 0);
    if (fd >= 0) {
        CHECK(send_u32(fd, 1000) == 0);
        CHECK(test_client_wait_closed(fd, IO_TIMEOUT_MS));
        close(fd);
    }
    test_tls_tunnel_free(t);
    fd = sasl_link(&t, mechlist, sizeof(mechlist), SPICE_CHANNEL_MAIN, 0);
    if (fd >= 0) {
        CHECK(send_u32(fd, 5) == 0 && test_client_write_all(fd, "PLAIN", 5) == 0 &&
              send_u32(fd, 2u << 20) == 0);
        CHECK(test_client_wait_closed(fd, IO_TIMEOUT_MS));
        close(fd);
    }
    test_tls_tunnel_free(t);
    /* and the server still lets a good client in */
    fd = sasl_link(&t, mechlist, sizeof(mechlist), SPICE_CHANNEL_MAIN, 0);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK_EQ_U64(sasl_authenticate(fd, "SCRAM-SHA-256"), SPICE_LINK_ERR_OK);
        close(fd);
    }
    test_tls_tunnel_free(t);
}

/* A second server in the process after the first is destroyed (the
 * fixture does this when a port is taken): Cyrus kept the appname the
 * first server initialised SASL with, so that name must outlive it. */
static void test_sasl_second_server(void)
{
    server_fixture_stop(&fx);
    CHECK(server_fixture_start(&fx, configure_sasl, NULL) == 0);
    char mechlist[512] = "";
    TestTlsTunnel *t;
    int fd = sasl_link(&t, mechlist, sizeof(mechlist), SPICE_CHANNEL_MAIN, 0);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK_EQ_U64(sasl_authenticate(fd, "SCRAM-SHA-256"), SPICE_LINK_ERR_OK);
        close(fd);
    }
    test_tls_tunnel_free(t);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_sasl_success),
        TEST_CASE(test_sasl_wrong_password),
        TEST_CASE(test_sasl_plain_link),
        TEST_CASE(test_sasl_layer_keeps_nothing_after_a_pause),
        TEST_CASE(test_sasl_no_ticket),
        TEST_CASE(test_sasl_client_without_auth_selection),
        TEST_CASE(test_sasl_hostile),
        TEST_CASE(test_sasl_second_server),
    };
    if (access("/usr/sbin/saslpasswd2", X_OK) != 0) {
        printf("SKIP: saslpasswd2 missing (Debian sasl2-bin)\n");
        return TEST_EXIT_SKIP;
    }
    cert_dir = test_tls_make_certs(NULL);
    if (cert_dir == NULL || !make_sasl_config() || sasl_client_init(NULL) != SASL_OK) {
        fprintf(stderr, "cannot set up certificates and the SASL configuration\n");
        return 1;
    }
    char *ca = test_tls_cert_file(cert_dir, "ca-cert.pem");
    client_ctx = test_tls_client_ctx(ca, 0, NULL);
    g_free(ca);
    if (client_ctx == NULL || server_fixture_start(&fx, configure_sasl, NULL) != 0) {
        fprintf(stderr, "cannot start the server\n");
        return 1;
    }
    test_tls_block_sigpipe();
    int ret = test_main(argc, argv, cases, G_N_ELEMENTS(cases));
    server_fixture_stop(&fx);
    SSL_CTX_free(client_ctx);
    sasl_client_done();
    remove_sasl_config();
    test_tls_remove_certs(cert_dir);
    return ret;
}
