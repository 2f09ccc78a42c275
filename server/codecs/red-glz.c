/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-glz.c: SPICE GLZ_RGB encoder and its per-client window (format and
 * window rules in red-glz.h).
 *
 * A greedy LZ77 over whole pixels, as red-lz.c, whose search reaches back
 * into the images of the window.  At each position a fixed set of
 * candidates is tried: the previous pixel (runs); the row above around the
 * same column (vertical repeats); the same position in the previous image
 * when it has our width (a screen redrawn with small changes); where the
 * last copy from an earlier image would continue (matching content goes on
 * matching past a difference), which starts, for an image whose colours
 * equal an earlier one's, at that image's first pixel (a tile drawn again
 * is found whole however often its pieces occur elsewhere); and a four-way
 * hash bucket of earlier positions whose next three pixels hash alike, in
 * this image or any image still held (icons, glyphs, moved windows).  The
 * candidate that saves the most bytes wins; a hash match is also extended
 * backwards over the literals before it.  The candidates are a fixed
 * number, so the time is linear in the pixels.  Each match is checked pixel
 * by pixel against the copy of the image we hold, so the hash table and
 * fingerprints are hints: a stale or colliding one only costs a miss. */
#include "config.h"

#include "red-glz.h"
#include "red-lz.h"

#include <string.h>

#include <glib.h>
#include <xxhash.h>

/* red_glz_should_encode looks back over about this many pixels. */
#define GLZ_REUSE_SPAN (1024u * 1024u)
/* red_glz_note_comparison weighs about this many payload bytes per size
 * class, and needs this many LZ_RGB bytes compared before it turns GLZ off
 * for that class (tally_glz_pays). */
#define GLZ_COMPARE_SPAN (256u * 1024u)
#define GLZ_COMPARE_EVIDENCE (32u * 1024u)
#define GLZ_MAGIC 0x20205a4cu         /* "LZ  " read as a big-endian u32 */
#define GLZ_VERSION 0x00010001u       /* 1.1 */
#define GLZ_TYPE_RGB32 8u             /* LzImageType LZ_IMAGE_TYPE_RGB32 */
#define GLZ_TOP_DOWN_BIT 0x10u        /* the type byte's bit 4 */
#define GLZ_HEADER_BYTES 33u          /* 4 + 4 + 1 + 3 * 4 + 8 + 4 */
#define GLZ_LZ_HEADER_BYTES 28u       /* LZ_RGB's: seven u32 (red-lz.h) */

#define GLZ_MAX_LITERALS 32u          /* ctrl 0..31 = 1..32 pixels */
#define GLZ_LEN_IN_CTRL 7u            /* ctrl >> 5 == 7: the length continues */
#define GLZ_SHORT_OFS_LIMIT (1u << 12)    /* F = 0 */
#define GLZ_MEDIUM_OFS_LIMIT (1u << 17)   /* F = 1, G = 0 */
#define GLZ_LONG_OFS_LIMIT (1u << 25)     /* F = 1, G = 1 */
/* A reference must save this many bytes over literals: one pays for the
 * literal run it may split, which keeps the output within
 * red_glz_max_size(). */
#define GLZ_MIN_SAVING 2
#define GLZ_ROW_SLACK 3u              /* as red-lz.c: shifted gradients, edges */
#define GLZ_BUCKET_WAYS 4u
#define GLZ_PREFETCH_AHEAD 2u         /* positions (encode_body) */
/* The hash table has about one bucket per 8 pixels of window, between 1 Ki
 * buckets (32 KiB, small windows) and 128 Ki (4 MiB, for our largest
 * window). */
#define GLZ_HASH_MIN_BITS 10u
#define GLZ_HASH_MAX_BITS 17u
#define GLZ_PIXELS_PER_BUCKET 8u
/* A match longer than this enters only every GLZ_INSERT_STRIDE-th position
 * and its last GLZ_INSERT_TAIL in the table (a run enters only the tail:
 * all its positions hash alike and would flush the buckets).  Its content
 * is in the table already, where it was copied from, and one position found
 * is enough: the backward extension and the continuation candidate recover
 * the rest.  Entering every position made a 1024x768 screen redrawn with
 * small changes take twice as long (cache misses in a 4 MiB table), and
 * flushed the buckets sooner: fewer repeats found far back. */
