/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench-display: frames per second of a libspice-server (Debian's or ours,
 * whichever this binary links) under a full-screen update loop.
 *
 * A fake QXL device (tests/server/fake-qxl.h) with a WIDTHxHEIGHT primary
 * plays the guest: each frame is one full-screen QXL_DRAW_COPY of a bitmap
 * whose content changes every frame, followed by
 * spice_qxl_flush_surfaces_async and a wait for its completion, so a frame
 * counts only once the server has taken and rendered it.  Optionally one
 * client (tests/server/test-client.h) is linked to the display channel and
 * reads everything, acking per window, with or without the LZ4 cap.
 *
 * Prints one "bench ..." line: frames per second of the loop, and for the
 * client the draw messages, full frames (messages whose box starts at the
 * top-left corner) and megabytes it received during the timed frames.
 * Nothing here is a pass/fail check on time: the exit status says only
 * whether the run completed (0) or a deadline was missed (1), which means a
 * hang.
 *
 * Usage: bench-display [--client none|plain|lz4] [--frames N] [--warmup N]
 *                      [--size WxH]
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "test-client.h"
#include "test-qxl-server.h"

/* Deadlines: reaching one means a hang, reported as a failed run. */
#define BENCH_IO_TIMEOUT_MS 10000
#define BENCH_FLUSH_TIMEOUT_MS 10000
#define BENCH_RELEASE_TIMEOUT_MS 10000
/* Distinct frame contents cycled through; precomputed so that producing
 * them costs a memcpy, not a pattern loop, inside the timed part. */
#define BENCH_PATTERNS 8
#define BENCH_MAX_DIM 4096
#define BENCH_MAX_FRAMES 1000000

#define BENCH_COOKIE 0x42454e4348ull /* "BENCH" */

typedef enum BenchClient {
    BENCH_CLIENT_NONE,
    BENCH_CLIENT_PLAIN,       /* no LZ4 cap: raw bitmaps */
    BENCH_CLIENT_LZ4,         /* LZ4 cap, server set to LZ4 */
} BenchClient;

typedef struct BenchOptions {
    BenchClient client;
    unsigned frames, warmup;
    uint32_t width, height;
} BenchOptions;

/* The reading client's thread and its counters (under lock). */
typedef struct BenchReader {
    TestChannel ch;
    uint32_t max_message;
    GThread *thread;
    GMutex lock;
    GCond changed;
    uint64_t draws, full_frames, bytes;
    bool failed;
} BenchReader;

static gpointer bench_reader_run(gpointer data)
{
    BenchReader *r = data;
    for (;;) {
        uint8_t *body;
        uint32_t size;
        int type = test_channel_read(&r->ch, &body, &size, r->max_message, BENCH_IO_TIMEOUT_MS);
        bool full = false;
        if (type == SPICE_MSG_DISPLAY_DRAW_COPY) {
            SpiceMsg m;
            full = spice_msg_parse(SPICE_CHANNEL_DISPLAY, (uint16_t)type, body, size, &m) == 0 &&
                   m.u.draw_copy.base.box.top == 0 && m.u.draw_copy.base.box.left == 0;
        }
        g_mutex_lock(&r->lock);
        if (type < 0) {
            r->failed = true;
        } else {
            r->bytes = r->ch.bytes;
            if (type == SPICE_MSG_DISPLAY_DRAW_COPY) {
                r->draws++;
                r->full_frames += full;
            }
        }
        g_cond_broadcast(&r->changed);
        g_mutex_unlock(&r->lock);
        if (type < 0) {
            return NULL;
        }
        g_free(body);
    }
}

static void bench_reader_snapshot(BenchReader *r, uint64_t *draws, uint64_t *full,
                                  uint64_t *bytes)
{
    g_mutex_lock(&r->lock);
    *draws = r->draws;
    *full = r->full_frames;
    *bytes = r->bytes;
    g_mutex_unlock(&r->lock);
}

/* Waits for the client's first draw (the initial full frame): timing starts
 * with a client that is really connected. */
