// SPDX-License-Identifier: GPL-2.0-or-later
/* test-server-core: the pieces of server/core/ on their own, without a
 * client or a worker: the channel registry answers the link policy and
 * keeps the order of CHANNELS_LIST, the session table answers the link
 * policy up to its limit and a session's end reaches every class once, with
 * that session's id, and the main queue delivers what threads post, in order, on the
 * main thread (also what is still queued when it is destroyed); the worker
 * loop's watch keeps its GSource while the mask stays as it was. */
#include "config.h"

#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>
#include <spice.h>

#include "red-channel-registry.h"
#include "red-main-queue.h"
#include "red-session.h"
#include "red-worker-loop.h"
#include "test-util.h"

/* ---- a fake channel class that records what it hears -------------------- */

#define MAX_HEARD 16

typedef struct Journal {
    char heard[MAX_HEARD][32];
    unsigned n;
    RedSessions *sessions;      /* ends the session again from inside, when set */
    uint32_t last_ended;        /* the id the last session_ended carried */
} Journal;

static void journal_add(Journal *j, const char *what, uint8_t type)
{
    if (j->n < MAX_HEARD) {
        g_snprintf(j->heard[j->n++], sizeof(j->heard[0]), "%s %u", what, type);
    }
}

typedef struct FakeClass {
    RedChannelClass cls;
    Journal *journal;
    void *last_instance;
    unsigned links;
} FakeClass;

static void fake_caps(void *opaque, SpiceLinkCaps *caps)
{
    FakeClass *f = opaque;
    spice_link_caps_set(caps->channel, &caps->num_channel, f->cls.type);
}

static void fake_link(void *opaque, void *instance, RedStream *stream,
                      const SpiceLinkRequest *req)
{
    FakeClass *f = opaque;
    (void)req;
    f->links++;
    f->last_instance = instance;
    red_stream_free(stream);
}

static void fake_session_ended(void *opaque, uint32_t session_id, const char *why)
{
    FakeClass *f = opaque;
    (void)why;
    journal_add(f->journal, "ended", f->cls.type);
    f->journal->last_ended = session_id;
    if (f->journal->sessions) {
        /* must be a no-op: the id is void before anyone hears */
        red_sessions_end(f->journal->sessions, session_id, "again");
    }
}

static void fake_close_all(void *opaque, const char *why)
{
    FakeClass *f = opaque;
    (void)why;
    journal_add(f->journal, "close", f->cls.type);
}

static FakeClass fake(uint8_t type, bool opens_session, Journal *j)
{
    FakeClass f = { .cls = { .type = type, .opens_session = opens_session, .caps = fake_caps,
                             .link = fake_link, .session_ended = fake_session_ended,
                             .close_all = fake_close_all },
                    .journal = j };
    return f;
}

static RedStream *new_stream(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        return NULL;
    }
    close(sv[1]);
    return red_stream_new(sv[0]);
}

static SpiceLinkRequest request(uint8_t type, uint8_t id, uint32_t connection_id)
{
    SpiceLinkRequest r;
    memset(&r, 0, sizeof(r));
    r.channel_type = type;
    r.channel_id = id;
    r.connection_id = connection_id;
    return r;
}

/* ---- the registry ---------------------------------------------------------- */