#define GLZ_INSERT_STRIDE 16u
#define GLZ_INSERT_ALL_LEN 64u
#define GLZ_INSERT_TAIL 8u

G_STATIC_ASSERT(RED_GLZ_MAX_WINDOW_PIXELS < GLZ_LONG_OFS_LIMIT);
G_STATIC_ASSERT(RED_GLZ_MAX_IMAGES < (1u << 16));

typedef struct GlzImage {
    uint64_t id;
    uint64_t print;                   /* fingerprint of the colours */
    uint32_t width, n;                /* n = width * height pixels */
    uint32_t *px;                     /* our copy, fourth bytes 0 */
} GlzImage;

/* A position: the image's id (low 32 bits) and the pixel in it. */
typedef struct GlzSlot {
    uint32_t id, ofs;
} GlzSlot;

/* How GLZ did against LZ_RGB on one size class of images lately: how many
 * were asked about since the last comparison, every how many one is
 * compared (0 before the first: RED_GLZ_PROBE_EVERY), and the bytes of each
 * codec on those compared (both halved past GLZ_COMPARE_SPAN). */
typedef struct GlzTally {
    uint32_t seen, period;
    uint64_t glz, lz;
} GlzTally;

struct RedGlzDict {
    uint32_t window;                  /* pixels, after the clamp */
    uint64_t next_id;
    GlzImage *ring[RED_GLZ_MAX_IMAGES];   /* oldest at head */
    uint32_t head, count;
    uint64_t held;                    /* pixels of the images in the ring */
    bool can_forget;
    /* red_glz_should_encode: pixels encoded lately, and how many of them
     * came from earlier images (both halved past GLZ_REUSE_SPAN). */
    uint64_t recent_pixels, recent_earlier;
    uint32_t large_skipped;
    /* Per size class, small (RED_GLZ_ALWAYS_PIXELS) and large: GLZ and
     * LZ_RGB compared on the same images.  compare_in: the tally of the
     * last image asked about when that image is to be compared, else NULL. */
    GlzTally small, large;
    GlzTally *compare_in;
    GlzSlot *table;                   /* buckets of GLZ_BUCKET_WAYS, newest first */
    unsigned hash_shift;
};

typedef struct GlzOut {
    uint8_t *buf;
    size_t pos, cap;
    bool overflow;                    /* a write was refused: a bug in the bound */
} GlzOut;

/* The best reference found at one position. */
typedef struct GlzRef {
    size_t start, len;
    uint32_t ofs, dist;               /* as in the token (red-glz.h) */
    long saving;                      /* bytes saved over literals */
} GlzRef;

typedef struct GlzEnc {
    RedGlzDict *d;
    const GlzImage *img, *prev;       /* prev: the image before, or NULL */
    uint64_t oldest;                  /* the oldest id held */
    /* The image the last reference into an earlier image used, and where
     * in it that copy would continue: content that matched once in an
     * earlier image tends to go on matching there past a difference (a
     * redrawn tile, a window moved with changes). */
    const GlzImage *follow;
    int64_t follow_delta;             /* its offset minus ours */
    uint32_t earlier_pixels;          /* copied from earlier images so far */
    GlzOut out;
} GlzEnc;

/* ---- the window ---- */

static GlzImage *image_at(const RedGlzDict *d, uint64_t id)
{
    uint64_t back = id - d->ring[d->head]->id;
    return d->ring[(d->head + back) % RED_GLZ_MAX_IMAGES];
}

static void drop_oldest(RedGlzDict *d)
{
    GlzImage *img = d->ring[d->head];
    d->held -= img->n;
    g_free(img->px);
    g_free(img);
    d->ring[d->head] = NULL;
    d->head = (d->head + 1) % RED_GLZ_MAX_IMAGES;
    d->count--;
}

