// SPDX-License-Identifier: GPL-2.0-or-later
/* test-image-digest: red_image_digest, the key of a client's pixmap cache,
 * and red_draw_op_keep_image.
 *  - an op image that borrows a view of the surface's rows (stride wider
 *    than its width) has the digest of its compact copy, so an image drawn
 *    unclipped (a view) and the same one drawn clipped (a copy) meet in the
 *    cache; another size or one changed pixel is another digest;
 *  - a bottom-up image has none (-1);
 *  - keeping a borrowed image copies it (compact, its own pixels, the same
 *    digest: the surface may change after), keeping an owned one refs it. */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <pixman.h>

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

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_view_and_copy_share_a_digest),
        TEST_CASE(test_bottom_up_has_none),
        TEST_CASE(test_keep_copies_only_borrowed),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
