/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-sasl.c: SPICE's SASL exchange over Cyrus SASL. */
#include "config.h"

#include "red-sasl.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <glib.h>
#include <sasl/sasl.h>
#include <spice/protocol.h>

#include "red-log.h"

typedef enum {
    SASL_READ_MECHNAME_LEN,
    SASL_READ_MECHNAME,
    SASL_READ_DATA_LEN,
    SASL_READ_DATA,
} SaslState;

struct RedSasl {
    RedStream *stream;
    sasl_conn_t *conn;
    SaslState state;
    char *mechlist;             /* ",A,B,": what we offered */
    char mechname[RED_SASL_MAX_MECHNAME + 1];
    bool started;               /* sasl_server_start done */
    uint8_t len[4];
    uint32_t want;
    uint8_t *data;
};

int red_sasl_global_init(const char *appname)
{
    static gsize done;
    static int result;
    if (g_once_init_enter(&done)) {
        /* Cyrus SASL keeps one process-wide state: the first server's
         * appname names the configuration for all (spice-server does the
         * same, QEMU always passes "qemu").  Cyrus keeps the pointer, not
         * a copy, and reads it in every sasl_server_new: the caller's
         * string dies with its server, so the process keeps its own. */
        static char *kept_appname;
        kept_appname = g_strdup(appname);
        int err = sasl_server_init(NULL, kept_appname);
        if (err != SASL_OK) {
            red_log_warn("sasl: initialisation failed: %s", sasl_errstring(err, NULL, NULL));
            result = -1;
        }
        g_once_init_leave(&done, 1);
    }
    return result;
}

/* "address;port" of one end of fd, as Cyrus SASL wants it; NULL if unknown. */
static char *sasl_address(int fd, bool peer)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    if ((peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
              : getsockname(fd, (struct sockaddr *)&ss, &len)) != 0 ||
        getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        return NULL;
    }
    return g_strdup_printf("%s;%s", host, serv);
}

static void put_u32(uint8_t b[4], uint32_t v)
{
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
}

static uint32_t get_u32(const uint8_t b[4])
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static int write_u32(RedStream *stream, uint32_t v)
{
    uint8_t b[4];
    put_u32(b, v);
    return red_stream_write(stream, b, sizeof(b));
}

/* Under TLS, TLS is the security layer: SASL only authenticates (max_ssf
 * 0) and learns the TLS strength for mechanisms that ask.  On a plain link
 * the mechanism must bring a layer of RED_SASL_MIN_SSF bits or more, and
 * neither anonymous nor plaintext mechanisms are offered (spice-gtk asks
 * the same of the server). */
static int sasl_set_security(RedSasl *s)
{
    bool tls = red_stream_is_tls(s->stream);
    sasl_security_properties_t props = {
        .min_ssf = tls ? 0 : RED_SASL_MIN_SSF,
        .max_ssf = tls ? 0 : 100000,
        .maxbufsize = RED_SASL_MAX_BUF,
        .security_flags = tls ? 0 : SASL_SEC_NOANONYMOUS | SASL_SEC_NOPLAINTEXT,
    };
    sasl_ssf_t ssf = (sasl_ssf_t)red_stream_tls_bits(s->stream);
    return sasl_setprop(s->conn, SASL_SSF_EXTERNAL, &ssf) == SASL_OK &&
           sasl_setprop(s->conn, SASL_SEC_PROPS, &props) == SASL_OK ? 0 : -1;
}

RedSasl *red_sasl_new(RedStream *stream)
{
    RedSasl *s = g_new0(RedSasl, 1);
    s->stream = stream;
    char *local = sasl_address(red_stream_fd(stream), false);
    char *remote = sasl_address(red_stream_fd(stream), true);
    int err = sasl_server_new("spice", NULL, NULL, local, remote, NULL, SASL_SUCCESS_DATA,
                              &s->conn);
    g_free(local);
    g_free(remote);
    const char *list = NULL;
    if (err != SASL_OK || sasl_set_security(s) != 0) {
        red_log_warn("sasl: cannot start an exchange: %s",
                     s->conn ? sasl_errdetail(s->conn) : sasl_errstring(err, NULL, NULL));
        red_sasl_free(s);
        return NULL;
    }
    err = sasl_listmech(s->conn, NULL, ",", ",", ",", &list, NULL, NULL);
    if (err != SASL_OK || list == NULL || strcmp(list, ",,") == 0) {
        red_log_info("sasl: no mechanism to offer on this %s link: %s",
                     red_stream_is_tls(stream) ? "TLS" : "plain",
                     err != SASL_OK ? sasl_errdetail(s->conn) : "empty list");
        red_sasl_free(s);
        return NULL;
    }
    s->mechlist = g_strdup(list);
    return s;
}

int red_sasl_begin(RedSasl *s)
{
    size_t n = strlen(s->mechlist);
    if (write_u32(s->stream, (uint32_t)n) != 0 ||
        red_stream_write(s->stream, s->mechlist, n) != 0) {
        return -1;
    }
    s->state = SASL_READ_MECHNAME_LEN;
    return 0;
}

/* The strength of the security layer the exchange negotiated; 0: none. */
static sasl_ssf_t sasl_layer_bits(RedSasl *s)
{
    const void *val = NULL;
    return sasl_getprop(s->conn, SASL_SSF, &val) == SASL_OK && val ? *(const sasl_ssf_t *)val : 0;
}