static void test_registry_list_keeps_order(void)
{
    Journal j = { 0 };
    FakeClass mainc = fake(SPICE_CHANNEL_MAIN, true, &j);
    FakeClass inputs = fake(SPICE_CHANNEL_INPUTS, false, &j);
    FakeClass display = fake(SPICE_CHANNEL_DISPLAY, false, &j);
    FakeClass cursor = fake(SPICE_CHANNEL_CURSOR, false, &j);
    RedChannelRegistry *r = red_channel_registry_new();
    CHECK(red_channel_registry_add_class(r, &mainc.cls, &mainc) == 0);
    CHECK(red_channel_registry_add_class(r, &inputs.cls, &inputs) == 0);
    CHECK(red_channel_registry_add_class(r, &display.cls, &display) == 0);
    CHECK(red_channel_registry_add_class(r, &cursor.cls, &cursor) == 0);
    CHECK(red_channel_registry_add_class(r, &cursor.cls, &cursor) == -1); /* type taken */
    CHECK(red_channel_registry_add(r, SPICE_CHANNEL_MAIN, 0, NULL) == -1); /* not listed */
    CHECK(red_channel_registry_add(r, SPICE_CHANNEL_PLAYBACK, 0, NULL) == -1); /* no class */
    CHECK(red_channel_registry_add(r, SPICE_CHANNEL_INPUTS, 0, &inputs) == 0);
    for (uint8_t id = 0; id < 3; id++) {
        CHECK(red_channel_registry_add(r, SPICE_CHANNEL_DISPLAY, id, &display) == 0);
        CHECK(red_channel_registry_add(r, SPICE_CHANNEL_CURSOR, id, &cursor) == 0);
    }
    CHECK(red_channel_registry_add(r, SPICE_CHANNEL_DISPLAY, 1, &display) == -1);
    red_channel_registry_remove(r, SPICE_CHANNEL_DISPLAY, 1);
    red_channel_registry_remove(r, SPICE_CHANNEL_CURSOR, 1);
    red_channel_registry_remove(r, SPICE_CHANNEL_CURSOR, 9); /* absent: nothing */
    CHECK(!red_channel_registry_offers(r, SPICE_CHANNEL_DISPLAY, 1));
    CHECK(red_channel_registry_offers(r, SPICE_CHANNEL_CURSOR, 2));
    CHECK_EQ_U64(red_channel_registry_count(r, SPICE_CHANNEL_DISPLAY), 2);
    CHECK_EQ_U64(red_channel_registry_size(r), 5);

    /* The order of CHANNELS_LIST: inputs, then display and cursor per QXL. */
    const uint8_t want[] = { SPICE_CHANNEL_INPUTS, 0, SPICE_CHANNEL_DISPLAY, 0,
                             SPICE_CHANNEL_CURSOR, 0, SPICE_CHANNEL_DISPLAY, 2,
                             SPICE_CHANNEL_CURSOR, 2 };
    uint8_t got[2 * 8];
    CHECK_EQ_U64(red_channel_registry_list(r, got, 8), 5);
    CHECK_MEM(got, want, sizeof(want));
    CHECK_EQ_U64(red_channel_registry_list(r, got, 2), 2); /* bounded by max */
    red_channel_registry_free(r);
    red_channel_registry_free(NULL);
}

static void test_registry_answers_the_link_policy(void)
{
    Journal j = { 0 };
    FakeClass mainc = fake(SPICE_CHANNEL_MAIN, true, &j);
    FakeClass inputs = fake(SPICE_CHANNEL_INPUTS, false, &j);
    FakeClass display = fake(SPICE_CHANNEL_DISPLAY, false, &j);
    RedChannelRegistry *r = red_channel_registry_new();
    red_channel_registry_add_class(r, &mainc.cls, &mainc);
    red_channel_registry_add_class(r, &inputs.cls, &inputs);
    red_channel_registry_add_class(r, &display.cls, &display);
    int instance = 0;
    red_channel_registry_add(r, SPICE_CHANNEL_INPUTS, 0, &instance);
    red_channel_registry_add(r, SPICE_CHANNEL_DISPLAY, 4, &instance);
    RedSessions *t = red_sessions_new(r);
    const uint32_t sid = red_sessions_begin(t);
    CHECK(sid != 0);
    SpiceLinkRequest req;

    /* The main channel opens a session: any id, no connection id. */
    req = request(SPICE_CHANNEL_MAIN, 7, 99);
    CHECK_EQ_U64(red_sessions_check_link(t, &req), SPICE_LINK_ERR_OK);
    /* Others join a session that is on, checked before the channel. */
    req = request(SPICE_CHANNEL_INPUTS, 0, 0);
    CHECK_EQ_U64(red_sessions_check_link(t, &req), SPICE_LINK_ERR_BAD_CONNECTION_ID);
    req = request(SPICE_CHANNEL_INPUTS, 0, sid + 1);
    CHECK_EQ_U64(red_sessions_check_link(t, &req), SPICE_LINK_ERR_BAD_CONNECTION_ID);
    req = request(SPICE_CHANNEL_INPUTS, 0, sid);
    CHECK_EQ_U64(red_sessions_check_link(t, &req), SPICE_LINK_ERR_OK);
    req = request(SPICE_CHANNEL_INPUTS, 1, sid);
    CHECK_EQ_U64(red_sessions_check_link(t, &req), SPICE_LINK_ERR_CHANNEL_NOT_AVAILABLE);
    req = request(SPICE_CHANNEL_DISPLAY, 4, sid);
    CHECK_EQ_U64(red_sessions_check_link(t, &req), SPICE_LINK_ERR_OK);
    req = request(SPICE_CHANNEL_CURSOR, 4, sid); /* no class */
    CHECK_EQ_U64(red_sessions_check_link(t, &req), SPICE_LINK_ERR_CHANNEL_NOT_AVAILABLE);
    req = request(SPICE_CHANNEL_CURSOR, 4, 0);
    CHECK_EQ_U64(red_sessions_check_link(t, &req), SPICE_LINK_ERR_BAD_CONNECTION_ID);
    /* An ended session's id is refused, whatever the channel. */
    red_sessions_end(t, sid, "gone");
    req = request(SPICE_CHANNEL_DISPLAY, 4, sid);
    CHECK_EQ_U64(red_sessions_check_link(t, &req), SPICE_LINK_ERR_BAD_CONNECTION_ID);
    red_sessions_free(t);

    /* Caps come from the class of the type; none for an unknown type. */
    SpiceLinkCaps caps = { 0 };
    red_channel_registry_caps(r, SPICE_CHANNEL_INPUTS, &caps);
    red_channel_registry_caps(r, SPICE_CHANNEL_USBREDIR, &caps);
    CHECK_EQ_U64(caps.num_channel, 1);
    CHECK(spice_link_caps_has(caps.channel, caps.num_channel, SPICE_CHANNEL_INPUTS));

    /* Linked streams go to the class, with the instance of (type, id). */
    req = request(SPICE_CHANNEL_DISPLAY, 4, sid);
    red_channel_registry_link(r, new_stream(), &req);
    CHECK_EQ_U64(display.links, 1);
    CHECK(display.last_instance == &instance);
    mainc.last_instance = &instance;
    req = request(SPICE_CHANNEL_MAIN, 0, 0);
    red_channel_registry_link(r, new_stream(), &req);
    CHECK_EQ_U64(mainc.links, 1);
    CHECK(mainc.last_instance == NULL);
    /* A stream nobody serves is closed, not leaked (ASan would say). */
    req = request(SPICE_CHANNEL_DISPLAY, 5, sid);
    red_channel_registry_link(r, new_stream(), &req);
    CHECK_EQ_U64(display.links, 1);
    red_channel_registry_free(r);
}

