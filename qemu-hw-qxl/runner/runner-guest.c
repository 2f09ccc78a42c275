/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runner-guest.c: the demo guest's thread: frames, S3 cycles, requests. */
#include "config.h"

#include "runner-guest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "gdemo.h"
#include "runner-json.h"
#include "vm-bus.h"
#include "vm-log.h"

struct RunnerGuest {
    VmMachine *vm;
    Gbus bus;                   /* all the guest thread sees of vm */
    RunnerGuestConfig cfg;
    RunnerGuestEventFunc cb;
    void *opaque;
    GThread *thread;

    /* guest thread only */
    GkmsDevice *dev;
    GdemoDesktop *desktop;

    /* requests and the status snapshot, under lock */
    GMutex lock;
    GCond cond;
    bool quit;
    bool suspend_requested;
    unsigned frames_before;
    char *dump_path;
    RunnerGuestStatus status;

    /* start-up handshake */
    bool started, start_ok;
};

static void emit(RunnerGuest *g, const char *event, GString *data)
{
    g->cb(g->opaque, event, data ? data->str : "{}");
    if (data) {
        g_string_free(data, TRUE);
    }
}

static void publish(RunnerGuest *g)
{
    GkmsStats st;
    gkms_get_stats(g->dev, &st);
    g_mutex_lock(&g->lock);
    g->status.kms = st;
    g_mutex_unlock(&g->lock);
}

static void set_error(RunnerGuest *g, const char *what)
{
    g_mutex_lock(&g->lock);
    g_strlcpy(g->status.last_error, what, sizeof(g->status.last_error));
    g->status.failures++;
    g_mutex_unlock(&g->lock);
}

static int draw_frame(RunnerGuest *g)
{
    uint64_t tick = g->status.tick + 1; /* only this thread writes tick */
    int ret = gdemo_frame(g->desktop, tick);
    if (ret != 0) {
        return ret;
    }
    g_mutex_lock(&g->lock);
    g->status.tick = tick;
    g_mutex_unlock(&g->lock);
    return 0;
}

static void write_expected(RunnerGuest *g, const char *path)
{
    pixman_image_t *img = gdemo_expected(g->desktop, g->status.tick);
    int w = pixman_image_get_width(img), h = pixman_image_get_height(img);
    const uint8_t *bits = (const uint8_t *)pixman_image_get_data(img);
    int stride = pixman_image_get_stride(img);
    GString *ppm = g_string_sized_new((gsize)w * h * 3 + 32);
    g_string_append_printf(ppm, "P6\n%d %d\n255\n", w, h);
    for (int y = 0; y < h; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(bits + (size_t)y * stride);
        for (int x = 0; x < w; x++) {
            char rgb[3] = { (char)(row[x] >> 16), (char)(row[x] >> 8), (char)row[x] };
            g_string_append_len(ppm, rgb, 3);
        }
    }
    pixman_image_unref(img);
    GError *err = NULL;
    GString *data = g_string_new("{\"path\":");
    runner_json_append_str(data, path);
    g_string_append_printf(data, ",\"tick\":%" G_GUINT64_FORMAT, g->status.tick);
    if (!g_file_set_contents(path, ppm->str, (gssize)ppm->len, &err)) {
        g_string_append(data, ",\"error\":");
        runner_json_append_str(data, err->message);
        g_error_free(err);
    }
    g_string_append_c(data, '}');
    g_string_free(ppm, TRUE);
    emit(g, "SCREENDUMP", data);
}

/* The cycle is over: the guest takes requests (screendump, suspend) again.
 * Called before the event that says so, so that a control client acting
 * on RESUMED or RESUME_FAILED is not refused. */
static void suspend_cycle_end(RunnerGuest *g)
{
    g_mutex_lock(&g->lock);
    g->suspend_requested = false;
    g_mutex_unlock(&g->lock);
}

/* One S3 cycle as a guest OS runs it: freeze the driver, sleep, thaw.  A
 * failed freeze aborts the suspend (the machine never sleeps) and thaws,
 * as Linux does when a device's suspend callback fails. */
