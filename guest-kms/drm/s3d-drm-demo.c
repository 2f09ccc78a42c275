/* SPDX-License-Identifier: GPL-2.0-or-later */
/* s3d-drm-demo: the demo desktop as a libdrm program for a Linux guest.
 *
 *   s3d-drm-demo [--device /dev/dri/card0] [--size WxH] [--tick N] [--fps N]
 *                [--seconds S] [--page-flip]
 *
 * --tick N: draws frame N, prints "EXPECTED WxH sha256=HEX" (over the RGB
 * bytes of the picture the screen must show, as spice-watch.py hashes a
 * client's snapshot), then "DRAWN", and holds the picture until SIGINT or
 * SIGTERM (it stays DRM master, so the console cannot draw over it).
 * Otherwise it animates at --fps (10) for --seconds (0: until a signal).
 * --page-flip: every frame also goes through drmModePageFlip.
 * Exit: 0, or 1 with a line on stderr. */
#include "config.h"

#include <glib-unix.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdemo.h"
#include "gkms-drm.h"

typedef struct Options {
    gchar *device, *size;
    gint64 tick;
    gint fps, seconds;
    gboolean page_flip;
} Options;

static gboolean on_signal(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_REMOVE;
}

/* The sha256 of the expected picture's RGB bytes, top to bottom. */
static gchar *expected_sha256(GdemoDesktop *d, uint64_t tick, int *w, int *h)
{
    pixman_image_t *img = gdemo_expected(d, tick);
    *w = pixman_image_get_width(img);
    *h = pixman_image_get_height(img);
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    guint8 *row = g_malloc((gsize)*w * 3);
    for (int y = 0; y < *h; y++) {
        const uint32_t *px = (const uint32_t *)(const void *)
            ((const uint8_t *)pixman_image_get_data(img) + (size_t)y * pixman_image_get_stride(img));
        for (int x = 0; x < *w; x++) {
            row[3 * x] = (guint8)(px[x] >> 16);
            row[3 * x + 1] = (guint8)(px[x] >> 8);
            row[3 * x + 2] = (guint8)px[x];
        }
        g_checksum_update(sum, row, (gssize)*w * 3);
    }
    g_free(row);
    pixman_image_unref(img);
    gchar *hex = g_strdup(g_checksum_get_string(sum));
    g_checksum_free(sum);
    return hex;
}

typedef struct Animation {
    GdemoDesktop *desktop;
    GkmsDevice *dev;
    GMainLoop *loop;
    uint64_t tick, last;
    gboolean page_flip;
    int status;
} Animation;

static gboolean next_frame(gpointer data)
{
    Animation *a = data;
    a->tick++;
    if (gdemo_frame(a->desktop, a->tick) != 0 ||
        (a->page_flip && gkms_page_flip_current(a->dev) != 0)) {
        fprintf(stderr, "s3d-drm-demo: frame %" G_GUINT64_FORMAT ": %s\n", a->tick,
                gkms_last_error(a->dev));
        a->status = 1;
        g_main_loop_quit(a->loop);
        return G_SOURCE_REMOVE;
    }
    if (a->last && a->tick >= a->last) {
        g_main_loop_quit(a->loop);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv)
{
    Options o = { .tick = -1, .fps = 10 };
    GOptionEntry entries[] = {
        { "device", 'd', 0, G_OPTION_ARG_FILENAME, &o.device, "DRM device (/dev/dri/card0)", "PATH" },
        { "size", 0, 0, G_OPTION_ARG_STRING, &o.size, "wanted mode (1024x768)", "WxH" },
        { "tick", 0, 0, G_OPTION_ARG_INT64, &o.tick, "draw this frame and hold it", "N" },
        { "fps", 0, 0, G_OPTION_ARG_INT, &o.fps, "frames per second (10)", "N" },
        { "seconds", 0, 0, G_OPTION_ARG_INT, &o.seconds, "run time (0: until a signal)", "S" },
        { "page-flip", 0, 0, G_OPTION_ARG_NONE, &o.page_flip, "also page-flip every frame", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *oc = g_option_context_new("- the s3display demo desktop on a DRM device");
    g_option_context_add_main_entries(oc, entries, NULL);
    GError *err = NULL;
    if (!g_option_context_parse(oc, &argc, &argv, &err)) {
        fprintf(stderr, "s3d-drm-demo: %s\n", err->message);
        return 2;
    }
    g_option_context_free(oc);
    unsigned w = 1024, h = 768;
    if (o.size && (sscanf(o.size, "%ux%u", &w, &h) != 2 || w == 0 || h == 0)) {
        fprintf(stderr, "s3d-drm-demo: --size WxH\n");
        return 2;
    }
    if (o.fps <= 0 || o.fps > 100 || o.seconds < 0) {
        fprintf(stderr, "s3d-drm-demo: --fps 1..100, --seconds >= 0\n");
        return 2;
    }
    GkmsDevice *dev = gkms_open_drm(o.device ? o.device : "/dev/dri/card0");
    GdemoDesktop *desktop = dev ? gdemo_new(dev, w, h) : NULL;
    if (desktop == NULL) {
        fprintf(stderr, "s3d-drm-demo: no desktop: %s\n", dev ? gkms_last_error(dev) : "no device");
        gkms_close(dev);
        return 1;
    }
    GMainLoop *loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGINT, on_signal, loop);
    g_unix_signal_add(SIGTERM, on_signal, loop);
    Animation a = { .desktop = desktop, .dev = dev, .loop = loop, .page_flip = o.page_flip };
    if (o.tick >= 0) {
        int ew, eh;
        if (gdemo_frame(desktop, (uint64_t)o.tick) != 0 ||
            (o.page_flip && gkms_page_flip_current(dev) != 0)) {
            fprintf(stderr, "s3d-drm-demo: frame %" G_GINT64_FORMAT ": %s\n", o.tick,
                    gkms_last_error(dev));
            a.status = 1;
        } else {
            gchar *hex = expected_sha256(desktop, (uint64_t)o.tick, &ew, &eh);
            printf("EXPECTED %dx%d sha256=%s\nDRAWN\n", ew, eh, hex);
            fflush(stdout);
            g_free(hex);
            g_main_loop_run(loop);
        }
    } else {
        a.last = o.seconds ? (uint64_t)o.seconds * (uint64_t)o.fps : 0;
        g_timeout_add(1000 / (guint)o.fps, next_frame, &a);
        g_main_loop_run(loop);
    }
    g_main_loop_unref(loop);
    gdemo_free(desktop);
    gkms_close(dev);
    g_free(o.device);
    g_free(o.size);
    return a.status;
}
