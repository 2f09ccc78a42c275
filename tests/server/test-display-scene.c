/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-display-scene: a libspice-server, driven only through <spice.h> with
 * a fake QXL device, renders a known scene pixel for pixel.
 *
 * The program starts a server on 127.0.0.1 with a core interface on a GLib
 * main loop, adds a fake QXL device (fake-qxl.h), creates a 320x240 primary
 * surface and submits a scene (scene_ops below: a background fill, three
 * overlapping rectangles, a chunked top-down gradient copy with a padded
 * stride, a direct bottom-up checker copy, a copy-bits, two full-width
 * scrolls, one followed by its new line, one by half of it) plus a cursor.  It
 * draws the same scene with pixman into the expected image and checks:
 *
 *  - flush: spice_qxl_flush_surfaces_async completes its cookie exactly
 *    once within a deadline, after which the primary surface memory equals
 *    the expected image;
 *  - teardown: after the cursor reset and the surface destroys every
 *    submitted command has been released (bounded wait), none twice or
 *    unknown, and the flush cookie was still completed only once.
 *
 * In between it writes the expected image as a P6 PPM, prints
 * "SERVER-READY port=N" and serves clients (test-display-scene.sh connects
 * spicy-screenshot and compares its PPM with the expected one) until
 * SIGTERM/SIGINT or --timeout.  Exit 0 if every check passed, 1 otherwise.
 *
 * The same source links against Debian's libspice-server and against ours.
 *
 * --desktop replaces the scene with a desktop-like picture (lz-cases.h: a
 * bar, windows, lines of repeated glyphs, a gradient) in one copy, then a
 * fill and a copy-bits over it; --image-compression sets the lossless image
 * setting (spice_server_set_image_compression), else the library's default.
 *
 * Usage: test-display-scene [--port N] [--timeout S] [--expected FILE]
 *                           [--negative-stride] [--desktop]
 *                           [--image-compression off|auto_glz|auto_lz|quic|glz|lz|lz4]
 *        test-display-scene --compare-ppm GOT.ppm WANT.ppm
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib-unix.h>
#include <pixman.h>
#include <spice.h>

#include "fake-qxl.h"
#include "lz-cases.h"
#include "test-core.h"
#include "test-util.h"

#define SCENE_WIDTH 320
#define SCENE_HEIGHT 240

/* Deadlines.  The real server completes a flush of this scene in a few ms;
 * the margins are for ASan builds on a loaded CI machine. */
#define SCENE_FLUSH_TIMEOUT_MS 10000
#define SCENE_DUPLICATE_GRACE_MS 200  /* time a second (wrong) completion has to show up */
#define SCENE_RELEASE_TIMEOUT_MS 10000
#define SCENE_DEFAULT_TIMEOUT_S 120
#define SCENE_MAX_TIMEOUT_S 3600

/* "S3FLUSH\0": recognisable in a log, not 0 (a server bug could use 0). */
#define SCENE_FLUSH_COOKIE 0x5333464c55534800ull

/* Mismatching pixels printed before we stop listing them. */
#define SCENE_MAX_REPORTED 8

/* ---- the scene ----------------------------------------------------------- */

typedef enum ScenePattern {
    SCENE_PATTERN_GRADIENT,   /* smooth in R and G, XOR texture in B */
    SCENE_PATTERN_CHECKER,    /* 5-pixel checkerboard of two colours */
    SCENE_PATTERN_DESKTOP,    /* lz_case_desktop() */
} ScenePattern;

typedef enum SceneOpKind {
    SCENE_OP_FILL,
    SCENE_OP_COPY,
    SCENE_OP_COPY_BITS,
} SceneOpKind;

typedef struct SceneOp {
    SceneOpKind kind;
    QXLRect box;              /* {top, left, bottom, right} */
    uint32_t rgb;             /* FILL */
    ScenePattern pattern;     /* COPY */
    FakeQxlBitmapData data;   /* COPY */
    unsigned n_chunks;        /* COPY, chunked */
    FakeQxlRowOrder rows;     /* COPY */
    uint32_t row_padding;     /* COPY */
    int32_t src_x, src_y;     /* COPY_BITS */
} SceneOp;

