/* SPDX-License-Identifier: GPL-2.0-or-later */
/* glz-upstream-check: our GLZ_RGB encoder's output decoded by the real
 * client's decoder (decode-glz.c of the spice-gtk source package, with its
 * own window).  Not built by make: test-red-glz-upstream.sh compiles it
 * with the fetched decode-glz.c, spice-common's canvas_utils.c (the
 * client's image allocation), our red-glz.c, red-lz.c and lz-cases.c,
 * sanitized.
 *
 * Three sequences, each through one dictionary and one client window, as a
 * session has them: desktop tiles that repeat among seeded images of every
 * kind (1 Mi-pixel window); far-offset images each sent twice (our largest
 * window); repeated tiles through a window of five tiles, which drops
 * images all the time.  Per image the decoded pixels must equal ours with
 * a zero fourth byte, and decode-glz.c must log nothing: its checks
 * (g_return_if_fail) log a critical and give up, which is a failure here.
 * References into earlier images must have been made, or the run proves
 * nothing.
 *
 * Usage: glz-upstream-check [SEED] */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <glib.h>
#include <pixman.h>

#include "common/canvas_utils.h"    /* spice-common's */
#include "decode.h"                 /* spice-gtk's */
#include "glz-upstream-shim.h"
#include "lz-cases.h"
#include "red-glz.h"

#define TILE 64u

typedef struct Run {
    RedGlzDict *dict;
    SpiceGlzDecoderWindow *window;
    SpiceGlzDecoder *decoder;
    unsigned images, failed;
    size_t earlier;                 /* pixels the encoder took from earlier images */
} Run;

static unsigned logged;             /* what decode-glz.c complained about */

static void count_log(const gchar *domain, GLogLevelFlags level, const gchar *message,
                      gpointer data)
{
    (void)data;
    if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING | G_LOG_LEVEL_ERROR)) {
        printf("decode-glz.c: %s%s%s\n", domain ? domain : "", domain ? ": " : "", message);
        logged++;
    }
}

/* No coroutine runs here: the condition is answered as it stands. */
GCoroutine *g_coroutine_self(void)
{
    return NULL;
}

gboolean g_coroutine_condition_wait(GCoroutine *coroutine, GConditionWaitFunc func,
                                    gpointer data)
{
    (void)coroutine;
    return func(data);
}

static void run_start(Run *r, uint32_t window)
{
    *r = (Run){ .dict = red_glz_dict_create(window), .window = glz_decoder_window_new() };
    r->decoder = glz_decoder_new(r->window);
}

static void run_finish(Run *r)
{
    glz_decoder_destroy(r->decoder);
    glz_decoder_window_destroy(r->window);
    red_glz_dict_destroy(r->dict);
}

static void check(Run *r, const uint32_t *px, uint32_t w, uint32_t h, const char *what)
{
    uint8_t *out = NULL;
    size_t size = 0;
    RedGlzResult res;
    r->images++;
    if (red_glz_encode(r->dict, (const uint8_t *)px, w, h, w * 4, &out, &size, &res) != 0) {
        printf("%s %ux%u: encode failed\n", what, w, h);
        r->failed++;
        return;
    }
    r->earlier += res.earlier_pixels;
    LzDecodeUsrData usr = { NULL };
    unsigned before = logged;
    r->decoder->ops->decode(r->decoder, out, NULL, &usr);
    if (logged != before || usr.out_surface == NULL) {
        printf("%s %ux%u id %" G_GUINT64_FORMAT ": decode-glz.c refused it\n", what, w, h,
               res.id);
        r->failed++;
    } else {
        const uint8_t *rows = (const uint8_t *)pixman_image_get_data(usr.out_surface);
        int stride = pixman_image_get_stride(usr.out_surface);
        for (uint32_t y = 0; y < h; y++) {
            const uint32_t *row = (const uint32_t *)(rows + (size_t)y * (size_t)stride);
            for (uint32_t x = 0; x < w; x++) {
                if (row[x] != (px[(size_t)y * w + x] & 0x00ffffffu)) {
                    printf("%s %ux%u id %" G_GUINT64_FORMAT ": pixel (%u,%u) is %08x\n", what,
                           w, h, res.id, x, y, row[x]);
                    r->failed++;
                    y = h;
                    break;
                }
            }
        }
    }
    if (usr.out_surface != NULL) {
        pixman_image_unref(usr.out_surface);    /* the client's window keeps its own */
    }
    g_free(out);
}

static void check_tile(Run *r, uint32_t seed, const char *what)
{
    uint32_t *t = g_new(uint32_t, TILE * TILE);
    lz_case_desktop(t, TILE, TILE, seed);
    check(r, t, TILE, TILE, what);
    g_free(t);
}

static void check_case(Run *r, unsigned index, uint32_t seed)
{
    LzCase c;
    lz_case_make(&c, index, seed);
    check(r, c.pixels, c.width, c.height, c.kind);
    lz_case_free(&c);
}

/* Prints the run's line; returns its failures, one more when no reference
 * into an earlier image was made. */
static unsigned run_end(Run *r, const char *name)
{
    unsigned failed = r->failed + (r->earlier == 0);
    printf("%s: %u images, %zu pixels from earlier images, %u failed%s\n", name, r->images,
           r->earlier, r->failed, r->earlier ? "" : ", and no cross-image reference");
    run_finish(r);
    return failed;
}

int main(int argc, char **argv)
{
    uint32_t seed = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1;
    g_log_set_default_handler(count_log, NULL);
    unsigned failed = 0;
    Run r;

    run_start(&r, 1024 * 1024);
    for (unsigned k = 0; k < 240; k++) {
        check_tile(&r, seed + k % 40, "tile");
        check_case(&r, k, seed);
    }
    failed += run_end(&r, "mixed");

    run_start(&r, RED_GLZ_MAX_WINDOW_PIXELS);
    for (unsigned k = 0; k < 8; k++) {
        check_case(&r, 3 + LZ_CASE_KINDS * k, seed);
        check_case(&r, 3 + LZ_CASE_KINDS * k, seed);
    }
    failed += run_end(&r, "far");

    run_start(&r, 5 * TILE * TILE + TILE);
    for (unsigned k = 0; k < 60; k++) {
        check_tile(&r, seed + k % 7, "small window tile");
    }
    failed += run_end(&r, "small window");

    printf("%s: seed %u, spice-gtk's decode-glz.c, %u failed\n", failed ? "FAIL" : "PASS", seed,
           failed);
    return failed ? 1 : 0;
}
