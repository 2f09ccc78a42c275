/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-image-cache.c: digests of images, a display client's pixmap cache as
 * we track it (least recently used out first), and the worker's set of
 * recently seen images. */
#include "config.h"

#include "red-image-cache.h"

#include "red-digest.h"

#include <string.h>

#include <xxhash.h>

/* Ids start at 1 (0 is "none") and are never reused in the process. */
static uint64_t red_image_next_id;

/* The rows of a 32-bit top-down image: w * 4 bytes each, `stride` apart.
 * -1 for a bottom-up image (negative stride) or a narrower stride. */
static int image_rows(pixman_image_t *image, uint32_t *w, uint32_t *h, size_t *stride,
                      const uint8_t **bits)
{
    int st = pixman_image_get_stride(image);
    *w = (uint32_t)pixman_image_get_width(image);
    *h = (uint32_t)pixman_image_get_height(image);
    *bits = (const uint8_t *)pixman_image_get_data(image);
    if (st < 0 || (size_t)st < (size_t)*w * 4) {
        return -1;
    }
    *stride = (size_t)st;
    return 0;
}

int red_image_digest(pixman_image_t *image, RedImageDigest *out)
{
    /* The size is the seed, so equal bytes of another shape differ.  The
     * digest is of the rows' w * 4 bytes one after the other: a compact
     * image (stride = w * 4, as our copies are) is one run, hashed in one
     * call; a view of a surface's rows (a borrowed op image) is hashed row
     * by row, to the same digest as its compact copy. */
    uint32_t w, h;
    size_t stride;
    const uint8_t *bits;
    if (image_rows(image, &w, &h, &stride, &bits) != 0) {
        return -1;
    }
    uint64_t seed = (uint64_t)w << 32 | h;
    return red_digest_rows(bits, (size_t)w * 4, stride, h, seed, out->bytes);
}

int red_image_sample(pixman_image_t *image, uint64_t *out)
{
    uint32_t w, h;
    size_t stride;
    const uint8_t *bits;
    if (image_rows(image, &w, &h, &stride, &bits) != 0) {
        return -1;
    }
    size_t row = (size_t)w * 4;
    /* Rows 0, (h-1)/3, 2(h-1)/3, h-1 for four: the first and last hold a
     * widget's frame, the middle ones a text line's glyphs. */
    uint32_t n = h < RED_IMAGE_SAMPLE_ROWS ? h : RED_IMAGE_SAMPLE_ROWS;
    uint64_t hash = (uint64_t)w << 32 | h;
    for (uint32_t k = 0; k < n; k++) {
        uint64_t y = n > 1 ? (uint64_t)k * (h - 1) / (n - 1) : 0;
        /* Each row's hash seeds the next: no state to allocate. */
        hash = XXH3_64bits_withSeed(bits + (size_t)y * stride, row, hash);
    }
    *out = hash;
    return 0;
}

static guint digest_hash(gconstpointer p)
{
    guint v;
    memcpy(&v, ((const RedImageDigest *)p)->bytes, sizeof(v));
    return v;
}

static gboolean digest_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(RedImageDigest)) == 0;
}

/* ---- a client's cache ------------------------------------------------------ */

typedef struct CacheEntry {
    RedImageDigest digest;      /* the table's key */
    uint64_t sample;            /* red_image_sample's key of the same image */
    uint64_t id, pixels;
    GList link;                 /* in lru: head = most recently used */
} CacheEntry;

struct RedImageCache {
    uint64_t capacity, used;
    GHashTable *by_digest;      /* RedImageDigest* -> CacheEntry* (owned) */
    GHashTable *samples;        /* &SampleCount.sample -> SampleCount* (owned) */
    GQueue lru;
};

/* How many entries have one sample (its key lives in it). */
typedef struct SampleCount {
    uint64_t sample;
    unsigned entries;
} SampleCount;

static void samples_add(RedImageCache *c, uint64_t sample)
{
    SampleCount *sc = g_hash_table_lookup(c->samples, &sample);
    if (sc == NULL) {
        sc = g_new(SampleCount, 1);
        *sc = (SampleCount){ .sample = sample };
        g_hash_table_insert(c->samples, &sc->sample, sc);
    }
    sc->entries++;
}

static void samples_remove(RedImageCache *c, uint64_t sample)
{
    SampleCount *sc = g_hash_table_lookup(c->samples, &sample);
    if (sc != NULL && --sc->entries == 0) {
        g_hash_table_remove(c->samples, &sample); /* frees sc */
    }
}

