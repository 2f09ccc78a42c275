/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-glz.h: SPICE's global-dictionary LZ, RGB32 flavour
 * (SPICE_IMAGE_TYPE_GLZ_RGB): LZ whose references may also point into
 * earlier images sent to the same client.
 *
 * The payload, as spice-gtk's GLZ decoder reads it (facts from its decoder;
 * the descriptor's data_size is the payload's length):
 *
 *   header, 33 bytes, multi-byte fields big-endian:
 *     u32 magic 0x20205a4c ("LZ  "), u32 version 0x00010001,
 *     u8  LzImageType in the low four bits (8, RGB32) | top_down << 4 (1),
 *     u32 width, u32 height, u32 stride (= width * 4),
 *     u64 image id: 0 for the first image after the client cleared its
 *         window (a new session), then +1 per image, no gaps,
 *     u32 win_head_dist: after decoding this image the client keeps the
 *         images id - win_head_dist .. id and drops every older one;
 *   body: tokens until width * height pixels are produced, nothing after:
 *     ctrl < 32   ctrl + 1 literal pixels follow, 3 bytes each (b, g, r);
 *     ctrl >= 32  a reference: L pixels copied from OFS, in image DIST.
 *       ctrl bits 7-5: L when 1..6; 7 says L = 7 + the following bytes up
 *                      to and including the first that is not 255;
 *       ctrl bit 4   : F, the long offset form;
 *       ctrl bits 3-0: OFS bits 0-3.
 *       then a byte:   OFS bits 4-11;
 *       then a byte B: B >> 6 = N, the count of DIST bytes to come (0..3);
 *         F = 0: B & 63 = DIST bits 0-5; N bytes carry DIST bits 6-13,
 *                14-21, 22-29; (OFS < 2^12)
 *         F = 1: B & 31 = OFS bits 12-16, B bit 5 = G; N bytes carry DIST
 *                bits 0-7, 8-15, 16-23; then, when G, one byte with OFS
 *                bits 17-24 (OFS < 2^25).
 *       DIST = 0: a copy inside this image from OFS + 1 pixels back
 *                 (overlap allowed: 1 back is a run of one colour);
 *       DIST > 0: a copy from pixel OFS (top-down, row-major) of image
 *                 id - DIST, which the client must still hold; OFS + L
 *                 must not pass that image's end (spice-gtk does not check
 *                 it: we never emit one that does).
 *     The decoder writes 0 in each pixel's fourth byte; the encoder ignores
 *     that byte when it compares pixels.
 *
 * The window: the dictionary remembers, for one client, the last images it
 * encoded, oldest first, at most RED_GLZ_MAX_IMAGES of them and at most
 * min(the window the client announced in DISPLAY_INIT, in pixels,
 * RED_GLZ_MAX_WINDOW_PIXELS) pixels in all, the new image included.  Before
 * an image is encoded the oldest images are dropped until it fits; the
 * image may then refer to itself and to every image still held, and its
 * win_head_dist names the oldest one held, so the client drops exactly what
 * we dropped.  An image as large as the window is refused (the caller sends
 * it with another codec), as spice-server does.  Every reference the
 * matcher finds is checked against the pixels themselves, so the hash
 * table is only ever a hint.
 *
 * Every payload the encoder returns becomes part of the client's window:
 * the caller must send it, in encode order, or take it back with
 * red_glz_dict_forget_last() before encoding the next image (the client
 * waits, forever, for an image it is told to refer to).
 *
 * Thread safety: a dictionary belongs to one thread at a time (the display
 * worker); distinct dictionaries are independent. */
#ifndef RED_GLZ_H
#define RED_GLZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Our ceiling on the pixels a window holds, whatever the client announces:
 * we keep a copy of every pixel of the window (16 MiB at this size) plus
 * the hash table, per client.  spice-gtk announces 3 Mi..16 Mi pixels;
 * four 1024x768 screens or a thousand 64x64 tiles fit in this one. */
#define RED_GLZ_MAX_WINDOW_PIXELS (4u * 1024 * 1024)
/* Our ceiling on the number of images held: it bounds the bookkeeping, and
 * keeps DIST within two bytes. */
#define RED_GLZ_MAX_IMAGES 4096u

typedef struct RedGlzDict RedGlzDict;

/* A dictionary for a client that announced a window of window_pixels
 * (untrusted: clamped to RED_GLZ_MAX_WINDOW_PIXELS; a tiny window only
 * means that no image fits).  Never NULL. */
