/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench-display: drawables per second of a libspice-server (Debian's or
 * ours, whichever this binary links) under one of the guest workloads of
 * bench-scenes.h, and the bytes a client receives per drawable.
 *
 * A fake QXL device (tests/server/fake-qxl.h) with a WIDTHxHEIGHT primary
 * plays the guest, each frame being the scene's batch of drawables, paced by
 * one of two barriers:
 *   flush     each frame is followed by spice_qxl_flush_surfaces_async and
 *             a wait for its completion, so a frame counts only once the
 *             server has taken and rendered it into guest memory;
 *   ring      frames are pushed as a QXL guest's driver pushes them: a frame
 *             waits only for room in the command ring (QXL_COMMAND_RING_SIZE
 *             commands not yet fetched), and one flush, waited for, ends the
 *             warm-up and the timed frames, so the last frame still counts
 *             only once it is in guest memory.
 * With --fps N the guest also keeps to N frames a second, as a film or an
 * animation does (frame k of a run goes k/N s after its first), so that
 * what a client shows of it over a slow link can be compared; without it,
 * frames go as fast as the barrier lets them.
 * The client is one of:
 *   none      no client;
 *   plain/lz4 our test client (tests/server/test-client.h) linked to the
 *             display channel, reading and acking everything (lz4: with
 *             the LZ4 cap); it counts messages and bytes;
 *   external  a client of the caller's (bench-client.py, spice-gtk): the
 *             program prints "bench-listening port=P password=W", then waits for a
 *             "go" line on stdin before the warm-up, prints "bench-warm"
 *             and waits for "go" again before the timed frames, and after
 *             its result line waits for "quit" (or end of input) before
 *             tearing the server down, so the client can drain.
 *
 * Prints one "bench ..." line of key=value fields: the scene, frames,
 * drawables, seconds, drawables_per_s, and for our test client the display
 * messages and bytes it received for the timed frames (counted once the
 * client went quiet after them) and bytes_per_drawable; t0_us and t1_us are
 * the CLOCK_MONOTONIC bounds of the timed frames; guest_cpu_s is the CPU
 * time the fake guest's thread used for them (building and pushing
 * commands, its calls into the server's API; not the time it waited), and
 * guest_bound_per_s = drawables / guest_cpu_s: the most drawables a second
 * this guest could push if the server cost it nothing, so the ceiling of
 * any server's drawables/s in this scene.  With our test client,
 * server_cpu_s is the CPU time the process used from the first timed frame
 * to the client's quiet after the last, less the guest's thread and the
 * client's reader thread: the server library's own threads (its display
 * worker, and its main-loop work on the harness's core thread), so
 * server_us_per_drawable is what a drawable costs the host's cores in that
 * server, whichever thread bounds the run.  Nothing here is a
 * pass/fail check on time: exit 0 = the run completed and the last frame
 * is on the surface, 1 = it did not (a deadline missed means a hang),
 * 2 = bad usage.
 *
 * Usage: bench-display [--scene NAME] [--client none|plain|lz4|external]
 *                      [--frames N] [--warmup N] [--size WxH]
 *                      [--compression off|lz4|auto_glz|auto_lz|glz|lz|quic]
 *                      [--video off|filter|all] [--barrier flush|ring]
 *                      [--fps N]
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "bench-scenes.h"
#include "test-client.h"
#include "test-qxl-server.h"
#include "test-util.h"

/* Deadlines: reaching one means a hang, reported as a failed run. */
#define BENCH_IO_TIMEOUT_MS 10000
/* The pixmap cache the client announces, as spice-gtk's default (80 MiB
 * of 32-bit pixels): both servers may cache; the client only counts. */
#define BENCH_PIXMAP_CACHE_PIXELS (20 * 1024 * 1024)
#define BENCH_FLUSH_TIMEOUT_MS 30000   /* a frame may wait on a shaped client */
#define BENCH_RELEASE_TIMEOUT_MS 10000
#define BENCH_CALL_TIMEOUT_MS 10000
#define BENCH_STDIN_TIMEOUT_MS 300000  /* the external client's steps */
/* Our client has received everything when no byte came for this long
 * (loopback, unshaped: the server writes as fast as it renders). */
#define BENCH_QUIET_MS 300
#define BENCH_QUIET_TIMEOUT_MS 20000
#define BENCH_MAX_DIM 4096
#define BENCH_MAX_FRAMES 1000000
#define BENCH_MAX_FPS 1000

#define BENCH_COOKIE 0x42454e4348ull /* "BENCH" */

typedef enum BenchClient {
    BENCH_CLIENT_NONE,
    BENCH_CLIENT_PLAIN,       /* no LZ4 cap: raw bitmaps */
    BENCH_CLIENT_LZ4,         /* LZ4 cap */
    BENCH_CLIENT_EXTERNAL,    /* the caller's client, steps on stdin */
} BenchClient;

static const char *const bench_client_names[] = { "none", "plain", "lz4", "external" };

typedef struct BenchNamed {
    const char *name;
    int value;
} BenchNamed;

static const BenchNamed bench_compressions[] = {
    { "off", SPICE_IMAGE_COMPRESSION_OFF },       { "auto_glz", SPICE_IMAGE_COMPRESSION_AUTO_GLZ },
    { "auto_lz", SPICE_IMAGE_COMPRESSION_AUTO_LZ }, { "quic", SPICE_IMAGE_COMPRESSION_QUIC },
    { "glz", SPICE_IMAGE_COMPRESSION_GLZ },       { "lz", SPICE_IMAGE_COMPRESSION_LZ },
    { "lz4", SPICE_IMAGE_COMPRESSION_LZ4 },       { NULL, 0 },
};

static const BenchNamed bench_videos[] = {
    { "off", SPICE_STREAM_VIDEO_OFF }, { "filter", SPICE_STREAM_VIDEO_FILTER },
    { "all", SPICE_STREAM_VIDEO_ALL }, { NULL, 0 },
};

typedef enum BenchBarrier {
    BENCH_BARRIER_FLUSH,      /* a flush waited for after every frame */
    BENCH_BARRIER_RING,       /* ring space per frame, one flush at the end */
} BenchBarrier;

static const char *const bench_barrier_names[] = { "flush", "ring" };

typedef struct BenchOptions {
    BenchSceneKind scene;
    BenchClient client;
    BenchBarrier barrier;
    unsigned frames, warmup;
    unsigned fps;             /* frames a second the guest keeps to; 0: as fast as it can */
    uint32_t width, height;
    const BenchNamed *compression, *video;
} BenchOptions;

/* The reading client's thread and its counters (under lock). */
typedef struct BenchReader {
    TestChannel ch;
    uint32_t max_message;
    GThread *thread;
    GMutex lock;
    GCond changed;
    uint64_t messages, bytes;
    gint64 last_change;          /* monotonic time of the last message */
    unsigned waiting;            /* threads in bench_reader_wait_quiet's wait */
    bool failed;
    bool has_cpu_clock;          /* cpu_clock is the reader thread's CPU clock */
    clockid_t cpu_clock;
} BenchReader;

static gpointer bench_reader_run(gpointer data)
{
    BenchReader *r = data;
    clockid_t clock;
    if (pthread_getcpuclockid(pthread_self(), &clock) == 0) {
        g_mutex_lock(&r->lock);
        r->cpu_clock = clock;
        r->has_cpu_clock = true;
        g_mutex_unlock(&r->lock);
    }
    for (;;) {
        uint8_t *body;
        uint32_t size;
        int type = test_channel_read(&r->ch, &body, &size, r->max_message, BENCH_IO_TIMEOUT_MS);
        g_mutex_lock(&r->lock);
        if (type < 0) {
            r->failed = true;
        } else {
            r->bytes = r->ch.bytes;
            r->messages++;
            r->last_change = g_get_monotonic_time();
        }
        /* Nobody waits while the frames run: a broadcast is a system
         * call, per message, on the cores the server needs. */
        if (r->waiting > 0) {
            g_cond_broadcast(&r->changed);
        }
        g_mutex_unlock(&r->lock);
        if (type < 0) {
            return NULL;
        }
        g_free(body);
    }
}

/* Waits until the client received at least `min_messages` messages and then
 * nothing for BENCH_QUIET_MS, and snapshots its counters.  False on a
 * reader failure or after BENCH_QUIET_TIMEOUT_MS. */
static bool bench_reader_wait_quiet(BenchReader *r, uint64_t min_messages, uint64_t *messages,
                                    uint64_t *bytes)
{
    gint64 deadline = g_get_monotonic_time() + BENCH_QUIET_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    g_mutex_lock(&r->lock);
    bool quiet = false;
    while (!r->failed && !quiet) {
        gint64 now = g_get_monotonic_time();
        gint64 until = r->last_change + BENCH_QUIET_MS * G_TIME_SPAN_MILLISECOND;
        if (r->messages >= min_messages && now >= until) {
            quiet = true;
        } else if (now >= deadline) {
            break;
        } else {
            r->waiting++;
            g_cond_wait_until(&r->changed, &r->lock,
                              r->messages >= min_messages && until < deadline ? until : deadline);
            r->waiting--;
        }
    }
    *messages = r->messages;
    *bytes = r->bytes;
    g_mutex_unlock(&r->lock);
    return quiet;
}

static const BenchNamed *bench_named(const BenchNamed *table, const char *name)
{
    for (; table->name != NULL; table++) {
        if (strcmp(table->name, name) == 0) {
            return table;
        }
    }
    return NULL;
}

/* The index of `name` in names[0..n), or -1. */
static int bench_name_index(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static int bench_usage(const char *argv0)
{
    fprintf(stderr, "usage: %s [--scene fullscreen|tiles|fills|scroll|typing|reused] "
            "[--client none|plain|lz4|external] [--frames N] [--warmup N] [--size WxH] "
            "[--compression off|lz4|auto_glz|auto_lz|glz|lz|quic] [--video off|filter|all] "
            "[--barrier flush|ring] [--fps N]\n",
            argv0);
    return -1;
}

static int bench_parse_args(int argc, char **argv, BenchOptions *opt)
{
    *opt = (BenchOptions){ .scene = BENCH_SCENE_FULLSCREEN, .client = BENCH_CLIENT_NONE,
                           .frames = 300, .warmup = 20, .width = 1024, .height = 768,
                           .video = bench_named(bench_videos, "off") };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (v == NULL) {
            return bench_usage(argv[0]);
        }
        i++;
        if (strcmp(a, "--scene") == 0) {
            int k = bench_scene_kind_from_name(v);
            if (k < 0) {
                fprintf(stderr, "bad --scene %s\n", v);
                return -1;
            }
            opt->scene = (BenchSceneKind)k;
        } else if (strcmp(a, "--client") == 0 || strcmp(a, "--barrier") == 0) {
            bool client = a[2] == 'c';
            int k = client ? bench_name_index(bench_client_names,
                                              G_N_ELEMENTS(bench_client_names), v)
                           : bench_name_index(bench_barrier_names,
                                              G_N_ELEMENTS(bench_barrier_names), v);
            if (k < 0) {
                fprintf(stderr, "bad %s %s\n", a, v);
                return -1;
            }
            if (client) {
                opt->client = (BenchClient)k;
            } else {
                opt->barrier = (BenchBarrier)k;
            }
        } else if (strcmp(a, "--frames") == 0 || strcmp(a, "--warmup") == 0) {
            unsigned long n = strtoul(v, &end, 10);
            if (*end != '\0' || n > BENCH_MAX_FRAMES || (a[2] == 'f' && n == 0)) {
                fprintf(stderr, "bad %s %s\n", a, v);
                return -1;
            }
            *(a[2] == 'f' ? &opt->frames : &opt->warmup) = (unsigned)n;
        } else if (strcmp(a, "--fps") == 0) {
            unsigned long n = strtoul(v, &end, 10);
            if (*end != '\0' || n > BENCH_MAX_FPS) {
                fprintf(stderr, "bad --fps %s (0 to %d)\n", v, BENCH_MAX_FPS);
                return -1;
            }
            opt->fps = (unsigned)n;
        } else if (strcmp(a, "--size") == 0) {
            unsigned long w = strtoul(v, &end, 10), h = 0;
            if (*end == 'x') {
                h = strtoul(end + 1, &end, 10);
            }
            if (*end != '\0' || w == 0 || h == 0 || w > BENCH_MAX_DIM || h > BENCH_MAX_DIM) {
                fprintf(stderr, "bad --size %s (WxH, at most %d)\n", v, BENCH_MAX_DIM);
                return -1;
            }
            opt->width = (uint32_t)w;
            opt->height = (uint32_t)h;
        } else if (strcmp(a, "--compression") == 0 || strcmp(a, "--video") == 0) {
            bool video = a[2] == 'v';
            const BenchNamed *n = bench_named(video ? bench_videos : bench_compressions, v);
            if (n == NULL) {
                fprintf(stderr, "bad %s %s\n", a, v);
                return -1;
            }
            *(video ? &opt->video : &opt->compression) = n;
        } else {
            return bench_usage(argv[0]);
        }
    }
    if (opt->compression == NULL) {
        /* As before scenes existed: what the client can decode. */
        opt->compression = bench_named(bench_compressions,
                                       opt->client == BENCH_CLIENT_PLAIN ? "off" : "lz4");
    }
    return 0;
}

typedef struct BenchSettings {
    SpiceServer *server;
    const BenchOptions *opt;
} BenchSettings;

/* On the core thread, as every spice_server_* call of the harness. */
static void bench_apply_settings(void *data)
{
    BenchSettings *s = data;
    spice_server_set_image_compression(s->server,
                                       (SpiceImageCompression)s->opt->compression->value);
    spice_server_set_streaming_video(s->server, s->opt->video->value);
}

/* Links our test client; returns the main channel fd (kept open for the
 * session's lifetime) or -1. */
static int bench_connect_client(const BenchOptions *opt, TestQxlServer *ts, BenchReader *r)
{
    uint32_t session;
    int main_fd = test_client_open_session(ts->port, TEST_QXL_SERVER_PASSWORD, &session,
                                           BENCH_IO_TIMEOUT_MS);
    if (main_fd < 0) {
        fprintf(stderr, "main channel link failed\n");
        return -1;
    }
    SpiceMsgc attach = { .type = SPICE_MSGC_MAIN_ATTACH_CHANNELS };
    int fd = test_client_connect(ts->port, 0);
    if (test_client_send_msgc(main_fd, SPICE_CHANNEL_MAIN, &attach) != 0 || fd < 0 ||
        test_client_link_display_cache(fd, 0, session, TEST_QXL_SERVER_PASSWORD,
                                       opt->client == BENCH_CLIENT_LZ4
                                           ? TEST_CLIENT_DISPLAY_LZ4
                                           : TEST_CLIENT_DISPLAY_PLAIN,
                                       BENCH_PIXMAP_CACHE_PIXELS,
                                       BENCH_IO_TIMEOUT_MS) != SPICE_LINK_ERR_OK) {
        fprintf(stderr, "display channel link failed\n");
        if (fd >= 0) {
            close(fd);
        }
        close(main_fd);
        return -1;
    }
    test_channel_init(&r->ch, fd, SPICE_CHANNEL_DISPLAY, true);
    /* A raw full-screen frame plus headers is the largest message. */
    r->max_message = opt->width * opt->height * 4 + 4096;
    g_mutex_init(&r->lock);
    g_cond_init(&r->changed);
    r->last_change = g_get_monotonic_time();
    r->thread = g_thread_new("bench-reader", bench_reader_run, r);
    return main_fd;
}

/* Waits (bounded) for a line on stdin from the external client's driver.
 * Returns true for `word`, false for end of input, another line or a
 * timeout. */
static bool bench_wait_stdin(const char *word)
{
    struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
    char line[64];
    size_t n = 0;
    while (n + 1 < sizeof(line)) {
        int r = poll(&p, 1, BENCH_STDIN_TIMEOUT_MS);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0 || read(STDIN_FILENO, &line[n], 1) != 1) {
            return false;
        }
        if (line[n] == '\n') {
            line[n] = '\0';
            return strcmp(line, word) == 0;
        }
        n++;
    }
    return false;
}