/* Painted in order; later ops overlap earlier ones on purpose, so a server
 * that reorders or drops a drawable shows a difference. */
static const SceneOp scene_ops[] = {
    { .kind = SCENE_OP_FILL, .box = { 0, 0, SCENE_HEIGHT, SCENE_WIDTH }, .rgb = 0x203040 },
    { .kind = SCENE_OP_FILL, .box = { 20, 20, 100, 120 }, .rgb = 0xe03020 },
    { .kind = SCENE_OP_FILL, .box = { 60, 100, 160, 220 }, .rgb = 0x30c050 },
    { .kind = SCENE_OP_FILL, .box = { 140, 200, 220, 300 }, .rgb = 0x3050e0 },
    { .kind = SCENE_OP_COPY, .box = { 10, 170, 106, 298 }, .pattern = SCENE_PATTERN_GRADIENT,
      .data = FAKE_QXL_BITMAP_CHUNKED, .n_chunks = 3, .rows = FAKE_QXL_TOP_DOWN,
      .row_padding = 16 },
    { .kind = SCENE_OP_COPY, .box = { 170, 20, 210, 60 }, .pattern = SCENE_PATTERN_CHECKER,
      .data = FAKE_QXL_BITMAP_DIRECT, .rows = FAKE_QXL_BOTTOM_UP },
    /* Source (170,10)-(234,58) is inside the gradient; destination does
     * not overlap it. */
    { .kind = SCENE_OP_COPY_BITS, .box = { 170, 240, 218, 304 }, .src_x = 170, .src_y = 10 },
    /* A terminal's scroll by a line and its new line, then a scroll whose
     * next drawable covers only half of the rows the scroll keeps below
     * its band (ours may leave those rows to the next drawable: red-render.h). */
    { .kind = SCENE_OP_COPY_BITS, .box = { 0, 0, SCENE_HEIGHT - 16, SCENE_WIDTH }, .src_x = 0,
      .src_y = 16 },
    { .kind = SCENE_OP_FILL, .box = { SCENE_HEIGHT - 16, 0, SCENE_HEIGHT, SCENE_WIDTH },
      .rgb = 0x10e0e0 },
    { .kind = SCENE_OP_COPY_BITS, .box = { 0, 0, SCENE_HEIGHT - 8, SCENE_WIDTH }, .src_x = 0,
      .src_y = 8 },
    { .kind = SCENE_OP_FILL, .box = { SCENE_HEIGHT - 8, 0, SCENE_HEIGHT, SCENE_WIDTH / 2 },
      .rgb = 0xe0e010 },
};

/* The desktop of --desktop, then what a window manager does over it. */
static const SceneOp desktop_ops[] = {
    { .kind = SCENE_OP_COPY, .box = { 0, 0, SCENE_HEIGHT, SCENE_WIDTH },
      .pattern = SCENE_PATTERN_DESKTOP, .data = FAKE_QXL_BITMAP_DIRECT, .rows = FAKE_QXL_TOP_DOWN },
    { .kind = SCENE_OP_FILL, .box = { 200, 10, 230, 150 }, .rgb = 0xd0d0d0 },
    { .kind = SCENE_OP_COPY_BITS, .box = { 100, 180, 180, 300 }, .src_x = 20, .src_y = 30 },
};
#define SCENE_DESKTOP_SEED 7u

static uint32_t *scene_pattern_new(ScenePattern pattern, uint32_t w, uint32_t h)
{
    uint32_t *px = g_new(uint32_t, (size_t)w * h);
    if (pattern == SCENE_PATTERN_DESKTOP) {
        lz_case_desktop(px, w, h, SCENE_DESKTOP_SEED);
        return px;
    }
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            uint32_t v;
            if (pattern == SCENE_PATTERN_GRADIENT) {
                uint32_t r = x * 255 / (w - 1), g = y * 255 / (h - 1), b = (x ^ y) & 0xff;
                v = r << 16 | g << 8 | b;
            } else {
                v = ((x / 5 + y / 5) % 2) ? 0xf0e0d0 : 0x102030;
            }
            px[(size_t)y * w + x] = v;
        }
    }
    return px;
}