RedGlzDict *red_glz_dict_create(uint32_t window_pixels)
{
    RedGlzDict *d = g_new0(RedGlzDict, 1);
    d->window = MIN(window_pixels, RED_GLZ_MAX_WINDOW_PIXELS);
    /* Hopeful at first: a new client's first screens are worth a window. */
    d->recent_pixels = d->recent_earlier = GLZ_REUSE_SPAN;
    unsigned bits = GLZ_HASH_MIN_BITS;
    while (bits < GLZ_HASH_MAX_BITS && ((uint64_t)GLZ_PIXELS_PER_BUCKET << bits) < d->window) {
        bits++;
    }
    d->hash_shift = 32 - bits;
    size_t slots = ((size_t)1 << bits) * GLZ_BUCKET_WAYS;
    d->table = g_new(GlzSlot, slots);
    /* An offset of UINT32_MAX is past every image: the slot never matches. */
    memset(d->table, 0xff, slots * sizeof(GlzSlot));
    return d;
}

void red_glz_dict_destroy(RedGlzDict *dict)
{
    if (dict == NULL) {
        return;
    }
    while (dict->count > 0) {
        drop_oldest(dict);
    }
    g_free(dict->table);
    g_free(dict);
}

uint32_t red_glz_dict_window_pixels(const RedGlzDict *dict)
{
    return dict->window;
}

uint64_t red_glz_dict_next_id(const RedGlzDict *dict)
{
    return dict->next_id;
}

bool red_glz_fits(const RedGlzDict *dict, uint32_t width, uint32_t height)
{
    uint64_t n = (uint64_t)width * height;
    return n > 0 && n < dict->window;
}

int red_glz_dict_forget_last(RedGlzDict *dict)
{
    if (!dict->can_forget) {
        return -1;
    }
    uint32_t tail = (dict->head + dict->count - 1) % RED_GLZ_MAX_IMAGES;
    GlzImage *img = dict->ring[tail];
    dict->held -= img->n;
    g_free(img->px);
    g_free(img);
    dict->ring[tail] = NULL;
    dict->count--;
    dict->next_id--;
    dict->can_forget = false;
    return 0;
}

/* ---- output ---- */

/* Every write reserves its bytes here first: past the buffer's end it
 * gets NULL and the encode fails, so a wrong bound never costs memory. */
static uint8_t *out_reserve(GlzOut *o, size_t count)
{
    if (o->overflow || count > o->cap - o->pos) {
        o->overflow = true;
        return NULL;
    }
    uint8_t *at = o->buf + o->pos;
    o->pos += count;
    return at;
}

static void out_bytes(GlzOut *o, const uint8_t *bytes, size_t count)
{
    uint8_t *at = out_reserve(o, count);
    if (at != NULL) {
        memcpy(at, bytes, count);
    }
}

static void out_be(GlzOut *o, uint64_t v, unsigned bytes)
{
    uint8_t b[8];
    for (unsigned k = 0; k < bytes; k++) {
        b[k] = (uint8_t)(v >> (8 * (bytes - 1 - k)));
    }
    out_bytes(o, b, bytes);
}

static inline uint32_t rgb(uint32_t p)
{
    return p & 0x00ffffffu;
}

static void emit_literals(GlzEnc *e, size_t from, size_t to)
{
    const uint32_t *px = e->img->px;
    while (from < to) {
        size_t k = MIN(GLZ_MAX_LITERALS, to - from);
        uint8_t *p = out_reserve(&e->out, 1 + 3 * k);
        if (p == NULL) {
            return;
        }
        *p++ = (uint8_t)(k - 1);
        for (size_t j = from; j < from + k; j++) {
            *p++ = (uint8_t)px[j];            /* b */
            *p++ = (uint8_t)(px[j] >> 8);     /* g */
            *p++ = (uint8_t)(px[j] >> 16);    /* r */
        }
        from += k;
    }
}

/* How many DIST bytes follow the B byte (red-glz.h). */
static unsigned dist_bytes(uint32_t ofs, uint32_t dist)
{
    if (ofs < GLZ_SHORT_OFS_LIMIT) {
        return dist < (1u << 6) ? 0 : dist < (1u << 14) ? 1 : dist < (1u << 22) ? 2 : 3;
    }
    return dist == 0 ? 0 : dist < (1u << 8) ? 1 : dist < (1u << 16) ? 2 : 3;
}

/* The bytes a reference token takes. */
static size_t ref_cost(size_t len, uint32_t ofs, uint32_t dist)
{
    size_t cost = 3 + dist_bytes(ofs, dist) + (ofs >= GLZ_MEDIUM_OFS_LIMIT);
    if (len >= GLZ_LEN_IN_CTRL) {
        cost += 1 + (len - GLZ_LEN_IN_CTRL) / 255;
    }
    return cost;
}

