/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* reds-security.c: spice_server_set_tls, spice_server_set_channel_security,
 * spice_server_set_sasl(_appname), and the check every link goes through. */
#include "config.h"

#include "reds-security.h"

#include <string.h>

#include <openssl/ssl.h>

#include "red-log.h"
#include "red-sasl.h"
#include "red-tls.h"

void reds_security_init(RedsState *reds)
{
    reds->tls_port = -1;
    reds->tls_listen_fd = -1;
    /* As spice-server: unless told otherwise, a channel takes both. */
    reds->default_security = SPICE_CHANNEL_SECURITY_NONE | SPICE_CHANNEL_SECURITY_SSL;
}

static void reds_tls_clear(RedsState *reds)
{
    g_free(reds->tls_ca_file);
    g_free(reds->tls_cert_file);
    g_free(reds->tls_key_file);
    if (reds->tls_key_password) {
        memset(reds->tls_key_password, 0, strlen(reds->tls_key_password));
        g_free(reds->tls_key_password);
    }
    g_free(reds->tls_dh_file);
    g_free(reds->tls_ciphers);
    reds->tls_ca_file = reds->tls_cert_file = reds->tls_key_file = NULL;
    reds->tls_key_password = reds->tls_dh_file = reds->tls_ciphers = NULL;
}

int reds_security_start(RedsState *reds)
{
    if (reds->sasl) {
        if (red_sasl_global_init(reds->sasl_appname ? reds->sasl_appname : "spice") != 0) {
            return -1;
        }
        if (reds->tls_port <= 0) {
            red_log_warn("SASL is on but there is no TLS port: SASL runs over TLS only, "
                         "so no client can log in");
        }
    }
    if (reds->tls_port <= 0) {
        return 0;
    }
    RedTlsConfig config = {
        .ca_file = reds->tls_ca_file, .cert_file = reds->tls_cert_file,
        .key_file = reds->tls_key_file, .key_password = reds->tls_key_password,
        .dh_file = reds->tls_dh_file, .ciphers = reds->tls_ciphers,
    };
    reds->tls_ctx = red_tls_context_new(&config);
    return reds->tls_ctx ? 0 : -1;
}

void reds_security_finish(RedsState *reds)
{
    SSL_CTX_free(reds->tls_ctx);
    reds->tls_ctx = NULL;
    reds_tls_clear(reds);
    g_free(reds->sasl_appname);
    reds->sasl_appname = NULL;
}

uint32_t reds_security_check(const RedsState *reds, uint8_t channel_type, bool tls)
{
    uint32_t allowed = reds->default_security;
    if (channel_type < SPICE_END_CHANNEL && reds->channel_security_set[channel_type]) {
        allowed = reds->channel_security[channel_type];
    }
    if (allowed & (tls ? SPICE_CHANNEL_SECURITY_SSL : SPICE_CHANNEL_SECURITY_NONE)) {
        return SPICE_LINK_ERR_OK;
    }
    return tls ? SPICE_LINK_ERR_NEED_UNSECURED : SPICE_LINK_ERR_NEED_SECURED;
}

/* TLS port and files, as QEMU's -spice tls-port=,x509-dir=,tls-ciphers=
 * pass them: -1 for port 0 or out of range, or a missing CA, certificate
 * or key file name (spice-server's checks).  The files are read by
 * spice_server_init, which fails if they are unusable. */
RED_EXPORT int spice_server_set_tls(SpiceServer *reds, int port,
                                    const char *ca_cert_file, const char *certs_file,
                                    const char *private_key_file, const char *key_passwd,
                                    const char *dh_key_file, const char *ciphersuite)
{
    if (port <= 0 || port > 0xffff || ca_cert_file == NULL || certs_file == NULL ||
        private_key_file == NULL) {
        return -1;
    }
    reds_tls_clear(reds);
    reds->tls_port = port;
    reds->tls_ca_file = g_strdup(ca_cert_file);
    reds->tls_cert_file = g_strdup(certs_file);
    reds->tls_key_file = g_strdup(private_key_file);
    reds->tls_key_password = g_strdup(key_passwd);
    reds->tls_dh_file = g_strdup(dh_key_file);
    reds->tls_ciphers = g_strdup(ciphersuite);
    return 0;
}

/* The channel names spice-server knows (QEMU's tls-channel= and
 * plaintext-channel= values), indexed by SPICE_CHANNEL_*. */
static const char *const reds_channel_names[SPICE_END_CHANNEL] = {
    [SPICE_CHANNEL_MAIN] = "main",
    [SPICE_CHANNEL_DISPLAY] = "display",
    [SPICE_CHANNEL_INPUTS] = "inputs",
    [SPICE_CHANNEL_CURSOR] = "cursor",
    [SPICE_CHANNEL_PLAYBACK] = "playback",
    [SPICE_CHANNEL_RECORD] = "record",
    [SPICE_CHANNEL_SMARTCARD] = "smartcard",
    [SPICE_CHANNEL_USBREDIR] = "usbredir",
    [SPICE_CHANNEL_WEBDAV] = "webdav",
};

/* Which ways (SPICE_CHANNEL_SECURITY_* bits) a channel may be linked;
 * channel NULL sets the default of the channels not named.  -1 for an
 * unknown name.  A link the setting forbids is answered NEED_SECURED or
 * NEED_UNSECURED, so the client retries on the other port. */
RED_EXPORT int spice_server_set_channel_security(SpiceServer *reds, const char *channel,
                                                 int security)
{
    if (channel == NULL) {
        reds->default_security = (uint32_t)security;
        return 0;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(reds_channel_names); i++) {
        if (reds_channel_names[i] && strcmp(reds_channel_names[i], channel) == 0) {
            reds->channel_security[i] = (uint32_t)security;
            reds->channel_security_set[i] = true;
            return 0;
        }
    }
    red_log_warn("channel security: unknown channel \"%s\"", channel);
    return -1;
}

/* SASL (Cyrus, configured by APPNAME.conf) instead of the ticket: links
 * advertise AUTH_SASL and no longer take a ticket.  Only over TLS: a plain
 * link is answered NEED_SECURED (see red-sasl.h).  Always 0. */
RED_EXPORT int spice_server_set_sasl(SpiceServer *reds, int enabled)
{
    reds->sasl = enabled != 0;
    return 0;
}

/* The SASL application name (QEMU: "qemu"); NULL for "spice".  Read by
 * spice_server_init: Cyrus SASL has one configuration per process, the
 * first initialised server's.  Always 0. */
RED_EXPORT int spice_server_set_sasl_appname(SpiceServer *reds, const char *appname)
{
    g_free(reds->sasl_appname);
    reds->sasl_appname = g_strdup(appname);
    return 0;
}
