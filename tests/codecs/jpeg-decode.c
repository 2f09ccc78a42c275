/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jpeg-decode.c: see jpeg-decode.h. */
#include "config.h"

#include "jpeg-decode.h"

#include <setjmp.h>
#include <stdio.h>

#include <jpeglib.h>

typedef struct JpegError {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
} JpegError;

static void jpeg_error_exit(j_common_ptr cinfo)
{
    longjmp(((JpegError *)cinfo->err)->jump, 1);
}

int test_jpeg_decode(const uint8_t *p, size_t size, uint32_t width, uint32_t height,
                     uint32_t *out)
{
    struct jpeg_decompress_struct d;
    JpegError err;
    d.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jpeg_error_exit;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&d);
        return -1;
    }
    jpeg_create_decompress(&d);
    jpeg_mem_src(&d, p, (unsigned long)size);
    jpeg_read_header(&d, TRUE);
    d.out_color_space = JCS_EXT_BGRX; /* x8r8g8b8 in memory on little-endian */
    jpeg_start_decompress(&d);
    if (d.output_width != width || d.output_height != height) {
        jpeg_destroy_decompress(&d);
        return -1;
    }
    while (d.output_scanline < height) {
        JSAMPROW row = (JSAMPROW)&out[(size_t)d.output_scanline * width];
        jpeg_read_scanlines(&d, &row, 1);
    }
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    for (size_t i = 0; i < (size_t)width * height; i++) {
        out[i] &= 0xffffffu;
    }
    return 0;
}