/* ---- the session -------------------------------------------------------------- */

static void test_sessions_up_to_the_limit(void)
{
    Journal j = { 0 };
    FakeClass mainc = fake(SPICE_CHANNEL_MAIN, true, &j);
    RedChannelRegistry *r = red_channel_registry_new();
    red_channel_registry_add_class(r, &mainc.cls, &mainc);
    RedSessions *t = red_sessions_new(r);
    SpiceLinkRequest main_req = request(SPICE_CHANNEL_MAIN, 0, 0);
    uint32_t ids[RED_SESSION_MAX_CLIENTS];

    /* Each new session is on beside the others, with an id of its own. */
    for (unsigned i = 0; i < RED_SESSION_MAX_CLIENTS; i++) {
        CHECK_EQ_U64(red_sessions_check_link(t, &main_req), SPICE_LINK_ERR_OK);
        ids[i] = red_sessions_begin(t);
        CHECK(ids[i] != 0);
        for (unsigned k = 0; k < i; k++) {
            CHECK(ids[k] != ids[i]);
            CHECK(red_sessions_is_open(t, ids[k]));
        }
        CHECK_EQ_U64(red_sessions_count(t), i + 1);
    }
    CHECK_EQ_U64(j.n, 0); /* nobody was ended by a newcomer */
    /* The one past the limit: refused at the link, and no session. */
    CHECK_EQ_U64(red_sessions_check_link(t, &main_req), SPICE_LINK_ERR_CHANNEL_NOT_AVAILABLE);
    CHECK_EQ_U64(red_sessions_begin(t), 0);
    CHECK_EQ_U64(red_sessions_count(t), RED_SESSION_MAX_CLIENTS);
    /* One leaves: its place is free again, the others stay on. */
    red_sessions_end(t, ids[3], "gone");
    CHECK_EQ_U64(j.n, 1);
    CHECK_EQ_U64(j.last_ended, ids[3]);
    CHECK(!red_sessions_is_open(t, ids[3]));
    CHECK(red_sessions_is_open(t, ids[2]) && red_sessions_is_open(t, ids[4]));
    CHECK_EQ_U64(red_sessions_check_link(t, &main_req), SPICE_LINK_ERR_OK);
    CHECK(red_sessions_begin(t) != 0);
    /* Ending them all: each heard once. */
    j.n = 0;
    red_sessions_end_all(t, "ticket changed");
    CHECK_EQ_U64(j.n, RED_SESSION_MAX_CLIENTS);
    CHECK_EQ_U64(red_sessions_count(t), 0);
    CHECK(!red_sessions_is_open(t, 0));
    red_sessions_free(t);
    red_channel_registry_free(r);
}

