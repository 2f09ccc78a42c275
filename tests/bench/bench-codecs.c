/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench-codecs: bytes and encode speed of the server's lossless image
 * encoders (server/codecs: LZ4, LZ_RGB, the auto_glz choice between
 * them without a GLZ window, and GLZ alone) on the demo desktop (guest-kms/demo's scene, 1024x768) and on
 * synthetic content.  A benchmark, not a test: it prints figures and exits
 * 0; only a failed encode makes it exit 1.
 *
 * Workloads, each encoded the way the display channel ships it:
 *  - desktop-first   the whole first frame in one image;
 *  - desktop-frames  ticks 1..N of the demo: each tick's damage boxes,
 *                    cut into the channel's 256 KiB bands;
 *  - desktop-tiles   the first frame cut into 64x64 tiles;
 *  - photo-tiles     64x64 tiles of smooth colour plus noise (camera-like:
 *                    no two pixels equal), where whole-pixel matching finds
 *                    nothing;
 *  - text-lines      a terminal scrolling: 1024x64 bands of four lines of
 *                    console text, each band new text (what the display
 *                    channel encodes after a scroll).
 * Per workload and encoder: images, raw bytes, payload bytes (what goes on
 * the wire as the image's data), bytes per frame or tile and MB/s of raw
 * input encoded (CPU time of this process, best of --repeat runs).
 *
 * Usage: bench-codecs [--frames N] [--repeat N] */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <pixman.h>
#include <spice/enums.h>

#include "gdemo-scene.h"
#include "red-glz.h"
#include "red-image-codec.h"
#include "red-lz.h"
#include "red-lz4.h"

#define DESK_W 1024
#define DESK_H 768
#define TILE 64
#define BAND_BYTES (256u * 1024)     /* DISPLAY_MAX_UPDATE_BYTES */

typedef enum Coder { CODER_LZ4, CODER_LZ, CODER_AUTO, CODER_GLZ, CODER_COUNT } Coder;
static const char *const coder_names[CODER_COUNT] = { "lz4", "lz", "auto_glz", "glz" };

/* One image to encode: a copy of its pixels, stride width * 4. */
typedef struct Img {
    uint32_t w, h;
    uint8_t *px;
} Img;

typedef struct Workload {
    const char *name;
    const char *unit;            /* "frame" or "tile" */
    unsigned units;
    GArray *imgs;                /* Img */
} Workload;

static void add_area(Workload *wl, pixman_image_t *src, int x, int y, int w, int h)
{
    Img im = { (uint32_t)w, (uint32_t)h, g_malloc((size_t)w * h * 4) };
    pixman_image_t *dst = pixman_image_create_bits(PIXMAN_x8r8g8b8, w, h, (uint32_t *)im.px,
                                                   w * 4);
    pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, dst, x, y, 0, 0, 0, 0, w, h);
    pixman_image_unref(dst);
    g_array_append_val(wl->imgs, im);
}

/* A box as the channel sends it: bands of at most BAND_BYTES. */
static void add_banded(Workload *wl, pixman_image_t *src, const pixman_box32_t *b)
{
    int rows = MAX(1, (int)(BAND_BYTES / (DESK_W * 4u)));
    for (int y = b->y1; y < b->y2; y += rows) {
        add_area(wl, src, b->x1, y, b->x2 - b->x1, MIN(rows, b->y2 - y));
    }
}

static void add_tiles(Workload *wl, pixman_image_t *src, int w, int h)
{
    for (int y = 0; y + TILE <= h; y += TILE) {
        for (int x = 0; x + TILE <= w; x += TILE) {
            add_area(wl, src, x, y, TILE, TILE);
            wl->units++;
        }
    }
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* glz: every image of a workload goes through one dictionary, in order, as
 * to one client (a fresh one per repeat). */
static int encode(Coder c, RedGlzDict *glz, const Img *im, size_t *bytes)
{
    uint8_t *out = NULL;
    size_t size = 0;
    int ret = 0;
    if (c == CODER_LZ4) {
        ret = red_lz4_encode(im->px, im->w, im->h, im->w * 4, &out, &size);
    } else if (c == CODER_LZ) {
        ret = red_lz_encode(im->px, im->w, im->h, im->w * 4, &out, &size);
    } else if (c == CODER_GLZ) {
        ret = red_glz_encode(glz, im->px, im->w, im->h, im->w * 4, &out, &size, NULL);
    } else {
        RedImagePolicy policy = { RED_IMAGE_LZ_OR_LZ4, NULL, false };
        RedImagePayload p;
        uint8_t t = red_image_encode(&policy, im->px, im->w, im->h, im->w * 4, &p);
        out = p.data;
        size = p.size;
        if (t == SPICE_IMAGE_TYPE_BITMAP) {
            size = (size_t)im->w * im->h * 4;
        }
    }
    g_free(out);
    *bytes = size;
    return ret;
}

static int run(const Workload *wl, unsigned repeat)
{
    size_t raw = 0;
    for (guint i = 0; i < wl->imgs->len; i++) {
        const Img *im = &g_array_index(wl->imgs, Img, i);
        raw += (size_t)im->w * im->h * 4;
    }
    for (int c = 0; c < CODER_COUNT; c++) {
        size_t total = 0;
        double best = 1e30;
        for (unsigned r = 0; r < repeat; r++) {
            total = 0;
            RedGlzDict *glz = red_glz_dict_create(RED_GLZ_MAX_WINDOW_PIXELS);
            double t0 = cpu_seconds();
            for (guint i = 0; i < wl->imgs->len; i++) {
                size_t b;
                if (encode((Coder)c, glz, &g_array_index(wl->imgs, Img, i), &b) != 0) {
                    fprintf(stderr, "%s: %s failed on image %u\n", wl->name, coder_names[c], i);
                    red_glz_dict_destroy(glz);
                    return -1;
                }
                total += b;
            }
            best = MIN(best, cpu_seconds() - t0);
            red_glz_dict_destroy(glz);
        }
        printf("bench-codecs %-15s %-8s images=%-5u raw=%-9zu bytes=%-9zu "
               "bytes/%s=%-9.0f ratio=%5.2f%% MB/s=%.0f\n",
               wl->name, coder_names[c], wl->imgs->len, raw, total, wl->unit,
               (double)total / MAX(1u, wl->units), 100.0 * (double)total / (double)raw,
               (double)raw / 1e6 / MAX(best, 1e-9));
    }
    return 0;
}

static void workload_free(Workload *wl)
{
    for (guint i = 0; i < wl->imgs->len; i++) {
        g_free(g_array_index(wl->imgs, Img, i).px);
    }
    g_array_free(wl->imgs, TRUE);
}

static Workload workload(const char *name, const char *unit)
{
    return (Workload){ name, unit, 0, g_array_new(FALSE, FALSE, sizeof(Img)) };
}

/* Camera-like: a smooth field plus +-8 of noise per channel. */
static pixman_image_t *photo_image(int w, int h)
{
    pixman_image_t *img = pixman_image_create_bits(PIXMAN_x8r8g8b8, w, h, NULL, 0);
    uint32_t *px = pixman_image_get_data(img);
    uint32_t s = 12345;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            uint32_t v = 0;
            for (int ch = 0; ch < 3; ch++) {
                s = s * 1103515245u + 12345u;
                int base = (ch == 0 ? x : ch == 1 ? y : (x + y) / 2) * 200 / (w + h) + 30;
                v |= (uint32_t)(base + (int)(s >> 28)) << (8 * ch);
            }
            px[(size_t)y * (size_t)(pixman_image_get_stride(img) / 4) + (size_t)x] = v;
        }
    }
    return img;
}

