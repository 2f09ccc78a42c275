/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-spice-hostile: the demarshallers against bytes a hostile peer sends.
 * Every body is copied into a buffer of exactly its size, so under
 * AddressSanitizer any read past it aborts the test. */
#include "config.h"

#include <errno.h>

#include "test-util.h"
#include "spice-link.h"
#include "spice-messages.h"
#include "spice-samples.h"

static uint8_t *exact_copy(const uint8_t *p, size_t n)
{
    uint8_t *q = malloc(n ? n : 1);
    if (n) {
        memcpy(q, p, n);
    }
    return q;
}

static int parse_c(uint8_t channel, uint16_t type, const uint8_t *body, size_t n, SpiceMsgc *out)
{
    uint8_t *copy = exact_copy(body, n);
    int ret = spice_msgc_parse(channel, type, copy, n, out);
    int saved = errno;
    free(copy);
    errno = saved;
    return ret;
}

static int parse_s(uint8_t channel, uint16_t type, const uint8_t *body, size_t n, SpiceMsg *out)
{
    uint8_t *copy = exact_copy(body, n);
    int ret = spice_msg_parse(channel, type, copy, n, out);
    int saved = errno;
    free(copy);
    errno = saved;
    return ret;
}

/* Every truncation of a fixed-size client message is rejected with EBADMSG;
 * a truncation of a rest-of-message one parses to what is there. */
static void test_truncated_client_bodies(void)
{
    size_t n;
    const SpiceSampleMsgc *s = spice_samples_client(&n);
    for (size_t i = 0; i < n; i++) {
        SpiceWireWriter w;
        spice_wire_writer_init(&w);
        CHECK(spice_msgc_marshal(&w, s[i].channel, &s[i].msg) == 0);
        size_t body = w.len - SPICE_WIRE_MINI_HEADER_SIZE;
        for (size_t cut = 0; cut < body; cut++) {
            SpiceMsgc out;
            int ret = parse_c(s[i].channel, s[i].msg.type, w.data + 6, cut, &out);
            if (s[i].fixed) {
                if (ret != -1 || errno != EBADMSG) {
                    fprintf(stderr, "type %u accepted a %zu-byte cut of %zu\n", s[i].msg.type, cut, body);
                    CHECK(false);
                }
            }
        }
        spice_wire_writer_finish(&w);
    }
}

/* Every truncation of every server message (what our test client parses)
 * is either rejected or parsed within its bytes; never read past. */
static void test_truncated_server_bodies(void)
{
    size_t n;
    const SpiceSampleMsg *s = spice_samples_server(&n);
    for (size_t i = 0; i < n; i++) {
        SpiceWireWriter w;
        spice_wire_writer_init(&w);
        CHECK(spice_msg_marshal(&w, s[i].channel, &s[i].msg) == 0);
        size_t body = w.len - SPICE_WIRE_MINI_HEADER_SIZE;
        for (size_t cut = 0; cut < body; cut++) {
            SpiceMsg out;
            (void)parse_s(s[i].channel, s[i].msg.type, w.data + 6, cut, &out);
        }
        /* draws and cursors with nested data must reject any cut */
        if (s[i].msg.type == SPICE_MSG_DISPLAY_DRAW_COPY && body > 0) {
            SpiceMsg out;
            CHECK(parse_s(s[i].channel, s[i].msg.type, w.data + 6, body - 1, &out) == -1);
        }
        spice_wire_writer_finish(&w);
    }
}