static void emit_ref(GlzEnc *e, const GlzRef *r)
{
    uint8_t tok[16 + 4], *p = tok;
    bool wide = r->ofs >= GLZ_SHORT_OFS_LIMIT;
    bool far = r->ofs >= GLZ_MEDIUM_OFS_LIMIT;
    unsigned nd = dist_bytes(r->ofs, r->dist);
    size_t len_field = MIN(r->len, (size_t)GLZ_LEN_IN_CTRL);
    *p++ = (uint8_t)(len_field << 5 | (wide ? 0x10u : 0u) | (r->ofs & 0x0fu));
    if (r->len >= GLZ_LEN_IN_CTRL) {
        size_t rest = r->len - GLZ_LEN_IN_CTRL;
        for (; rest >= 255; rest -= 255) {
            out_bytes(&e->out, tok, (size_t)(p - tok));
            p = tok;
            *p++ = 255;
        }
        *p++ = (uint8_t)rest;
    }
    *p++ = (uint8_t)(r->ofs >> 4);
    if (!wide) {
        *p++ = (uint8_t)(nd << 6 | (r->dist & 0x3fu));
        for (unsigned k = 0; k < nd; k++) {
            *p++ = (uint8_t)(r->dist >> (6 + 8 * k));
        }
    } else {
        *p++ = (uint8_t)(nd << 6 | (far ? 0x20u : 0u) | ((r->ofs >> 12) & 0x1fu));
        for (unsigned k = 0; k < nd; k++) {
            *p++ = (uint8_t)(r->dist >> (8 * k));
        }
        if (far) {
            *p++ = (uint8_t)(r->ofs >> 17);
        }
    }
    out_bytes(&e->out, tok, (size_t)(p - tok));
}

/* ---- the search ---- */

/* The bucket of three pixels' colours. */
static inline uint32_t hash3(const RedGlzDict *d, const uint32_t *p)
{
    uint32_t h = p[0] * 0x9e3779b1u;
    h ^= p[1] * 0x85ebca77u;
    h ^= p[2] * 0xc2b2ae3du;
    return h >> d->hash_shift;
}

/* Enters position i of the image being encoded (two pixels follow it) in
 * the table, and copies its bucket as it was before to `before` when that
 * is not NULL. */
static void hash_insert(GlzEnc *e, size_t i, GlzSlot before[GLZ_BUCKET_WAYS])
{
    GlzSlot *bucket = &e->d->table[(size_t)hash3(e->d, e->img->px + i) * GLZ_BUCKET_WAYS];
    /* Slot by slot: a memmove call per position cost more than the copy
     * (a sixth of GLZ's time on text). */
    if (before != NULL) {
        for (unsigned k = 0; k < GLZ_BUCKET_WAYS; k++) {
            before[k] = bucket[k];
        }
    }
    for (unsigned k = GLZ_BUCKET_WAYS - 1; k > 0; k--) {
        bucket[k] = bucket[k - 1];
    }
    bucket[0] = (GlzSlot){ .id = (uint32_t)e->img->id, .ofs = (uint32_t)i };
}

/* How many pixels of a equal those of b, at most max (both in the window's
 * copies, which hold colours only).  Most candidates differ at once; a
 * match then goes two pixels to a compare, as red-lz.c does. */
static inline size_t match_length(const uint32_t *a, const uint32_t *b, size_t max)
{
    if (max == 0 || a[0] != b[0]) {
        return 0;
    }
    size_t len = 1;
    for (; len + 2 <= max; len += 2) {
        uint64_t x, y;
        memcpy(&x, a + len, sizeof(x));
        memcpy(&y, b + len, sizeof(y));
        uint64_t diff = x ^ y;
        if (diff != 0) {
            return len + ((diff & 0xffffffffu) == 0); /* little-endian: low = first */
        }
    }
    if (len < max && a[len] == b[len]) {
        len++;
    }
    return len;
}

