/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-image-lossy.c: when an area may go as JPEG (red-image-lossy.h). */
#include "config.h"

#include "red-image-lossy.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jpeglib.h>

#include "red-image-codec.h"
#include "red-log.h"
#include "red-mjpeg.h"

/* The photographic check samples the pairs of every RED_LOSSY_ROW_STEP-th
 * row of each block.  The natural check runs on every large image drawn
 * while a client takes video, so it samples more sparsely: every
 * RED_NATURAL_ROW_STEP-th row, every RED_NATURAL_X_STEP-th pair (still
 * hundreds of pairs on its smallest area, 96x96); its verdict only
 * chooses which areas are watched as video. */
#define RED_LOSSY_ROW_STEP 4
#define RED_NATURAL_ROW_STEP 8
#define RED_NATURAL_X_STEP 2
/* A block with this share of equal pairs (percent) is synthetic. */
#define RED_LOSSY_BLOCK_EQUAL_MAX 50
/* An area is photographic with at least this share of gradual pairs. */
#define RED_LOSSY_GRADUAL_MIN 60

bool red_image_lossy_allowed(spice_wan_compression_t jpeg, SpiceImageCompression compression,
                             bool low_bandwidth)
{
    return red_wan_setting_on(jpeg, low_bandwidth) &&
           (compression == SPICE_IMAGE_COMPRESSION_AUTO_LZ ||
            compression == SPICE_IMAGE_COMPRESSION_AUTO_GLZ);
}

static uint32_t pixel_at(const uint8_t *row, uint32_t x)
{
    uint32_t p;
    memcpy(&p, row + (size_t)x * 4, sizeof(p));
    return p & 0xffffff;
}

/* The largest difference of one colour channel between two pixels
 * (written out, no loop: this runs for every sampled pair). */
static inline uint32_t channel_step(uint32_t a, uint32_t b)
{
    int dr = (int)(a >> 16 & 0xff) - (int)(b >> 16 & 0xff);
    int dg = (int)(a >> 8 & 0xff) - (int)(b >> 8 & 0xff);
    int db = (int)(a & 0xff) - (int)(b & 0xff);
    uint32_t r = (uint32_t)(dr < 0 ? -dr : dr), g = (uint32_t)(dg < 0 ? -dg : dg);
    uint32_t m = (uint32_t)(db < 0 ? -db : db);
    m = r > m ? r : m;
    return g > m ? g : m;
}

/* What sampling the neighbour pairs of an area found. */
typedef struct PairStats {
    uint64_t pairs, equal, gradual, edges;
    bool flat_block;            /* some block is mostly equal pairs */
} PairStats;

/* A verdict from the counts so far, of `total` pairs in all: 1 or 0 once
 * the pairs still to come cannot change it, -1 to go on. */
typedef int (*PairVerdict)(const PairStats *so_far, uint64_t total);

/* Sampled pairs in `len` pixels along one axis of an area cut into
 * RED_LOSSY_BLOCK blocks: starts every `step` from `first` inside each
 * block (first 1 for pairs, whose left pixel is the one before). */
static uint64_t samples_along(uint32_t len, uint32_t first, uint32_t step)
{
    uint64_t n = 0;
    for (uint32_t b = 0; b < len; b += RED_LOSSY_BLOCK) {
        uint32_t end = b + RED_LOSSY_BLOCK < len ? b + RED_LOSSY_BLOCK : len;
        n += end > b + first ? (end - b - first + step - 1) / step : 0;
    }
    return n;
}

/* Samples the pairs block by block into *st.  With `early`, asked after
 * each block, it stops at the first verdict and returns it; else, or with
 * no verdict, -1. */
static int pair_stats(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t stride,
                      uint32_t row_step, uint32_t x_step, PairVerdict early, PairStats *st)
{
    memset(st, 0, sizeof(*st));
    uint64_t total = early ? samples_along(width, 1, x_step) * samples_along(height, 0, row_step)
                           : 0;
    for (uint32_t by = 0; by < height; by += RED_LOSSY_BLOCK) {
        for (uint32_t bx = 0; bx < width; bx += RED_LOSSY_BLOCK) {
            uint32_t x_end = bx + RED_LOSSY_BLOCK < width ? bx + RED_LOSSY_BLOCK : width;
            uint32_t y_end = by + RED_LOSSY_BLOCK < height ? by + RED_LOSSY_BLOCK : height;
            unsigned block_pairs = 0, block_equal = 0;
            for (uint32_t y = by; y < y_end; y += row_step) {
                const uint8_t *row = pixels + (size_t)y * stride;
                for (uint32_t x = bx + 1; x < x_end; x += x_step) {
                    uint32_t step = channel_step(pixel_at(row, x - 1), pixel_at(row, x));
                    block_pairs++;
                    block_equal += step == 0;
                    st->gradual += step > 0 && step <= RED_LOSSY_GRADUAL_STEP;
                    st->edges += step > RED_LOSSY_EDGE_STEP;
                }
            }
            if (block_equal * 100 >= block_pairs * RED_LOSSY_BLOCK_EQUAL_MAX &&
                block_pairs > 0) {
                st->flat_block = true; /* flat: text, UI, a drawing */
            }
            st->pairs += block_pairs;
            st->equal += block_equal;
            int verdict = early ? early(st, total) : -1;
            if (verdict >= 0) {
                return verdict;
            }
        }
    }
    return -1;
}

