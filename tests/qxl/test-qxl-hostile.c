/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-qxl-hostile: a hostile guest at the port/BAR level, on whichever
 * libspice-server this program was linked with.
 *
 * Each case writes what no driver should (bad addresses, cyclic chunk
 * lists, huge images, bad surface ids, broken ring indices, overlapping
 * async I/O, bad memslots, unknown ports, a garbage RAM header) and checks
 * that whoever validates it turns it down, as the device sees it: for what
 * the device checks, its guest-bug latch (QXL_INTERRUPT_ERROR,
 * stats.guest_bugs, last_guest_bug naming the field); for what the server
 * checks, the device handed the command over, raised no latch, the primary
 * did not change, and our server gave back (release_resource) exactly the
 * commands whose release_info it could read.  Debian's spice-server checks
 * the same things its own way (it may keep a command), so there only the
 * hand-over, the missing latch and survival are asserted.  After every case
 * QXL_IO_RESET + setup must give a working device: a fill, flushed, must
 * reach the primary.  Every wait has a deadline (gqxl_hw_* use 5 s). */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include <spice/enums.h>

#include "qxl-fixture.h"
#include "test-util.h"

#define W 640
#define H 480
#define DEADLINE_US (5 * G_USEC_PER_SEC)
/* Hostile structures live in the last MiB of the main slot, far from the
 * driver's command heap, which allocates from the start of the pages. */
#define HOSTILE_SPAN (1u << 20)
#define RAW_RELEASE_ID 0x51ull
enum { OFF_DRAW = 0, OFF_SURF = 0x400, OFF_IMAGE = 0x800, OFF_CHUNK_A = 0x1000,
       OFF_CHUNK_B = 0x2000, OFF_PIXELS = 0x3000 };

static QxlFixture fx;
static uint32_t next_color = 0x102030;

static void start(void)
{
    if (qxl_fixture_start(&fx, false) != 0 || qxl_fixture_create_primary(&fx, W, H, false) != 0) {
        fprintf(stderr, "fixture failed to start\n");
        exit(1);
    }
}

static uint64_t hostile_base(void)
{
    return fx.hw.rom.ram_header_offset - HOSTILE_SPAN;
}

static void *hp(uint64_t off)
{
    return fx.hw.bar_ram + hostile_base() + off;
}

static uint64_t hphys(uint64_t off)
{
    return gqxl_hw_phys(&fx.hw, GQXL_MAIN_SLOT, hostile_base() + off);
}

/* A QXL address naming any slot id and generation (the layout of the ROM). */
static uint64_t slot_addr(uint32_t slot, uint32_t gen, uint64_t offset)
{
    unsigned shift = 64 - (fx.hw.rom.slot_gen_bits + fx.hw.rom.slot_id_bits);
    return ((((uint64_t)slot << fx.hw.rom.slot_gen_bits) | gen) << shift) |
           (offset & (~UINT64_C(0) >> (64 - shift)));
}

static QxlDeviceStats stats(void)
{
    QxlDeviceStats st;
    qxl_device_get_stats(fx.dev, &st);
    return st;
}

static uint64_t guest_bugs(void)
{
    return stats().guest_bugs;
}

static int flush_surfaces(void)
{
    return gqxl_hw_async_io(&fx.hw, QXL_IO_FLUSH_SURFACES_ASYNC, 0);
}

/* The device raised its latch since `bugs0`: counted, ERROR interrupt seen
 * (taken now, or already by a failed async I/O), ports ignored, and the
 * latch names `field`. */
static void expect_guest_bug(uint64_t bugs0, uint64_t irq0, const char *field)
{
    if (fx.hw.irq_error == irq0) {
        gqxl_hw_wait(&fx.hw, QXL_INTERRUPT_ERROR, g_get_monotonic_time() + DEADLINE_US);
    }
    CHECK(fx.hw.irq_error > irq0);
    QxlDeviceStats st = stats();
    CHECK(st.guest_bugs > bugs0);
    CHECK(qxl_device_in_guest_bug(fx.dev));
    if (strstr(st.last_guest_bug, field) == NULL) {
        fprintf(stderr, "last guest bug \"%s\" does not name \"%s\"\n", st.last_guest_bug, field);
        CHECK(false);
    }
}

/* The device's books and the primary before commands the server must
 * turn down. */
typedef struct Before {
    QxlDeviceStats st;
    uint64_t irq_error;
    uint8_t *primary;
} Before;