/* A terminal's scrollback: TEXT_BANDS bands of TEXT_ROWS lines of the
 * font's text, dark on light, every line different. */
#define TEXT_BANDS 64
#define TEXT_ROWS 4
static void add_text_lines(Workload *wl, const GdemoFont *font)
{
    unsigned fh = gdemo_font_height(font), fw = gdemo_font_width(font);
    int h = (int)(fh * TEXT_ROWS);
    pixman_image_t *band = pixman_image_create_bits(PIXMAN_x8r8g8b8, DESK_W, h, NULL, 0);
    pixman_color_t paper = { 0xf000, 0xf000, 0xe800, 0xffff };
    pixman_image_t *fill = pixman_image_create_solid_fill(&paper);
    static const char *const words[] = { "drwxr-xr-x", "root", "4096", "Dec", "1", "11:29",
                                         "server/", "display-channel.c", "make[2]:", "CC",
                                         "-O2", "Leaving", "directory", "'/work/main'" };
    unsigned k = 0;
    for (unsigned b = 0; b < TEXT_BANDS; b++) {
        pixman_image_composite32(PIXMAN_OP_SRC, fill, NULL, band, 0, 0, 0, 0, 0, 0, DESK_W, h);
        for (int r = 0; r < TEXT_ROWS; r++) {
            GString *line = g_string_new(NULL);
            while (line->len * fw < DESK_W - 12 * fw) {
                g_string_append_printf(line, "%s ", words[k++ % G_N_ELEMENTS(words)]);
                k += line->len % 3; /* vary the order from line to line */
            }
            gdemo_font_draw(font, band, 4, r * (int)fh, line->str, 0xff202020u);
            g_string_free(line, TRUE);
        }
        add_area(wl, band, 0, 0, DESK_W, h);
        wl->units++;
    }
    pixman_image_unref(fill);
    pixman_image_unref(band);
}

