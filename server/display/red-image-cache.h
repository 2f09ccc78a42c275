/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-image-cache.h (internal to the worker): what one display client holds
 * in its pixmap cache, and which images the worker has seen lately.
 *
 * An image is known by the 128-bit XXH3 hash of its pixels (and size),
 * never by the guest's id: a guest may reuse an id for other pixels, and
 * Linux drivers give none.  The hash is not cryptographic: a guest that
 * crafted two images with one hash would fool only its own client's
 * picture, which it draws anyway; an honest guest's pictures collide with
 * odds of 2^-128.  (SHA-256 took a fifth of the server's CPU on a desktop
 * that reuses icons; XXH3 is some 20 times faster.)  The id the client caches it under is ours, unique in the
 * process, so display channels of one client (which share its cache) never
 * name each other's entries, and nothing we invalidate belongs to another
 * channel.  The server keeps only digests and sizes, no pixels: the
 * client's announced size (DISPLAY_INIT, in pixels) bounds what it holds,
 * our entry bound what we hold.
 *
 * Thread: the display worker.
 */
#ifndef RED_IMAGE_CACHE_H
#define RED_IMAGE_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <pixman.h>

/* A client's pixmap cache is taken at most this large (pixels), whatever it
 * announces: 256 MiB of 32-bit pixels on its side. */
#define RED_IMAGE_CACHE_MAX_PIXELS (64ull * 1024 * 1024)
/* Entries we track per client: past this the least recently used goes. */
#define RED_IMAGE_CACHE_MAX_ENTRIES 16384
/* Samples of images seen lately, per worker (for "drawn before"). */
#define RED_IMAGE_SEEN_MAX 4096
/* Rows a sample hashes (spread from the first row to the last). */
#define RED_IMAGE_SAMPLE_ROWS 4

typedef struct RedImageDigest {
    uint8_t bytes[16];
} RedImageDigest;

/* XXH3-128 of the x8r8g8b8 image's size and pixels (its rows' w * 4
 * bytes, whatever its stride: a view and its compact copy match), made by
 * red_digest_rows.  -1 for a bottom-up image. */
int red_image_digest(pixman_image_t *image, RedImageDigest *out);

/* A cheap key of the same image: XXH3-64 of its size and of
 * RED_IMAGE_SAMPLE_ROWS of its rows, chained (all of them in a shorter
 * image), the same for a view and its compact copy.  Equal images have equal samples,
 * so an image whose sample no client's cache holds and that was not seen
 * lately is new, and its full digest (every pixel read once more) is not
 * needed: a scrolling terminal's lines are never digested.  Two images
 * with one sample are only likely to be one (the rows between differ):
 * "seen" by sample can be wrong, which costs a CACHE_ME that is not used
 * again, never a wrong picture.  -1 where red_image_digest fails. */
int red_image_sample(pixman_image_t *image, uint64_t *out);

typedef struct RedImageCache RedImageCache;

/* A cache of `capacity` pixels (the client's figure, capped). */
RedImageCache *red_image_cache_new(uint64_t capacity);
void red_image_cache_free(RedImageCache *c);

/* The id the client holds `d` under, now the most recently used; 0 if the
 * client does not hold it. */
uint64_t red_image_cache_find(RedImageCache *c, const RedImageDigest *d);

/* Whether the client may hold an image of this sample: false means it
 * holds none, and red_image_cache_find would miss. */
bool red_image_cache_may_hold(const RedImageCache *c, uint64_t sample);

/* Records that the client will hold `d` (sample `sample`, `pixels` pixels)
 * under the id returned.  Least recently used entries make room first:
 * their ids are appended to `evicted` (guint64), and the client must be
 * told (INVAL_LIST) before the image goes.  0 when it cannot fit (bigger than the cache). */
uint64_t red_image_cache_add(RedImageCache *c, const RedImageDigest *d, uint64_t sample,
                             uint64_t pixels, GArray *evicted);

/* Drops `d` from our count: the CACHE_ME that would have put it in the
 * client's cache did not go. */
void red_image_cache_forget(RedImageCache *c, const RedImageDigest *d);

/* Pixels and entries the client holds by our count. */
uint64_t red_image_cache_used(const RedImageCache *c);
unsigned red_image_cache_entries(const RedImageCache *c);

typedef struct RedImageSeen RedImageSeen;

RedImageSeen *red_image_seen_new(void);
void red_image_seen_free(RedImageSeen *s);
/* Notes an image by its sample; returns whether that sample was among the
 * last RED_IMAGE_SEEN_MAX noted. */
bool red_image_seen_note(RedImageSeen *s, uint64_t sample);

#endif /* RED_IMAGE_CACHE_H */