static bool bench_reader_wait_first_draw(BenchReader *r)
{
    gint64 deadline = g_get_monotonic_time() + BENCH_IO_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    g_mutex_lock(&r->lock);
    while (r->draws == 0 && !r->failed && g_cond_wait_until(&r->changed, &r->lock, deadline)) {
    }
    bool ok = r->draws > 0;
    g_mutex_unlock(&r->lock);
    return ok;
}

static uint32_t *bench_patterns_new(uint32_t w, uint32_t h)
{
    size_t n = (size_t)w * h;
    uint32_t *px = g_new(uint32_t, n * BENCH_PATTERNS);
    for (unsigned k = 0; k < BENCH_PATTERNS; k++) {
        for (uint32_t y = 0; y < h; y++) {
            for (uint32_t x = 0; x < w; x++) {
                /* Smooth gradients plus a per-pattern texture: compressible
                 * like a desktop, not like noise, and never like a flat fill. */
                uint32_t r = (x + 37 * k) & 0xff, g = (y + 61 * k) & 0xff;
                uint32_t b = ((x ^ y) >> (k % 3)) & 0xff;
                px[k * n + (size_t)y * w + x] = r << 16 | g << 8 | b;
            }
        }
    }
    return px;
}

/* The libspice-server this process really mapped (LD_LIBRARY_PATH, rpath and
 * libtool wrappers can each pick another). */
static char *bench_mapped_library(void)
{
    char *maps = NULL;
    if (!g_file_get_contents("/proc/self/maps", &maps, NULL, NULL)) {
        return g_strdup("?");
    }
    char *found = NULL;
    for (char *line = strtok(maps, "\n"); line != NULL && found == NULL;
         line = strtok(NULL, "\n")) {
        char *path = strchr(line, '/');
        if (path != NULL && strstr(path, "libspice-server") != NULL) {
            found = g_strdup(path);
        }
    }
    g_free(maps);
    return found ? found : g_strdup("static");
}

static int bench_parse_args(int argc, char **argv, BenchOptions *opt)
{
    *opt = (BenchOptions){ .client = BENCH_CLIENT_NONE, .frames = 300, .warmup = 20,
                           .width = 1024, .height = 768 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (strcmp(a, "--client") == 0 && v != NULL) {
            i++;
            if (strcmp(v, "none") == 0) {
                opt->client = BENCH_CLIENT_NONE;
            } else if (strcmp(v, "plain") == 0) {
                opt->client = BENCH_CLIENT_PLAIN;
            } else if (strcmp(v, "lz4") == 0) {
                opt->client = BENCH_CLIENT_LZ4;
            } else {
                fprintf(stderr, "bad --client %s (none, plain, lz4)\n", v);
                return -1;
            }
        } else if ((strcmp(a, "--frames") == 0 || strcmp(a, "--warmup") == 0) && v != NULL) {
            i++;
            unsigned long n = strtoul(v, &end, 10);
            if (*end != '\0' || n > BENCH_MAX_FRAMES || (a[2] == 'f' && n == 0)) {
                fprintf(stderr, "bad %s %s\n", a, v);
                return -1;
            }
            *(a[2] == 'f' ? &opt->frames : &opt->warmup) = (unsigned)n;
        } else if (strcmp(a, "--size") == 0 && v != NULL) {
            i++;
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
        } else {
            fprintf(stderr, "usage: %s [--client none|plain|lz4] [--frames N] [--warmup N] "
                    "[--size WxH]\n", argv[0]);
            return -1;
        }
    }
    return 0;
}