static void test_session_end_reaches_every_class_once(void)
{
    Journal j = { 0 };
    FakeClass mainc = fake(SPICE_CHANNEL_MAIN, true, &j);
    FakeClass inputs = fake(SPICE_CHANNEL_INPUTS, false, &j);
    FakeClass display = fake(SPICE_CHANNEL_DISPLAY, false, &j);
    display.cls.session_ended = NULL; /* a class with nothing to drop */
    RedChannelRegistry *r = red_channel_registry_new();
    red_channel_registry_add_class(r, &mainc.cls, &mainc);
    red_channel_registry_add_class(r, &inputs.cls, &inputs);
    red_channel_registry_add_class(r, &display.cls, &display);
    RedSessions *t = red_sessions_new(r);
    j.sessions = t; /* every handler ends the session again, as main does */

    CHECK_EQ_U64(red_sessions_count(t), 0);
    red_sessions_end(t, 0, "none on"); /* nothing to end: nobody hears */
    red_sessions_end(t, 0x1234, "not on");
    CHECK_EQ_U64(j.n, 0);
    uint32_t first = red_sessions_begin(t);
    CHECK(first != 0);
    CHECK(red_sessions_is_open(t, first));
    /* A new client ends nothing. */
    uint32_t second = red_sessions_begin(t);
    CHECK(second != 0 && second != first);
    CHECK_EQ_U64(j.n, 0);
    CHECK_EQ_U64(red_sessions_count(t), 2);
    /* The first one's end: each class hears it once, with its id. */
    red_sessions_end(t, first, "gone");
    CHECK_EQ_U64(j.n, 2);
    CHECK(strcmp(j.heard[0], "ended 1") == 0);
    CHECK(strcmp(j.heard[1], "ended 3") == 0);
    CHECK_EQ_U64(j.last_ended, first);
    CHECK(!red_sessions_is_open(t, first));
    CHECK(red_sessions_is_open(t, second));
    red_sessions_end(t, first, "gone again");
    CHECK_EQ_U64(j.n, 2);
    red_sessions_end(t, second, "gone");
    CHECK_EQ_U64(red_sessions_count(t), 0);
    CHECK_EQ_U64(j.n, 4);

    /* Teardown closes in the reverse order of set-up. */
    j.n = 0;
    red_channel_registry_close_all(r, "server destroyed");
    CHECK_EQ_U64(j.n, 3);
    CHECK(strcmp(j.heard[0], "close 2") == 0);
    CHECK(strcmp(j.heard[1], "close 3") == 0);
    CHECK(strcmp(j.heard[2], "close 1") == 0);
    red_sessions_free(t);
    red_sessions_free(NULL);
    red_channel_registry_free(r);
}

/* ---- the main queue ----------------------------------------------------------- */

#define POSTERS 2
#define POSTS_PER_THREAD 500

typedef struct Delivery {
    GThread *main_thread;
    unsigned count, wrong_thread, out_of_order;
    uint32_t next[POSTERS];     /* the next height expected of each poster */
} Delivery;

static void on_event(void *opaque, const RedMainEvent *e)
{
    Delivery *d = opaque;
    d->count++;
    d->wrong_thread += g_thread_self() != d->main_thread;
    if (e->type == RED_MAIN_EVENT_PRIMARY_SIZE && e->u.size.width < POSTERS) {
        uint32_t poster = e->u.size.width;
        d->out_of_order += e->u.size.height != d->next[poster];
        d->next[poster] = e->u.size.height + 1;
    }
}

typedef struct Poster {
    RedMainQueue *queue;
    uint32_t id;
} Poster;

static gpointer post_thread(gpointer data)
{
    Poster *p = data;
    for (uint32_t i = 0; i < POSTS_PER_THREAD; i++) {
        RedMainEvent e = { .type = RED_MAIN_EVENT_PRIMARY_SIZE, .u.size = { p->id, i } };
        red_main_queue_post(p->queue, &e);
    }
    return NULL;
}