static void test_unknown_types(void)
{
    static const uint8_t body[16];
    static const uint8_t channels[] = { SPICE_CHANNEL_MAIN, SPICE_CHANNEL_DISPLAY,
                                        SPICE_CHANNEL_CURSOR, SPICE_CHANNEL_INPUTS,
                                        SPICE_CHANNEL_PLAYBACK, 0, 200 };
    static const uint16_t types[] = { 0, 7, 99, 100, 150, 250, 400, 0xffff };
    for (size_t c = 0; c < sizeof(channels); c++) {
        for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
            SpiceMsgc out;
            CHECK(parse_c(channels[c], types[t], body, sizeof(body), &out) == -1);
            CHECK(errno == ENOTSUP);
        }
    }
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Counts whose byte size overflows 32 bits, and offsets past the body. */
static void test_overflowing_counts_and_offsets(void)
{
    SpiceMsg out;
    uint8_t b[64] = { 0 };

    /* CHANNELS_LIST with 0x80000001 entries: 2 * count wraps 32 bits */
    put32(b, 0x80000001u);
    CHECK(parse_s(SPICE_CHANNEL_MAIN, SPICE_MSG_MAIN_CHANNELS_LIST, b, 8, &out) == -1);
    CHECK(errno == EBADMSG);
    /* NOTIFY with message_len 0xffffffff */
    memset(b, 0, sizeof(b));
    put32(b + 20, 0xffffffffu);
    CHECK(parse_s(SPICE_CHANNEL_MAIN, SPICE_MSG_NOTIFY, b, 30, &out) == -1);
    /* clip with 0x10000001 rectangles: 16 * count wraps 32 bits */
    memset(b, 0, sizeof(b));
    b[20] = SPICE_CLIP_TYPE_RECTS;
    put32(b + 21, 0x10000001u);
    CHECK(parse_s(SPICE_CHANNEL_DISPLAY, SPICE_MSG_DISPLAY_DRAW_FILL, b, 64, &out) == -1);
    /* unknown clip type */
    b[20] = 9;
    CHECK(parse_s(SPICE_CHANNEL_DISPLAY, SPICE_MSG_DISPLAY_DRAW_FILL, b, 64, &out) == -1);
    /* MONITORS_CONFIG count over the limit */
    memset(b, 0, sizeof(b));
    b[0] = 0xff;
    b[1] = 0xff;
    CHECK(parse_s(SPICE_CHANNEL_DISPLAY, SPICE_MSG_DISPLAY_MONITORS_CONFIG, b, 64, &out) == -1);

    /* DRAW_COPY whose image pointer points past the body, at 0, and at a
     * bitmap whose stride * height wraps 32 bits */
    uint8_t d[128] = { 0 };
    put32(d + 21, 500);
    CHECK(parse_s(SPICE_CHANNEL_DISPLAY, SPICE_MSG_DISPLAY_DRAW_COPY, d, 57, &out) == -1);
    put32(d + 21, 0);
    CHECK(parse_s(SPICE_CHANNEL_DISPLAY, SPICE_MSG_DISPLAY_DRAW_COPY, d, 57, &out) == -1);
    put32(d + 21, 57);
    d[57 + 8] = SPICE_IMAGE_TYPE_BITMAP;
    put32(d + 57 + 10, 4096);          /* width */
    put32(d + 57 + 14, 4096);          /* height */
    d[75] = SPICE_BITMAP_FMT_32BIT;
    put32(d + 77, 4096);               /* x */
    put32(d + 81, 4096);               /* y */
    put32(d + 85, 0xfffffff0u);        /* stride: stride * y > 4 GiB */
    CHECK(parse_s(SPICE_CHANNEL_DISPLAY, SPICE_MSG_DISPLAY_DRAW_COPY, d, sizeof(d), &out) == -1);
    CHECK(errno == EBADMSG);
    /* stride smaller than a row */
    put32(d + 85, 16);
    CHECK(parse_s(SPICE_CHANNEL_DISPLAY, SPICE_MSG_DISPLAY_DRAW_COPY, d, sizeof(d), &out) == -1);
    /* an image whose size field promises more than the body has (LZ4) */
    d[57 + 8] = SPICE_IMAGE_TYPE_LZ4;
    put32(d + 75, 0x7fffffffu);
    CHECK(parse_s(SPICE_CHANNEL_DISPLAY, SPICE_MSG_DISPLAY_DRAW_COPY, d, sizeof(d), &out) == -1);
    /* palette images and image types we do not decode */
    d[57 + 8] = SPICE_IMAGE_TYPE_QUIC;
    CHECK(parse_s(SPICE_CHANNEL_DISPLAY, SPICE_MSG_DISPLAY_DRAW_COPY, d, sizeof(d), &out) == -1);
    CHECK(errno == ENOTSUP);

    /* client PREFERRED_VIDEO_CODEC_TYPE with a count past the body */
    SpiceMsgc outc;
    uint8_t v[3] = { 200, 1, 2 };
    CHECK(parse_c(SPICE_CHANNEL_DISPLAY, SPICE_MSGC_DISPLAY_PREFERRED_VIDEO_CODEC_TYPE, v, 3, &outc) == -1);
    CHECK(errno == EBADMSG);
}

static void test_hostile_link(void)
{
    uint8_t h[16] = { 'R', 'E', 'D', 'Q', 2, 0, 0, 0, 2, 0, 0, 0, 26, 0, 0, 0 };
    uint32_t size;
    CHECK(spice_link_header_parse(h, &size) == SPICE_LINK_ERR_OK);
    h[0] = 'X';
    CHECK(spice_link_header_parse(h, &size) == SPICE_LINK_ERR_INVALID_MAGIC);
    h[0] = 'R';
    h[4] = 3;
    CHECK(spice_link_header_parse(h, &size) == SPICE_LINK_ERR_VERSION_MISMATCH);
    h[4] = 2;
    put32(h + 12, 17);
    CHECK(spice_link_header_parse(h, &size) == SPICE_LINK_ERR_INVALID_DATA);
    put32(h + 12, 4097);
    CHECK(spice_link_header_parse(h, &size) == SPICE_LINK_ERR_INVALID_DATA);
    put32(h + 12, 0xffffffffu);
    CHECK(spice_link_header_parse(h, &size) == SPICE_LINK_ERR_INVALID_DATA);

    uint8_t m[26] = { 0 };
    SpiceLinkRequest req;
    m[4] = 1;
    put32(m + 6, 1);
    put32(m + 10, 1);
    put32(m + 14, 18);
    uint8_t *copy = exact_copy(m, sizeof(m));
    CHECK(spice_link_mess_parse(copy, sizeof(m), &req) == SPICE_LINK_ERR_OK);
    put32(copy + 14, 22);              /* caps would end past the message */
    CHECK(spice_link_mess_parse(copy, sizeof(m), &req) == SPICE_LINK_ERR_INVALID_DATA);
    put32(copy + 14, 4);               /* caps inside the fixed part */
    CHECK(spice_link_mess_parse(copy, sizeof(m), &req) == SPICE_LINK_ERR_INVALID_DATA);
    put32(copy + 14, 18);
    put32(copy + 6, 0x40000000u);      /* 4 * count wraps 32 bits */
    CHECK(spice_link_mess_parse(copy, sizeof(m), &req) == SPICE_LINK_ERR_INVALID_DATA);
    put32(copy + 6, 1);
    for (size_t cut = 0; cut < sizeof(m); cut++) {
        uint8_t *p = exact_copy(copy, cut);
        CHECK(spice_link_mess_parse(p, cut, &req) == SPICE_LINK_ERR_INVALID_DATA);
        free(p);
    }
    free(copy);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_truncated_client_bodies),
        TEST_CASE(test_truncated_server_bodies),
        TEST_CASE(test_unknown_types),
        TEST_CASE(test_overflowing_counts_and_offsets),
        TEST_CASE(test_hostile_link),
    };
    return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