static uint32_t scene_box_width(const QXLRect *box)
{
    return (uint32_t)(box->right - box->left);
}

static uint32_t scene_box_height(const QXLRect *box)
{
    return (uint32_t)(box->bottom - box->top);
}

static int scene_submit_op(FakeQxl *qxl, const SceneOp *op)
{
    switch (op->kind) {
    case SCENE_OP_FILL:
        return fake_qxl_submit_fill(qxl, &op->box, op->rgb);
    case SCENE_OP_COPY: {
        uint32_t w = scene_box_width(&op->box), h = scene_box_height(&op->box);
        uint32_t *px = scene_pattern_new(op->pattern, w, h);
        FakeQxlBitmap bmp = {
            .pixels = px, .width = w, .height = h, .data = op->data,
            .n_chunks = op->n_chunks, .rows = op->rows, .row_padding = op->row_padding,
        };
        int r = fake_qxl_submit_copy(qxl, &op->box, &bmp);
        g_free(px);
        return r;
    }
    case SCENE_OP_COPY_BITS:
        return fake_qxl_submit_copy_bits(qxl, &op->box, op->src_x, op->src_y);
    }
    return -1;
}

/* The expected picture, drawn by pixman independently of any server. */
static void scene_draw_op(pixman_image_t *img, const SceneOp *op)
{
    uint32_t w = scene_box_width(&op->box), h = scene_box_height(&op->box);
    switch (op->kind) {
    case SCENE_OP_FILL: {
        pixman_color_t c = {
            .red = ((op->rgb >> 16) & 0xff) * 0x101,
            .green = ((op->rgb >> 8) & 0xff) * 0x101,
            .blue = (op->rgb & 0xff) * 0x101,
            .alpha = 0xffff,
        };
        pixman_rectangle16_t r = { (int16_t)op->box.left, (int16_t)op->box.top,
                                   (uint16_t)w, (uint16_t)h };
        pixman_image_fill_rectangles(PIXMAN_OP_SRC, img, &c, 1, &r);
        break;
    }
    case SCENE_OP_COPY: {
        uint32_t *px = scene_pattern_new(op->pattern, w, h);
        pixman_image_t *src = pixman_image_create_bits(PIXMAN_x8r8g8b8, (int)w, (int)h,
                                                       px, (int)w * 4);
        pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, img, 0, 0, 0, 0,
                                 op->box.left, op->box.top, (int)w, (int)h);
        pixman_image_unref(src);
        g_free(px);
        break;
    }
    case SCENE_OP_COPY_BITS: {
        /* Through a temporary: pixman leaves self-composites undefined. */
        pixman_image_t *tmp = pixman_image_create_bits(PIXMAN_x8r8g8b8, (int)w, (int)h,
                                                       NULL, 0);
        pixman_image_composite32(PIXMAN_OP_SRC, img, NULL, tmp, op->src_x, op->src_y,
                                 0, 0, 0, 0, (int)w, (int)h);
        pixman_image_composite32(PIXMAN_OP_SRC, tmp, NULL, img, 0, 0, 0, 0,
                                 op->box.left, op->box.top, (int)w, (int)h);
        pixman_image_unref(tmp);
        break;
    }
    }
}

static pixman_image_t *scene_expected_new(const SceneOp *ops, size_t n_ops)
{
    pixman_image_t *img = pixman_image_create_bits(PIXMAN_x8r8g8b8, SCENE_WIDTH,
                                                   SCENE_HEIGHT, NULL, 0);
    for (size_t i = 0; i < n_ops; i++) {
        scene_draw_op(img, &ops[i]);
    }
    return img;
}

static uint32_t scene_expected_pixel(pixman_image_t *img, uint32_t x, uint32_t y)
{
    const uint8_t *row = (const uint8_t *)pixman_image_get_data(img) +
                         (size_t)y * (size_t)pixman_image_get_stride(img);
    uint32_t px;
    memcpy(&px, row + (size_t)x * 4, sizeof(px));
    return px;
}

