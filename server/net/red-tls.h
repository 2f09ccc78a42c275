/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-tls.h: the server's TLS context, built once from the files QEMU names
 * with -spice x509-dir=…,tls-ciphers=… (spice_server_set_tls).
 *
 * The context refuses SSLv2/3, TLS 1.0, compression and every
 * renegotiation (a renegotiating client is answered with an alert, never
 * with a second handshake); it does not ask clients for certificates (the
 * CA file is loaded, as spice-server does, for chains only).
 * Thread safety: a built context is read-only and shared by the streams of
 * every thread; build and free it on the main thread.
 */
#ifndef RED_TLS_H
#define RED_TLS_H

#include <openssl/types.h>

typedef struct RedTlsConfig {
    const char *ca_file;        /* PEM CA certificates (required) */
    const char *cert_file;      /* PEM certificate chain of the server (required) */
    const char *key_file;       /* PEM private key (required) */
    const char *key_password;   /* for an encrypted key; NULL or "" for none */
    const char *dh_file;        /* PEM DH parameters; NULL or "": OpenSSL's defaults */
    const char *ciphers;        /* OpenSSL cipher list (TLS <= 1.2); NULL or "": default */
} RedTlsConfig;

/* Loads the files and returns the context, or NULL with every reason
 * logged (which file, OpenSSL's error).  Free with SSL_CTX_free. */
SSL_CTX *red_tls_context_new(const RedTlsConfig *config);

#endif /* RED_TLS_H */
