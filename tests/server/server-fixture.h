/* SPDX-License-Identifier: GPL-2.0-or-later */
/* server-fixture.h: our server (libserver-core) on its own thread and GLib
 * loop, on random 127.0.0.1 ports, for tests that play clients with
 * blocking sockets (test-client.h) from the test thread.
 *
 * The server is configured by a callback on its thread before
 * spice_server_init; ports taken by someone else are retried.  Anything
 * else the test asks of the server runs on the server's thread through
 * server_fixture_call, as the API demands (main thread only).
 */
#ifndef SERVER_FIXTURE_H
#define SERVER_FIXTURE_H

#include <stdbool.h>

#include <glib.h>
#include <spice.h>

typedef struct ServerFixture ServerFixture;

/* Called on the server thread after spice_server_new, with the plain and
 * TLS port numbers the fixture picked; returns 0, or -1 to fail the start. */
typedef int (*ServerFixtureConfigure)(SpiceServer *server, int port, int tls_port, void *opaque);

struct ServerFixture {
    GThread *thread;
    GMainContext *context;
    GMainLoop *loop;
    SpiceServer *server;
    int port, tls_port;
    ServerFixtureConfigure configure;
    void *opaque;
    GMutex lock;
    GCond cond;
    bool ready;
    int init_result;
    GString *keys;              /* scancodes the keyboard received, "1e 9e " */
    SpiceKbdInstance kbd;
};

/* Starts a server (ticket "secret" unless configure changes it, a test
 * keyboard) on fresh ports.  Returns 0, or -1 when spice_server_init fails
 * on every attempt (the last result stays in f->init_result). */
int server_fixture_start(ServerFixture *f, ServerFixtureConfigure configure, void *opaque);
/* One attempt only: for a configuration that must fail (a port taken by
 * chance fails it too, rarely). */
int server_fixture_try_start(ServerFixture *f, ServerFixtureConfigure configure, void *opaque);
void server_fixture_stop(ServerFixture *f);

/* Runs fn(server, data) on the server thread and returns its result. */
int server_fixture_call(ServerFixture *f, int (*fn)(SpiceServer *server, void *data), void *data);

/* Waits at most timeout_ms for `keys` to appear in what the keyboard got. */
bool server_fixture_wait_keys(ServerFixture *f, const char *keys, unsigned timeout_ms);

#endif /* SERVER_FIXTURE_H */
