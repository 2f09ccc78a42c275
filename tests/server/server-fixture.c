/* SPDX-License-Identifier: GPL-2.0-or-later */
/* server-fixture.c: our server on its own thread, for client-side tests. */
#include "config.h"

#include "server-fixture.h"

#include <string.h>

#include "red-worker-loop.h"

static ServerFixture *fixture_of(SpiceKbdInstance *sin)
{
    return SPICE_CONTAINEROF(sin, ServerFixture, kbd);
}

static void kbd_push(SpiceKbdInstance *sin, uint8_t frag)
{
    ServerFixture *f = fixture_of(sin);
    g_mutex_lock(&f->lock);
    g_string_append_printf(f->keys, "%02x ", frag);
    g_cond_broadcast(&f->cond);
    g_mutex_unlock(&f->lock);
}

static uint8_t kbd_leds(SpiceKbdInstance *sin)
{
    (void)sin;
    return 0;
}

static const SpiceKbdInterface kbd_interface = {
    .base = { .type = SPICE_INTERFACE_KEYBOARD, .description = "test keyboard",
              .major_version = SPICE_INTERFACE_KEYBOARD_MAJOR,
              .minor_version = SPICE_INTERFACE_KEYBOARD_MINOR },
    .push_scan_freg = kbd_push,
    .get_leds = kbd_leds,
};

static gpointer server_thread(gpointer data)
{
    ServerFixture *f = data;
    g_main_context_push_thread_default(f->context);
    RedWorkerLoop *loop = red_worker_loop_new(f->context);
    f->server = spice_server_new();
    spice_server_set_addr(f->server, "127.0.0.1", SPICE_ADDR_FLAG_IPV4_ONLY);
    spice_server_set_port(f->server, f->port);
    spice_server_set_ticket(f->server, "secret", 0, 0, 0);
    int ret = f->configure ? f->configure(f->server, f->port, f->tls_port, f->opaque) : 0;
    if (ret == 0) {
        ret = spice_server_init(f->server, (SpiceCoreInterface *)red_worker_loop_core(loop));
    }
    if (ret == 0) {
        f->kbd.base.sif = &kbd_interface.base;
        ret = spice_server_add_interface(f->server, &f->kbd.base);
    }
    g_mutex_lock(&f->lock);
    f->init_result = ret;
    f->ready = true;
    g_cond_broadcast(&f->cond);
    g_mutex_unlock(&f->lock);
    if (ret == 0) {
        g_main_loop_run(f->loop);
    }
    spice_server_destroy(f->server);
    red_worker_loop_free(loop);
    g_main_context_pop_thread_default(f->context);
    return NULL;
}

static gboolean quit_loop(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_REMOVE;
}

static void fixture_join(ServerFixture *f)
{
    g_thread_join(f->thread);
    g_main_loop_unref(f->loop);
    g_main_context_unref(f->context);
}

static int fixture_start(ServerFixture *f, ServerFixtureConfigure configure, void *opaque,
                         int attempts)
{
    memset(f, 0, sizeof(*f));
    g_mutex_init(&f->lock);
    g_cond_init(&f->cond);
    f->keys = g_string_new("");
    f->configure = configure;
    f->opaque = opaque;
    for (int attempt = 0; attempt < attempts; attempt++) {
        f->port = 20000 + (int)(g_random_int() % 20000);
        f->tls_port = f->port + 1;
        f->ready = false;
        f->context = g_main_context_new();
        f->loop = g_main_loop_new(f->context, FALSE);
        f->thread = g_thread_new("test-server", server_thread, f);
        g_mutex_lock(&f->lock);
        while (!f->ready) {
            g_cond_wait(&f->cond, &f->lock);
        }
        g_mutex_unlock(&f->lock);
        if (f->init_result == 0) {
            return 0;
        }
        fixture_join(f); /* a port was taken (or the configuration is bad): again */
    }
    g_string_free(f->keys, TRUE);
    g_mutex_clear(&f->lock);
    g_cond_clear(&f->cond);
    return -1;
}

int server_fixture_start(ServerFixture *f, ServerFixtureConfigure configure, void *opaque)
{
    return fixture_start(f, configure, opaque, 20);
}

int server_fixture_try_start(ServerFixture *f, ServerFixtureConfigure configure, void *opaque)
{
    return fixture_start(f, configure, opaque, 1);
}

void server_fixture_stop(ServerFixture *f)
{
    GSource *s = g_idle_source_new();
    g_source_set_callback(s, quit_loop, f->loop, NULL);
    g_source_attach(s, f->context);
    g_source_unref(s);
    fixture_join(f);
    g_string_free(f->keys, TRUE);
    g_mutex_clear(&f->lock);
    g_cond_clear(&f->cond);
}

typedef struct FixtureCall {
    ServerFixture *f;
    int (*fn)(SpiceServer *server, void *data);
    void *data;
    int result;
    bool done;
} FixtureCall;

static gboolean run_call(gpointer p)
{
    FixtureCall *c = p;
    int result = c->fn(c->f->server, c->data);
    g_mutex_lock(&c->f->lock);
    c->result = result;
    c->done = true;
    g_cond_broadcast(&c->f->cond);
    g_mutex_unlock(&c->f->lock);
    return G_SOURCE_REMOVE;
}

int server_fixture_call(ServerFixture *f, int (*fn)(SpiceServer *server, void *data), void *data)
{
    FixtureCall c = { .f = f, .fn = fn, .data = data };
    GSource *s = g_idle_source_new();
    g_source_set_callback(s, run_call, &c, NULL);
    g_source_attach(s, f->context);
    g_source_unref(s);
    /* The loop runs until the fixture stops, so the call always comes. */
    g_mutex_lock(&f->lock);
    while (!c.done) {
        g_cond_wait(&f->cond, &f->lock);
    }
    g_mutex_unlock(&f->lock);
    return c.result;
}

bool server_fixture_wait_keys(ServerFixture *f, const char *keys, unsigned timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    g_mutex_lock(&f->lock);
    bool found;
    while (!(found = strstr(f->keys->str, keys) != NULL)) {
        if (!g_cond_wait_until(&f->cond, &f->lock, deadline)) {
            found = strstr(f->keys->str, keys) != NULL;
            break;
        }
    }
    g_mutex_unlock(&f->lock);
    return found;
}
