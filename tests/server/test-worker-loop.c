// SPDX-License-Identifier: GPL-2.0-or-later
/* test-worker-loop: the display worker's own GLib sources
 * (red-worker-loop.h), on a context of the test's thread.
 *  - an fd source (red_fd_source_new) runs its callback each time its fd is
 *    readable, and a dispatch costs no write of ours beyond the test's own:
 *    a plain g_unix_fd_source makes GLib write its wakeup eventfd twice per
 *    dispatch (the second half checks that the measure sees it);
 *  - a ready source runs once per arming, at once (0) or at its time, never
 *    when disarmed, and arming it writes nothing.
 * Writes are counted by the thread's syscw (/proc/thread-self/io). */
#include "config.h"

#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <glib.h>
#include <glib-unix.h>

#include "red-worker-loop.h"
#include "test-util.h"

#define ROUNDS 200

/* The write syscalls this thread has made, or -1 where the kernel keeps no
 * count. */
static long thread_writes(void)
{
    FILE *f = fopen("/proc/thread-self/io", "r");
    if (f == NULL) {
        return -1;
    }
    char line[128];
    long n = -1;
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "syscw: %ld", &n) == 1) {
            break;
        }
    }
    fclose(f);
    return n;
}

static gboolean on_fd(gint fd, GIOCondition cond, gpointer data)
{
    uint64_t v;
    (void)cond;
    if (read(fd, &v, sizeof(v)) == sizeof(v)) {
        (*(unsigned *)data)++;
    }
    return G_SOURCE_CONTINUE;
}

/* Signals the eventfd and turns the loop ROUNDS times; returns the writes
 * made beyond the ROUNDS of the signals (or -1: no count). */
static long extra_writes_per_round(GMainContext *ctx, int fd, unsigned *calls)
{
    /* Settle first: attaching may have signalled the context already. */
    while (g_main_context_iteration(ctx, FALSE)) {
    }
    long before = thread_writes();
    for (unsigned i = 0; i < ROUNDS; i++) {
        uint64_t one = 1;
        CHECK(write(fd, &one, sizeof(one)) == sizeof(one));
        /* Until the callback ran: the wakeup a dispatch signals may make
         * one turn return early. */
        for (unsigned seen = *calls; *calls == seen;) {
            g_main_context_iteration(ctx, TRUE);
        }
        while (g_main_context_iteration(ctx, FALSE)) {
        }
    }
    long after = thread_writes();
    return before < 0 || after < 0 ? -1 : (after - before - ROUNDS) / ROUNDS;
}

static void test_fd_source_dispatch_writes_nothing(void)
{
    if (thread_writes() < 0) {
        g_printerr("no /proc/thread-self/io here: the count is skipped\n");
    }
    GMainContext *ctx = g_main_context_new();
    g_main_context_push_thread_default(ctx);
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    CHECK(fd >= 0);

    unsigned calls = 0;
    GSource *ours = red_fd_source_new(ctx, fd, G_IO_IN, on_fd, &calls);
    long extra = extra_writes_per_round(ctx, fd, &calls);
    CHECK(calls == ROUNDS);
    g_printerr("extra writes per dispatch: ours %ld\n", extra);
    CHECK(extra <= 0);
    red_source_clear(&ours);

    /* The measure sees GLib's own: a plain fd source writes per dispatch. */
    calls = 0;
    GSource *plain = g_unix_fd_source_new(fd, G_IO_IN);
    g_source_set_callback(plain, (GSourceFunc)(void (*)(void))on_fd, &calls, NULL);
    g_source_attach(plain, ctx);
    long plain_extra = extra_writes_per_round(ctx, fd, &calls);
    g_printerr("extra writes per dispatch: plain g_unix_fd_source %ld\n", plain_extra);
    CHECK(calls == ROUNDS);
    CHECK(extra < 0 || plain_extra >= 1);
    red_source_clear(&plain);

    close(fd);
    g_main_context_pop_thread_default(ctx);
    g_main_context_unref(ctx);
}

static gboolean on_ready(gpointer data)
{
    (*(unsigned *)data)++;
    return G_SOURCE_CONTINUE;
}

static void test_ready_source_runs_once_per_arming(void)
{
    GMainContext *ctx = g_main_context_new();
    g_main_context_push_thread_default(ctx);
    unsigned calls = 0;
    GSource *s = red_ready_source_new(ctx, G_PRIORITY_DEFAULT, on_ready, &calls);
    CHECK(!red_ready_source_armed(s));
    CHECK(!g_main_context_iteration(ctx, FALSE));
    CHECK(calls == 0);

    long before = thread_writes();
    for (unsigned i = 0; i < ROUNDS; i++) {
        red_ready_source_arm(s, 0);
        CHECK(red_ready_source_armed(s));
        CHECK(g_main_context_iteration(ctx, FALSE));
        CHECK(!red_ready_source_armed(s));
        CHECK(!g_main_context_iteration(ctx, FALSE)); /* once per arming */
    }
    long after = thread_writes();
    CHECK(calls == ROUNDS);
    CHECK(before < 0 || after == before);

    /* Disarmed before its turn: never runs. */
    red_ready_source_arm(s, 0);
    red_ready_source_arm(s, -1);
    CHECK(!g_main_context_iteration(ctx, FALSE));
    CHECK(calls == ROUNDS);

    /* At a time: not before it; a blocking turn waits for it. */
    gint64 t0 = g_get_monotonic_time();
    red_ready_source_arm(s, t0 + 20000);
    if (g_get_monotonic_time() < t0 + 20000) {
        CHECK(!g_main_context_iteration(ctx, FALSE) || g_get_monotonic_time() >= t0 + 20000);
    }
    while (calls == ROUNDS) {
        g_main_context_iteration(ctx, TRUE);
    }
    CHECK(g_get_monotonic_time() >= t0 + 20000);
    CHECK(calls == ROUNDS + 1);

    red_source_clear(&s);
    g_main_context_pop_thread_default(ctx);
    g_main_context_unref(ctx);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_fd_source_dispatch_writes_nothing),
        TEST_CASE(test_ready_source_runs_once_per_arming),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
