// SPDX-License-Identifier: GPL-2.0-or-later
/* regress-rhbz-568699-guest-pointers: the first QXL/libspice code followed
 * pointers embedded in guest-shared memory without validating them, so a
 * guest could make the host read (or write) any host address (Red Hat
 * bz 568699).  Here every pointer field our server follows gets a host
 * address: a heap block of ours that was freed (any read of it is an ASan
 * use-after-free) or a live one holding a "secret", given raw, and also
 * dressed up as an address of a valid slot and generation.  Each command
 * must be refused (-1) and the secret never copied out. */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <spice/enums.h>
#include <spice/qxl_dev.h>

#include "red-chunks.h"
#include "red-cursor-parse.h"
#include "red-image.h"
#include "regress-cursor-util.h"
#include "test-util.h"

#define IMAGE 0x1000
#define CHUNK 0x2000
#define SECRET_BYTES 4096

static RegressGuestMem mem;
static uint8_t *secret;
static QXLPHYSICAL hostile[3];

/* The host addresses a guest could write: the freed block raw, the live
 * secret raw, and the secret's address in the offset bits of our slot. */
static void setup(void)
{
    regress_mem_init(&mem, 64 * 1024);
    uint8_t *freed = g_malloc(SECRET_BYTES);
    g_free(freed);
    secret = g_malloc(SECRET_BYTES);
    memset(secret, 0x5e, SECRET_BYTES);
    hostile[0] = (uintptr_t)freed;
    hostile[1] = (uintptr_t)secret;
    hostile[2] = regress_mem_addr(&mem, (uintptr_t)secret);
}

static void teardown(void)
{
    g_free(secret);
    regress_mem_finish(&mem);
}

static bool holds_secret(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 8 <= n; i++) {
        if (memcmp(p + i, secret, 8) == 0) {
            return true;
        }
    }
    return false;
}

static void test_cursor_pointers(void)
{
    setup();
    for (size_t i = 0; i < G_N_ELEMENTS(hostile); i++) {
        RedCursorCommand out;
        CHECK(red_cursor_parse(mem.slots, REGRESS_GROUP, hostile[i], &out) == -1);
        /* The shape pointer, then the shape's chunk pointer. */
        regress_cursor_put(&mem, SPICE_CURSOR_TYPE_ALPHA, 8, 8, 256, 256);
        QXLCursorCmd *cmd = regress_mem_at(&mem, REGRESS_CURSOR_CMD);
        cmd->u.set.shape = hostile[i];
        CHECK(red_cursor_parse(mem.slots, REGRESS_GROUP,
                               regress_mem_addr(&mem, REGRESS_CURSOR_CMD), &out) == -1);
        CHECK(out.shape == NULL);
        regress_cursor_put(&mem, SPICE_CURSOR_TYPE_ALPHA, 8, 8, 256, 16);
        QXLCursor *shape = regress_mem_at(&mem, REGRESS_CURSOR_SHAPE);
        shape->chunk.next_chunk = hostile[i];
        CHECK(red_cursor_parse(mem.slots, REGRESS_GROUP,
                               regress_mem_addr(&mem, REGRESS_CURSOR_CMD), &out) == -1);
        CHECK(out.shape == NULL);
        red_cursor_shape_free(out.shape);
    }
    teardown();
}

static void put_bitmap(uint8_t format, uint8_t flags, QXLPHYSICAL data, QXLPHYSICAL palette)
{
    QXLImage img;
    memset(&img, 0, sizeof(img));
    img.descriptor.type = SPICE_IMAGE_TYPE_BITMAP;
    img.descriptor.width = img.descriptor.height = 16;
    img.bitmap = (QXLBitmap){ .format = format, .flags = flags, .x = 16, .y = 16,
                              .stride = 64, .palette = palette, .data = data };
    memcpy(regress_mem_at(&mem, IMAGE), &img, sizeof(img));
}

static void expect_image_refused(void)
{
    RedImage out;
    int ret = red_image_load(mem.slots, NULL, REGRESS_GROUP, regress_mem_addr(&mem, IMAGE), &out);
    CHECK(ret == -1);
    if (ret == 0) {
        CHECK(!holds_secret(out.pixels.data, out.pixels.size));
        red_image_finish(&out);
    }
}

static void test_image_pointers(void)
{
    setup();
    for (size_t i = 0; i < G_N_ELEMENTS(hostile); i++) {
        RedImage out;
        CHECK(red_image_load(mem.slots, NULL, REGRESS_GROUP, hostile[i], &out) == -1);
        put_bitmap(SPICE_BITMAP_FMT_32BIT, QXL_BITMAP_DIRECT, hostile[i], 0);  /* pixels */
        expect_image_refused();
        put_bitmap(SPICE_BITMAP_FMT_32BIT, 0, hostile[i], 0);                  /* first chunk */
        expect_image_refused();
        QXLDataChunk c = { .data_size = 64, .next_chunk = hostile[i] };        /* next chunk */
        memcpy(regress_mem_at(&mem, CHUNK), &c, sizeof(c));
        put_bitmap(SPICE_BITMAP_FMT_32BIT, 0, regress_mem_addr(&mem, CHUNK), 0);
        expect_image_refused();
        put_bitmap(SPICE_BITMAP_FMT_8BIT, QXL_BITMAP_DIRECT,                   /* palette */
                   regress_mem_addr(&mem, CHUNK), hostile[i]);
        expect_image_refused();
    }
    teardown();
}

static void test_chunk_pointers(void)
{
    setup();
    for (size_t i = 0; i < G_N_ELEMENTS(hostile); i++) {
        RedChunkData d;
        CHECK(red_chunks_read(mem.slots, REGRESS_GROUP, hostile[i], 16, &d) == -1);
        CHECK(d.data == NULL && d.owned == NULL);
    }
    teardown();
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_cursor_pointers),
        TEST_CASE(test_image_pointers),
        TEST_CASE(test_chunk_pointers),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