/* Compares RGB only: the x byte of xRGB is undefined on both sides. */
static unsigned scene_compare_surface(FakeQxl *qxl, pixman_image_t *expected)
{
    unsigned bad = 0;
    for (uint32_t y = 0; y < SCENE_HEIGHT; y++) {
        for (uint32_t x = 0; x < SCENE_WIDTH; x++) {
            uint32_t got = fake_qxl_primary_pixel(qxl, x, y) & 0xffffff;
            uint32_t want = scene_expected_pixel(expected, x, y) & 0xffffff;
            if (got != want && bad++ < SCENE_MAX_REPORTED) {
                fprintf(stderr, "surface pixel (%u,%u): got %06x want %06x\n", x, y, got, want);
            }
        }
    }
    return bad;
}

static int scene_write_ppm(pixman_image_t *img, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    fprintf(f, "P6\n%d %d\n255\n", SCENE_WIDTH, SCENE_HEIGHT);
    for (uint32_t y = 0; y < SCENE_HEIGHT; y++) {
        uint8_t rgb[SCENE_WIDTH * 3];
        for (uint32_t x = 0; x < SCENE_WIDTH; x++) {
            uint32_t px = scene_expected_pixel(img, x, y);
            rgb[x * 3] = (uint8_t)(px >> 16);
            rgb[x * 3 + 1] = (uint8_t)(px >> 8);
            rgb[x * 3 + 2] = (uint8_t)px;
        }
        fwrite(rgb, 1, sizeof(rgb), f);
    }
    bool write_error = ferror(f) != 0;
    if (fclose(f) != 0 || write_error) {
        fprintf(stderr, "%s: write failed\n", path);
        return -1;
    }
    return 0;
}

/* ---- PPM comparison (used by test-display-scene.sh) -------------------- */

typedef struct ScenePpm {
    unsigned width, height;
    uint8_t *rgb;             /* width*height*3 */
} ScenePpm;

/* Reads the next header number, skipping whitespace and # comments. */
static int scene_ppm_number(FILE *f, unsigned *out)
{
    int c;
    for (;;) {
        c = fgetc(f);
        if (c == '#') {
            while (c != '\n' && c != EOF) {
                c = fgetc(f);
            }
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            break;
        }
    }
    unsigned v = 0, digits = 0;
    while (c >= '0' && c <= '9' && digits < 6) {
        v = v * 10 + (unsigned)(c - '0');
        digits++;
        c = fgetc(f);
    }
    /* Exactly one whitespace byte ends a number (it also ends the header). */
    if (digits == 0 || (c != ' ' && c != '\t' && c != '\n' && c != '\r')) {
        return -1;
    }
    *out = v;
    return 0;
}

static int scene_ppm_read(const char *path, ScenePpm *ppm)
{
    memset(ppm, 0, sizeof(*ppm));
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    unsigned maxval = 0;
    int ok = fgetc(f) == 'P' && fgetc(f) == '6' && scene_ppm_number(f, &ppm->width) == 0 &&
             scene_ppm_number(f, &ppm->height) == 0 && scene_ppm_number(f, &maxval) == 0 &&
             maxval == 255 && ppm->width > 0 && ppm->height > 0 && ppm->width <= 16384 &&
             ppm->height <= 16384;
    if (ok) {
        size_t n = (size_t)ppm->width * ppm->height * 3;
        ppm->rgb = g_malloc(n);
        ok = fread(ppm->rgb, 1, n, f) == n;
    }
    fclose(f);
    if (!ok) {
        fprintf(stderr, "%s: not a complete 8-bit P6 PPM\n", path);
        g_free(ppm->rgb);
        ppm->rgb = NULL;
        return -1;
    }
    return 0;
}