static void suspend_cycle(RunnerGuest *g, unsigned frames_before)
{
    for (unsigned i = 0; i < frames_before; i++) {
        if (draw_frame(g) != 0) {
            break;
        }
    }
    GString *data = g_string_new(NULL);
    g_string_append_printf(data, "{\"tick\":%" G_GUINT64_FORMAT "}", g->status.tick);
    emit(g, "SUSPENDING", data);

    int64_t t0 = g_get_monotonic_time();
    bool slept = false;
    if (gkms_suspend(g->dev) != 0) {
        set_error(g, gkms_last_error(g->dev));
        data = g_string_new("{\"error\":");
        runner_json_append_str(data, gkms_last_error(g->dev));
        g_string_append_c(data, '}');
        emit(g, "SUSPEND_FAILED", data);
    } else {
        int64_t t1 = g_get_monotonic_time();
        g_mutex_lock(&g->lock);
        g->status.driver_suspended = true;
        g->status.last_suspend_ms = (double)(t1 - t0) / 1000.0;
        g_mutex_unlock(&g->lock);
        publish(g);
        if (gbus_sleep(&g->bus) != 0) {
            suspend_cycle_end(g);
            return; /* powered off while asleep */
        }
        slept = true;
    }
    int64_t t2 = g_get_monotonic_time();
    int ret = gkms_resume(g->dev);
    int64_t t3 = g_get_monotonic_time();
    g_mutex_lock(&g->lock);
    g->status.driver_suspended = false;
    g->status.last_resume_ms = (double)(t3 - t2) / 1000.0;
    if (ret == 0 && slept) {
        g->status.cycles++;
    }
    g_mutex_unlock(&g->lock);
    if (ret != 0) {
        set_error(g, gkms_last_error(g->dev));
        data = g_string_new("{\"error\":");
        runner_json_append_str(data, gkms_last_error(g->dev));
        g_string_append_c(data, '}');
        suspend_cycle_end(g);
        emit(g, "RESUME_FAILED", data);
        return;
    }
    publish(g);
    data = g_string_new(NULL);
    g_string_append_printf(data, "{\"slept\":%s,\"cycle\":%u,\"suspend_ms\":%.1f,\"resume_ms\":%.1f,"
                           "\"tick\":%" G_GUINT64_FORMAT "}", slept ? "true" : "false",
                           g->status.cycles,
                           g->status.last_suspend_ms, g->status.last_resume_ms, g->status.tick);
    suspend_cycle_end(g);
    emit(g, "RESUMED", data);
}

static gpointer guest_main(gpointer data)
{
    RunnerGuest *g = data;
    g->dev = g->cfg.virtio_gpu ? gkms_open_virtio_gpu(&g->bus, 0) : gkms_open_qxl(&g->bus, 0);
    g->desktop = g->dev ? gdemo_new(g->dev, g->cfg.width, g->cfg.height) : NULL;
    if (g->desktop) {
        gkms_set_faults(g->dev, g->cfg.faults);
        GkmsMode mode;
        gdemo_get_mode(g->desktop, &mode);
        g->status.width = mode.width;
        g->status.height = mode.height;
        publish(g);
    }
    g_mutex_lock(&g->lock);
    g->started = true;
    g->start_ok = g->desktop != NULL;
    g->status.running = g->start_ok;
    g_cond_broadcast(&g->cond);
    g_mutex_unlock(&g->lock);
    if (!g->start_ok) {
        return NULL;
    }

    const int64_t period = G_USEC_PER_SEC / (g->cfg.fps ? g->cfg.fps : 1);
    int64_t next_frame = g_get_monotonic_time() + period;
    for (;;) {
        g_mutex_lock(&g->lock);
        while (!g->quit && !g->suspend_requested && g->dump_path == NULL &&
               (g->status.paused || g_get_monotonic_time() < next_frame)) {
            int64_t until = g->status.paused ? g_get_monotonic_time() + G_USEC_PER_SEC : next_frame;
            g_cond_wait_until(&g->cond, &g->lock, until);
        }
        bool quit = g->quit, suspend = g->suspend_requested, paused = g->status.paused;
        unsigned frames_before = g->frames_before;
        char *dump = g->dump_path;
        g->dump_path = NULL;
        g_mutex_unlock(&g->lock);
        if (quit) {
            g_free(dump);
            break;
        }
        if (dump) {
            write_expected(g, dump);
            g_free(dump);
        } else if (suspend) {
            suspend_cycle(g, frames_before); /* clears suspend_requested */
            next_frame = g_get_monotonic_time() + period;
        } else if (!paused) {
            int ret = draw_frame(g);
            if (ret != 0 && ret != -EBUSY) {
                set_error(g, gkms_last_error(g->dev));
                emit(g, "GUEST_ERROR", NULL);
                paused = true;
                runner_guest_set_paused(g, true);
            }
            publish(g);
            next_frame += period;
            /* Late (a slow machine, a long stop): skip ahead, no catch-up burst. */
            if (next_frame < g_get_monotonic_time()) {
                next_frame = g_get_monotonic_time() + period;
            }
        }
    }
    g_mutex_lock(&g->lock);
    g->status.running = false;
    g_mutex_unlock(&g->lock);
    return NULL;
}