/* One flush, waited for until the device has seen `count` completions of
 * the bench's cookie in all. */
static int bench_flush(TestQxlServer *ts, unsigned count, unsigned frame)
{
    spice_qxl_flush_surfaces_async(fake_qxl_get_instance(ts->qxl), BENCH_COOKIE);
    if (fake_qxl_wait_async_count(ts->qxl, BENCH_COOKIE, count, BENCH_FLUSH_TIMEOUT_MS) < count) {
        fprintf(stderr, "frame %u: flush did not complete within %d ms\n", frame,
                BENCH_FLUSH_TIMEOUT_MS);
        return -1;
    }
    return 0;
}

/* Frames first..last (inclusive), paced by the barrier (see the top of the
 * file); *flushes counts the flushes asked so far.  Nothing when
 * first > last. */
static int bench_play(const BenchOptions *opt, BenchScene *scene, TestQxlServer *ts,
                      unsigned first, unsigned last, unsigned *flushes)
{
    unsigned per_frame = bench_scene_drawables_per_frame(scene);
    gint64 start = g_get_monotonic_time();
    for (unsigned n = first; n <= last; n++) {
        if (opt->fps != 0) {
            gint64 due = start + (gint64)(n - first) * G_USEC_PER_SEC / opt->fps;
            gint64 now = g_get_monotonic_time();
            if (due > now) {
                g_usleep((gulong)(due - now));
            }
        }
        if (opt->barrier == BENCH_BARRIER_RING &&
            !fake_qxl_wait_ring_room(ts->qxl, per_frame, BENCH_FLUSH_TIMEOUT_MS)) {
            fprintf(stderr, "frame %u: no room in the ring within %d ms\n", n,
                    BENCH_FLUSH_TIMEOUT_MS);
            return -1;
        }
        if (bench_scene_submit_frame(scene, ts->qxl, n) != 0) {
            fprintf(stderr, "frame %u: submit failed: %s\n", n, strerror(errno));
            return -1;
        }
        if (opt->barrier == BENCH_BARRIER_FLUSH && bench_flush(ts, ++*flushes, n) != 0) {
            return -1;
        }
    }
    if (opt->barrier == BENCH_BARRIER_RING && first <= last) {
        return bench_flush(ts, ++*flushes, last);
    }
    return 0;
}

