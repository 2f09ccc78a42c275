/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-lz.c: SPICE LZ_RGB encoder (format in red-lz.h).
 *
 * A greedy LZ77 over whole pixels.  At each position a few candidates are
 * tried: the previous pixel (runs of one colour), the pixels of the row
 * above around the same column (desktop content repeats vertically: window
 * bodies, gradients, text lines' backgrounds) and the last position whose
 * next three pixels hashed the same (repeated glyphs, icons, patterns).
 * The longest match wins.  The candidates are a fixed number and none is
 * extended past the winner's length, so the time is linear in the pixels. */
#include "config.h"

#include "red-lz.h"

#include <stdbool.h>
#include <string.h>

#include <glib.h>

#define RED_LZ_MAGIC 0x20205a4cu     /* "LZ  " read as a big-endian u32 */
#define RED_LZ_VERSION 0x00010001u   /* 1.1 */
#define RED_LZ_TYPE_RGB32 8u         /* LzImageType LZ_IMAGE_TYPE_RGB32 */
#define RED_LZ_HEADER_BYTES (7u * 4)
/* The decoder refuses stride * height above this (spice-common lz.c). */
#define RED_LZ_MAX_IMAGE_BYTES (1024u * 1024 * 1024 - 1)

#define RED_LZ_MAX_LITERALS 32u      /* ctrl 0..31 = 1..32 pixels */
#define RED_LZ_NEAR_LIMIT 8191u      /* D - 1 below this fits the short form */
#define RED_LZ_LEN_IN_CTRL 7u        /* ctrl >> 5 == 7: the length continues */
/* Two pixels as a reference cost 2 (near) or 4 (far) bytes instead of 6;
 * a single pixel would only break a literal run. */
#define RED_LZ_MIN_MATCH 2u
/* The hash table grows with the image up to 2^16 entries (256 KiB); small
 * tiles get a small table, so clearing it does not cost more than the tile. */
#define RED_LZ_HASH_MIN_BITS 10u
#define RED_LZ_HASH_MAX_BITS 16u
/* Rows are tried as references from RED_LZ_ROW_SLACK pixels left to as many
 * right of straight above: gradients and anti-aliased edges that are not
 * vertical repeat the previous row shifted by a pixel or two (the demo
 * desktop's first frame: 33 KB with the slack, 106 KB without). */
#define RED_LZ_ROW_SLACK 3u
/* A match longer than this inserts only its last positions into the hash
 * table: in a long run every position hashes the same anyway. */
#define RED_LZ_INSERT_ALL_LEN 64u
#define RED_LZ_INSERT_TAIL 8u
/* A candidate is first checked where a best match of at least this many
 * pixels ends (consider); below it the check costs photos more than the
 * scan it saves. */
#define RED_LZ_QUICK_REJECT 4u

typedef struct LzWriter {
    uint8_t *buf;
    size_t pos, cap;
    bool overflow;              /* a write was refused: a bug in the bound */
} LzWriter;

typedef struct LzEncoder {
    const uint8_t *px;
    size_t n, width;
    uint32_t *table;            /* position + 1; 0 is empty */
    unsigned hash_shift;
    LzWriter out;
} LzEncoder;

/* Every write goes through here: it refuses to pass the buffer's end, so a
 * wrong bound costs a failed encode, never memory. */
static void put(LzWriter *w, const uint8_t *bytes, size_t count)
{
    if (w->overflow || count > w->cap - w->pos) {
        w->overflow = true;
        return;
    }
    memcpy(w->buf + w->pos, bytes, count);
    w->pos += count;
}

static void put_byte(LzWriter *w, uint8_t b)
{
    put(w, &b, 1);
}

static void put_u32_be(LzWriter *w, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    put(w, b, sizeof(b));
}

/* The pixel's colour: the fourth byte is not transmitted. */
static inline uint32_t pixel(const LzEncoder *e, size_t i)
{
    uint32_t v;
    memcpy(&v, e->px + i * 4, sizeof(v));
    return v & 0x00ffffffu;
}

static inline uint32_t hash3(const LzEncoder *e, size_t i)
{
    uint32_t h = pixel(e, i) * 0x9e3779b1u;
    h ^= pixel(e, i + 1) * 0x85ebca77u;
    h ^= pixel(e, i + 2) * 0xc2b2ae3du;
    return h >> e->hash_shift;
}

/* Records position i (which has two pixels after it) in the hash table and
 * returns the position it displaces, or SIZE_MAX. */
static inline size_t hash_swap(LzEncoder *e, size_t i)
{
    uint32_t *slot = &e->table[hash3(e, i)];
    size_t prev = *slot ? (size_t)*slot - 1 : SIZE_MAX;
    *slot = (uint32_t)(i + 1);
    return prev;
}

/* How many pixels from i on equal those d pixels back.  Most candidates
 * differ at once (one compare); a match then goes two pixels to a compare
 * (the fourth bytes masked out): runs of background and blank rows are
 * most of a desktop's matched pixels. */
static inline size_t match_length(const LzEncoder *e, size_t i, size_t d)
{
    if (pixel(e, i) != pixel(e, i - d)) {
        return 0;
    }
    const uint8_t *a = e->px + i * 4, *b = a - d * 4;
    size_t left = e->n - i, len = 1;
    for (; len + 2 <= left; len += 2) {
        uint64_t x, y;
        memcpy(&x, a + len * 4, sizeof(x));
        memcpy(&y, b + len * 4, sizeof(y));
        uint64_t diff = (x ^ y) & 0x00ffffff00ffffffull;
        if (diff != 0) {
            return len + ((diff & 0xffffffffu) == 0); /* little-endian: low = first */
        }
    }
    if (len < left && pixel(e, i + len) == pixel(e, i + len - d)) {
        len++;
    }
    return len;
}

static void emit_literals(LzEncoder *e, size_t from, size_t to)
{
    while (from < to) {
        size_t k = MIN(RED_LZ_MAX_LITERALS, to - from);
        uint8_t run[1 + RED_LZ_MAX_LITERALS * 3];
        run[0] = (uint8_t)(k - 1);
        for (size_t j = 0; j < k; j++) {
            uint32_t p = pixel(e, from + j);
            run[1 + 3 * j] = (uint8_t)p;            /* b */
            run[2 + 3 * j] = (uint8_t)(p >> 8);     /* g */
            run[3 + 3 * j] = (uint8_t)(p >> 16);    /* r */
        }
        put(&e->out, run, 1 + 3 * k);
        from += k;
    }
}

static void emit_match(LzEncoder *e, size_t len, size_t dist)
{
    size_t ofs = dist - 1;
    uint32_t len_field = len < RED_LZ_LEN_IN_CTRL ? (uint32_t)len : RED_LZ_LEN_IN_CTRL;
    bool near = ofs < RED_LZ_NEAR_LIMIT;
    put_byte(&e->out, (uint8_t)(len_field << 5 | (near ? ofs >> 8 : 31u)));
    if (len >= RED_LZ_LEN_IN_CTRL) {
        size_t rest = len - RED_LZ_LEN_IN_CTRL;
        for (; rest >= 255; rest -= 255) {
            put_byte(&e->out, 255);
        }
        put_byte(&e->out, (uint8_t)rest);
    }
    if (near) {
        put_byte(&e->out, (uint8_t)ofs);
    } else {
        size_t far = ofs - RED_LZ_NEAR_LIMIT;
        uint8_t b[3] = { 255, (uint8_t)(far >> 8), (uint8_t)far };
        put(&e->out, b, sizeof(b));
    }
}

/* Tries candidate d (0 < d <= i, in reach). */
static inline void try_candidate(const LzEncoder *e, size_t i, size_t d, size_t *best_len,
                                 size_t *best_d)
{
    /* A candidate that differs where the best one ends cannot be longer:
     * one compare instead of a scan of the best's length.  On a run of
     * background every candidate matches it all, and each scanned it. */
    size_t b = *best_len;
    if (b >= RED_LZ_QUICK_REJECT &&
        (i + b >= e->n || pixel(e, i + b) != pixel(e, i + b - d))) {
        return;
    }
    size_t len = match_length(e, i, d);
    if (len > *best_len) {
        *best_len = len;
        *best_d = d;
    }
}

static inline void consider(const LzEncoder *e, size_t i, size_t d, size_t *best_len,
                            size_t *best_d)
{
    if (d == 0 || d > i || d > RED_LZ_MAX_DISTANCE) {
        return;
    }
    try_candidate(e, i, d, best_len, best_d);
}

static void encode_body(LzEncoder *e)
{
    /* From this position on every candidate in the row above is inside the
     * image and in reach: they are read as one run of pixels, and only
     * those whose first pixel matches are tried. */
    size_t span = e->width + RED_LZ_ROW_SLACK;
    size_t rows_from = e->width > RED_LZ_ROW_SLACK && span <= RED_LZ_MAX_DISTANCE ? span
                                                                                   : SIZE_MAX;
    size_t i = 0, literal_from = 0;
    while (i < e->n) {
        size_t best_len = 0, best_d = 0;
        /* The hash slot is read first, so that its likely cache miss
         * overlaps the row candidates' work. */
        uint32_t *slot = NULL, prev = 0;
        if (i + 2 < e->n) {
            slot = &e->table[hash3(e, i)];
            prev = *slot;
        }
        if (i >= rows_from) {
            try_candidate(e, i, 1, &best_len, &best_d);
            uint32_t p = pixel(e, i);
            for (size_t k = 0; k <= 2 * RED_LZ_ROW_SLACK; k++) {
                if (pixel(e, i - span + k) == p) {
                    try_candidate(e, i, span - k, &best_len, &best_d);
                }
            }
        } else {
            consider(e, i, 1, &best_len, &best_d);
            for (size_t d = span; d + RED_LZ_ROW_SLACK >= e->width && d > 0; d--) {
                consider(e, i, d, &best_len, &best_d);
            }
        }
        if (slot != NULL) {
            *slot = (uint32_t)(i + 1);
            if (prev != 0) {
                consider(e, i, i - ((size_t)prev - 1), &best_len, &best_d);
            }
        }
        if (best_len < RED_LZ_MIN_MATCH) {
            i++;
            continue;
        }
        emit_literals(e, literal_from, i);
        emit_match(e, best_len, best_d);
        size_t end = i + best_len;
        size_t from = best_len > RED_LZ_INSERT_ALL_LEN ? end - RED_LZ_INSERT_TAIL : i + 1;
        for (size_t j = from; j + 2 < e->n && j < end; j++) {
            hash_swap(e, j);
        }
        i = literal_from = end;
    }
    emit_literals(e, literal_from, e->n);
}

size_t red_lz_max_size(uint32_t width, uint32_t height)
{
    uint64_t n = (uint64_t)width * height;
    if (n == 0) {
        return 0;
    }
    uint64_t size = RED_LZ_HEADER_BYTES + n * 3 + (n + RED_LZ_MAX_LITERALS - 1) / RED_LZ_MAX_LITERALS;
    return size > SIZE_MAX ? 0 : (size_t)size;
}

int red_lz_encode(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t stride,
                  uint8_t **out, size_t *out_size)
{
    uint64_t bytes = (uint64_t)stride * height;
    if (width == 0 || height == 0 || (uint64_t)width * 4 != stride ||
        bytes > RED_LZ_MAX_IMAGE_BYTES) {
        return -1;
    }
    size_t cap = red_lz_max_size(width, height);
    LzEncoder e = { .px = pixels, .n = (size_t)width * height, .width = width };
    unsigned bits = RED_LZ_HASH_MIN_BITS;
    while (bits < RED_LZ_HASH_MAX_BITS && ((size_t)1 << bits) < e.n) {
        bits++;
    }
    e.hash_shift = 32 - bits;
    e.table = g_new0(uint32_t, (size_t)1 << bits);
    e.out = (LzWriter){ .buf = g_malloc(cap), .cap = cap };
    put_u32_be(&e.out, RED_LZ_MAGIC);
    put_u32_be(&e.out, RED_LZ_VERSION);
    put_u32_be(&e.out, RED_LZ_TYPE_RGB32);
    put_u32_be(&e.out, width);
    put_u32_be(&e.out, height);
    put_u32_be(&e.out, stride);
    put_u32_be(&e.out, 1); /* top_down */
    encode_body(&e);
    g_free(e.table);
    if (e.out.overflow) {
        g_free(e.out.buf);
        return -1;
    }
    *out = e.out.buf;
    *out_size = e.out.pos;
    return 0;
}