RunnerGuest *runner_guest_start(VmMachine *vm, const RunnerGuestConfig *cfg,
                                RunnerGuestEventFunc cb, void *opaque)
{
    RunnerGuest *g = g_new0(RunnerGuest, 1);
    g->vm = vm;
    vm_bus_init(&g->bus, vm);
    g->cfg = *cfg;
    g->cb = cb;
    g->opaque = opaque;
    g->status.paused = cfg->start_paused;
    g_mutex_init(&g->lock);
    g_cond_init(&g->cond);
    g->thread = g_thread_new("guest-vcpu", guest_main, g);
    g_mutex_lock(&g->lock);
    int64_t deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    while (!g->started && g_cond_wait_until(&g->cond, &g->lock, deadline)) {
    }
    bool ok = g->started && g->start_ok;
    g_mutex_unlock(&g->lock);
    if (!ok) {
        vm_log_warn("runner: the demo guest did not start");
        runner_guest_stop(g);
        return NULL;
    }
    return g;
}

void runner_guest_stop(RunnerGuest *g)
{
    if (g == NULL) {
        return;
    }
    g_mutex_lock(&g->lock);
    g->quit = true;
    g_cond_broadcast(&g->cond);
    g_mutex_unlock(&g->lock);
    /* A guest asleep in S3 only returns when the machine powers off. */
    vm_machine_power_off(g->vm);
    g_thread_join(g->thread);
    gdemo_free(g->desktop);
    gkms_close(g->dev);
    g_free(g->dump_path);
    g_cond_clear(&g->cond);
    g_mutex_clear(&g->lock);
    g_free(g);
}

int runner_guest_request_suspend(RunnerGuest *g, unsigned frames_before)
{
    int ret = -1;
    g_mutex_lock(&g->lock);
    if (!g->suspend_requested && g->status.running) {
        g->suspend_requested = true;
        g->frames_before = MIN(frames_before, 1000u);
        g_cond_broadcast(&g->cond);
        ret = 0;
    }
    g_mutex_unlock(&g->lock);
    return ret;
}

void runner_guest_set_paused(RunnerGuest *g, bool paused)
{
    g_mutex_lock(&g->lock);
    g->status.paused = paused;
    g_cond_broadcast(&g->cond);
    g_mutex_unlock(&g->lock);
}

int runner_guest_request_expected_dump(RunnerGuest *g, const char *path)
{
    int ret = -1;
    g_mutex_lock(&g->lock);
    if (g->dump_path == NULL && !g->suspend_requested && g->status.running) {
        g->dump_path = g_strdup(path);
        g_cond_broadcast(&g->cond);
        ret = 0;
    }
    g_mutex_unlock(&g->lock);
    return ret;
}

void runner_guest_get_status(RunnerGuest *g, RunnerGuestStatus *out)
{
    g_mutex_lock(&g->lock);
    *out = g->status;
    g_mutex_unlock(&g->lock);
}