bool red_image_is_photographic(const uint8_t *pixels, uint32_t width, uint32_t height,
                               uint32_t stride)
{
    if (width < RED_LOSSY_MIN_SIDE || height < RED_LOSSY_MIN_SIDE) {
        return false;
    }
    PairStats st;
    (void)pair_stats(pixels, width, height, stride, RED_LOSSY_ROW_STEP, 1, NULL, &st);
    return !st.flat_block && st.pairs > 0 && st.gradual * 100 >= st.pairs * RED_LOSSY_GRADUAL_MIN &&
           st.edges * 100 <= st.pairs * RED_LOSSY_EDGE_MAX;
}

/* The natural rule (red-image-lossy.h), decided as soon as the pairs still
 * to come cannot change it: it runs on every large image drawn while a
 * client takes video, and most are clear one way or the other after half
 * their pairs.  With all pairs counted one of the answers always holds. */
static int natural_verdict(const PairStats *st, uint64_t total)
{
    uint64_t left = total - st->pairs;
    if (st->equal * 100 >= total * RED_NATURAL_EQUAL_MAX ||
        (st->gradual + left) * 100 < total * RED_NATURAL_GRADUAL_MIN) {
        return 0; /* even if every pair to come went its way */
    }
    if (st->gradual * 100 >= total * RED_NATURAL_GRADUAL_MIN &&
        (st->equal + left) * 100 < total * RED_NATURAL_EQUAL_MAX) {
        return 1;
    }
    return -1;
}

bool red_image_is_natural(const uint8_t *pixels, uint32_t width, uint32_t height,
                          uint32_t stride)
{
    if (width < 2 || height < 1) {
        return false;
    }
    PairStats st;
    return pair_stats(pixels, width, height, stride, RED_NATURAL_ROW_STEP, RED_NATURAL_X_STEP,
                      natural_verdict, &st) == 1;
}

/* libjpeg reports fatal errors through error_exit, which must not return;
 * ours jumps back.  Our own JPEG is never corrupt: a failure here is a
 * codec bug, logged, and the area goes lossless. */
typedef struct LossyJpegError {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
} LossyJpegError;

static void lossy_error_exit(j_common_ptr cinfo)
{
    LossyJpegError *e = (LossyJpegError *)cinfo->err;
    cinfo->err->output_message(cinfo);
    longjmp(e->jump, 1);
}

static void lossy_output_message(j_common_ptr cinfo)
{
    char text[JMSG_LENGTH_MAX];
    cinfo->err->format_message(cinfo, text);
    red_log_warn("JPEG check: %s", text);
}

/* Sum of |a - b| over the colour bytes of n x8r8g8b8 pixels. */
static uint64_t row_error(const uint8_t *a, const uint8_t *b, uint32_t n)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < n * 4; i++) {
        int d = (int)a[i] - (int)b[i];
        sum += (i & 3) == 3 ? 0 : (uint32_t)(d < 0 ? -d : d);
    }
    return sum;
}

/* The mean error per channel of the JPEG against the pixels; < 0 if it
 * could not be decoded. */
static double jpeg_mean_error(const uint8_t *jpeg, size_t size, const uint8_t *pixels,
                              uint32_t width, uint32_t height, uint32_t stride)
{
    struct jpeg_decompress_struct d;
    LossyJpegError err;
    d.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = lossy_error_exit;
    err.mgr.output_message = lossy_output_message;
    uint8_t *row = g_malloc((size_t)width * 4);
    jpeg_create_decompress(&d);
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&d);
        g_free(row);
        return -1.0;
    }
    jpeg_mem_src(&d, jpeg, (unsigned long)size);
    double mean = -1.0;
    if (jpeg_read_header(&d, TRUE) == JPEG_HEADER_OK && d.image_width == width &&
        d.image_height == height) {
        d.out_color_space = JCS_EXT_BGRX;
        jpeg_start_decompress(&d);
        uint64_t sum = 0;
        while (d.output_scanline < height) {
            const uint8_t *src = pixels + (size_t)d.output_scanline * stride;
            JSAMPROW r = row;
            if (jpeg_read_scanlines(&d, &r, 1) != 1) {
                break;
            }
            sum += row_error(row, src, width);
        }
        if (d.output_scanline == height) {
            mean = (double)sum / ((double)width * height * 3);
            jpeg_finish_decompress(&d);
        }
    }
    jpeg_destroy_decompress(&d);
    g_free(row);
    return mean;
}

int red_image_encode_lossy(const uint8_t *pixels, uint32_t width, uint32_t height,
                           uint32_t stride, uint8_t **jpeg, size_t *size)
{
    *jpeg = NULL;
    *size = 0;
    if (!red_image_is_photographic(pixels, width, height, stride)) {
        return -1;
    }
    if (red_mjpeg_encode(pixels, width, height, stride, RED_LOSSY_JPEG_QUALITY, jpeg, size) !=
        0) {
        return -1;
    }
    double mean = jpeg_mean_error(*jpeg, *size, pixels, width, height, stride);
    if (mean < 0 || mean > RED_LOSSY_MEAN_ERROR_MAX) {
        free(*jpeg);
        *jpeg = NULL;
        *size = 0;
        return -1;
    }
    return 0;
}
