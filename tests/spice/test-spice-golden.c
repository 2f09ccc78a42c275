/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-spice-golden: bytes derived by hand from the protocol, compared with
 * what the marshaller writes (and parsed back where the server reads them).
 *
 * Where each fact comes from:
 * - mini header = type u16 + size u32 (protocol.h SpiceMiniDataHeader);
 * - message numbers: Debian <spice/enums.h> (SET_ACK 3, MAIN_INIT 103,
 *   SURFACE_CREATE 314, DRAW_COPY 304, INPUTS_KEY_DOWN 101, MOUSE_POSITION 112);
 * - body layouts: spice.proto via spice-wire-and-abi.md §3 (SetAck), §4 (Init,
 *   8 x u32), §5.4 (SurfaceCreate 20 bytes; DisplayBase 21 bytes with clip
 *   NONE; Copy fixed part 57 bytes with the image pointer at 21 and the
 *   image right after; Image descriptor 18 + Bitmap 18 + stride*y), §7
 *   (inputs), §1 (link header, reply 178 bytes, caps offset 178).
 */
#include "config.h"

#include "test-util.h"
#include "spice-link.h"
#include "spice-messages.h"

static void expect_bytes(const SpiceWireWriter *w, const uint8_t *want, size_t n)
{
    CHECK_EQ_U64(w->len, n);
    if (w->len != n || memcmp(w->data, want, n) != 0) {
        test_dump_diff(w->data, w->len, want, n);
        test_failures_in_current++;
    }
}

static void test_set_ack(void)
{
    static const uint8_t want[] = {
        0x03, 0x00, 0x08, 0x00, 0x00, 0x00,     /* type 3, size 8 */
        0x04, 0x03, 0x02, 0x01,                 /* generation 0x01020304 */
        0x14, 0x00, 0x00, 0x00,                 /* window 20 */
    };
    SpiceWireWriter w;
    SpiceMsg m = { .type = SPICE_MSG_SET_ACK, .u.set_ack = { 0x01020304, 20 } };
    spice_wire_writer_init(&w);
    CHECK(spice_msg_marshal(&w, SPICE_CHANNEL_DISPLAY, &m) == 0);
    expect_bytes(&w, want, sizeof(want));
    spice_wire_writer_finish(&w);
}

static void test_main_init(void)
{
    static const uint8_t want[] = {
        0x67, 0x00, 0x20, 0x00, 0x00, 0x00,     /* type 103, size 32 */
        0xef, 0xbe, 0xad, 0xde,                 /* session_id */
        0x01, 0x00, 0x00, 0x00,                 /* display_channels_hint */
        0x03, 0x00, 0x00, 0x00,                 /* supported: SERVER|CLIENT */
        0x01, 0x00, 0x00, 0x00,                 /* current: SERVER */
        0x00, 0x00, 0x00, 0x00,                 /* agent_connected */
        0x0a, 0x00, 0x00, 0x00,                 /* agent_tokens */
        0x10, 0x27, 0x00, 0x00,                 /* multi_media_time 10000 */
        0x00, 0x00, 0x00, 0x01,                 /* ram_hint 16 MiB */
    };
    SpiceWireWriter w;
    SpiceMsg m = { .type = SPICE_MSG_MAIN_INIT,
                   .u.main_init = { 0xdeadbeef, 1, 3, 1, 0, 10, 10000, 16u << 20 } };
    spice_wire_writer_init(&w);
    CHECK(spice_msg_marshal(&w, SPICE_CHANNEL_MAIN, &m) == 0);
    expect_bytes(&w, want, sizeof(want));
    spice_wire_writer_finish(&w);
}

