/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-tls.c: the TLS server context with OpenSSL. */
#include "config.h"

#include "red-tls.h"

#include <stdbool.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "red-log.h"

/* Logs what failed and OpenSSL's reasons, and empties the error queue. */
static void tls_config_error(const char *what, const char *file)
{
    unsigned long e;
    red_log_warn("tls: %s %s failed", what, file ? file : "");
    while ((e = ERR_get_error()) != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof(buf));
        red_log_warn("tls:   %s", buf);
    }
}

/* The private key's passphrase, handed over only while the key loads. */
static int tls_password_cb(char *buf, int size, int rwflag, void *userdata)
{
    const char *password = userdata;
    (void)rwflag;
    size_t len = password ? strlen(password) : 0;
    if (size <= 0 || len >= (size_t)size) {
        return 0; /* too long for OpenSSL's buffer: a wrong password */
    }
    memcpy(buf, password, len);
    return (int)len;
}

static int tls_load_dh(SSL_CTX *ctx, const char *file)
{
    BIO *bio = BIO_new_file(file, "r");
    EVP_PKEY *dh = bio ? PEM_read_bio_Parameters(bio, NULL) : NULL;
    BIO_free(bio);
    if (dh == NULL || SSL_CTX_set0_tmp_dh_pkey(ctx, dh) != 1) {
        EVP_PKEY_free(dh);
        tls_config_error("loading DH parameters from", file);
        return -1;
    }
    return 0; /* the context owns dh now */
}

static bool is_set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

SSL_CTX *red_tls_context_new(const RedTlsConfig *c)
{
    if (!is_set(c->ca_file) || !is_set(c->cert_file) || !is_set(c->key_file)) {
        red_log_warn("tls: CA, certificate and key files are all required");
        return NULL;
    }
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL) {
        tls_config_error("creating the context", NULL);
        return NULL;
    }
    /* TLS 1.0 and older are broken; renegotiation gives a client a second
     * handshake on an authenticated stream (and the CPU cost of one) for
     * nothing SPICE needs. */
    SSL_CTX_set_min_proto_version(ctx, TLS1_1_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                             SSL_OP_CIPHER_SERVER_PREFERENCE);
    /* A client resuming a TLS session is served from OpenSSL's cache,
     * which wants a context name. */
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"SPICE", 5);
    SSL_CTX_set_default_passwd_cb(ctx, tls_password_cb);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, (void *)c->key_password);
    int ok = 1;
    if (SSL_CTX_use_certificate_chain_file(ctx, c->cert_file) != 1) {
        tls_config_error("loading the certificate chain", c->cert_file);
        ok = 0;
    } else if (SSL_CTX_use_PrivateKey_file(ctx, c->key_file, SSL_FILETYPE_PEM) != 1 ||
               SSL_CTX_check_private_key(ctx) != 1) {
        tls_config_error("loading the private key (wrong password, or not the certificate's key?)",
                         c->key_file);
        ok = 0;
    } else if (SSL_CTX_load_verify_locations(ctx, c->ca_file, NULL) != 1) {
        tls_config_error("loading the CA certificates", c->ca_file);
        ok = 0;
    } else if (is_set(c->dh_file) && tls_load_dh(ctx, c->dh_file) != 0) {
        ok = 0;
    } else if (is_set(c->ciphers) && SSL_CTX_set_cipher_list(ctx, c->ciphers) != 1) {
        tls_config_error("setting the cipher list", c->ciphers);
        ok = 0;
    }
    /* The password must not outlive this call in the context. */
    SSL_CTX_set_default_passwd_cb_userdata(ctx, NULL);
    SSL_CTX_set_default_passwd_cb(ctx, NULL);
    if (!ok) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}