static Before before(void)
{
    Before b = { .st = stats(), .irq_error = fx.hw.irq_error,
                 .primary = g_memdup2(fx.hw.bar_ram + fx.hw.rom.draw_area_offset,
                                      (gsize)W * H * 4) };
    return b;
}

/* Since `b` the device handed the server `popped` commands (the flushes
 * completed, so it has seen them), none of which is the device's to check:
 * no latch, no ERROR interrupt.  On our server none drew anything and
 * exactly `released` came back through release_resource: those whose
 * release_info the server could read.  Frees b's copy. */
static void expect_server_dropped(Before *b, uint64_t popped, uint64_t released)
{
    QxlDeviceStats st = stats();
    CHECK_EQ_U64(st.commands + st.cursor_commands - b->st.commands - b->st.cursor_commands,
                 popped);
    CHECK_EQ_U64(st.guest_bugs, b->st.guest_bugs);
    CHECK_EQ_U64(fx.hw.irq_error, b->irq_error);
    CHECK(!qxl_device_in_guest_bug(fx.dev));
#if S3D_WANT_OUR_SERVER
    CHECK_EQ_U64(st.releases - b->st.releases, released);
    CHECK(memcmp(fx.hw.bar_ram + fx.hw.rom.draw_area_offset, b->primary, (size_t)W * H * 4) == 0);
#else
    (void)released;
#endif
    g_free(b->primary);
    b->primary = NULL;
}

/* QXL_IO_RESET + setup, then a fill must reach the primary. */
static void recover(void)
{
    CHECK(gqxl_hw_setup(&fx.hw) == 0);
    gqxl_releases_finish(&fx.rel, &fx.hw); /* the reset dropped what was in flight */
    gqxl_releases_init(&fx.rel);
    CHECK(!qxl_device_in_guest_bug(fx.dev));
    CHECK(qxl_fixture_create_primary(&fx, W, H, false) == 0);
    uint32_t color = next_color;
    next_color += 0x030507;
    QXLRect box = { 10, 20, 40, 60 };
    CHECK(gqxl_cmd_fill(&fx.hw, &fx.rel, 0, &box, color) == 0);
    CHECK(flush_surfaces() == 0);
    CHECK_EQ_U64(qxl_fixture_primary_pixel(&fx, W, 30, 15), color);
    CHECK_EQ_U64(qxl_fixture_primary_pixel(&fx, W, 5, 5), 0);
    CHECK(!qxl_device_in_guest_bug(fx.dev));
}

/* A drawable at OFF_DRAW: a fill, or a copy of the image at `image`. */
static void put_drawable(uint32_t surface_id, uint8_t type, uint64_t image)
{
    QXLDrawable d;
    memset(&d, 0, sizeof(d));
    d.release_info.id = RAW_RELEASE_ID;
    d.surface_id = surface_id;
    d.type = type;
    d.effect = QXL_EFFECT_OPAQUE;
    d.bbox = (QXLRect){ .top = 0, .left = 0, .bottom = 64, .right = 64 };
    d.clip.type = SPICE_CLIP_TYPE_NONE;
    d.surfaces_dest[0] = d.surfaces_dest[1] = d.surfaces_dest[2] = -1;
    if (type == QXL_DRAW_COPY) {
        d.u.copy.src_bitmap = image;
        d.u.copy.src_area = d.bbox;
        d.u.copy.rop_descriptor = SPICE_ROPD_OP_PUT;
    } else {
        d.u.fill.brush.type = SPICE_BRUSH_TYPE_SOLID;
        d.u.fill.brush.u.color = 0xff00ff;
        d.u.fill.rop_descriptor = SPICE_ROPD_OP_PUT;
    }
    memcpy(hp(OFF_DRAW), &d, sizeof(d));
}

static void put_bitmap(uint8_t flags, uint32_t x, uint32_t y, uint32_t stride, uint64_t data)
{
    QXLImage img;
    memset(&img, 0, sizeof(img));
    img.descriptor.type = SPICE_IMAGE_TYPE_BITMAP;
    img.descriptor.width = x;
    img.descriptor.height = y;
    img.bitmap = (QXLBitmap){ .format = SPICE_BITMAP_FMT_32BIT, .flags = flags, .x = x, .y = y,
                              .stride = stride, .palette = 0, .data = data };
    memcpy(hp(OFF_IMAGE), &img, sizeof(img));
}

static void put_chunk(uint64_t off, uint32_t data_size, uint64_t next)
{
    QXLDataChunk c = { .data_size = data_size, .prev_chunk = 0, .next_chunk = next };
    memcpy(hp(off), &c, sizeof(c));
}

