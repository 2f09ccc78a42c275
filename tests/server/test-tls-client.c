/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-tls-client.c: TLS connections and tunnels for server tests. */
#include "config.h"

#include "test-tls-client.h"

#include <errno.h>
#include <stdio.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "test-client.h"

SSL_CTX *test_tls_client_ctx(const char *ca_file, int max_version, const char *ciphers)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL) {
        return NULL;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1 ||
        (max_version && SSL_CTX_set_max_proto_version(ctx, max_version) != 1) ||
        (ciphers && SSL_CTX_set_cipher_list(ctx, ciphers) != 1)) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    /* Bytes that arrive for the tunnel must come back to poll(), not block
     * inside SSL_read behind a session ticket. */
    SSL_CTX_clear_mode(ctx, SSL_MODE_AUTO_RETRY);
    return ctx;
}

static void set_socket_timeout(int fd, unsigned timeout_ms)
{
    struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

SSL *test_tls_connect(SSL_CTX *ctx, int port, unsigned timeout_ms)
{
    int fd = test_client_connect(port, 0);
    return fd < 0 ? NULL : test_tls_connect_fd(ctx, fd, timeout_ms);
}

SSL *test_tls_connect_fd(SSL_CTX *ctx, int fd, unsigned timeout_ms)
{
    set_socket_timeout(fd, timeout_ms);
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL || SSL_set_fd(ssl, fd) != 1 ||
        SSL_set1_host(ssl, "127.0.0.1") != 1) {
        SSL_free(ssl);
        close(fd);
        return NULL;
    }
    int r;
    /* Without AUTO_RETRY a blocking handshake may still ask to be retried. */
    while ((r = SSL_connect(ssl)) != 1) {
        int err = SSL_get_error(ssl, r);
        if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
            SSL_free(ssl);
            close(fd);
            ERR_clear_error();
            return NULL;
        }
    }
    return ssl;
}

void test_tls_close(SSL *ssl)
{
    if (ssl == NULL) {
        return;
    }
    int fd = SSL_get_fd(ssl);
    SSL_free(ssl);
    close(fd);
    ERR_clear_error();
}

char *test_tls_make_certs(const char *key_password)
{
    const char *srcdir = g_getenv("srcdir");
    char *script = g_build_filename(srcdir ? srcdir : ".", "server", "tls-certs.sh", NULL);
    char *dir = g_dir_make_tmp("s3d-test-tls-XXXXXX", NULL);
    char *argv[] = { "sh", script, dir, (char *)key_password, NULL };
    int status = -1;
    if (dir == NULL ||
        !g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status,
                      NULL) ||
        !g_spawn_check_wait_status(status, NULL)) {
        fprintf(stderr, "cannot make the test certificates with %s\n", script);
        test_tls_remove_certs(dir);
        dir = NULL;
    }
    g_free(script);
    return dir;
}

char *test_tls_cert_file(const char *dir, const char *name)
{
    return g_build_filename(dir, name, NULL);
}

void test_tls_remove_certs(char *dir)
{
    static const char *const files[] = { "ca-cert.pem", "ca-key.pem", "server-cert.pem",
                                         "server-key.pem", "dh.pem" };
    if (dir == NULL) {
        return;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        char *p = test_tls_cert_file(dir, files[i]);
        g_unlink(p);
        g_free(p);
    }
    g_rmdir(dir);
    g_free(dir);
}

void test_tls_block_sigpipe(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

struct TestTlsTunnel {
    SSL *ssl;
    int inner;                  /* our end of the test's socket pair */
    GThread *thread;
};

/* Writes all n bytes to the TLS side; false on error, or when the server
 * took nothing for the socket timeout (the socket is blocking). */
static bool tunnel_send(SSL *ssl, const uint8_t *p, size_t n)
{
    while (n > 0) {
        int w = SSL_write(ssl, p, (int)n);
        if (w <= 0) {
            return false;
        }
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static gpointer tunnel_thread(gpointer data)
{
    TestTlsTunnel *t = data;
    int tcp = SSL_get_fd(t->ssl);
    uint8_t buf[16384];
    for (;;) {
        struct pollfd p[2] = { { .fd = t->inner, .events = POLLIN }, { .fd = tcp, .events = POLLIN } };
        if (SSL_pending(t->ssl) == 0 && poll(p, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        if (SSL_pending(t->ssl) > 0 || p[1].revents) {
            int r = SSL_read(t->ssl, buf, sizeof(buf));
            if (r > 0) {
                if (test_client_write_all(t->inner, buf, (size_t)r) != 0) {
                    break;
                }
            } else if (SSL_get_error(t->ssl, r) != SSL_ERROR_WANT_READ) {
                break; /* the server closed, or broke TLS */
            }
        }
        if (p[0].revents) {
            ssize_t r = read(t->inner, buf, sizeof(buf));
            if (r <= 0 || !tunnel_send(t->ssl, buf, (size_t)r)) {
                break; /* the test closed its end */
            }
        }
    }
    /* The test reads EOF, as from a server that closed. */
    shutdown(t->inner, SHUT_RDWR);
    shutdown(tcp, SHUT_RDWR);
    ERR_clear_error();
    return NULL;
}

TestTlsTunnel *test_tls_tunnel_new(SSL_CTX *ctx, int port, unsigned timeout_ms, int *fd)
{
    int tcp = test_client_connect(port, 0);
    return tcp < 0 ? NULL : test_tls_tunnel_new_fd(ctx, tcp, timeout_ms, fd);
}

TestTlsTunnel *test_tls_tunnel_new_fd(SSL_CTX *ctx, int sock, unsigned timeout_ms, int *fd)
{
    int pair[2];
    SSL *ssl = test_tls_connect_fd(ctx, sock, timeout_ms);
    if (ssl == NULL) {
        return NULL;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        test_tls_close(ssl);
        return NULL;
    }
    TestTlsTunnel *t = g_new0(TestTlsTunnel, 1);
    t->ssl = ssl;
    t->inner = pair[1];
    t->thread = g_thread_new("tls-tunnel", tunnel_thread, t);
    *fd = pair[0];
    return t;
}

void test_tls_tunnel_free(TestTlsTunnel *t)
{
    if (t == NULL) {
        return;
    }
    shutdown(t->inner, SHUT_RDWR); /* wakes the thread's poll */
    g_thread_join(t->thread);
    close(t->inner);
    test_tls_close(t->ssl);
    g_free(t);
}
