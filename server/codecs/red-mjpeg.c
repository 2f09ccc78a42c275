/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-mjpeg.c: MJPEG stream frames with libjpeg-turbo (see red-mjpeg.h). */
#include "config.h"

#include "red-mjpeg.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include <jpeglib.h>
#include <jerror.h>

#include "red-log.h"

/* JPEG's own limit is 65500; streams are never bigger than a surface. */
#define MJPEG_MAX_DIM 16384

/* libjpeg reports fatal errors through error_exit, whose default ends the
 * process; ours jumps back to red_mjpeg_encode instead. */
typedef struct MjpegError {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
} MjpegError;

static void mjpeg_error_exit(j_common_ptr cinfo)
{
    MjpegError *e = (MjpegError *)cinfo->err;
    char msg[JMSG_LENGTH_MAX];
    e->mgr.format_message(cinfo, msg);
    red_log_warn("mjpeg: %s", msg);
    longjmp(e->jump, 1);
}

static void mjpeg_output_message(j_common_ptr cinfo)
{
    (void)cinfo; /* warnings: nothing a stream frame needs to report */
}

/* Our own destination: a growable buffer this file owns, so that an error
 * in the middle of a frame (longjmp) can free it; libjpeg's jpeg_mem_dest
 * keeps a buffer of its own we could not reach then. */
typedef struct MjpegDest {
    struct jpeg_destination_mgr mgr;
    uint8_t *buf;
    size_t cap;
} MjpegDest;

static void mjpeg_dest_init(j_compress_ptr cinfo)
{
    MjpegDest *d = (MjpegDest *)cinfo->dest;
    d->mgr.next_output_byte = d->buf;
    d->mgr.free_in_buffer = d->cap;
}

static boolean mjpeg_dest_grow(j_compress_ptr cinfo)
{
    MjpegDest *d = (MjpegDest *)cinfo->dest;
    /* libjpeg calls this with the whole buffer full */
    uint8_t *bigger = realloc(d->buf, d->cap * 2);
    if (bigger == NULL) {
        ERREXIT(cinfo, JERR_OUT_OF_MEMORY);
    }
    d->buf = bigger;
    d->mgr.next_output_byte = bigger + d->cap;
    d->mgr.free_in_buffer = d->cap;
    d->cap *= 2;
    return TRUE;
}

static void mjpeg_dest_term(j_compress_ptr cinfo)
{
    (void)cinfo; /* the size is cap - free_in_buffer, read by the caller */
}

int red_mjpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t stride,
                     int quality, uint8_t **out, size_t *out_size)
{
    if (width == 0 || height == 0 || width > MJPEG_MAX_DIM || height > MJPEG_MAX_DIM ||
        stride < width * 4) {
        return -1;
    }
    if (quality < RED_MJPEG_QUALITY_MIN) {
        quality = RED_MJPEG_QUALITY_MIN;
    } else if (quality > RED_MJPEG_QUALITY_MAX) {
        quality = RED_MJPEG_QUALITY_MAX;
    }
    struct jpeg_compress_struct cinfo;
    MjpegError err;
    /* dest is reached through cinfo (its address escapes), so after a
     * longjmp its fields hold what the callbacks last stored. */
    static const size_t first_cap = 64 * 1024;
    MjpegDest dest = { .buf = malloc(first_cap), .cap = first_cap };
    if (dest.buf == NULL) {
        return -1;
    }
    dest.mgr.init_destination = mjpeg_dest_init;
    dest.mgr.empty_output_buffer = mjpeg_dest_grow;
    dest.mgr.term_destination = mjpeg_dest_term;

    cinfo.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = mjpeg_error_exit;
    err.mgr.output_message = mjpeg_output_message;
    if (setjmp(err.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(dest.buf);
        return -1;
    }
    jpeg_create_compress(&cinfo);
    cinfo.dest = &dest.mgr;
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = 4;
    cinfo.in_color_space = JCS_EXT_BGRX; /* x8r8g8b8 in little-endian memory */
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    /* The fast integer DCT: frames are many and short-lived. */
    cinfo.dct_method = JDCT_IFAST;
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * stride);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    *out = dest.buf;
    *out_size = dest.cap - dest.mgr.free_in_buffer;
    jpeg_destroy_compress(&cinfo);
    return 0;
}