static void test_surface_create(void)
{
    static const uint8_t want[] = {
        0x3a, 0x01, 0x14, 0x00, 0x00, 0x00,     /* type 314, size 20 */
        0x00, 0x00, 0x00, 0x00,                 /* surface 0 */
        0x00, 0x04, 0x00, 0x00,                 /* 1024 */
        0x00, 0x03, 0x00, 0x00,                 /* 768 */
        0x20, 0x00, 0x00, 0x00,                 /* SPICE_SURFACE_FMT_32_xRGB */
        0x01, 0x00, 0x00, 0x00,                 /* PRIMARY */
    };
    SpiceWireWriter w;
    SpiceMsg m = { .type = SPICE_MSG_DISPLAY_SURFACE_CREATE,
                   .u.surface_create = { 0, 1024, 768, SPICE_SURFACE_FMT_32_xRGB,
                                         SPICE_SURFACE_FLAGS_PRIMARY } };
    spice_wire_writer_init(&w);
    CHECK(spice_msg_marshal(&w, SPICE_CHANNEL_DISPLAY, &m) == 0);
    expect_bytes(&w, want, sizeof(want));
    spice_wire_writer_finish(&w);
}

static void test_draw_copy_raw_bitmap(void)
{
    static const uint8_t px[4] = { 0x11, 0x22, 0x33, 0x00 }; /* B, G, R, x */
    static const uint8_t want[] = {
        0x30, 0x01, 0x61, 0x00, 0x00, 0x00,     /* type 304, size 97 */
        0, 0, 0, 0,                             /* @0 surface 0 */
        0, 0, 0, 0, 0, 0, 0, 0,                 /* @4 box top 0, left 0 */
        1, 0, 0, 0, 1, 0, 0, 0,                 /*    bottom 1, right 1 */
        0,                                      /* @20 clip NONE */
        57, 0, 0, 0,                            /* @21 src_bitmap -> 57 */
        0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, /* @25 src_area */
        8, 0,                                   /* @41 rop OP_PUT */
        0,                                      /* @43 scale INTERPOLATE */
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* @44 mask: flags, pos, NULL */
        0x2a, 0, 0, 0, 0, 0, 0, 0,              /* @57 image id 42 */
        0,                                      /* type BITMAP */
        0,                                      /* flags */
        1, 0, 0, 0, 1, 0, 0, 0,                 /* width 1, height 1 */
        8,                                      /* @75 SPICE_BITMAP_FMT_32BIT */
        4,                                      /* TOP_DOWN */
        1, 0, 0, 0, 1, 0, 0, 0,                 /* x 1, y 1 */
        4, 0, 0, 0,                             /* stride 4 */
        0, 0, 0, 0,                             /* palette NULL */
        0x11, 0x22, 0x33, 0x00,                 /* @93 pixels */
    };
    SpiceWireWriter w;
    SpiceMsg m = { .type = SPICE_MSG_DISPLAY_DRAW_COPY };
    m.u.draw_copy.base.box = (SpiceMsgRect){ 0, 0, 1, 1 };
    m.u.draw_copy.src = (SpiceMsgImage){ .id = 42, .type = SPICE_IMAGE_TYPE_BITMAP, .width = 1,
                                         .height = 1, .bitmap_format = SPICE_BITMAP_FMT_32BIT,
                                         .bitmap_flags = SPICE_BITMAP_FLAGS_TOP_DOWN,
                                         .bitmap_x = 1, .bitmap_y = 1, .bitmap_stride = 4,
                                         .data = { px, 4 } };
    m.u.draw_copy.src_area = (SpiceMsgRect){ 0, 0, 1, 1 };
    m.u.draw_copy.rop_descriptor = SPICE_ROPD_OP_PUT;
    spice_wire_writer_init(&w);
    CHECK(spice_msg_marshal(&w, SPICE_CHANNEL_DISPLAY, &m) == 0);
    expect_bytes(&w, want, sizeof(want));
    spice_wire_writer_finish(&w);
}

/* ZLIB_GLZ_RGB (spice.proto ZlibGlzRGBData): after the 18-byte image
 * descriptor, glz_data_size u32, data_size u32, then the zlib bytes. */