/* Pushes one raw command and flushes: the flush must complete. */
static void push_and_flush(GqxlRingId ring, uint64_t addr, uint32_t type)
{
    CHECK(gqxl_hw_push(&fx.hw, ring, addr, type) == 0);
    CHECK(flush_surfaces() == 0);
}

static void test_command_addresses(void)
{
    start();
    put_drawable(0, QXL_DRAW_FILL, 0);
    const uint64_t end = fx.hw.rom.ram_header_offset;
    const uint64_t bad[] = {
        slot_addr(5, 0, 0x1000),                    /* a slot never added */
#if S3D_WANT_OUR_SERVER
        /* Debian's spice-server 0.15 aborts the host here (spice_critical
         * "slot_id 200 too big" in memslot_get_virt): ours must not. */
        slot_addr(200, 0, 0x1000),                  /* past the slot table */
#endif
        slot_addr(fx.hw.slot_ids[GQXL_MAIN_SLOT], 0, end), /* offset past the slot's end */
        gqxl_hw_phys(&fx.hw, GQXL_MAIN_SLOT, end - 8),  /* straddles the end */
        slot_addr(fx.hw.slot_ids[GQXL_MAIN_SLOT], 0, ~UINT64_C(0)), /* wraps the host */
        gqxl_hw_phys(&fx.hw, GQXL_SURF_SLOT, fx.hw.bar_vram_size), /* past BAR1 */
        0,                                          /* the null address */
    };
    Before b = before();
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        push_and_flush(GQXL_RING_CMD, bad[i], QXL_CMD_DRAW);
    }
    push_and_flush(GQXL_RING_CMD, bad[0], QXL_CMD_SURFACE);
    push_and_flush(GQXL_RING_CURSOR, bad[2], QXL_CMD_CURSOR);
    /* Addresses are the server's to check; a command it cannot read has
     * no release_info to give back. */
    expect_server_dropped(&b, G_N_ELEMENTS(bad) + 2, 0);
    recover();
    qxl_fixture_stop(&fx);
}

static void test_stale_generation(void)
{
    start();
    put_drawable(0, QXL_DRAW_FILL, 0);
    uint32_t max_gen = (1u << fx.hw.rom.slot_gen_bits) - 1;
#if S3D_WANT_OUR_SERVER
    Before b = before();
    /* Debian's spice-server 0.15 aborts the host on a stale generation
     * (spice_critical in memslot_get_virt); ours rejects the command. */
    push_and_flush(GQXL_RING_CMD, slot_addr(fx.hw.slot_ids[GQXL_MAIN_SLOT], 1,
                                            hostile_base() + OFF_DRAW), QXL_CMD_DRAW);
    push_and_flush(GQXL_RING_CMD, slot_addr(fx.hw.slot_ids[GQXL_MAIN_SLOT], max_gen,
                                            hostile_base() + OFF_DRAW), QXL_CMD_DRAW);
    /* Not drawn (the fill would have been magenta), nothing to release. */
    expect_server_dropped(&b, 2, 0);
#else
    (void)max_gen;
#endif
    recover();
    qxl_fixture_stop(&fx);
}

/* A copy whose bitmap lives in a chunk list: self-cycle, a two-chunk
 * cycle, a chain of empty chunks, a chunk bigger than its slot. */
static void test_chunk_lists(void)
{
    start();
    const uint32_t stride = 64 * 4;
    struct { uint32_t a_size; uint64_t a_next; uint32_t b_size; uint64_t b_next; } lists[] = {
        { 16, hphys(OFF_CHUNK_A), 0, 0 },                   /* A -> A */
        { 16, hphys(OFF_CHUNK_B), 16, hphys(OFF_CHUNK_A) }, /* A -> B -> A */
        { 0, hphys(OFF_CHUNK_A), 0, 0 },                    /* empty, forever */
        { UINT32_MAX, 0, 0, 0 },                            /* 4 GiB in one chunk */
        { HOSTILE_SPAN - OFF_CHUNK_A - 16, hphys(OFF_CHUNK_B), 8, 0 }, /* too short */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(lists); i++) {
        put_chunk(OFF_CHUNK_A, lists[i].a_size, lists[i].a_next);
        put_chunk(OFF_CHUNK_B, lists[i].b_size, lists[i].b_next);
        put_bitmap(0, 64, 64 * 1024, stride, hphys(OFF_CHUNK_A));
        put_drawable(0, QXL_DRAW_COPY, hphys(OFF_IMAGE));
        Before b = before();
        push_and_flush(GQXL_RING_CMD, hphys(OFF_DRAW), QXL_CMD_DRAW);
        expect_server_dropped(&b, 1, 1);
    }
    recover();
    qxl_fixture_stop(&fx);
}