static void test_main_queue_delivers_in_order_on_main(void)
{
    GMainContext *context = g_main_context_new();
    RedWorkerLoop *loop = red_worker_loop_new(context);
    Delivery d = { .main_thread = g_thread_self() };
    RedMainQueue *q = red_main_queue_new(red_worker_loop_core(loop), on_event, &d);
    CHECK(q != NULL);
    Poster posters[POSTERS];
    GThread *threads[POSTERS];
    for (uint32_t i = 0; i < POSTERS; i++) {
        posters[i] = (Poster){ q, i };
        threads[i] = g_thread_new("poster", post_thread, &posters[i]);
    }
    for (uint32_t i = 0; i < POSTERS; i++) {
        g_thread_join(threads[i]);
    }
    /* The wake-up pipe brings them to the main loop. */
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (d.count < POSTERS * POSTS_PER_THREAD && g_get_monotonic_time() < deadline) {
        g_main_context_iteration(context, FALSE);
    }
    CHECK_EQ_U64(d.count, POSTERS * POSTS_PER_THREAD);
    CHECK_EQ_U64(d.wrong_thread, 0);
    CHECK_EQ_U64(d.out_of_order, 0);

    /* What is still queued is delivered when the queue goes. */
    RedMainEvent e = { .type = RED_MAIN_EVENT_PRIMARY_SIZE, .u.size = { 99, 0 } };
    red_main_queue_post(q, &e);
    red_main_queue_free(q);
    CHECK_EQ_U64(d.count, POSTERS * POSTS_PER_THREAD + 1);
    red_main_queue_free(NULL);
    red_worker_loop_free(loop);
    g_main_context_unref(context);
}

/* ---- the worker loop's watches ------------------------------------------- */

typedef struct WatchSeen {
    int events;
    unsigned calls;
} WatchSeen;

static void on_watch(int fd, int event, void *opaque)
{
    WatchSeen *seen = opaque;
    (void)fd;
    seen->events |= event;
    seen->calls++;
}

/* A channel client sets its watch's mask after every message it sends,
 * mostly to what it was; the loop must not recreate the source then (each
 * recreation wakes the worker's own context twice).  A real change must
 * still take effect. */
static void test_worker_watch_keeps_source_for_same_mask(void)
{
    GMainContext *context = g_main_context_new();
    RedWorkerLoop *loop = red_worker_loop_new(context);
    const SpiceCoreInterface *core = red_worker_loop_core(loop);
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    WatchSeen seen = { 0 };
    SpiceWatch *w = core->watch_add(sv[0], SPICE_WATCH_EVENT_READ, on_watch, &seen);
    CHECK(w != NULL);
    GSource *before = g_main_context_find_source_by_user_data(context, w);
    CHECK(before != NULL);
    core->watch_update_mask(w, SPICE_WATCH_EVENT_READ);
    CHECK(g_main_context_find_source_by_user_data(context, w) == before);

    /* Nothing to read: no call.  WRITE added: the socket is writable. */
    g_main_context_iteration(context, FALSE);
    CHECK_EQ_U64(seen.calls, 0);
    core->watch_update_mask(w, SPICE_WATCH_EVENT_READ | SPICE_WATCH_EVENT_WRITE);
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (seen.calls == 0 && g_get_monotonic_time() < deadline) {
        g_main_context_iteration(context, FALSE);
    }
    CHECK(seen.events & SPICE_WATCH_EVENT_WRITE);

    /* Back to READ: a byte from the peer is seen, and WRITE no more. */
    core->watch_update_mask(w, SPICE_WATCH_EVENT_READ);
    seen = (WatchSeen){ 0 };
    CHECK(write(sv[1], "x", 1) == 1);
    deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (seen.calls == 0 && g_get_monotonic_time() < deadline) {
        g_main_context_iteration(context, FALSE);
    }
    CHECK_EQ_U64(seen.events, SPICE_WATCH_EVENT_READ);

    core->watch_remove(w);
    CHECK(g_main_context_find_source_by_user_data(context, w) == NULL);
    close(sv[0]);
    close(sv[1]);
    red_worker_loop_free(loop);
    g_main_context_unref(context);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_registry_list_keeps_order),
        TEST_CASE(test_registry_answers_the_link_policy),
        TEST_CASE(test_sessions_up_to_the_limit),
        TEST_CASE(test_session_end_reaches_every_class_once),
        TEST_CASE(test_main_queue_delivers_in_order_on_main),
        TEST_CASE(test_worker_watch_keeps_source_for_same_mask),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