int main(int argc, char **argv)
{
    unsigned frames = 300, repeat = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--frames") == 0) {
            frames = (unsigned)strtoul(argv[i + 1], NULL, 0);
        } else if (strcmp(argv[i], "--repeat") == 0) {
            repeat = MAX(1u, (unsigned)strtoul(argv[i + 1], NULL, 0));
        }
    }
    GdemoFont *font = gdemo_font_create(NULL);
    GdemoScene scene;
    if (gdemo_scene_init(&scene, DESK_W, DESK_H, font) != 0) {
        fprintf(stderr, "gdemo_scene_init failed\n");
        return 1;
    }
    pixman_image_t *fb = pixman_image_create_bits(PIXMAN_x8r8g8b8, DESK_W, DESK_H, NULL, 0);
    GdemoState st, prev;
    gdemo_scene_state(&scene, 0, &st);
    gdemo_scene_draw_fb(&scene, fb, &st, NULL);

    Workload first = workload("desktop-first", "frame");
    add_area(&first, fb, 0, 0, DESK_W, DESK_H);
    first.units = 1;
    Workload tiles = workload("desktop-tiles", "tile");
    add_tiles(&tiles, fb, DESK_W, DESK_H);
    Workload seq = workload("desktop-frames", "frame");
    for (unsigned t = 1; t <= frames; t++) {
        prev = st;
        gdemo_scene_state(&scene, t, &st);
        pixman_region32_t damage;
        pixman_region32_init(&damage);
        gdemo_scene_fb_damage(&scene, &prev, &st, &damage);
        gdemo_scene_draw_fb(&scene, fb, &st, &damage);
        int n;
        const pixman_box32_t *boxes = pixman_region32_rectangles(&damage, &n);
        for (int i = 0; i < n; i++) {
            add_banded(&seq, fb, &boxes[i]);
        }
        pixman_region32_fini(&damage);
        seq.units++;
    }
    pixman_image_t *photo = photo_image(DESK_W, DESK_H);
    Workload ptiles = workload("photo-tiles", "tile");
    add_tiles(&ptiles, photo, DESK_W, DESK_H);

    Workload text = workload("text-lines", "band");
    add_text_lines(&text, font);

    int ret = 0;
    Workload *all[] = { &first, &seq, &tiles, &ptiles, &text };
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
        ret |= run(all[i], repeat) != 0;
        workload_free(all[i]);
    }
    pixman_image_unref(photo);
    pixman_image_unref(fb);
    gdemo_scene_finish(&scene);
    gdemo_font_destroy(font);
    return ret;
}