RedGlzDict *red_glz_dict_create(uint32_t window_pixels);

/* Frees the dictionary; NULL is fine. */
void red_glz_dict_destroy(RedGlzDict *dict);

/* The window in pixels after the clamp. */
uint32_t red_glz_dict_window_pixels(const RedGlzDict *dict);

/* The id the next encoded image will carry. */
uint64_t red_glz_dict_next_id(const RedGlzDict *dict);

/* Whether a width x height image is one red_glz_encode accepts. */
bool red_glz_fits(const RedGlzDict *dict, uint32_t width, uint32_t height);

/* Whether GLZ is worth its time for a width x height image (it takes about
 * 4x LZ's).  Images are asked about in two size classes, small (at most
 * RED_GLZ_ALWAYS_PIXELS: icons, tiles, text lines) and large.  In each,
 * every RED_GLZ_PROBE_EVERY-th image is compared (GLZ and LZ_RGB both
 * encode it, red_glz_note_comparison); each comparison that agrees with
 * the verdict doubles that spacing, up to RED_GLZ_PROBE_MAX, and one that
 * disagrees brings it back to RED_GLZ_PROBE_EVERY.  The others take GLZ while its
 * payloads of the compared images were lately no larger than LZ_RGB's (so
 * from the start).  Text whose repeats lie within each line or a few lines
 * (GLZ's short copies cost a byte more) then goes LZ_RGB, smaller and 4x
 * sooner; icons drawn again and moved windows keep GLZ.  A large image is
 * asked about only while at least RED_GLZ_MIN_REUSE_PERCENT of the pixels
 * encoded lately came from earlier images; otherwise every
 * RED_GLZ_PROBE_EVERY-th (counted here) takes GLZ, so that repeats that
 * come back are seen.  A full-screen animation then costs GLZ once in 8
 * bands.  false also when red_glz_fits says no. */
#define RED_GLZ_ALWAYS_PIXELS 16384u
#define RED_GLZ_MIN_REUSE_PERCENT 10u
#define RED_GLZ_PROBE_EVERY 8u
#define RED_GLZ_PROBE_MAX 64u
bool red_glz_should_encode(RedGlzDict *dict, uint32_t width, uint32_t height);
/* Whether the image red_glz_should_encode just accepted is one the
 * dictionary wants compared: the caller then also encodes it with
 * red_lz_encode and tells both sizes to red_glz_note_comparison. */
bool red_glz_wants_comparison(const RedGlzDict *dict);
void red_glz_note_comparison(RedGlzDict *dict, size_t glz_bytes, size_t lz_bytes);

/* The largest payload red_glz_encode can produce for width x height: the
 * header plus every pixel as a literal.  0 for an empty image or one whose
 * size does not fit a size_t. */
size_t red_glz_max_size(uint32_t width, uint32_t height);

/* What one encode did, for the caller's choice of codec and statistics. */
typedef struct RedGlzResult {
    uint64_t id;                /* the image's id */
    uint32_t win_head_dist;     /* images back to the oldest one still held */
    uint32_t earlier_pixels;    /* pixels copied from earlier images */
} RedGlzResult;

/* Encodes top-down x8r8g8b8 rows (stride == width * 4, pixels in host byte
 * order, little-endian as everywhere in SPICE) as the next image of the
 * client's window, which it joins.  On success *out is a g_malloc'd
 * payload of *out_size bytes (at most red_glz_max_size()) and, when res
 * is not NULL, *res says what the payload holds.  When earlier_pixels is 0
 * the image was coded on its own, where red_lz_encode is smaller (its short
 * references take 2 bytes, GLZ's 3): a caller may then send LZ_RGB instead
 * and take the image back.  Returns 0, or -1 without touching the
 * window or the outputs for an empty image, a wrong stride, or an image
 * red_glz_fits refuses.  (-1 after an output past red_glz_max_size, a bug
 * the encoder checks for, also leaves the image out, but the oldest images
 * may have been dropped to make room: harmless, the next image says so.) */
int red_glz_encode(RedGlzDict *dict, const uint8_t *pixels, uint32_t width, uint32_t height,
                   uint32_t stride, uint8_t **out, size_t *out_size, RedGlzResult *res);

/* Takes back the image of the last red_glz_encode, whose payload will not
 * be sent: the next image gets its id and never refers to it.  Returns 0,
 * or -1 when there is nothing to take back (no encode since the last
 * forget, or since create). */
int red_glz_dict_forget_last(RedGlzDict *dict);

#endif /* RED_GLZ_H */
