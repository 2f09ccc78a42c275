/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-spice-roundtrip: every message type we marshal parses back to the same
 * fields, and re-marshalling the parsed message gives the same bytes. */
#include "config.h"

#include "test-util.h"
#include "spice-messages.h"
#include "spice-samples.h"

/* Marshal, check the mini header, parse the body, re-marshal, compare. */
static void roundtrip_msg(uint8_t channel, const SpiceMsg *m)
{
    SpiceWireWriter w1, w2;
    SpiceMsg parsed;
    spice_wire_writer_init(&w1);
    spice_wire_writer_init(&w2);
    if (spice_msg_marshal(&w1, channel, m) != 0) {
        fprintf(stderr, "marshal failed: channel %u type %u\n", channel, m->type);
        CHECK(false);
        goto out;
    }
    CHECK(w1.len >= SPICE_WIRE_MINI_HEADER_SIZE);
    uint16_t type = (uint16_t)(w1.data[0] | w1.data[1] << 8);
    uint32_t size = (uint32_t)w1.data[2] | (uint32_t)w1.data[3] << 8 |
                    (uint32_t)w1.data[4] << 16 | (uint32_t)w1.data[5] << 24;
    CHECK_EQ_U64(type, m->type);
    CHECK_EQ_U64(size, w1.len - SPICE_WIRE_MINI_HEADER_SIZE);
    if (spice_msg_parse(channel, type, w1.data + 6, size, &parsed) != 0) {
        fprintf(stderr, "parse failed: channel %u type %u\n", channel, m->type);
        CHECK(false);
        goto out;
    }
    CHECK(spice_msg_marshal(&w2, channel, &parsed) == 0);
    CHECK_EQ_U64(w2.len, w1.len);
    if (w2.len == w1.len) {
        CHECK_MEM(w2.data, w1.data, w1.len);
    }
out:
    spice_wire_writer_finish(&w1);
    spice_wire_writer_finish(&w2);
}

static void roundtrip_msgc(uint8_t channel, const SpiceMsgc *m)
{
    SpiceWireWriter w1, w2;
    SpiceMsgc parsed;
    spice_wire_writer_init(&w1);
    spice_wire_writer_init(&w2);
    if (spice_msgc_marshal(&w1, channel, m) != 0) {
        fprintf(stderr, "marshal failed: channel %u type %u\n", channel, m->type);
        CHECK(false);
        goto out;
    }
    if (spice_msgc_parse(channel, m->type, w1.data + 6, w1.len - 6, &parsed) != 0) {
        fprintf(stderr, "parse failed: channel %u type %u\n", channel, m->type);
        CHECK(false);
        goto out;
    }
    CHECK(spice_msgc_marshal(&w2, channel, &parsed) == 0);
    CHECK_EQ_U64(w2.len, w1.len);
    if (w2.len == w1.len) {
        CHECK_MEM(w2.data, w1.data, w1.len);
    }
out:
    spice_wire_writer_finish(&w1);
    spice_wire_writer_finish(&w2);
}

static void test_every_server_message(void)
{
    size_t n;
    const SpiceSampleMsg *s = spice_samples_server(&n);
    CHECK(n >= 40);
    for (size_t i = 0; i < n; i++) {
        roundtrip_msg(s[i].channel, &s[i].msg);
    }
}

static void test_every_client_message(void)
{
    size_t n;
    const SpiceSampleMsgc *s = spice_samples_client(&n);
    CHECK(n >= 30);
    for (size_t i = 0; i < n; i++) {
        roundtrip_msgc(s[i].channel, &s[i].msg);
    }
}

/* Field-level checks for the messages with nested data, where a byte-equal
 * re-marshal alone would not show a field lost in both directions. */
static void test_draw_copy_fields(void)
{
    size_t n;
    const SpiceSampleMsg *s = spice_samples_server(&n);
    for (size_t i = 0; i < n; i++) {
        if (s[i].msg.type != SPICE_MSG_DISPLAY_DRAW_COPY) {
            continue;
        }
        SpiceWireWriter w;
        SpiceMsg p;
        spice_wire_writer_init(&w);
        CHECK(spice_msg_marshal(&w, SPICE_CHANNEL_DISPLAY, &s[i].msg) == 0);
        CHECK(spice_msg_parse(SPICE_CHANNEL_DISPLAY, s[i].msg.type, w.data + 6, w.len - 6, &p) == 0);
        const SpiceMsgDrawCopy *a = &s[i].msg.u.draw_copy, *b = &p.u.draw_copy;
        CHECK_EQ_U64(b->base.surface_id, a->base.surface_id);
        CHECK_EQ_U64(b->base.box.right, a->base.box.right);
        CHECK_EQ_U64(b->base.clip.rects.count, a->base.clip.rects.count);
        CHECK_EQ_U64(b->src.type, a->src.type);
        CHECK_EQ_U64(b->src.width, a->src.width);
        CHECK_EQ_U64(b->src.data.count, a->src.data.count);
        if (b->src.data.count == a->src.data.count && a->src.data.count) {
            CHECK_MEM(b->src.data.data, a->src.data.data, a->src.data.count);
        }
        CHECK_EQ_U64(b->rop_descriptor, a->rop_descriptor);
        for (uint32_t k = 0; k < a->base.clip.rects.count; k++) {
            SpiceMsgRect ra = spice_msg_rect_at(&a->base.clip.rects, k);
            SpiceMsgRect rb = spice_msg_rect_at(&b->base.clip.rects, k);
            CHECK(memcmp(&ra, &rb, sizeof(ra)) == 0);
        }
        spice_wire_writer_finish(&w);
    }
}

static void test_marshal_rejects_inconsistent(void)
{
    SpiceWireWriter w;
    spice_wire_writer_init(&w);
    /* bitmap data size must equal stride * height */
    static const uint8_t px[4];
    SpiceMsg m = { .type = SPICE_MSG_DISPLAY_DRAW_COPY };
    m.u.draw_copy.src.type = SPICE_IMAGE_TYPE_BITMAP;
    m.u.draw_copy.src.width = m.u.draw_copy.src.bitmap_x = 2;
    m.u.draw_copy.src.height = m.u.draw_copy.src.bitmap_y = 2;
    m.u.draw_copy.src.bitmap_format = SPICE_BITMAP_FMT_32BIT;
    m.u.draw_copy.src.bitmap_stride = 8;
    m.u.draw_copy.src.data = (SpiceWireArray){ px, sizeof(px) };
    CHECK(spice_msg_marshal(&w, SPICE_CHANNEL_DISPLAY, &m) == -1);
    CHECK_EQ_U64(w.len, 0); /* nothing half-written */
    /* a message type that channel does not have */
    SpiceMsg bad = { .type = 999 };
    CHECK(spice_msg_marshal(&w, SPICE_CHANNEL_DISPLAY, &bad) == -1);
    CHECK_EQ_U64(w.len, 0);
    spice_wire_writer_finish(&w);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_every_server_message),
        TEST_CASE(test_every_client_message),
        TEST_CASE(test_draw_copy_fields),
        TEST_CASE(test_marshal_rejects_inconsistent),
    };
    return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
