/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-tls-client.h: the client side of TLS for server tests, with OpenSSL.
 *
 * test_tls_connect gives a blocking SSL connection (for hostile peers that
 * speak TLS by hand); a TestTlsTunnel turns one into a plain socket, so the
 * SPICE client of test-client.h links and talks over TLS unchanged: a
 * thread moves bytes between the socket handed to the test and the SSL
 * connection.  Every wait is bounded by the timeout given (socket
 * timeouts), and the tunnel ends when either side closes.
 */
#ifndef TEST_TLS_CLIENT_H
#define TEST_TLS_CLIENT_H

#include <openssl/ssl.h>

/* A client context that trusts ca_file only (and checks that the server's
 * certificate is for 127.0.0.1).  max_version 0: any; else e.g.
 * TLS1_2_VERSION.  ciphers NULL: OpenSSL's default.  NULL on error. */
SSL_CTX *test_tls_client_ctx(const char *ca_file, int max_version, const char *ciphers);

/* Connects to 127.0.0.1:port and completes the handshake within
 * timeout_ms.  Returns the SSL (its fd: SSL_get_fd), or NULL (nothing to
 * free).  Free with test_tls_close. */
SSL *test_tls_connect(SSL_CTX *ctx, int port, unsigned timeout_ms);
/* The same on a connected socket (ownership passes; closed on failure). */
SSL *test_tls_connect_fd(SSL_CTX *ctx, int fd, unsigned timeout_ms);
void test_tls_close(SSL *ssl); /* closes the socket too; NULL ok */

/* Makes a CA, a server certificate for 127.0.0.1 and DH parameters in a
 * new temporary folder with tls-certs.sh (found through $srcdir), the key
 * encrypted with key_password unless NULL.  Returns the folder, or NULL. */
char *test_tls_make_certs(const char *key_password);
/* The path of file name in that folder (g_free it). */
char *test_tls_cert_file(const char *dir, const char *name);
/* Removes the folder and frees dir.  NULL ok. */
void test_tls_remove_certs(char *dir);

/* OpenSSL's client sockets write with write(2), so a server that closes
 * raises SIGPIPE in the writing thread.  Blocks it in the calling thread
 * and the threads it creates afterwards (tunnels): call it after the
 * server's thread started, so that a SIGPIPE the server raises still
 * kills the test. */
void test_tls_block_sigpipe(void);

typedef struct TestTlsTunnel TestTlsTunnel;

/* Connects over TLS and returns the tunnel; *fd is the plain end for the
 * test (closing it, or test_tls_tunnel_free, ends the tunnel).  When the
 * server closes the connection, *fd reads EOF.  NULL if the handshake
 * failed. */
TestTlsTunnel *test_tls_tunnel_new(SSL_CTX *ctx, int port, unsigned timeout_ms, int *fd);
/* The same on a connected socket (ownership passes; closed on failure). */
TestTlsTunnel *test_tls_tunnel_new_fd(SSL_CTX *ctx, int sock, unsigned timeout_ms, int *fd);
/* Ends the tunnel and frees it (the test's fd stays the test's). NULL ok. */
void test_tls_tunnel_free(TestTlsTunnel *t);

#endif /* TEST_TLS_CLIENT_H */