void red_sasl_free(RedSasl *s)
{
    if (s == NULL) {
        return;
    }
    if (s->conn) {
        sasl_dispose(&s->conn);
    }
    g_free(s->mechlist);
    g_free(s->data);
    g_free(s);
}

uint8_t *red_sasl_want(RedSasl *s, size_t *n)
{
    switch (s->state) {
    case SASL_READ_MECHNAME:
        *n = s->want;
        return (uint8_t *)s->mechname;
    case SASL_READ_DATA:
        *n = s->want;
        return s->data;
    case SASL_READ_MECHNAME_LEN:
    case SASL_READ_DATA_LEN:
        break;
    }
    *n = sizeof(s->len);
    return s->len;
}

/* One sasl_server_start/step with the client's data; answers it. */
static RedSaslStatus sasl_exchange(RedSasl *s)
{
    /* NULL and "" differ for SASL: no data is NULL.  The wire data ends
     * with a NUL we do not pass on (and do not trust to be there). */
    const char *in = NULL;
    unsigned in_len = 0;
    if (s->want > 0) {
        s->data[s->want - 1] = '\0';
        in = (const char *)s->data;
        in_len = s->want - 1;
    }
    const char *out = NULL;
    unsigned out_len = 0;
    int err = s->started ? sasl_server_step(s->conn, in, in_len, &out, &out_len)
                         : sasl_server_start(s->conn, s->mechname, in, in_len, &out, &out_len);
    s->started = true;
    g_free(s->data);
    s->data = NULL;
    if (err != SASL_OK && err != SASL_CONTINUE) {
        red_log_info("sasl: %s: authentication failed: %s", s->mechname, sasl_errdetail(s->conn));
        return RED_SASL_FAILED; /* as spice-server: closed without a word */
    }
    if (out_len > RED_SASL_MAX_DATA) {
        red_log_warn("sasl: %s: server step of %u bytes", s->mechname, out_len);
        return RED_SASL_FAILED;
    }
    static const uint8_t nul = 0;
    uint8_t complete = err == SASL_OK;
    if (write_u32(s->stream, out_len ? out_len + 1 : 0) != 0 ||
        (out_len && (red_stream_write(s->stream, out, out_len) != 0 ||
                     red_stream_write(s->stream, &nul, 1) != 0)) ||
        red_stream_write(s->stream, &complete, 1) != 0) {
        return RED_SASL_FAILED;
    }
    if (!complete) {
        s->state = SASL_READ_DATA_LEN;
        return RED_SASL_CONTINUE;
    }
    /* A plain link needs the layer sasl_set_security asked for (checked
     * again, as spice-gtk does).  The auth result goes in clear; all that
     * follows (the link result first) through the layer. */
    bool plain = !red_stream_is_tls(s->stream);
    sasl_ssf_t bits = plain ? sasl_layer_bits(s) : 0;
    if (plain && bits < RED_SASL_MIN_SSF) {
        red_log_warn("sasl: %s: a %u-bit security layer on a plain link", s->mechname, bits);
        return RED_SASL_FAILED;
    }
    if (write_u32(s->stream, SPICE_LINK_ERR_OK) != 0) {
        return RED_SASL_FAILED;
    }
    if (plain) {
        red_log_info("sasl: %s: a %u-bit security layer protects this link", s->mechname, bits);
        sasl_conn_t *conn = s->conn;
        s->conn = NULL; /* the stream's now */
        if (red_stream_start_sasl_layer(s->stream, conn) != 0) {
            return RED_SASL_FAILED;
        }
    }
    return RED_SASL_DONE;
}

RedSaslStatus red_sasl_step(RedSasl *s)
{
    uint32_t n;
    switch (s->state) {
    case SASL_READ_MECHNAME_LEN:
        n = get_u32(s->len);
        if (n < 1 || n > RED_SASL_MAX_MECHNAME) {
            red_log_warn("sasl: mechanism name length %u", n);
            return RED_SASL_FAILED;
        }
        s->want = n;
        s->state = SASL_READ_MECHNAME;
        return RED_SASL_CONTINUE;
    case SASL_READ_MECHNAME: {
        s->mechname[s->want] = '\0';
        char *quoted = g_strdup_printf(",%s,", s->mechname);
        bool offered = strlen(s->mechname) == s->want && strchr(s->mechname, ',') == NULL &&
                       strstr(s->mechlist, quoted) != NULL;
        g_free(quoted);
        if (!offered) {
            red_log_warn("sasl: mechanism \"%s\" was not offered", s->mechname);
            return RED_SASL_INVALID;
        }
        s->state = SASL_READ_DATA_LEN;
        return RED_SASL_CONTINUE;
    }
    case SASL_READ_DATA_LEN:
        n = get_u32(s->len);
        if (n > RED_SASL_MAX_DATA) {
            red_log_warn("sasl: client step of %u bytes", n);
            return RED_SASL_FAILED;
        }
        s->want = n;
        if (n == 0) {
            return sasl_exchange(s);
        }
        s->data = g_malloc(n);
        s->state = SASL_READ_DATA;
        return RED_SASL_CONTINUE;
    case SASL_READ_DATA:
        return sasl_exchange(s);
    }
    return RED_SASL_FAILED;
}