/* How many pixels before a equal those before b, at most max. */
static size_t match_back(const uint32_t *a, const uint32_t *b, size_t max)
{
    size_t len = 0;
    while (len < max && a[-1 - (ptrdiff_t)len] == b[-1 - (ptrdiff_t)len]) {
        len++;
    }
    return len;
}

static void keep_better(GlzRef *best, size_t start, size_t len, uint32_t ofs, uint32_t dist)
{
    if (len < 2) {
        return;
    }
    long saving = (long)(3 * len) - (long)ref_cost(len, ofs, dist);
    if (saving > best->saving) {
        *best = (GlzRef){ .start = start, .len = len, .ofs = ofs, .dist = dist,
                          .saving = saving };
    }
}

/* A copy from `back` pixels earlier in this image; with `pending`, also
 * over up to that many literal pixels before i. */
static void try_inside(const GlzEnc *e, size_t i, size_t back, size_t pending, GlzRef *best)
{
    if (back == 0 || back > i) {
        return;
    }
    const uint32_t *px = e->img->px;
    size_t len = match_length(px + i, px + i - back, e->img->n - i);
    size_t pre = len ? match_back(px + i, px + i - back, MIN(pending, i - back)) : 0;
    keep_better(best, i - pre, pre + len, (uint32_t)(back - 1), 0);
}

/* A copy from pixel ofs of image ref (held, older than this one), with the
 * same backward extension. */
static void try_image(const GlzEnc *e, size_t i, const GlzImage *ref, uint32_t ofs,
                      size_t pending, GlzRef *best)
{
    if (ofs >= ref->n) {
        return;
    }
    size_t max = MIN(e->img->n - i, (size_t)(ref->n - ofs));
    size_t len = match_length(e->img->px + i, ref->px + ofs, max);
    size_t pre = len ? match_back(e->img->px + i, ref->px + ofs, MIN(pending, (size_t)ofs)) : 0;
    keep_better(best, i - pre, pre + len, (uint32_t)(ofs - pre), (uint32_t)(e->img->id - ref->id));
}

/* A hash slot, whatever it holds: a position of this image before i, or
 * of an image still held; anything else is stale and skipped. */
static void try_slot(const GlzEnc *e, size_t i, GlzSlot s, size_t pending, GlzRef *best)
{
    uint32_t back = (uint32_t)e->img->id - s.id;
    if (back == 0) {
        if (s.ofs < i) {
            try_inside(e, i, i - s.ofs, pending, best);
        }
    } else if (back <= e->img->id - e->oldest) {
        try_image(e, i, image_at(e->d, e->img->id - back), s.ofs, pending, best);
    }
}

/* Enters the positions after i of a match ending at end (i itself is in
 * already), by the rule at GLZ_INSERT_STRIDE. */
static void enter_match(GlzEnc *e, size_t i, size_t end, bool run)
{
    size_t last = MIN(end, e->img->n - 2);      /* two pixels follow each one */
    size_t tail = end - i > GLZ_INSERT_ALL_LEN ? end - GLZ_INSERT_TAIL : i + 1;
    if (!run) {
        for (size_t j = i + GLZ_INSERT_STRIDE; j < MIN(tail, last); j += GLZ_INSERT_STRIDE) {
            hash_insert(e, j, NULL);
        }
    }
    for (size_t j = tail; j < last; j++) {
        hash_insert(e, j, NULL);
    }
}