/* Bitmaps whose sizes overflow or do not fit what backs them. */
static void test_huge_images(void)
{
    start();
    struct { uint8_t flags; uint32_t x, y, stride; } imgs[] = {
        { QXL_BITMAP_DIRECT, 0x40000000, 0x40000000, 0 },    /* x*y*4 overflows 64 bits' half */
        { QXL_BITMAP_DIRECT, 0x10000, 4, 0x40000 },          /* wider than any surface */
        { QXL_BITMAP_DIRECT, 64, 64, 16 },                   /* stride shorter than a line */
        { QXL_BITMAP_DIRECT, 16384, 16384, 16384 * 4 },      /* 1 GiB: bigger than the slot */
        { QXL_BITMAP_DIRECT, 64, 16384, UINT32_MAX },        /* stride 4 GiB, 'negative' as int */
        { 0, 64, 16384, 0xfffffff0 },                        /* the same through one chunk */
        { 0, 16384, 16384, 16384 * 4 },                      /* 1 GiB through one chunk */
    };
    put_chunk(OFF_CHUNK_A, 4096, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(imgs); i++) {
        Before b = before();
        uint64_t data = imgs[i].flags & QXL_BITMAP_DIRECT ? hphys(OFF_PIXELS) : hphys(OFF_CHUNK_A);
        put_bitmap(imgs[i].flags, imgs[i].x, imgs[i].y, imgs[i].stride, data);
        put_drawable(0, QXL_DRAW_COPY, hphys(OFF_IMAGE));
        push_and_flush(GQXL_RING_CMD, hphys(OFF_DRAW), QXL_CMD_DRAW);
        expect_server_dropped(&b, 1, 1);
    }
    /* An off-screen surface whose size or stride cannot be. */
    struct { uint32_t w, h; int32_t stride; } surfs[] = {
        { 0x40000000, 4, 0 },          /* width*4 wraps to a zero stride */
        { 64, 64, INT32_MIN },         /* negative, far beyond the data */
        { 64, 64, -(1 << 20) },        /* negative: 64 MiB below, past BAR1 */
        { 16384, 16384, 16384 * 4 },   /* bigger than BAR1 */
        { 0, 0, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(surfs); i++) {
        Before b = before();
        QXLSurfaceCmd c;
        memset(&c, 0, sizeof(c));
        c.release_info.id = RAW_RELEASE_ID;
        c.type = QXL_SURFACE_CMD_CREATE;
        c.surface_id = 3;
        c.u.surface_create = (QXLSurface){ .format = SPICE_SURFACE_FMT_32_xRGB,
                                           .width = surfs[i].w, .height = surfs[i].h,
                                           .stride = surfs[i].stride,
                                           .data = gqxl_hw_phys(&fx.hw, GQXL_SURF_SLOT, 0) };
        memcpy(hp(OFF_SURF), &c, sizeof(c));
        push_and_flush(GQXL_RING_CMD, hphys(OFF_SURF), QXL_CMD_SURFACE);
        expect_server_dropped(&b, 1, 1);
    }
    recover();
    qxl_fixture_stop(&fx);
}

static void test_surface_ids(void)
{
    start();
    uint32_t n = fx.hw.rom.n_surfaces;
    /* Ports: the device checks the range, the server whether it exists. */
    uint64_t bugs0 = guest_bugs(), irq0 = fx.hw.irq_error;
    CHECK(gqxl_hw_async_io(&fx.hw, QXL_IO_DESTROY_SURFACE_ASYNC, 0) == 0); /* id 0 = primary */
#if S3D_WANT_OUR_SERVER
    /* Debian's spice-server 0.15 aborts the host on a sync destroy of any
     * surface but 0 (handle_dev_destroy_surface_wait); ours ignores it. */
    gqxl_hw_out(&fx.hw, QXL_IO_DESTROY_SURFACE_WAIT, 77);   /* in range, never created */
#endif
    CHECK(!qxl_device_in_guest_bug(fx.dev));
    recover();
    /* The port value is one byte, n_surfaces 1024: the range check is
     * reached through update_surface. */
    fx.hw.ram->update_surface = n;
    memcpy((void *)&fx.hw.ram->update_area, &(QXLRect){ 0, 0, 8, 8 }, sizeof(QXLRect));
    CHECK(gqxl_hw_async_io(&fx.hw, QXL_IO_UPDATE_AREA_ASYNC, 0) == -1);
    expect_guest_bug(bugs0, irq0, "update_surface");
    recover();
    fx.hw.ram->update_surface = 77; /* in range, no such surface: the server's call */
    CHECK(gqxl_hw_async_io(&fx.hw, QXL_IO_UPDATE_AREA_ASYNC, 0) == 0);
    CHECK(!qxl_device_in_guest_bug(fx.dev));

    /* Commands: all the server's to check. */
    Before b = before();
    const uint32_t draw_ids[] = { 77, n, UINT32_MAX };
    for (size_t i = 0; i < G_N_ELEMENTS(draw_ids); i++) {
        put_drawable(draw_ids[i], QXL_DRAW_FILL, 0);
        push_and_flush(GQXL_RING_CMD, hphys(OFF_DRAW), QXL_CMD_DRAW);
    }
    const struct { uint8_t type; uint32_t id; } cmds[] = {
        { QXL_SURFACE_CMD_DESTROY, 77 }, { QXL_SURFACE_CMD_DESTROY, n },
        { QXL_SURFACE_CMD_CREATE, n }, { QXL_SURFACE_CMD_CREATE, UINT32_MAX },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++) {
        QXLSurfaceCmd c;
        memset(&c, 0, sizeof(c));
        c.release_info.id = RAW_RELEASE_ID;
        c.type = cmds[i].type;
        c.surface_id = cmds[i].id;
        c.u.surface_create = (QXLSurface){ .format = SPICE_SURFACE_FMT_32_xRGB, .width = 8,
                                           .height = 8, .stride = 32,
                                           .data = gqxl_hw_phys(&fx.hw, GQXL_SURF_SLOT, 0) };
        memcpy(hp(OFF_SURF), &c, sizeof(c));
        push_and_flush(GQXL_RING_CMD, hphys(OFF_SURF), QXL_CMD_SURFACE);
    }
    expect_server_dropped(&b, G_N_ELEMENTS(draw_ids) + G_N_ELEMENTS(cmds),
                          G_N_ELEMENTS(draw_ids) + G_N_ELEMENTS(cmds));
    recover();
    qxl_fixture_stop(&fx);
}

static void test_create_primary(void)
{
    start();
    CHECK(gqxl_hw_async_io(&fx.hw, QXL_IO_DESTROY_PRIMARY_ASYNC, 0) == 0);
    const struct { uint32_t w, h; int32_t stride; } bad[] = {
        { 0, 0, 0 }, { W, 0, W * 4 }, { 16384, 16384, 16384 * 4 }, { 0x40000000, 1, 0 },
        { W, H, W * 4 - 4 }, { W, H, W * 4 + 2 }, { W, H, INT32_MIN }, { W, 1u << 20, W * 4 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        uint64_t bugs0 = guest_bugs(), irq0 = fx.hw.irq_error;
        QXLSurfaceCreate sc = {
            .width = bad[i].w, .height = bad[i].h, .stride = bad[i].stride,
            .format = SPICE_SURFACE_FMT_32_xRGB, .type = QXL_SURF_TYPE_PRIMARY,
            .mem = gqxl_hw_phys(&fx.hw, GQXL_MAIN_SLOT, 0),
        };
        memcpy((void *)&fx.hw.ram->create_surface, &sc, sizeof(sc));
        CHECK(gqxl_hw_async_io(&fx.hw, QXL_IO_CREATE_PRIMARY_ASYNC, 0) == -1);
        expect_guest_bug(bugs0, irq0, "create_surface.stride");
        recover();
        CHECK(gqxl_hw_async_io(&fx.hw, QXL_IO_DESTROY_PRIMARY_ASYNC, 0) == 0);
    }
    /* Good geometry, but flag bits the ABI does not define, or another
     * surface type: refused at the port. */
    const struct { uint32_t flags, type; const char *field; } odd[] = {
        { 1u << 1, QXL_SURF_TYPE_PRIMARY, "create_surface.flags" },
        { QXL_SURF_FLAG_KEEP_DATA | 0x80000000u, QXL_SURF_TYPE_PRIMARY, "create_surface.flags" },
        { 0, 1, "create_surface.type" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(odd); i++) {
        uint64_t bugs0 = guest_bugs(), irq0 = fx.hw.irq_error;
        QXLSurfaceCreate sc = {
            .width = W, .height = H, .stride = W * 4, .format = SPICE_SURFACE_FMT_32_xRGB,
            .flags = odd[i].flags, .type = odd[i].type,
            .mem = gqxl_hw_phys(&fx.hw, GQXL_MAIN_SLOT, 0),
        };
        memcpy((void *)&fx.hw.ram->create_surface, &sc, sizeof(sc));
        CHECK(gqxl_hw_async_io(&fx.hw, QXL_IO_CREATE_PRIMARY_ASYNC, 0) == -1);
        expect_guest_bug(bugs0, irq0, odd[i].field);
        recover();
        CHECK(gqxl_hw_async_io(&fx.hw, QXL_IO_DESTROY_PRIMARY_ASYNC, 0) == 0);
    }
    /* Twice in a row is a guest bug; so is a non-zero port value. */
    uint64_t bugs0 = guest_bugs(), irq0 = fx.hw.irq_error;
    CHECK(qxl_fixture_create_primary(&fx, W, H, false) == 0);
    CHECK(qxl_fixture_create_primary(&fx, W, H, false) == -1);
    expect_guest_bug(bugs0, irq0, "create_primary");
    recover();
    CHECK(gqxl_hw_async_io(&fx.hw, QXL_IO_DESTROY_PRIMARY_ASYNC, 0) == 0);
    /* Good geometry, memory outside every slot: the device cannot know
     * the slots' meaning, the server refuses.  With no primary, a fill of
     * surface 0 that follows is handed over, not drawn, and given back. */
    QXLSurfaceCreate sc = { .width = W, .height = H, .stride = W * 4,
                            .format = SPICE_SURFACE_FMT_32_xRGB, .type = QXL_SURF_TYPE_PRIMARY,
                            .mem = slot_addr(6, 0, 0) };
    memcpy((void *)&fx.hw.ram->create_surface, &sc, sizeof(sc));
    CHECK(gqxl_hw_async_io(&fx.hw, QXL_IO_CREATE_PRIMARY_ASYNC, 0) == 0);
    put_drawable(0, QXL_DRAW_FILL, 0);
    Before b = before();
    push_and_flush(GQXL_RING_CMD, hphys(OFF_DRAW), QXL_CMD_DRAW);
    expect_server_dropped(&b, 1, 1);
    recover();
    qxl_fixture_stop(&fx);
}

/* Ring header fields (<spice/ipc_ring.h>), by byte offset: the rings are
 * packed members, so no pointers to them. */
enum { RING_PROD = 4, RING_CONS = 12 };

static uint32_t *ring_field(size_t ring, size_t field)
{
    return (uint32_t *)(void *)((uint8_t *)fx.hw.ram + ring + field);
}

static uint32_t ring_get(size_t ring, size_t field)
{
    return __atomic_load_n(ring_field(ring, field), __ATOMIC_ACQUIRE);
}

static void ring_set(size_t ring, size_t field, uint32_t v)
{
    __atomic_store_n(ring_field(ring, field), v, __ATOMIC_RELEASE);
}

/* prod - cons > num_items on the command and cursor rings, the release
 * ring's cons past its prod: the device's ring code reports each. */
static void test_ring_indices(void)
{
    start();
    const struct { size_t ring; uint32_t port; const char *name; } rings[] = {
        { offsetof(QXLRam, cmd_ring), QXL_IO_NOTIFY_CMD, "command ring" },
        { offsetof(QXLRam, cursor_ring), QXL_IO_NOTIFY_CURSOR, "cursor ring" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rings); i++) {
        uint64_t bugs0 = guest_bugs(), irq0 = fx.hw.irq_error;
        ring_set(rings[i].ring, RING_PROD, ring_get(rings[i].ring, RING_CONS) + 1000);
        gqxl_hw_out(&fx.hw, rings[i].port, 0);
        expect_guest_bug(bugs0, irq0, rings[i].name);
        recover();
    }
    uint64_t bugs0 = guest_bugs(), irq0 = fx.hw.irq_error;
    const size_t rel = offsetof(QXLRam, release_ring);
    ring_set(rel, RING_CONS, ring_get(rel, RING_PROD) + 100);
    gqxl_hw_out(&fx.hw, QXL_IO_FLUSH_RELEASE, 0);
    expect_guest_bug(bugs0, irq0, "release ring");
    recover();
    qxl_fixture_stop(&fx);
}

/* A second async I/O before the first completed.  The first is made slow
 * (a full ring of screen fills to render) so the second surely overlaps. */
static void test_two_async_ios(void)
{
    start();
    QXLRect all = { 0, 0, H, W };
    /* The second async write must come while the first is in flight.  A
     * fast server can finish the first in between (Debian's did, once, on a
     * loaded machine): then both were legal, so wait for the completion and
     * try again with a fuller ring.  The latch is raised inside the port
     * write, so the count tells at once which case it was. */
    bool overlapped = false;
    for (int attempt = 0; attempt < 10 && !overlapped; attempt++) {
        for (int i = 0; i < 8 + 4 * attempt; i++) {
            CHECK(gqxl_cmd_fill(&fx.hw, &fx.rel, 0, &all, 0x010203u * (uint32_t)i) == 0);
        }
        uint64_t bugs0 = guest_bugs(), irq0 = fx.hw.irq_error;
        gqxl_hw_take_irq(&fx.hw);
        gqxl_hw_out(&fx.hw, QXL_IO_FLUSH_SURFACES_ASYNC, 0);
        gqxl_hw_out(&fx.hw, QXL_IO_FLUSH_SURFACES_ASYNC, 0);
        if (guest_bugs() > bugs0) {
            overlapped = true;
            expect_guest_bug(bugs0, irq0, "async io");
            recover();
        } else {
            CHECK(gqxl_hw_wait(&fx.hw, QXL_INTERRUPT_IO_CMD,
                               g_get_monotonic_time() + DEADLINE_US) & QXL_INTERRUPT_IO_CMD);
            CHECK(!qxl_device_in_guest_bug(fx.dev));
        }
    }
    CHECK(overlapped);
    qxl_fixture_stop(&fx);
}

static void add_slot_expect_bug(uint32_t port, uint8_t slot, uint64_t start_gpa, uint64_t end_gpa,
                                const char *field)
{
    uint64_t bugs0 = guest_bugs(), irq0 = fx.hw.irq_error;
    QXLMemSlot ms = { .mem_start = start_gpa, .mem_end = end_gpa };
    memcpy((void *)&fx.hw.ram->mem_slot, &ms, sizeof(ms));
    if (port == QXL_IO_MEMSLOT_ADD_ASYNC) {
        CHECK(gqxl_hw_async_io(&fx.hw, port, slot) == -1);
    } else {
        gqxl_hw_out(&fx.hw, port, slot);
    }
    expect_guest_bug(bugs0, irq0, field);
    recover();
}

static void test_memslot_add(void)
{
    start();
    const uint64_t ram = fx.hw.bar_ram_gpa, vram = fx.hw.bar_vram_gpa;
    const uint32_t sz = fx.hw.bar_ram_size;
    const char *range = "mem_slot.mem_start", *slot = "memslot_add slot";
    add_slot_expect_bug(QXL_IO_MEMSLOT_ADD_ASYNC, 3, ram + 8192, ram + 4096, range); /* start > end */
    add_slot_expect_bug(QXL_IO_MEMSLOT_ADD, 3, ram + 4096, ram + 4096, range);       /* empty */
    add_slot_expect_bug(QXL_IO_MEMSLOT_ADD_ASYNC, 3, 0, 1u << 20, range);            /* guest RAM */
    add_slot_expect_bug(QXL_IO_MEMSLOT_ADD_ASYNC, 3, ram, ram + sz + 4096, range);   /* past BAR0 */
    add_slot_expect_bug(QXL_IO_MEMSLOT_ADD_ASYNC, 3, vram, vram + (2ull << 30), range);
    add_slot_expect_bug(QXL_IO_MEMSLOT_ADD_ASYNC, 3, ~UINT64_C(0) - 4096, ~UINT64_C(0), range);
    add_slot_expect_bug(QXL_IO_MEMSLOT_ADD_ASYNC, QXL_DEVICE_NUM_MEMSLOTS, ram, ram + 4096, slot);
    add_slot_expect_bug(QXL_IO_MEMSLOT_ADD_ASYNC, 255, ram, ram + 4096, slot);
    add_slot_expect_bug(QXL_IO_MEMSLOT_ADD_ASYNC, fx.hw.slot_ids[GQXL_MAIN_SLOT], ram,
                        ram + 4096, slot);                                          /* in use */
    uint64_t bugs0 = guest_bugs(), irq0 = fx.hw.irq_error;
    gqxl_hw_out(&fx.hw, QXL_IO_MEMSLOT_DEL, 200);
    expect_guest_bug(bugs0, irq0, "memslot_del slot");
    recover();
    qxl_fixture_stop(&fx);
}

static void test_invalid_ports(void)
{
    start();
    const uint32_t ports[] = { QXL_IO_RANGE_SIZE, 31, QXL_IO_SET_MODE, QXL_IO_ATTACH_PRIMARY,
                               QXL_IO_DETACH_PRIMARY };
    for (size_t i = 0; i < G_N_ELEMENTS(ports); i++) {
        uint64_t bugs0 = guest_bugs(), irq0 = fx.hw.irq_error;
        gqxl_hw_out(&fx.hw, ports[i], 0);
        expect_guest_bug(bugs0, irq0, "io port");
        recover();
    }
    uint64_t bugs0 = guest_bugs(), irq0 = fx.hw.irq_error;
    vm_machine_out(fx.vm, (uint16_t)(fx.hw.io_base + QXL_IO_NOTIFY_CMD), 0, 2); /* 16-bit */
    expect_guest_bug(bugs0, irq0, "io access size");
    CHECK_EQ_U64(vm_machine_in(fx.vm, (uint16_t)(fx.hw.io_base + QXL_IO_RESET), 1), 0xff);
    recover();
    qxl_fixture_stop(&fx);
}

/* Every byte of the QXLRam header garbage (a seeded pattern), then every
 * port a driver uses, each async one with its deadline. */
static void test_garbage_ram_header(void)
{
    start();
    GRand *rnd = g_rand_new_with_seed(0x5eed0005u);
    for (int round = 0; round < 4; round++) {
        uint8_t *hdr = (uint8_t *)fx.hw.ram;
        for (size_t i = 0; i < sizeof(QXLRam); i++) {
            hdr[i] = (uint8_t)g_rand_int(rnd);
        }
        /* The pattern breaks the command ring (checked, so the case stays
         * what it claims): the device must latch. */
        CHECK(fx.hw.ram->cmd_ring.prod - fx.hw.ram->cmd_ring.cons > QXL_COMMAND_RING_SIZE);
        uint64_t bugs0 = guest_bugs();
        static const uint8_t sync_ports[] = { QXL_IO_UPDATE_IRQ, QXL_IO_LOG, QXL_IO_NOTIFY_OOM,
                                              QXL_IO_FLUSH_RELEASE, QXL_IO_NOTIFY_CURSOR,
                                              QXL_IO_NOTIFY_CMD };
        for (size_t i = 0; i < sizeof(sync_ports); i++) {
            gqxl_hw_out(&fx.hw, sync_ports[i], 0);
        }
        static const uint8_t async_ports[] = { QXL_IO_MONITORS_CONFIG_ASYNC,
                                               QXL_IO_UPDATE_AREA_ASYNC,
                                               QXL_IO_CREATE_PRIMARY_ASYNC,
                                               QXL_IO_MEMSLOT_ADD_ASYNC };
        for (size_t i = 0; i < sizeof(async_ports); i++) {
            /* Once latched the device ignores these: a short wait each. */
            gqxl_hw_out(&fx.hw, async_ports[i], 4);
            gqxl_hw_wait(&fx.hw, QXL_INTERRUPT_IO_CMD | QXL_INTERRUPT_ERROR,
                         g_get_monotonic_time() + 50000);
        }
        int64_t deadline = g_get_monotonic_time() + DEADLINE_US;
        while (guest_bugs() == bugs0 && g_get_monotonic_time() < deadline) {
            gqxl_hw_wait(&fx.hw, QXL_INTERRUPT_ERROR, g_get_monotonic_time() + 10000);
        }
        CHECK(guest_bugs() > bugs0);
        recover();
    }
    g_rand_free(rnd);
    qxl_fixture_stop(&fx);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_command_addresses),
        TEST_CASE(test_stale_generation),
        TEST_CASE(test_chunk_lists),
        TEST_CASE(test_huge_images),
        TEST_CASE(test_surface_ids),
        TEST_CASE(test_create_primary),
        TEST_CASE(test_ring_indices),
        TEST_CASE(test_two_async_ios),
        TEST_CASE(test_memslot_add),
        TEST_CASE(test_invalid_ports),
        TEST_CASE(test_garbage_ram_header),
    };
    if (test_check_spice_server(S3D_WANT_OUR_SERVER) != 0) {
        return 1;
    }
    return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