static int scene_compare_ppm(const char *got_path, const char *want_path)
{
    ScenePpm got, want;
    if (scene_ppm_read(got_path, &got) != 0) {
        return 1;
    }
    if (scene_ppm_read(want_path, &want) != 0) {
        g_free(got.rgb);
        return 1;
    }
    unsigned bad = 0;
    if (got.width != want.width || got.height != want.height) {
        fprintf(stderr, "size: got %ux%u want %ux%u\n", got.width, got.height,
                want.width, want.height);
        bad = 1;
    } else {
        for (unsigned y = 0; y < got.height; y++) {
            for (unsigned x = 0; x < got.width; x++) {
                const uint8_t *g = got.rgb + ((size_t)y * got.width + x) * 3;
                const uint8_t *w = want.rgb + ((size_t)y * want.width + x) * 3;
                if (memcmp(g, w, 3) != 0 && bad++ < SCENE_MAX_REPORTED) {
                    fprintf(stderr, "pixel (%u,%u): got %02x%02x%02x want %02x%02x%02x\n",
                            x, y, g[0], g[1], g[2], w[0], w[1], w[2]);
                }
            }
        }
        if (bad) {
            fprintf(stderr, "%u of %u pixels differ\n", bad, got.width * got.height);
        }
    }
    if (!bad) {
        printf("%s equals %s (%ux%u)\n", got_path, want_path, got.width, got.height);
    }
    g_free(got.rgb);
    g_free(want.rgb);
    return bad ? 1 : 0;
}

/* ---- server lifetime ---------------------------------------------------- */

typedef struct SceneOptions {
    int port;                 /* 0: pick a free one */
    unsigned timeout_s;
    const char *expected_path;
    FakeQxlStride stride;
    const SceneOp *ops;       /* scene_ops or desktop_ops */
    size_t n_ops;
    int image_compression;    /* SpiceImageCompression, -1: the default */
} SceneOptions;

static const char *const scene_compression_names[] = {
    [SPICE_IMAGE_COMPRESSION_OFF] = "off", [SPICE_IMAGE_COMPRESSION_AUTO_GLZ] = "auto_glz",
    [SPICE_IMAGE_COMPRESSION_AUTO_LZ] = "auto_lz", [SPICE_IMAGE_COMPRESSION_QUIC] = "quic",
    [SPICE_IMAGE_COMPRESSION_GLZ] = "glz", [SPICE_IMAGE_COMPRESSION_LZ] = "lz",
    [SPICE_IMAGE_COMPRESSION_LZ4] = "lz4",
};