RedImageCache *red_image_cache_new(uint64_t capacity)
{
    RedImageCache *c = g_new0(RedImageCache, 1);
    c->capacity = MIN(capacity, RED_IMAGE_CACHE_MAX_PIXELS);
    c->by_digest = g_hash_table_new_full(digest_hash, digest_equal, NULL, g_free);
    c->samples = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    g_queue_init(&c->lru);
    return c;
}

void red_image_cache_free(RedImageCache *c)
{
    if (c) {
        g_hash_table_destroy(c->by_digest);
        g_hash_table_destroy(c->samples);
        g_free(c);
    }
}

uint64_t red_image_cache_find(RedImageCache *c, const RedImageDigest *d)
{
    CacheEntry *e = g_hash_table_lookup(c->by_digest, d);
    if (e == NULL) {
        return 0;
    }
    g_queue_unlink(&c->lru, &e->link);
    g_queue_push_head_link(&c->lru, &e->link);
    return e->id;
}

static void cache_evict_oldest(RedImageCache *c, GArray *evicted)
{
    GList *l = g_queue_pop_tail_link(&c->lru);
    CacheEntry *e = l->data;
    g_array_append_val(evicted, e->id);
    c->used -= e->pixels;
    samples_remove(c, e->sample);
    g_hash_table_remove(c->by_digest, &e->digest); /* frees e */
}

bool red_image_cache_may_hold(const RedImageCache *c, uint64_t sample)
{
    return g_hash_table_contains(c->samples, &sample);
}

uint64_t red_image_cache_add(RedImageCache *c, const RedImageDigest *d, uint64_t sample,
                             uint64_t pixels, GArray *evicted)
{
    if (pixels == 0 || pixels > c->capacity || g_hash_table_contains(c->by_digest, d)) {
        return 0;
    }
    while (c->used + pixels > c->capacity ||
           g_queue_get_length(&c->lru) >= RED_IMAGE_CACHE_MAX_ENTRIES) {
        cache_evict_oldest(c, evicted);
    }
    CacheEntry *e = g_new0(CacheEntry, 1);
    e->digest = *d;
    e->sample = sample;
    e->id = __atomic_add_fetch(&red_image_next_id, 1, __ATOMIC_RELAXED);
    e->pixels = pixels;
    e->link.data = e;
    g_queue_push_head_link(&c->lru, &e->link);
    g_hash_table_insert(c->by_digest, &e->digest, e);
    samples_add(c, sample);
    c->used += pixels;
    return e->id;
}

void red_image_cache_forget(RedImageCache *c, const RedImageDigest *d)
{
    CacheEntry *e = g_hash_table_lookup(c->by_digest, d);
    if (e) {
        g_queue_unlink(&c->lru, &e->link);
        c->used -= e->pixels;
        samples_remove(c, e->sample);
        g_hash_table_remove(c->by_digest, d); /* frees e */
    }
}

uint64_t red_image_cache_used(const RedImageCache *c)
{
    return c->used;
}

unsigned red_image_cache_entries(const RedImageCache *c)
{
    return g_queue_get_length((GQueue *)&c->lru);
}

/* ---- images seen lately ----------------------------------------------------- */

/* A ring of the last RED_IMAGE_SEEN_MAX distinct samples, and a set whose
 * keys point into it: noting one allocates nothing (it runs for every
 * image drawn). */
struct RedImageSeen {
    GHashTable *set;            /* uint64_t* into ring (not owned) */
    uint64_t ring[RED_IMAGE_SEEN_MAX];
    unsigned next, used;
};

RedImageSeen *red_image_seen_new(void)
{
    RedImageSeen *s = g_new0(RedImageSeen, 1);
    s->set = g_hash_table_new(g_int64_hash, g_int64_equal);
    return s;
}

void red_image_seen_free(RedImageSeen *s)
{
    if (s) {
        g_hash_table_destroy(s->set);
        g_free(s);
    }
}

bool red_image_seen_note(RedImageSeen *s, uint64_t sample)
{
    if (g_hash_table_contains(s->set, &sample)) {
        return true;
    }
    uint64_t *slot = &s->ring[s->next];
    if (s->used == RED_IMAGE_SEEN_MAX) {
        g_hash_table_remove(s->set, slot); /* the oldest */
    } else {
        s->used++;
    }
    *slot = sample;
    g_hash_table_add(s->set, slot);
    s->next = (s->next + 1) % RED_IMAGE_SEEN_MAX;
    return false;
}