static void test_draw_copy_zlib_glz(void)
{
    static const uint8_t z[3] = { 0x78, 0x01, 0x03 };
    static const uint8_t want[] = {
        0x30, 0x01, 0x56, 0x00, 0x00, 0x00,     /* type 304, size 86 */
        0, 0, 0, 0,                             /* @0 surface 0 */
        0, 0, 0, 0, 0, 0, 0, 0,                 /* @4 box top 0, left 0 */
        2, 0, 0, 0, 2, 0, 0, 0,                 /*    bottom 2, right 2 */
        0,                                      /* @20 clip NONE */
        57, 0, 0, 0,                            /* @21 src_bitmap -> 57 */
        0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, /* @25 src_area */
        8, 0,                                   /* @41 rop OP_PUT */
        0,                                      /* @43 scale INTERPOLATE */
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* @44 mask: flags, pos, NULL */
        7, 0, 0, 0, 0, 0, 0, 0,                 /* @57 image id 7 */
        SPICE_IMAGE_TYPE_ZLIB_GLZ_RGB,          /* type 102 */
        0,                                      /* flags */
        2, 0, 0, 0, 2, 0, 0, 0,                 /* width 2, height 2 */
        0x34, 0x12, 0, 0,                       /* @75 glz_data_size 0x1234 */
        3, 0, 0, 0,                             /* data_size 3 */
        0x78, 0x01, 0x03,                       /* @83 the zlib bytes */
    };
    SpiceWireWriter w;
    SpiceMsg m = { .type = SPICE_MSG_DISPLAY_DRAW_COPY };
    m.u.draw_copy.base.box = (SpiceMsgRect){ 0, 0, 2, 2 };
    m.u.draw_copy.src = (SpiceMsgImage){ .id = 7, .type = SPICE_IMAGE_TYPE_ZLIB_GLZ_RGB,
                                         .width = 2, .height = 2, .glz_data_size = 0x1234,
                                         .data = { (uint8_t *)z, sizeof(z) } };
    m.u.draw_copy.src_area = (SpiceMsgRect){ 0, 0, 2, 2 };
    m.u.draw_copy.rop_descriptor = SPICE_ROPD_OP_PUT;
    spice_wire_writer_init(&w);
    CHECK(spice_msg_marshal(&w, SPICE_CHANNEL_DISPLAY, &m) == 0);
    expect_bytes(&w, want, sizeof(want));
    /* And back: the client side of our own wire layer reads it the same. */
    SpiceMsg back;
    if (w.len == sizeof(want)) {
        CHECK(spice_msg_parse(SPICE_CHANNEL_DISPLAY, SPICE_MSG_DISPLAY_DRAW_COPY, w.data + 6,
                              (uint32_t)(w.len - 6), &back) == 0);
        CHECK_EQ_U64(back.u.draw_copy.src.type, SPICE_IMAGE_TYPE_ZLIB_GLZ_RGB);
        CHECK_EQ_U64(back.u.draw_copy.src.glz_data_size, 0x1234);
        CHECK_EQ_U64(back.u.draw_copy.src.data.count, 3);
    }
    spice_wire_writer_finish(&w);
}

static void test_inputs_parse(void)
{
    static const uint8_t key[] = { 0xe0, 0x48, 0x00, 0x00 };
    static const uint8_t pos[] = { 0x80, 0x02, 0, 0, 0xe0, 0x01, 0, 0, 0x05, 0x00, 0x00 };
    SpiceMsgc m;
    CHECK(spice_msgc_parse(SPICE_CHANNEL_INPUTS, SPICE_MSGC_INPUTS_KEY_DOWN, key, sizeof(key), &m) == 0);
    CHECK_EQ_U64(m.u.key_down.code, 0x48e0);
    CHECK(spice_msgc_parse(SPICE_CHANNEL_INPUTS, SPICE_MSGC_INPUTS_MOUSE_POSITION, pos, sizeof(pos), &m) == 0);
    CHECK_EQ_U64(m.u.mouse_position.x, 640);
    CHECK_EQ_U64(m.u.mouse_position.y, 480);
    CHECK_EQ_U64(m.u.mouse_position.buttons_state, 5);
    CHECK_EQ_U64(m.u.mouse_position.display_id, 0);
}

