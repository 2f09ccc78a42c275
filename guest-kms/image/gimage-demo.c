/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gimage-demo.c: the demo guest image (s3d-guest-demo.so): one vCPU
 * thread that runs the guest KMS driver and the demo desktop, and goes
 * through S3 the way `systemctl suspend` does: the driver's freeze, the
 * bus's sleep request, the driver's thaw.  Other threads only post
 * requests and read a status snapshot (gbus-image.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "gbus-image.h"
#include "gdemo.h"
#include "gkms-log.h"
#include "gkms.h"

struct GbusGuest {
    const Gbus *bus;            /* all the guest sees of the machine */
    GbusImageConfig cfg;        /* cfg.fault is not kept: faults is */
    unsigned faults;            /* GkmsFault bits */
    GbusGuestEventFunc cb;
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
    GbusGuestStatus status;

    /* start-up handshake */
    bool started, start_ok;
};

static void emit(GbusGuest *g, GbusGuestEvent ev)
{
    ev.tick = g->status.tick; /* only this thread writes tick */
    g->cb(g->opaque, &ev);
}

static void publish(GbusGuest *g)
{
    GkmsStats st;
    gkms_get_stats(g->dev, &st);
    g_mutex_lock(&g->lock);
    g->status.books = (GbusGuestBooks){
        .commands_submitted = st.commands_submitted, .commands_released = st.commands_released,
        .commands_outstanding = st.commands_outstanding,
        .device_allocations = st.device_allocations, .surfaces = st.surfaces,
        .resource_creations = st.resource_creations,
    };
    g_mutex_unlock(&g->lock);
}

static void set_error(GbusGuest *g, const char *what)
{
    g_mutex_lock(&g->lock);
    g_strlcpy(g->status.last_error, what, sizeof(g->status.last_error));
    g->status.failures++;
    g_mutex_unlock(&g->lock);
}

static int draw_frame(GbusGuest *g)
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

static void write_expected(GbusGuest *g, const char *path)
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
    bool ok = g_file_set_contents(path, ppm->str, (gssize)ppm->len, &err);
    g_string_free(ppm, TRUE);
    emit(g, (GbusGuestEvent){ .kind = GBUS_GUEST_SCREENDUMP, .path = path,
                              .error = ok ? NULL : err->message });
    g_clear_error(&err);
}

/* The cycle is over: the guest takes requests (screendump, suspend) again.
 * Called before the event that says so, so that a control client acting
 * on RESUMED or RESUME_FAILED is not refused. */
static void suspend_cycle_end(GbusGuest *g)
{
    g_mutex_lock(&g->lock);
    g->suspend_requested = false;
    g_mutex_unlock(&g->lock);
}

/* One S3 cycle as a guest OS runs it: freeze the driver, sleep, thaw.  A
 * failed freeze aborts the suspend (the machine never sleeps) and thaws,
 * as Linux does when a device's suspend callback fails. */
