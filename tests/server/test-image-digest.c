// SPDX-License-Identifier: GPL-2.0-or-later
/* test-image-digest: red_image_digest, the key of a client's pixmap cache,
 * red_image_sample, its cheap first check, and red_draw_op_keep_image.
 *  - an op image that borrows a view of the surface's rows (stride wider
 *    than its width) has the digest of its compact copy, so an image drawn
 *    unclipped (a view) and the same one drawn clipped (a copy) meet in the
 *    cache; another size or one changed pixel is another digest;
 *  - a bottom-up image has none (-1);
 *  - the sample: a view and its copy share it; a change in a sampled row
 *    (the first, the last, one in the middle) or another size changes it;
 *  - a client's cache may hold a sample exactly while an entry with it is
 *    in the cache (added twice, evicted, forgotten); the seen ring answers
 *    true for the last RED_IMAGE_SEEN_MAX samples and forgets the oldest;
 *  - keeping a borrowed image copies it (compact, its own pixels, the same
 *    digest: the surface may change after), keeping an owned one refs it;
 *  - red_digest_rows, in its plain build and its AVX2 one (where the CPU
 *    has AVX2), gives libxxhash's XXH3-128 of the joined rows, compact or
 *    strided, at every length class XXH3 treats apart (up to 16, 128 and
 *    240 bytes, and longer ones that end mid-stripe and mid-block). */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <pixman.h>

#include <xxhash.h>

#include "red-digest.h"
#include "red-image-cache.h"
#include "red-render.h"
#include "test-util.h"

#define SURF_W 64
#define SURF_H 40
#define SURF_STRIDE (SURF_W * 4 + 16)
#define IMG_X 5
#define IMG_Y 7
#define IMG_W 24
#define IMG_H 13

/* A surface's rows with a pattern, and a view of IMG_W x IMG_H at
 * (IMG_X, IMG_Y) in it, as record_image borrows one. */
static uint8_t *surface_new(void)
{
    uint8_t *mem = g_malloc0((size_t)SURF_STRIDE * SURF_H);
    for (int y = 0; y < SURF_H; y++) {
        for (int x = 0; x < SURF_W; x++) {
            uint32_t px = (uint32_t)(x * 7 + y * 131) * 0x010203u;
            memcpy(mem + (size_t)y * SURF_STRIDE + (size_t)x * 4, &px, 4);
        }
    }
    return mem;
}

static pixman_image_t *view_of(uint8_t *mem)
{
    return pixman_image_create_bits(PIXMAN_x8r8g8b8, IMG_W, IMG_H,
                                    (uint32_t *)(void *)(mem + (size_t)IMG_Y * SURF_STRIDE +
                                                         IMG_X * 4),
                                    SURF_STRIDE);
}

static pixman_image_t *compact_copy(pixman_image_t *src, int w, int h)
{
    pixman_image_t *c = pixman_image_create_bits(PIXMAN_x8r8g8b8, w, h, NULL, 0);
    pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, c, 0, 0, 0, 0, 0, 0, w, h);
    return c;
}

