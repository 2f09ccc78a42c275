/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench-scenes.h: the guest workloads of the display benchmark (issue 13),
 * played through the fake QXL device (tests/server/fake-qxl.h).
 *
 * Each scene is a fixed sequence of frames; frame n (n >= 1) is a batch of
 * drawables on surface 0 that depends on n only, so two runs (ours and
 * Debian's library) drive exactly the same commands:
 *
 *   fullscreen  1 QXL_DRAW_COPY of the whole screen, new content each frame
 *   tiles       a row of 64x64 QXL_DRAW_COPY tiles, the next row each frame
 *   fills       the same row layout of 64x64 solid QXL_DRAW_FILLs
 *   scroll      QXL_COPY_BITS of the screen one 16-pixel text line up, then
 *               the new W x 16 text line drawn at the bottom
 *   typing      one 8x16 glyph (QXL_DRAW_COPY) per frame, left to right,
 *               line by line
 *   reused      a row of 128x128 QXL_DRAW_COPYs of one of two bitmaps marked
 *               QXL_IMAGE_CACHE (stable ids), the next row each frame; the
 *               bitmap alternates per pass over the screen, so every frame
 *               changes the picture
 *
 * Every frame's last drawable covers the scene's marker (a pixel, or a
 * column of pixels one block apart) and no other drawable of the frame does
 * (for typing, whose one drawable moves, the marker is the whole screen): a
 * client that counts the updates it shows on the marker counts the frames
 * it showed, whether the server forwarded each drawable, merged several
 * frames or streamed them.
 *
 * Threads: one scene is used by one thread (the bench's main thread).
 */
#ifndef BENCH_SCENES_H
#define BENCH_SCENES_H

#include <stdbool.h>
#include <stddef.h>

#include "fake-qxl.h"

typedef enum BenchSceneKind {
    BENCH_SCENE_FULLSCREEN,
    BENCH_SCENE_TILES,
    BENCH_SCENE_FILLS,
    BENCH_SCENE_SCROLL,
    BENCH_SCENE_TYPING,
    BENCH_SCENE_REUSED,
    BENCH_SCENE_COUNT,
} BenchSceneKind;

typedef struct BenchScene BenchScene;

/* The scene named `name` (see above), or -1. */
int bench_scene_kind_from_name(const char *name);

/* The name of a scene kind (static storage). */
const char *bench_scene_kind_name(BenchSceneKind kind);

/* Precomputes the scene's content for a width x height primary.  Returns
 * NULL (message on stderr) when the screen is too small for the scene
 * (under 128x128) or allocation failed. */
BenchScene *bench_scene_create(BenchSceneKind kind, uint32_t width, uint32_t height);

/* NULL is accepted. */
void bench_scene_destroy(BenchScene *scene);

/* Drawables per frame (the same for every frame of a scene). */
unsigned bench_scene_drawables_per_frame(const BenchScene *scene);

/* Queues frame n's drawables on the device (no flush).  Returns 0, or -1
 * with errno from the device when a submit failed. */
int bench_scene_submit_frame(BenchScene *scene, FakeQxl *qxl, unsigned n);

/* The marker (see above): the points (x, top + k * *step) of the returned
 * rectangle, for every x in it and k >= 0.  Every frame's last drawable
 * covers one of its points, no other drawable of the frame covers any, and
 * a drawable's area holds only one (the step is the block height, and the
 * rectangle a 1-pixel column at the left edge of the last block): a server
 * that sends that area in several bands still shows one frame. */
QXLRect bench_scene_marker(const BenchScene *scene, uint32_t *step);

/* Sanity of a run, not timing: after frame n was flushed, the primary
 * shows what frame n drew (and, for scroll, frame n-1's line one line up).
 * Returns true, or false with a reason in why[why_size]. */
bool bench_scene_check(const BenchScene *scene, const FakeQxl *qxl, unsigned n, char *why,
                       size_t why_size);

#endif /* BENCH_SCENES_H */