static void suspend_cycle(GbusGuest *g, unsigned frames_before)
{
    for (unsigned i = 0; i < frames_before; i++) {
        if (draw_frame(g) != 0) {
            break;
        }
    }
    emit(g, (GbusGuestEvent){ .kind = GBUS_GUEST_SUSPENDING });

    int64_t t0 = g_get_monotonic_time();
    bool slept = false;
    if (gkms_suspend(g->dev) != 0) {
        set_error(g, gkms_last_error(g->dev));
        emit(g, (GbusGuestEvent){ .kind = GBUS_GUEST_SUSPEND_FAILED,
                                  .error = gkms_last_error(g->dev) });
    } else {
        int64_t t1 = g_get_monotonic_time();
        g_mutex_lock(&g->lock);
        g->status.driver_suspended = true;
        g->status.last_suspend_ms = (double)(t1 - t0) / 1000.0;
        g_mutex_unlock(&g->lock);
        publish(g);
        if (gbus_sleep(g->bus) != 0) {
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
        suspend_cycle_end(g);
        emit(g, (GbusGuestEvent){ .kind = GBUS_GUEST_RESUME_FAILED,
                                  .error = gkms_last_error(g->dev) });
        return;
    }
    publish(g);
    GbusGuestEvent ev = { .kind = GBUS_GUEST_RESUMED, .slept = slept, .cycle = g->status.cycles,
                          .suspend_ms = g->status.last_suspend_ms,
                          .resume_ms = g->status.last_resume_ms };
    suspend_cycle_end(g);
    emit(g, ev);
}

static void guest_set_paused(GbusGuest *g, bool paused)
{
    g_mutex_lock(&g->lock);
    g->status.paused = paused;
    g_cond_broadcast(&g->cond);
    g_mutex_unlock(&g->lock);
}

static gpointer guest_main(gpointer data)
{
    GbusGuest *g = data;
    g->dev = g->cfg.virtio_gpu ? gkms_open_virtio_gpu(g->bus, 0) : gkms_open_qxl(g->bus, 0);
    g->desktop = g->dev ? gdemo_new(g->dev, g->cfg.width, g->cfg.height) : NULL;
    if (g->desktop) {
        gkms_set_faults(g->dev, g->faults);
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
                emit(g, (GbusGuestEvent){ .kind = GBUS_GUEST_ERROR,
                                          .error = gkms_last_error(g->dev) });
                paused = true;
                guest_set_paused(g, true);
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

/* ---- the entry table ---- */

/* The fault names the image takes (the runner's --fault). */
static const struct {
    const char *name;
    unsigned bits;
} guest_faults[] = {
    { "skip-flush-release", GKMS_FAULT_SKIP_FLUSH_RELEASE },
    { "destroy-before-flush", GKMS_FAULT_DESTROY_BEFORE_FLUSH },
    { "skip-evict", GKMS_FAULT_SKIP_EVICT },
};

static void guest_destroy(GbusGuest *g);

static GbusGuest *guest_create(const Gbus *bus, const GbusImageConfig *cfg, GbusGuestEventFunc cb,
                               void *opaque)
{
    unsigned faults = GKMS_FAULT_NONE;
    if (cfg->fault) {
        unsigned i = 0;
        while (i < G_N_ELEMENTS(guest_faults) && strcmp(cfg->fault, guest_faults[i].name) != 0) {
            i++;
        }
        if (i == G_N_ELEMENTS(guest_faults)) {
            gkms_log_warn("image: unknown fault %s", cfg->fault);
            return NULL;
        }
        faults = guest_faults[i].bits;
    }
    GbusGuest *g = g_new0(GbusGuest, 1);
    g->bus = bus;
    g->cfg = *cfg;
    g->cfg.fault = NULL; /* the caller's string; faults holds what it said */
    g->faults = faults;
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
        /* A thread that never started the driver never sleeps: it has
         * returned, or returns at once on quit. */
        gkms_log_warn("image: the demo guest did not start");
        guest_destroy(g);
        return NULL;
    }
    return g;
}

static void guest_stop(GbusGuest *g)
{
    g_mutex_lock(&g->lock);
    g->quit = true;
    g_cond_broadcast(&g->cond);
    g_mutex_unlock(&g->lock);
}

static void guest_destroy(GbusGuest *g)
{
    if (g == NULL) {
        return;
    }
    guest_stop(g);
    g_thread_join(g->thread);
    gdemo_free(g->desktop);
    gkms_close(g->dev);
    g_free(g->dump_path);
    g_cond_clear(&g->cond);
    g_mutex_clear(&g->lock);
    g_free(g);
}

static int guest_request_suspend(GbusGuest *g, unsigned frames_before)
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

static int guest_request_screendump(GbusGuest *g, const char *path)
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

static void guest_get_status(GbusGuest *g, GbusGuestStatus *out)
{
    g_mutex_lock(&g->lock);
    *out = g->status;
    g_mutex_unlock(&g->lock);
}

/* The image's one export (the build hides every other symbol). */
__attribute__((visibility("default"))) extern const GbusImageEntry gbus_image_entry;
const GbusImageEntry gbus_image_entry = {
    .abi_version = GBUS_IMAGE_ABI_VERSION,
    .name = "s3d-guest-demo",
    .valid_faults = "skip-flush-release|destroy-before-flush|skip-evict",
    .create = guest_create,
    .stop = guest_stop,
    .destroy = guest_destroy,
    .request_suspend = guest_request_suspend,
    .set_paused = guest_set_paused,
    .request_screendump = guest_request_screendump,
    .get_status = guest_get_status,
};
