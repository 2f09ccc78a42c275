/* SPDX-License-Identifier: GPL-2.0-or-later */
/* audio-sine-server: a libspice-server (ours, or Debian's: it uses only
 * <spice.h>) with a playback interface that plays a 440 Hz sine through
 * spice_server_playback_get_buffer/put_samples in real time, as QEMU's
 * audio-spice does, for real clients (client/test-audio-spice-gtk.sh).
 *
 * Prints "SERVER-READY port=N" once listening on 127.0.0.1:N (no ticket),
 * then serves until SIGTERM/SIGINT or --timeout seconds (a failsafe), and
 * prints "PACKETS n" (packets the library took) on exit.
 *
 * Usage: audio-sine-server [--timeout S]
 */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>
#include <glib.h>
#include <spice.h>

#include "test-core.h"

#define RATE 48000u
#define TICK_MS 10
/* At most this many packets per tick when the loop was late: a stalled
 * loop does not turn into a burst the size of the stall. */
#define MAX_CATCH_UP 20

static const SpicePlaybackInterface playback_sif = {
    .base = { .type = SPICE_INTERFACE_PLAYBACK, .description = "sine",
              .major_version = SPICE_INTERFACE_PLAYBACK_MAJOR,
              .minor_version = SPICE_INTERFACE_PLAYBACK_MINOR },
};

static struct {
    SpicePlaybackInstance playback;
    const SpiceCoreInterface *core;
    SpiceTimer *timer;
    gint64 start_us;            /* when the sound started (0: no listener yet) */
    uint64_t frames_sent;       /* frames handed to the library since then */
    uint64_t packets;
    uint64_t phase;
} S;

static void tick(void *opaque)
{
    (void)opaque;
    gint64 now = g_get_monotonic_time();
    uint32_t *buf = NULL;
    uint32_t n = 0;
    spice_server_playback_get_buffer(&S.playback, &buf, &n);
    if (buf == NULL) {
        S.start_us = 0; /* nobody listens: the sound waits for a client */
    } else {
        if (S.start_us == 0) {
            S.start_us = now;
            S.frames_sent = 0;
        }
        uint64_t due = (uint64_t)(now - S.start_us) * RATE / G_USEC_PER_SEC + n;
        for (int k = 0; buf && S.frames_sent < due && k < MAX_CATCH_UP; k++) {
            for (uint32_t i = 0; i < n; i++, S.phase++) {
                int16_t v = (int16_t)(16000.0 * sin(2.0 * M_PI * 440.0 * (double)S.phase / RATE));
                buf[i] = (uint32_t)(uint16_t)v | (uint32_t)(uint16_t)v << 16;
            }
            spice_server_playback_put_samples(&S.playback, buf);
            S.frames_sent += n;
            S.packets++;
            buf = NULL;
            spice_server_playback_get_buffer(&S.playback, &buf, &n);
        }
        if (S.frames_sent + (uint64_t)RATE < due) {
            S.frames_sent = due; /* far behind: skip ahead rather than burst */
        }
    }
    S.core->timer_start(S.timer, TICK_MS);
}

static gboolean on_stop(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
    unsigned timeout_s = 300;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            timeout_s = (unsigned)strtoul(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "usage: %s [--timeout S]\n", argv[0]);
            return 2;
        }
    }
    S.core = test_core_default_interface(true);
    if (S.core == NULL) {
        return 1;
    }
    SpiceServer *server = NULL;
    int port = 0;
    for (int attempt = 0; attempt < 20 && server == NULL; attempt++) {
        port = 20000 + (int)(g_random_int() % 20000);
        server = spice_server_new();
        spice_server_set_addr(server, "127.0.0.1", SPICE_ADDR_FLAG_IPV4_ONLY);
        spice_server_set_port(server, port);
        spice_server_set_noauth(server);
        if (spice_server_init(server, (SpiceCoreInterface *)S.core) != 0) {
            spice_server_destroy(server);
            server = NULL;
        }
    }
    if (server == NULL) {
        fprintf(stderr, "audio-sine-server: no port\n");
        return 1;
    }
    S.playback.base.sif = &playback_sif.base;
    if (spice_server_add_interface(server, &S.playback.base) != 0) {
        fprintf(stderr, "audio-sine-server: add_interface(playback) failed\n");
        spice_server_destroy(server);
        return 1;
    }
    /* What QEMU does: the best rate, then start (the guest opened its card). */
    spice_server_set_playback_rate(&S.playback, spice_server_get_best_playback_rate(&S.playback));
    spice_server_playback_start(&S.playback);
    S.timer = S.core->timer_add(tick, NULL);
    S.core->timer_start(S.timer, TICK_MS);

    GMainLoop *loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGTERM, on_stop, loop);
    g_unix_signal_add(SIGINT, on_stop, loop);
    g_timeout_add_seconds(timeout_s, on_stop, loop);
    printf("SERVER-READY port=%d\n", port);
    fflush(stdout);
    g_main_loop_run(loop);

    spice_server_playback_stop(&S.playback);
    S.core->timer_remove(S.timer);
    spice_server_remove_interface(&S.playback.base);
    spice_server_destroy(server);
    g_main_loop_unref(loop);
    printf("PACKETS %" G_GUINT64_FORMAT "\n", S.packets);
    return 0;
}