static int scene_compression_from_name(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(scene_compression_names); i++) {
        if (scene_compression_names[i] && strcmp(scene_compression_names[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}


typedef struct SceneRun {
    GMainLoop *loop;
    bool timed_out;
} SceneRun;

static gboolean scene_on_signal(gpointer data)
{
    SceneRun *run = data;
    g_main_loop_quit(run->loop);
    return G_SOURCE_CONTINUE;   /* removed by scene_serve */
}

static gboolean scene_on_timeout(gpointer data)
{
    SceneRun *run = data;
    run->timed_out = true;
    g_main_loop_quit(run->loop);
    return G_SOURCE_CONTINUE;   /* removed by scene_serve */
}

static void scene_print_stats(const char *when, FakeQxl *qxl)
{
    FakeQxlStats st;
    fake_qxl_get_stats(qxl, &st);
    printf("stats %s: submitted %" PRIu64 " fetched %" PRIu64 " released %" PRIu64
           " bad_releases %" PRIu64 " async_completes %" PRIu64 " flush_resources %" PRIu64
           " update_area_completes %" PRIu64 "\n", when, st.submitted, st.fetched,
           st.released, st.bad_releases, st.async_completes, st.flush_resources,
           st.update_area_completes);
    fflush(stdout);
}

static int scene_parse_args(int argc, char **argv, SceneOptions *opt)
{
    *opt = (SceneOptions){ .port = 0, .timeout_s = SCENE_DEFAULT_TIMEOUT_S,
                           .expected_path = "expected.ppm", .stride = FAKE_QXL_STRIDE_POSITIVE,
                           .ops = scene_ops, .n_ops = G_N_ELEMENTS(scene_ops),
                           .image_compression = -1 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char *end;
        if (strcmp(a, "--negative-stride") == 0) {
            opt->stride = FAKE_QXL_STRIDE_NEGATIVE;
        } else if (strcmp(a, "--port") == 0 && i + 1 < argc) {
            long v = strtol(argv[++i], &end, 10);
            if (*end != '\0' || v < 0 || v > 65535) {
                fprintf(stderr, "bad --port %s\n", argv[i]);
                return -1;
            }
            opt->port = (int)v;
        } else if (strcmp(a, "--timeout") == 0 && i + 1 < argc) {
            long v = strtol(argv[++i], &end, 10);
            if (*end != '\0' || v < 1 || v > SCENE_MAX_TIMEOUT_S) {
                fprintf(stderr, "bad --timeout %s (1..%d)\n", argv[i], SCENE_MAX_TIMEOUT_S);
                return -1;
            }
            opt->timeout_s = (unsigned)v;
        } else if (strcmp(a, "--expected") == 0 && i + 1 < argc) {
            opt->expected_path = argv[++i];
        } else if (strcmp(a, "--desktop") == 0) {
            opt->ops = desktop_ops;
            opt->n_ops = G_N_ELEMENTS(desktop_ops);
        } else if (strcmp(a, "--image-compression") == 0 && i + 1 < argc &&
                   scene_compression_from_name(argv[i + 1]) >= 0) {
            opt->image_compression = scene_compression_from_name(argv[++i]);
        } else {
            fprintf(stderr, "usage: %s [--port N] [--timeout S] [--expected FILE] "
                    "[--negative-stride] [--desktop] [--image-compression MODE]\n"
                    "       %s --compare-ppm GOT WANT\n", argv[0], argv[0]);
            return -1;
        }
    }
    return 0;
}

static int scene_serve(const SceneOptions *opt)
{
    int port = opt->port ? opt->port : test_free_port();
    if (port <= 0) {
        fprintf(stderr, "no free port: %s\n", strerror(errno));
        return 1;
    }
    GMainLoop *loop = g_main_loop_new(NULL, FALSE);
    SpiceServer *server = spice_server_new();
    CHECK(server != NULL);
    if (server == NULL) {
        return 1;
    }
    spice_server_set_addr(server, "127.0.0.1", SPICE_ADDR_FLAG_IPV4_ONLY);
    spice_server_set_port(server, port);
    spice_server_set_noauth(server);
    /* Lossy paths off, so that what the client shows can be compared
     * exactly; the lossless image codecs stay at the library's default. */
    spice_server_set_jpeg_compression(server, SPICE_WAN_COMPRESSION_NEVER);
    spice_server_set_zlib_glz_compression(server, SPICE_WAN_COMPRESSION_NEVER);
    spice_server_set_streaming_video(server, SPICE_STREAM_VIDEO_OFF);
    if (opt->image_compression >= 0) {
        CHECK(spice_server_set_image_compression(
                  server, (SpiceImageCompression)opt->image_compression) == 0);
    }
    if (spice_server_init(server, test_core_default_interface(true)) != 0) {
        fprintf(stderr, "spice_server_init failed (port %d)\n", port);
        spice_server_destroy(server);
        g_main_loop_unref(loop);
        return 1;
    }

    FakeQxl *qxl = fake_qxl_create(0);
    CHECK(qxl != NULL);
    if (qxl == NULL) {
        spice_server_destroy(server);
        g_main_loop_unref(loop);
        return 1;
    }
    QXLInstance *qin = fake_qxl_get_instance(qxl);
    CHECK(spice_server_add_interface(server, &qin->base) == 0);
    spice_server_vm_start(server);
    fake_qxl_add_memslot(qxl);
    CHECK(fake_qxl_create_primary(qxl, SCENE_WIDTH, SCENE_HEIGHT, opt->stride) == 0);

    for (size_t i = 0; i < opt->n_ops; i++) {
        if (scene_submit_op(qxl, &opt->ops[i]) != 0) {
            fprintf(stderr, "scene op %zu rejected: %s\n", i, strerror(errno));
            test_failures_in_current++;
        }
    }
    /* Not part of the picture (spicy-screenshot has no cursor channel), but
     * it exercises the cursor queue and its release on reset. */
    CHECK(fake_qxl_submit_cursor_set(qxl, 160, 120, 16, 0xff00ff00) == 0);
    pixman_image_t *expected = scene_expected_new(opt->ops, opt->n_ops);

    /* The flush test. */
    spice_qxl_flush_surfaces_async(qin, SCENE_FLUSH_COOKIE);
    unsigned n = fake_qxl_wait_async(qxl, SCENE_FLUSH_COOKIE, SCENE_FLUSH_TIMEOUT_MS);
    scene_print_stats("at flush completion", qxl);
    CHECK_EQ_U64(n, 1);
    g_usleep(SCENE_DUPLICATE_GRACE_MS * 1000);
    CHECK_EQ_U64(fake_qxl_wait_async(qxl, SCENE_FLUSH_COOKIE, 0), 1);
    unsigned bad = 0;
    if (n >= 1) {
        bad = scene_compare_surface(qxl, expected);
        CHECK_EQ_U64(bad, 0);
    }
    printf("flush test: %u completion(s), %u pixel(s) differ\n", n, bad);

    CHECK(scene_write_ppm(expected, opt->expected_path) == 0);
    printf("SERVER-READY port=%d\n", port);
    fflush(stdout);

    SceneRun run = { .loop = loop, .timed_out = false };
    guint sigterm = g_unix_signal_add(SIGTERM, scene_on_signal, &run);
    guint sigint = g_unix_signal_add(SIGINT, scene_on_signal, &run);
    guint timeout = g_timeout_add_seconds(opt->timeout_s, scene_on_timeout, &run);
    g_main_loop_run(loop);
    g_source_remove(sigterm);
    g_source_remove(sigint);
    g_source_remove(timeout);
    /* Not a failure: the test script normally stops us with SIGTERM, but a
     * manual run may just let the time run out. */
    printf("stopped by %s\n", run.timed_out ? "--timeout" : "signal");

    /* Teardown in QEMU's reset order; the sync calls return after the
     * worker processed them, releases may still trail (bounded wait).
     *
     * Observed with Debian's 0.15.1: release_resource comes once per
     * command, directly from the worker thread, never batched and never
     * via flush_resources (called 0 times).  Every drawable of the scene is
     * released before the flush cookie completes; the cursor SET is held as
     * the current cursor until the synchronous spice_qxl_reset_cursor,
     * which releases it before returning.  We only require "all released by
     * the end", so a server that releases later (e.g. while a client still
     * holds a drawable) passes too. */
    scene_print_stats("before teardown", qxl);
    spice_qxl_reset_cursor(qin);
    fake_qxl_destroy_primary(qxl);
    spice_qxl_destroy_surfaces(qin);
    spice_qxl_reset_image_cache(qin);
    bool all = fake_qxl_wait_all_released(qxl, SCENE_RELEASE_TIMEOUT_MS);
    scene_print_stats("after teardown", qxl);
    CHECK(all);
    FakeQxlStats st;
    fake_qxl_get_stats(qxl, &st);
    CHECK_EQ_U64(st.bad_releases, 0);
    CHECK_EQ_U64(st.fetched, st.submitted);
    CHECK_EQ_U64(fake_qxl_wait_async(qxl, SCENE_FLUSH_COOKIE, 0), 1);
    CHECK_EQ_U64(st.async_completes, 1);

    spice_server_vm_stop(server);
    CHECK(spice_server_remove_interface(&qin->base) == 0);
    spice_server_destroy(server);
    fake_qxl_destroy(qxl);
    pixman_image_unref(expected);
    g_main_loop_unref(loop);

    int failed = test_failures_in_current != 0;
    printf("%s test-display-scene (%s stride)\n", failed ? "FAIL" : "ok  ",
           opt->stride == FAKE_QXL_STRIDE_NEGATIVE ? "negative" : "positive");
    return failed;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--compare-ppm") == 0) {
        return scene_compare_ppm(argv[2], argv[3]);
    }
    SceneOptions opt;
    if (scene_parse_args(argc, argv, &opt) != 0) {
        return 1;
    }
    return scene_serve(&opt);
}