static void test_link_messages(void)
{
    /* What spice-gtk 0.42 sends for a display channel: common caps 0x0d. */
    static const uint8_t mess[] = {
        'R', 'E', 'D', 'Q', 2, 0, 0, 0, 2, 0, 0, 0, 26, 0, 0, 0,
        0x78, 0x56, 0x34, 0x12,                 /* connection id */
        2, 0,                                   /* display, id 0 */
        1, 0, 0, 0, 1, 0, 0, 0, 18, 0, 0, 0,    /* 1 common, 1 channel, @18 */
        0x0d, 0, 0, 0, 0x22, 0, 0, 0,
    };
    uint32_t size;
    SpiceLinkRequest req;
    CHECK(spice_link_header_parse(mess, &size) == SPICE_LINK_ERR_OK);
    CHECK_EQ_U64(size, 26);
    CHECK(spice_link_mess_parse(mess + 16, size, &req) == SPICE_LINK_ERR_OK);
    CHECK_EQ_U64(req.connection_id, 0x12345678);
    CHECK_EQ_U64(req.channel_type, SPICE_CHANNEL_DISPLAY);
    CHECK(spice_link_caps_has(req.caps.common, req.caps.num_common, SPICE_COMMON_CAP_MINI_HEADER));
    CHECK(!spice_link_caps_has(req.caps.common, req.caps.num_common, SPICE_COMMON_CAP_AUTH_SPICE));
    CHECK(spice_link_caps_has(req.caps.channel, req.caps.num_channel, 5));

    SpiceWireWriter w;
    spice_wire_writer_init(&w);
    spice_link_mess_write(&w, &req);
    expect_bytes(&w, mess, sizeof(mess));

    /* Reply: 16-byte header, size 178 + 4, error 0, key, 1 common word 0x0b. */
    SpiceLinkCaps caps = { 0 };
    uint8_t key[SPICE_TICKET_PUBKEY_BYTES];
    memset(key, 0x5a, sizeof(key));
    spice_link_caps_set(caps.common, &caps.num_common, SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION);
    spice_link_caps_set(caps.common, &caps.num_common, SPICE_COMMON_CAP_AUTH_SPICE);
    spice_link_caps_set(caps.common, &caps.num_common, SPICE_COMMON_CAP_MINI_HEADER);
    spice_wire_writer_reset(&w);
    spice_link_reply_write(&w, SPICE_LINK_ERR_OK, key, &caps);
    CHECK_EQ_U64(w.len, 16 + 178 + 4);
    static const uint8_t head[] = { 'R', 'E', 'D', 'Q', 2, 0, 0, 0, 2, 0, 0, 0, 182, 0, 0, 0, 0, 0, 0, 0 };
    CHECK_MEM(w.data, head, sizeof(head));
    static const uint8_t tail[] = { 1, 0, 0, 0, 0, 0, 0, 0, 178, 0, 0, 0, 0x0b, 0, 0, 0 };
    CHECK_MEM(w.data + w.len - sizeof(tail), tail, sizeof(tail));
    uint32_t err;
    SpiceLinkCaps back;
    uint8_t key_back[SPICE_TICKET_PUBKEY_BYTES];
    CHECK(spice_link_reply_parse(w.data + 16, w.len - 16, &err, key_back, &back) == 0);
    CHECK_EQ_U64(err, 0);
    CHECK_MEM(key_back, key, sizeof(key));
    CHECK_EQ_U64(back.common[0], 0x0b);
    spice_wire_writer_finish(&w);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_set_ack),
        TEST_CASE(test_main_init),
        TEST_CASE(test_surface_create),
        TEST_CASE(test_draw_copy_raw_bitmap),
        TEST_CASE(test_draw_copy_zlib_glz),
        TEST_CASE(test_inputs_parse),
        TEST_CASE(test_link_messages),
    };
    return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
