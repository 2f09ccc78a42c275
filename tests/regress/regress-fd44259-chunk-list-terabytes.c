// SPDX-License-Identifier: GPL-2.0-or-later
/* regress-fd44259-chunk-list-terabytes: before fd44259, red_chunks_read
 * allocated the whole size a guest's bitmap fields asked for before
 * walking the chunk list, so a 64-pixel-wide bitmap with a stride of
 * 0xffffffff and 16384 lines (found by test-qxl-hostile) asked for 64 TiB
 * (ASan aborts on such a request; elsewhere it is a huge allocation the
 * list can never fill).  Now sizes over RED_CHUNKS_MAX_BYTES spread over
 * several chunks are refused before any allocation, and a list that fits
 * still reads. */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <spice/enums.h>
#include <spice/qxl_dev.h>

#include "red-chunks.h"
#include "red-image.h"
#include "regress-guest-mem.h"
#include "test-util.h"

#define IMAGE 0x100
#define CHUNK_A 0x1000
#define CHUNK_B 0x2000

static RegressGuestMem mem;

static void put_two_chunks(uint32_t a_bytes, uint32_t b_bytes)
{
    QXLDataChunk a = { .data_size = a_bytes, .next_chunk = regress_mem_addr(&mem, CHUNK_B) };
    QXLDataChunk b = { .data_size = b_bytes, .next_chunk = 0 };
    memcpy(regress_mem_at(&mem, CHUNK_A), &a, sizeof(a));
    memcpy(regress_mem_at(&mem, CHUNK_B), &b, sizeof(b));
}

static void test_bitmap_stride_4gib(void)
{
    regress_mem_init(&mem, 64 * 1024);
    put_two_chunks(4000, 16);
    /* The exact input: x 64, y 16384, stride 0xffffffff, in chunks. */
    QXLImage img;
    memset(&img, 0, sizeof(img));
    img.descriptor.type = SPICE_IMAGE_TYPE_BITMAP;
    img.descriptor.width = 64;
    img.descriptor.height = 16384;
    img.bitmap = (QXLBitmap){ .format = SPICE_BITMAP_FMT_32BIT, .x = 64, .y = 16384,
                              .stride = 0xffffffffu, .data = regress_mem_addr(&mem, CHUNK_A) };
    memcpy(regress_mem_at(&mem, IMAGE), &img, sizeof(img));
    RedImage out;
    CHECK(red_image_load(mem.slots, NULL, REGRESS_GROUP, regress_mem_addr(&mem, IMAGE), &out) == -1);
    regress_mem_finish(&mem);
}

static void test_sizes_around_the_limit(void)
{
    regress_mem_init(&mem, 64 * 1024);
    put_two_chunks(16, 16);
    RedChunkData d;
    const uint64_t too_big[] = { UINT64_C(64) << 40, UINT64_MAX, (uint64_t)RED_CHUNKS_MAX_BYTES + 1 };
    for (size_t i = 0; i < G_N_ELEMENTS(too_big); i++) {
        CHECK(red_chunks_read(mem.slots, REGRESS_GROUP, regress_mem_addr(&mem, CHUNK_A),
                              too_big[i], &d) == -1);
        CHECK(d.owned == NULL);
    }
    /* Two chunks that hold the size are gathered. */
    memset(regress_mem_at(&mem, CHUNK_A + sizeof(QXLDataChunk)), 0xa1, 16);
    memset(regress_mem_at(&mem, CHUNK_B + sizeof(QXLDataChunk)), 0xb2, 16);
    CHECK(red_chunks_read(mem.slots, REGRESS_GROUP, regress_mem_addr(&mem, CHUNK_A), 32, &d) == 0);
    CHECK(d.owned != NULL && d.size == 32 && d.data[0] == 0xa1 && d.data[31] == 0xb2);
    red_chunk_data_finish(&d);
    regress_mem_finish(&mem);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_bitmap_stride_4gib),
        TEST_CASE(test_sizes_around_the_limit),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