/* Links the reading client; returns the main channel fd (kept open for the
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
        test_client_link_display(fd, 0, session, TEST_QXL_SERVER_PASSWORD,
                                 opt->client == BENCH_CLIENT_LZ4 ? TEST_CLIENT_DISPLAY_LZ4
                                                                 : TEST_CLIENT_DISPLAY_PLAIN,
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
    r->thread = g_thread_new("bench-reader", bench_reader_run, r);
    return main_fd;
}

int main(int argc, char **argv)
{
    BenchOptions opt;
    if (bench_parse_args(argc, argv, &opt) != 0) {
        return 2;
    }
    TestQxlServer *ts = test_qxl_server_create(opt.width, opt.height,
                                               opt.client == BENCH_CLIENT_LZ4
                                                   ? TEST_QXL_SERVER_LZ4 : TEST_QXL_SERVER_RAW);
    if (ts == NULL) {
        return 1;
    }
    int status = 0;
    BenchReader reader = { 0 };
    int main_fd = -1;
    if (opt.client != BENCH_CLIENT_NONE) {
        main_fd = bench_connect_client(&opt, ts, &reader);
        if (main_fd < 0 || !bench_reader_wait_first_draw(&reader)) {
            fprintf(stderr, "the client got no first frame\n");
            status = 1;
        }
    }

    size_t npx = (size_t)opt.width * opt.height;
    uint32_t *patterns = bench_patterns_new(opt.width, opt.height);
    QXLRect all = { .top = 0, .left = 0, .bottom = (int32_t)opt.height,
                    .right = (int32_t)opt.width };
    QXLInstance *qin = fake_qxl_get_instance(ts->qxl);
    uint64_t d0 = 0, f0 = 0, b0 = 0, d1 = 0, f1 = 0, b1 = 0;
    gint64 t0 = 0, t1 = 0;
    unsigned total = opt.warmup + opt.frames;
    for (unsigned n = 1; n <= total && status == 0; n++) {
        if (n == opt.warmup + 1) {
            t0 = g_get_monotonic_time();
            if (reader.thread != NULL) {
                bench_reader_snapshot(&reader, &d0, &f0, &b0);
            }
        }
        uint32_t *px = patterns + (size_t)(n % BENCH_PATTERNS) * npx;
        px[0] = n; /* no two frames alike, even after the cycle; checked at the end */
        FakeQxlBitmap bmp = { .pixels = px, .width = opt.width, .height = opt.height,
                              .data = FAKE_QXL_BITMAP_DIRECT, .rows = FAKE_QXL_TOP_DOWN };
        if (fake_qxl_submit_copy(ts->qxl, &all, &bmp) != 0) {
            fprintf(stderr, "frame %u: submit failed: %s\n", n, strerror(errno));
            status = 1;
            break;
        }
        spice_qxl_flush_surfaces_async(qin, BENCH_COOKIE);
        if (fake_qxl_wait_async_count(ts->qxl, BENCH_COOKIE, n, BENCH_FLUSH_TIMEOUT_MS) < n) {
            fprintf(stderr, "frame %u: flush did not complete within %d ms\n", n,
                    BENCH_FLUSH_TIMEOUT_MS);
            status = 1;
        }
    }
    t1 = g_get_monotonic_time();
    /* Sanity, not timing: the last frame really reached the surface, and
     * each flush completed exactly once (a server completing early or twice
     * would make the loop measure nothing). */
    if (status == 0 && ((fake_qxl_primary_pixel(ts->qxl, 0, 0) & 0xffffff) != total ||
                        fake_qxl_wait_async_count(ts->qxl, BENCH_COOKIE, total, 0) != total)) {
        fprintf(stderr, "the last frame is not on the surface (pixel %06x, want %06x), or "
                "flushes completed %u times for %u frames\n",
                fake_qxl_primary_pixel(ts->qxl, 0, 0) & 0xffffff, total,
                fake_qxl_wait_async_count(ts->qxl, BENCH_COOKIE, total, 0), total);
        status = 1;
    }
    if (reader.thread != NULL) {
        bench_reader_snapshot(&reader, &d1, &f1, &b1);
    }
    g_free(patterns);

    if (status == 0) {
        double secs = (double)(t1 - t0) / G_TIME_SPAN_SECOND;
        char *lib = bench_mapped_library();
        static const char *const client_names[] = { "none", "plain", "lz4" };
        printf("bench lib=%s client=%s size=%ux%u frames=%u seconds=%.3f fps=%.1f", lib,
               client_names[opt.client], opt.width, opt.height, opt.frames, secs,
               opt.frames / secs);
        if (opt.client != BENCH_CLIENT_NONE) {
            printf(" client_draws=%" PRIu64 " client_frames=%" PRIu64
                   " client_fps=%.1f client_MBps=%.1f", d1 - d0, f1 - f0, (f1 - f0) / secs,
                   (double)(b1 - b0) / secs / 1e6);
        }
        printf("\n");
        g_free(lib);
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
    return status;
}