static void encode_body(GlzEnc *e)
{
    const size_t n = e->img->n, width = e->img->width;
    size_t i = 0, literal_from = 0;
    while (i < n) {
        GlzRef best = { .saving = GLZ_MIN_SAVING - 1 };
        /* The bucket of the next position is asked for now: the table is
         * megabytes, and a miss waited for at each literal was most of
         * GLZ's time. */
        if (i + GLZ_PREFETCH_AHEAD + 2 < n) {
            __builtin_prefetch(&e->d->table[(size_t)hash3(e->d, e->img->px + i +
                                                                GLZ_PREFETCH_AHEAD) *
                                            GLZ_BUCKET_WAYS]);
        }
        /* The fixed candidates were tried at every literal before i
         * already: extending them backwards would find nothing. */
        try_inside(e, i, 1, 0, &best);
        for (size_t back = width + GLZ_ROW_SLACK; back + GLZ_ROW_SLACK >= width && back > 0;
             back--) {
            try_inside(e, i, back, 0, &best);
        }
        if (e->prev != NULL && e->prev->width == width) {
            try_image(e, i, e->prev, (uint32_t)i, 0, &best);
        }
        if (e->follow != NULL && (int64_t)i + e->follow_delta >= 0) {
            try_image(e, i, e->follow, (uint32_t)((int64_t)i + e->follow_delta), 0, &best);
        }
        GlzSlot bucket[GLZ_BUCKET_WAYS];
        if (i + 2 < n) {
            hash_insert(e, i, bucket);
            for (unsigned k = 0; k < GLZ_BUCKET_WAYS; k++) {
                try_slot(e, i, bucket[k], i - literal_from, &best);
            }
        }
        if (best.len == 0) {
            i++;
            continue;
        }
        emit_literals(e, literal_from, best.start);
        emit_ref(e, &best);
        if (best.dist > 0) {
            e->follow = image_at(e->d, e->img->id - best.dist);
            e->follow_delta = (int64_t)best.ofs - (int64_t)best.start;
            e->earlier_pixels += (uint32_t)best.len;
        }
        size_t end = best.start + best.len;
        enter_match(e, i, end, best.dist == 0 && best.ofs == 0);
        i = literal_from = end;
    }
    emit_literals(e, literal_from, n);
}

size_t red_glz_max_size(uint32_t width, uint32_t height)
{
    /* The literals are LZ_RGB's, to the byte; only the headers differ. */
    size_t lz = red_lz_max_size(width, height);
    if (lz == 0 || lz > SIZE_MAX - (GLZ_HEADER_BYTES - GLZ_LZ_HEADER_BYTES)) {
        return 0;
    }
    return lz - GLZ_LZ_HEADER_BYTES + GLZ_HEADER_BYTES;
}

/* A hash of every colour of the image: an image drawn again (a tile, an
 * icon, a toolbar) is then found whole, however many times its pieces
 * occur elsewhere in the window and flush the hash buckets.  A hint only:
 * the match is checked pixel by pixel. */
static uint64_t fingerprint(const uint32_t *px, size_t n)
{
    return XXH3_64bits(px, n * sizeof(*px)); /* the copy's fourth bytes are 0 */
}

/* The newest earlier image with the same size and colours, or NULL. */
static const GlzImage *find_same(const RedGlzDict *d, const GlzImage *img)
{
    for (uint32_t k = d->count - 1; k-- > 0;) {
        const GlzImage *o = d->ring[(d->head + k) % RED_GLZ_MAX_IMAGES];
        if (o->print == img->print && o->n == img->n && o->width == img->width) {
            return o;
        }
    }
    return NULL;
}

/* Makes room for n pixels and one more image, oldest first, and appends a
 * copy of the pixels as the newest image. */
static GlzImage *window_add(RedGlzDict *d, const uint8_t *pixels, uint32_t width, uint32_t n)
{
    while (d->count > 0 && (d->held + n > d->window || d->count >= RED_GLZ_MAX_IMAGES)) {
        drop_oldest(d);
    }
    GlzImage *img = g_new(GlzImage, 1);
    *img = (GlzImage){ .id = d->next_id++, .width = width, .n = n };
    /* The copy keeps only the colours: the fourth byte is not sent, so a
     * fingerprint over the bytes is one over the colours. */
    img->px = g_new(uint32_t, n);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t v;
        memcpy(&v, pixels + (size_t)i * 4, sizeof(v));
        img->px[i] = rgb(v);
    }
    img->print = fingerprint(img->px, n);
    d->ring[(d->head + d->count) % RED_GLZ_MAX_IMAGES] = img;
    d->count++;
    d->held += n;
    return img;
}

/* GLZ for a size class until the comparisons show it larger than LZ_RGB
 * over GLZ_COMPARE_EVIDENCE bytes at least: a first sight of new icons
 * costs GLZ a little more than LZ, and only GLZ's window makes their next
 * sight nearly free, so a few comparisons must not turn it off. */
static bool tally_glz_pays(const GlzTally *t)
{
    return t->lz < GLZ_COMPARE_EVIDENCE || t->glz <= t->lz;
}

static uint32_t tally_period(const GlzTally *t)
{
    return t->period != 0 ? t->period : RED_GLZ_PROBE_EVERY;
}

