/* SPDX-License-Identifier: GPL-2.0-or-later */
/* video-server: our libspice-server with a fake QXL device that plays a
 * video into one rectangle of its primary when told, for real-client tests
 * of video streams (tests/client/test-video-client.py).
 *
 * Prints "SERVER-READY port=N", then reads commands on stdin, one per line:
 *   play N FPS PATH  plays N frames into the rectangle at about FPS frames
 *                    per second (pacing only, nothing is timed), writes the
 *                    guest's whole picture after the last one to PATH (P6
 *                    PPM) and prints "PLAYED"
 *   quit             tears down; exit 0 if every command was released
 * Streaming-video is "filter", the real library's default.  The program
 * exits by itself after --lifetime seconds (default 120) or at stdin EOF.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <spice.h>

#include "test-qxl-server.h"

#define VS_WIDTH 480
#define VS_HEIGHT 360
static const QXLRect vs_rect = { .top = 80, .left = 96, .bottom = 272, .right = 352 };

/* A smooth picture moving with k, like camera footage rather than text. */
static void vs_frame(uint32_t *px, uint32_t w, uint32_t h, unsigned k)
{
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            uint32_t r = (x + k * 4) & 0xff, g = (y * 2 + k * 2) & 0xff,
                     b = (128 + (x ^ y) / 4 + k) & 0xff;
            px[y * w + x] = r << 16 | g << 8 | b;
        }
    }
}

static int vs_write_ppm(const char *path, const uint32_t *px)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return -1;
    }
    fprintf(f, "P6\n%d %d\n255\n", VS_WIDTH, VS_HEIGHT);
    for (size_t i = 0; i < (size_t)VS_WIDTH * VS_HEIGHT; i++) {
        uint8_t rgb[3] = { (uint8_t)(px[i] >> 16), (uint8_t)(px[i] >> 8), (uint8_t)px[i] };
        fwrite(rgb, 1, 3, f);
    }
    return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    unsigned lifetime = argc > 2 && strcmp(argv[1], "--lifetime") == 0
                        ? (unsigned)atoi(argv[2]) : 120;
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* Detection counts frames only (a loaded machine stretches the gaps). */
    g_setenv("S3D_VIDEO_MAX_GAP_MS", "600000", TRUE);
    TestQxlServer *ts = test_qxl_server_create(VS_WIDTH, VS_HEIGHT, TEST_QXL_SERVER_RAW);
    if (ts == NULL) {
        return 1;
    }
    spice_server_set_streaming_video(ts->server, SPICE_STREAM_VIDEO_FILTER);
    spice_server_set_noauth(ts->server); /* spice-watch.py links without a password */
    /* A failsafe if the test driving us dies: SIGALRM ends the process. */
    alarm(lifetime);
    printf("SERVER-READY port=%d\n", ts->port);

    /* The guest's picture: the primary starts black. */
    uint32_t *picture = g_new0(uint32_t, (size_t)VS_WIDTH * VS_HEIGHT);
    uint32_t w = (uint32_t)(vs_rect.right - vs_rect.left),
             h = (uint32_t)(vs_rect.bottom - vs_rect.top);
    uint32_t *frame = g_new(uint32_t, (size_t)w * h);
    unsigned played = 0;
    int status = 0;
    char line[512];
    while (fgets(line, sizeof(line), stdin)) {
        unsigned n, fps;
        char path[400];
        if (sscanf(line, "play %u %u %399s", &n, &fps, path) == 3 && fps > 0 && fps <= 100) {
            for (unsigned i = 0; i < n; i++) {
                vs_frame(frame, w, h, played++);
                FakeQxlBitmap bmp = { .pixels = frame, .width = w, .height = h };
                if (fake_qxl_submit_copy(ts->qxl, &vs_rect, &bmp) != 0) {
                    status = 1;
                }
                g_usleep(1000000 / fps);
            }
            for (uint32_t y = 0; y < h; y++) {
                memcpy(&picture[(size_t)(vs_rect.top + y) * VS_WIDTH + vs_rect.left],
                       &frame[(size_t)y * w], (size_t)w * 4);
            }
            if (vs_write_ppm(path, picture) != 0) {
                status = 1;
            }
            printf("PLAYED\n");
        } else if (strncmp(line, "quit", 4) == 0) {
            break;
        } else {
            fprintf(stderr, "video-server: bad command: %s", line);
            status = 1;
        }
    }
    if (!test_qxl_server_destroy(ts, 10000)) {
        fprintf(stderr, "video-server: commands not released\n");
        status = 1;
    }
    g_free(frame);
    g_free(picture);
    return status;
}