/* Sanity, not timing: the last frame really reached the surface, and each
 * flush completed exactly once (a server completing early or twice would
 * make the loop measure nothing). */
static int bench_check_end(const BenchScene *scene, TestQxlServer *ts, unsigned total,
                           unsigned flushes)
{
    char why[160];
    unsigned completed = fake_qxl_wait_async_count(ts->qxl, BENCH_COOKIE, flushes, 0);
    if (completed != flushes) {
        fprintf(stderr, "flushes completed %u times for %u asked\n", completed, flushes);
        return -1;
    }
    if (!bench_scene_check(scene, ts->qxl, total, why, sizeof(why))) {
        fprintf(stderr, "the last frame is not on the surface: %s\n", why);
        return -1;
    }
    return 0;
}

/* A CPU clock's time, in seconds (0 if it cannot be read). */
static double bench_cpu_s(clockid_t clock)
{
    struct timespec ts;
    if (clock_gettime(clock, &ts) != 0) {
        return 0;
    }
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The calling thread's CPU time, in seconds. */
static double bench_thread_cpu_s(void)
{
    return bench_cpu_s(CLOCK_THREAD_CPUTIME_ID);
}

/* The CPU time the whole process used but the calling thread (the fake
 * guest's) and our test client's reader: the server library's threads (its
 * display worker, its main loop work on the harness's core thread), in
 * seconds. */
static double bench_server_cpu_s(BenchReader *r)
{
    double guest = bench_thread_cpu_s();
    double reader = 0;
    g_mutex_lock(&r->lock);
    if (r->has_cpu_clock) {
        reader = bench_cpu_s(r->cpu_clock);
    }
    g_mutex_unlock(&r->lock);
    return bench_cpu_s(CLOCK_PROCESS_CPUTIME_ID) - guest - reader;
}

static void bench_print(const BenchOptions *opt, const BenchScene *scene, TestQxlServer *ts,
                        gint64 t0, gint64 t1, double guest_cpu_s, double server_cpu_s,
                        uint64_t messages, uint64_t bytes)
{
    double secs = (double)(t1 - t0) / G_TIME_SPAN_SECOND;
    uint64_t drawables = (uint64_t)opt->frames * bench_scene_drawables_per_frame(scene);
    char *lib = test_mapped_library("libspice-server");
    uint32_t step;
    QXLRect m = bench_scene_marker(scene, &step);
    printf("bench lib=%s scene=%s client=%s compression=%s video=%s barrier=%s size=%ux%u "
           "frames=%u "
           "drawables=%" PRIu64 " seconds=%.3f fps=%.1f drawables_per_s=%.1f "
           "marker=%d,%d,%d,%d,%u t0_us=%" PRId64 " t1_us=%" PRId64,
           lib ? lib : "static", bench_scene_kind_name(opt->scene),
           bench_client_names[opt->client], opt->compression->name, opt->video->name,
           bench_barrier_names[opt->barrier], opt->width, opt->height, opt->frames, drawables,
           secs, opt->frames / secs,
           drawables / secs, m.left, m.top, m.right - m.left, m.bottom - m.top, step, t0, t1);
    /* How far ahead of the server the guest got: at most the ring's size
     * with the ring barrier, a frame's drawables with the flush one. */
    FakeQxlStats st;
    fake_qxl_get_stats(ts->qxl, &st);
    printf(" queued_max=%" PRIu32 " pace_fps=%u", st.display_queued_max, opt->fps);
    printf(" guest_cpu_s=%.3f guest_bound_per_s=%.1f", guest_cpu_s,
           guest_cpu_s > 0 ? drawables / guest_cpu_s : 0.0);
    if (opt->client == BENCH_CLIENT_PLAIN || opt->client == BENCH_CLIENT_LZ4) {
        printf(" client_messages=%" PRIu64 " client_bytes=%" PRIu64
               " bytes_per_drawable=%.1f client_MBps=%.2f", messages, bytes,
               (double)bytes / drawables, (double)bytes / secs / 1e6);
        printf(" server_cpu_s=%.3f server_us_per_drawable=%.2f", server_cpu_s,
               server_cpu_s * 1e6 / drawables);
    }
    printf("\n");
    fflush(stdout);
    free(lib);
}

int main(int argc, char **argv)
{
    BenchOptions opt;
    if (bench_parse_args(argc, argv, &opt) != 0) {
        return 2;
    }
    /* A guest's commands live in device memory it reuses; the fake's are
     * malloc'ed per command.  Keep freed memory in the heap (no trim, no
     * mmap per large command), or each command would cost page faults that
     * depend on when the server releases, not on its work. */
    (void)mallopt(M_MMAP_THRESHOLD, 64 << 20);
    (void)mallopt(M_TRIM_THRESHOLD, 256 << 20);
    BenchScene *scene = bench_scene_create(opt.scene, opt.width, opt.height);
    if (scene == NULL) {
        return 2;
    }
    TestQxlServer *ts = test_qxl_server_create(opt.width, opt.height,
                                               opt.compression->value == SPICE_IMAGE_COMPRESSION_OFF
                                                   ? TEST_QXL_SERVER_RAW : TEST_QXL_SERVER_LZ4);
    if (ts == NULL) {
        bench_scene_destroy(scene);
        return 1;
    }
    int status = 0;
    BenchSettings settings = { .server = ts->server, .opt = &opt };
    if (test_core_call(ts->core, bench_apply_settings, &settings, BENCH_CALL_TIMEOUT_MS) != 0) {
        fprintf(stderr, "setting compression and video hung\n");
        exit(1); /* the core thread may still use the settings */
    }
    BenchReader reader = { 0 };
    bool ours = opt.client == BENCH_CLIENT_PLAIN || opt.client == BENCH_CLIENT_LZ4;
    int main_fd = -1;
    uint64_t m0 = 0, b0 = 0, m1 = 0, b1 = 0;
    if (ours) {
        main_fd = bench_connect_client(&opt, ts, &reader);
        /* Timing starts with a client that is really connected: it got the
         * surface and its first picture. */
        if (main_fd < 0 || !bench_reader_wait_quiet(&reader, 1, &m0, &b0)) {
            fprintf(stderr, "the client got nothing\n");
            status = 1;
        }
    } else if (opt.client == BENCH_CLIENT_EXTERNAL) {
        printf("bench-listening port=%d password=%s\n", ts->port, TEST_QXL_SERVER_PASSWORD);
        fflush(stdout);
        if (!bench_wait_stdin("go")) {
            fprintf(stderr, "no \"go\" on stdin\n");
            status = 1;
        }
    }

    unsigned flushes = 0;
    if (status == 0 && bench_play(&opt, scene, ts, 1, opt.warmup, &flushes) != 0) {
        status = 1;
    }
    if (status == 0 && ours && !bench_reader_wait_quiet(&reader, 1, &m0, &b0)) {
        fprintf(stderr, "the client did not go quiet after the warm-up\n");
        status = 1;
    }
    if (status == 0 && opt.client == BENCH_CLIENT_EXTERNAL) {
        printf("bench-warm\n");
        fflush(stdout);
        if (!bench_wait_stdin("go")) {
            fprintf(stderr, "no second \"go\" on stdin\n");
            status = 1;
        }
    }
    unsigned total = opt.warmup + opt.frames;
    gint64 t0 = g_get_monotonic_time();
    double cpu0 = bench_thread_cpu_s();
    double server0 = ours ? bench_server_cpu_s(&reader) : 0;
    if (status == 0 && bench_play(&opt, scene, ts, opt.warmup + 1, total, &flushes) != 0) {
        status = 1;
    }
    double guest_cpu_s = bench_thread_cpu_s() - cpu0;
    gint64 t1 = g_get_monotonic_time();
    if (status == 0 && bench_check_end(scene, ts, total, flushes) != 0) {
        status = 1;
    }
    if (status == 0 && ours && !bench_reader_wait_quiet(&reader, m0 + 1, &m1, &b1)) {
        fprintf(stderr, "the client did not go quiet after the timed frames\n");
        status = 1;
    }
    /* Up to the client's quiet: what the server sent after the guest's
     * last frame is its work for those frames too. */
    double server_cpu_s = ours ? bench_server_cpu_s(&reader) - server0 : 0;
    if (status == 0) {
        bench_print(&opt, scene, ts, t0, t1, guest_cpu_s, server_cpu_s, m1 - m0, b1 - b0);
    }
    if (status == 0 && opt.client == BENCH_CLIENT_EXTERNAL) {
        /* End of input is as good as "quit": the driver is gone. */
        (void)bench_wait_stdin("quit");
    }

    if (reader.thread != NULL) {
        shutdown(reader.ch.fd, SHUT_RDWR);
        g_thread_join(reader.thread);
        close(reader.ch.fd);
        g_mutex_clear(&reader.lock);
        g_cond_clear(&reader.changed);
    }
    if (main_fd >= 0) {
        close(main_fd);
    }
    if (!test_qxl_server_destroy(ts, BENCH_RELEASE_TIMEOUT_MS)) {
        fprintf(stderr, "not every command was released\n");
        status = 1;
    }
    bench_scene_destroy(scene);
    return status;
}