/* Asks the tally about one image: compared every tally_period()-th,
 * otherwise GLZ while it pays. */
static bool tally_ask(RedGlzDict *dict, GlzTally *t)
{
    bool compare = ++t->seen >= tally_period(t);
    if (compare) {
        t->seen = 0;
    }
    dict->compare_in = compare ? t : NULL;
    return compare || tally_glz_pays(t);
}

bool red_glz_should_encode(RedGlzDict *dict, uint32_t width, uint32_t height)
{
    if (!red_glz_fits(dict, width, height)) {
        return false;
    }
    dict->compare_in = NULL;
    if ((uint64_t)width * height <= RED_GLZ_ALWAYS_PIXELS) {
        return tally_ask(dict, &dict->small);
    }
    if (dict->recent_earlier * 100 >= dict->recent_pixels * RED_GLZ_MIN_REUSE_PERCENT) {
        return tally_ask(dict, &dict->large);
    }
    return ++dict->large_skipped % RED_GLZ_PROBE_EVERY == 0;
}

bool red_glz_wants_comparison(const RedGlzDict *dict)
{
    return dict->compare_in != NULL;
}

void red_glz_note_comparison(RedGlzDict *dict, size_t glz_bytes, size_t lz_bytes)
{
    GlzTally *t = dict->compare_in;
    if (t == NULL) {
        return;
    }
    /* A comparison that agrees with the verdict it was made under spaces
     * the next ones out: each costs a second encode, GLZ's taking about
     * 4x LZ's, and on content whose verdict holds they only confirm it.
     * One that disagrees brings them back to RED_GLZ_PROBE_EVERY, so a
     * change of content is followed as soon as before. */
    bool agrees = (glz_bytes <= lz_bytes) == tally_glz_pays(t);
    t->period = agrees ? MIN(tally_period(t) * 2, RED_GLZ_PROBE_MAX) : RED_GLZ_PROBE_EVERY;
    if (t->glz + t->lz > GLZ_COMPARE_SPAN) {
        t->glz /= 2;
        t->lz /= 2;
    }
    t->glz += glz_bytes;
    t->lz += lz_bytes;
}

int red_glz_encode(RedGlzDict *dict, const uint8_t *pixels, uint32_t width, uint32_t height,
                   uint32_t stride, uint8_t **out, size_t *out_size, RedGlzResult *res)
{
    if (!red_glz_fits(dict, width, height) || (uint64_t)width * 4 != stride) {
        return -1;
    }
    uint32_t n = width * height;      /* below the window: no overflow */
    size_t cap = red_glz_max_size(width, height);
    GlzImage *img = window_add(dict, pixels, width, n);
    GlzEnc e = { .d = dict, .img = img, .oldest = dict->ring[dict->head]->id };
    if (dict->count >= 2) {
        e.prev = image_at(dict, img->id - 1);
    }
    e.follow = find_same(dict, img);
    e.out = (GlzOut){ .buf = g_malloc(cap), .cap = cap };
    out_be(&e.out, GLZ_MAGIC, 4);
    out_be(&e.out, GLZ_VERSION, 4);
    out_be(&e.out, GLZ_TYPE_RGB32 | GLZ_TOP_DOWN_BIT, 1);
    out_be(&e.out, width, 4);
    out_be(&e.out, height, 4);
    out_be(&e.out, stride, 4);
    out_be(&e.out, img->id, 8);
    out_be(&e.out, img->id - e.oldest, 4);
    encode_body(&e);
    dict->can_forget = true;
    if (e.out.overflow) {
        g_free(e.out.buf);
        red_glz_dict_forget_last(dict);
        return -1;
    }
    *out = e.out.buf;
    *out_size = e.out.pos;
    if (dict->recent_pixels > GLZ_REUSE_SPAN) {
        dict->recent_pixels /= 2;
        dict->recent_earlier /= 2;
    }
    dict->recent_pixels += (uint64_t)width * height;
    dict->recent_earlier += e.earlier_pixels;
    if (res != NULL) {
        *res = (RedGlzResult){ .id = img->id, .win_head_dist = (uint32_t)(img->id - e.oldest),
                               .earlier_pixels = e.earlier_pixels };
    }
    return 0;
}