static bool same(const RedImageDigest *a, const RedImageDigest *b)
{
    return memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

static void test_view_and_copy_share_a_digest(void)
{
    uint8_t *mem = surface_new();
    pixman_image_t *view = view_of(mem);
    pixman_image_t *copy = compact_copy(view, IMG_W, IMG_H);
    CHECK_EQ_U64(pixman_image_get_stride(copy), IMG_W * 4);
    RedImageDigest dv, dc, dsmall, dchanged;
    CHECK(red_image_digest(view, &dv) == 0);
    CHECK(red_image_digest(copy, &dc) == 0);
    CHECK(same(&dv, &dc));
    /* The first IMG_H - 1 rows only: another shape, another digest. */
    pixman_image_t *small = compact_copy(view, IMG_W, IMG_H - 1);
    CHECK(red_image_digest(small, &dsmall) == 0);
    CHECK(!same(&dv, &dsmall));
    /* One pixel of the last row changed in the surface. */
    mem[(size_t)(IMG_Y + IMG_H - 1) * SURF_STRIDE + (IMG_X + IMG_W - 1) * 4] ^= 1;
    CHECK(red_image_digest(view, &dchanged) == 0);
    CHECK(!same(&dv, &dchanged));
    /* Bytes outside the view do not count. */
    mem[(size_t)IMG_Y * SURF_STRIDE + (IMG_X + IMG_W) * 4] ^= 1;
    RedImageDigest dagain;
    CHECK(red_image_digest(view, &dagain) == 0);
    CHECK(same(&dchanged, &dagain));
    pixman_image_unref(small);
    pixman_image_unref(copy);
    pixman_image_unref(view);
    g_free(mem);
}

static void test_bottom_up_has_none(void)
{
    uint8_t *mem = surface_new();
    pixman_image_t *up = pixman_image_create_bits(
        PIXMAN_x8r8g8b8, SURF_W, SURF_H,
        (uint32_t *)(void *)(mem + (size_t)(SURF_H - 1) * SURF_STRIDE), -SURF_STRIDE);
    RedImageDigest d;
    CHECK(red_image_digest(up, &d) == -1);
    pixman_image_unref(up);
    g_free(mem);
}

/* Flips one byte of row `y` (image coordinates) in the surface. */
static void flip_row(uint8_t *mem, int y)
{
    mem[(size_t)(IMG_Y + y) * SURF_STRIDE + (IMG_X + 3) * 4] ^= 0x40;
}

static void test_sample_follows_the_sampled_rows(void)
{
    uint8_t *mem = surface_new();
    pixman_image_t *view = view_of(mem);
    pixman_image_t *copy = compact_copy(view, IMG_W, IMG_H);
    pixman_image_t *small = compact_copy(view, IMG_W, IMG_H - 1);
    uint64_t sv, sc, ssmall, s;
    CHECK(red_image_sample(view, &sv) == 0);
    CHECK(red_image_sample(copy, &sc) == 0);
    CHECK(red_image_sample(small, &ssmall) == 0);
    CHECK_EQ_U64(sv, sc);
    CHECK(sv != ssmall);
    /* IMG_H 13: rows 0, 4, 8, 12 are sampled. */
    static const int sampled[] = { 0, (IMG_H - 1) / 3, 2 * (IMG_H - 1) / 3, IMG_H - 1 };
    for (size_t i = 0; i < G_N_ELEMENTS(sampled); i++) {
        flip_row(mem, sampled[i]);
        CHECK(red_image_sample(view, &s) == 0);
        CHECK(s != sv);
        flip_row(mem, sampled[i]);
    }
    CHECK(red_image_sample(view, &s) == 0);
    CHECK_EQ_U64(s, sv);
    /* A row between is not in the sample (the full digest sees it). */
    RedImageDigest before, after;
    CHECK(red_image_digest(view, &before) == 0);
    flip_row(mem, 1);
    CHECK(red_image_sample(view, &s) == 0);
    CHECK(red_image_digest(view, &after) == 0);
    CHECK_EQ_U64(s, sv);
    CHECK(!same(&before, &after));
    /* An image of one row: that row. */
    pixman_image_t *line = compact_copy(view, IMG_W, 1);
    CHECK(red_image_sample(line, &s) == 0);
    pixman_image_unref(line);
    pixman_image_unref(small);
    pixman_image_unref(copy);
    pixman_image_unref(view);
    g_free(mem);
}

static RedImageDigest digest_of(unsigned k)
{
    RedImageDigest d;
    memset(d.bytes, 0, sizeof(d.bytes));
    memcpy(d.bytes, &k, sizeof(k));
    return d;
}

static void test_cache_knows_its_samples(void)
{
    /* Room for two entries of 10 pixels. */
    RedImageCache *c = red_image_cache_new(20);
    GArray *evicted = g_array_new(FALSE, FALSE, sizeof(guint64));
    RedImageDigest d1 = digest_of(1), d2 = digest_of(2), d3 = digest_of(3);
    CHECK(!red_image_cache_may_hold(c, 100));
    CHECK(red_image_cache_add(c, &d1, 100, 10, evicted) != 0);
    CHECK(red_image_cache_add(c, &d2, 100, 10, evicted) != 0); /* one sample, two images */
    CHECK(red_image_cache_may_hold(c, 100));
    CHECK(!red_image_cache_may_hold(c, 200));
    /* d3 evicts d1 (the least recently used): d2 still has sample 100. */
    CHECK(red_image_cache_add(c, &d3, 200, 10, evicted) != 0);
    CHECK_EQ_U64(evicted->len, 1);
    CHECK(red_image_cache_may_hold(c, 100));
    CHECK(red_image_cache_may_hold(c, 200));
    red_image_cache_forget(c, &d2);
    CHECK(!red_image_cache_may_hold(c, 100));
    red_image_cache_forget(c, &d3);
    CHECK(!red_image_cache_may_hold(c, 200));
    CHECK_EQ_U64(red_image_cache_entries(c), 0);
    g_array_free(evicted, TRUE);
    red_image_cache_free(c);
}

static void test_seen_ring_forgets_the_oldest(void)
{
    RedImageSeen *s = red_image_seen_new();
    for (uint64_t k = 1; k <= RED_IMAGE_SEEN_MAX; k++) {
        CHECK(!red_image_seen_note(s, k * 977));
    }
    CHECK(red_image_seen_note(s, 977));                 /* the oldest, still there */
    CHECK(!red_image_seen_note(s, 1));                  /* new: 977 goes */
    CHECK(!red_image_seen_note(s, 977));
    CHECK(red_image_seen_note(s, RED_IMAGE_SEEN_MAX * 977ull));
    CHECK(red_image_seen_note(s, 1));
    red_image_seen_free(s);
}

static void test_keep_copies_only_borrowed(void)
{
    uint8_t *mem = surface_new();
    RedDrawOp op = { .kind = RED_DRAW_OP_IMAGE, .image = view_of(mem), .image_borrowed = true,
                     .width = IMG_W, .height = IMG_H };
    RedImageDigest before, kept_d;
    CHECK(red_image_digest(op.image, &before) == 0);
    pixman_image_t *kept = red_draw_op_keep_image(&op);
    CHECK(kept != NULL && kept != op.image);
    CHECK_EQ_U64(pixman_image_get_stride(kept), IMG_W * 4);
    memset(mem, 0xab, (size_t)SURF_STRIDE * SURF_H); /* the next command draws */
    CHECK(red_image_digest(kept, &kept_d) == 0);
    CHECK(same(&before, &kept_d));
    pixman_image_unref(kept);
    pixman_image_unref(op.image);
    /* An owned image is kept as it is. */
    RedDrawOp owned = { .kind = RED_DRAW_OP_IMAGE,
                        .image = pixman_image_create_bits(PIXMAN_x8r8g8b8, 4, 4, NULL, 0) };
    pixman_image_t *same_img = red_draw_op_keep_image(&owned);
    CHECK(same_img == owned.image);
    pixman_image_unref(same_img);
    pixman_image_unref(owned.image);
    g_free(mem);
}

/* Our digest of `rows` rows of `row` bytes, `stride` apart, against the
 * library's of the same bytes joined. */
static void check_rows(RedDigestRowsFn fn, const uint8_t *bits, size_t row, size_t stride,
                       uint32_t rows, uint64_t seed)
{
    uint8_t *joined = g_malloc((size_t)row * rows + 1);
    for (uint32_t y = 0; y < rows; y++) {
        memcpy(joined + (size_t)y * row, bits + (size_t)y * stride, row);
    }
    XXH128_canonical_t want;
    XXH128_canonicalFromHash(&want, XXH3_128bits_withSeed(joined, row * rows, seed));
    uint8_t got[RED_DIGEST_BYTES];
    CHECK(fn(bits, row, stride, rows, seed, got) == 0);
    if (memcmp(got, want.digest, RED_DIGEST_BYTES) != 0) {
        g_printerr("digest differs: row %zu stride %zu rows %u seed %" G_GUINT64_FORMAT "\n",
                   row, stride, rows, seed);
        CHECK(false);
    }
    g_free(joined);
}

static void test_digest_builds_match_the_library(void)
{
    RedDigestRowsFn fns[2] = { red_digest_rows_plain, red_digest_rows_avx2_usable() };
    g_printerr("AVX2 build %s\n", fns[1] ? "tested" : "not usable here");
    /* Row lengths across XXH3's classes (0-16, 17-128, 129-240, longer),
     * a stripe (64) and a block (1024) and either side of them. */
    static const size_t rows_bytes[] = { 4, 8, 16, 20, 64, 124, 128, 132, 240, 244,
                                         1020, 1024, 1028, 4096, 5000 };
    size_t max_stride = 5000 + 64;
    uint8_t *mem = g_malloc(max_stride * 40);
    for (size_t i = 0; i < max_stride * 40; i++) {
        mem[i] = (uint8_t)(i * 2654435761u >> 13);
    }
    for (unsigned f = 0; f < G_N_ELEMENTS(fns); f++) {
        if (fns[f] == NULL) {
            continue;
        }
        for (unsigned r = 0; r < G_N_ELEMENTS(rows_bytes); r++) {
            size_t row = rows_bytes[r];
            for (uint32_t rows = 1; rows <= 40; rows += 13) {
                check_rows(fns[f], mem, row, row, rows, (uint64_t)row << 32 | rows);
                check_rows(fns[f], mem + 3, row, row + 60, rows, 7);
            }
        }
    }
    /* The dispatching entry point is one of them. */
    check_rows(red_digest_rows, mem, 512, 4096, 9, 1);
    g_free(mem);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_view_and_copy_share_a_digest),
        TEST_CASE(test_bottom_up_has_none),
        TEST_CASE(test_sample_follows_the_sampled_rows),
        TEST_CASE(test_cache_knows_its_samples),
        TEST_CASE(test_seen_ring_forgets_the_oldest),
        TEST_CASE(test_keep_copies_only_borrowed),
        TEST_CASE(test_digest_builds_match_the_library),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
