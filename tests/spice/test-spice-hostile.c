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

/* True if parsing fails with the given errno: each hostile body below has
 * one defined outcome. */
static bool rejects_s(uint8_t channel, uint16_t type, const uint8_t *body, size_t n, int err)
{
    SpiceMsg out;
    return parse_s(channel, type, body, n, &out) == -1 && errno == err;
}

static bool rejects_c(uint8_t channel, uint16_t type, const uint8_t *body, size_t n, int err)
{
    SpiceMsgc out;
    return parse_c(channel, type, body, n, &out) == -1 && errno == err;
}

/* What the demarshaller made of a cut of a body. */
typedef enum CutOutcome {
    CUT_REJECTED,       /* -1 with EBADMSG: the body is shorter than its fields */
    CUT_PARSED,         /* 0, and the message marshals back to exactly the cut */
    CUT_WRONG,          /* anything else: another errno, or a parse that is not
                         * what the bytes say */
} CutOutcome;

static CutOutcome cut_outcome(int ret, int err, const SpiceWireWriter *w, int marshalled,
                              const uint8_t *body, size_t n)
{
    if (ret == -1) {
        return err == EBADMSG ? CUT_REJECTED : CUT_WRONG;
    }
    if (ret != 0 || marshalled != 0 || w->len != SPICE_WIRE_MINI_HEADER_SIZE + n ||
        (n > 0 && memcmp(w->data + SPICE_WIRE_MINI_HEADER_SIZE, body, n) != 0)) {
        return CUT_WRONG;
    }
    return CUT_PARSED;
}

/* Parses the first n bytes of body (in an exact-size copy) and, if that
 * worked, marshals the result again while the copy it points into lives. */
static CutOutcome cut_client(uint8_t channel, uint16_t type, const uint8_t *body, size_t n)
{
    uint8_t *copy = exact_copy(body, n);
    SpiceMsgc out;
    int ret = spice_msgc_parse(channel, type, copy, n, &out);
    int err = errno;
    SpiceWireWriter w;
    spice_wire_writer_init(&w);
    int marshalled = ret == 0 ? spice_msgc_marshal(&w, channel, &out) : -1;
    CutOutcome o = cut_outcome(ret, err, &w, marshalled, body, n);
    spice_wire_writer_finish(&w);
    free(copy);
    return o;
}

static CutOutcome cut_server(uint8_t channel, uint16_t type, const uint8_t *body, size_t n)
{
    uint8_t *copy = exact_copy(body, n);
    SpiceMsg out;
    int ret = spice_msg_parse(channel, type, copy, n, &out);
    int err = errno;
    SpiceWireWriter w;
    spice_wire_writer_init(&w);
    int marshalled = ret == 0 ? spice_msg_marshal(&w, channel, &out) : -1;
    CutOutcome o = cut_outcome(ret, err, &w, marshalled, body, n);
    spice_wire_writer_finish(&w);
    free(copy);
    return o;
}

/* Checks the cuts of one body: each is rejected or parses to exactly its
 * bytes, and they are rejected up to some length and parse from there on
 * (only a rest-of-message field can end early).  Returns the shortest cut
 * that parses, or `body` if none does. */
static size_t check_cuts(uint8_t channel, uint16_t type, const uint8_t *data, size_t body,
                         bool client)
{
    size_t first_parsed = body;
    for (size_t cut = 0; cut < body; cut++) {
        CutOutcome o = client ? cut_client(channel, type, data, cut)
                              : cut_server(channel, type, data, cut);
        bool ok = o == CUT_REJECTED ? first_parsed == body : o == CUT_PARSED;
        if (o == CUT_PARSED && first_parsed == body) {
            first_parsed = cut;
        }
        if (!ok) {
            fprintf(stderr, "%s type %u, %zu-byte cut of %zu: %s\n", client ? "client" : "server",
                    type, cut, body, o == CUT_REJECTED ? "rejected after a shorter cut parsed" :
                    o == CUT_PARSED ? "parsed" : "neither EBADMSG nor parsed to its bytes");
            CHECK(false);
        }
    }
    return first_parsed;
}

/* Every truncation of a fixed-size client message is rejected with EBADMSG;
 * a truncation of a rest-of-message one is rejected while it cuts into the
 * fixed fields and parses to what is there after. */
static void test_truncated_client_bodies(void)
{
    size_t n;
    const SpiceSampleMsgc *s = spice_samples_client(&n);
    for (size_t i = 0; i < n; i++) {
        SpiceWireWriter w;
        spice_wire_writer_init(&w);
        CHECK(spice_msgc_marshal(&w, s[i].channel, &s[i].msg) == 0);
        size_t body = w.len - SPICE_WIRE_MINI_HEADER_SIZE;
        const uint8_t *data = w.data + SPICE_WIRE_MINI_HEADER_SIZE;
        CHECK(cut_client(s[i].channel, s[i].msg.type, data, body) == CUT_PARSED);
        size_t first_parsed = check_cuts(s[i].channel, s[i].msg.type, data, body, true);
        if (s[i].fixed ? first_parsed != body : first_parsed == body) {
            fprintf(stderr, "client type %u (%s): shortest body that parses is %zu of %zu\n",
                    s[i].msg.type, s[i].fixed ? "fixed" : "rest of message", first_parsed, body);
            CHECK(false);
        }
        spice_wire_writer_finish(&w);
    }
}

/* Every truncation of every server message (what our test client parses)
 * is rejected with EBADMSG or parses to exactly its bytes; draws, whose
 * images sit behind pointers, reject every cut. */
static void test_truncated_server_bodies(void)
{
    size_t n;
    const SpiceSampleMsg *s = spice_samples_server(&n);
    for (size_t i = 0; i < n; i++) {
        SpiceWireWriter w;
        spice_wire_writer_init(&w);
        CHECK(spice_msg_marshal(&w, s[i].channel, &s[i].msg) == 0);
        size_t body = w.len - SPICE_WIRE_MINI_HEADER_SIZE;
        const uint8_t *data = w.data + SPICE_WIRE_MINI_HEADER_SIZE;
        CHECK(cut_server(s[i].channel, s[i].msg.type, data, body) == CUT_PARSED);
        size_t first_parsed = check_cuts(s[i].channel, s[i].msg.type, data, body, false);
        if ((s[i].msg.type == SPICE_MSG_DISPLAY_DRAW_COPY ||
             s[i].msg.type == SPICE_MSG_DISPLAY_DRAW_FILL) && first_parsed != body) {
            fprintf(stderr, "draw type %u: a %zu-byte cut of %zu parsed\n", s[i].msg.type,
                    first_parsed, body);
            CHECK(false);
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
            CHECK(rejects_c(channels[c], types[t], body, sizeof(body), ENOTSUP));
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
    uint8_t b[64] = { 0 };

    /* CHANNELS_LIST with 0x80000001 entries: 2 * count wraps 32 bits */
    put32(b, 0x80000001u);
    CHECK(rejects_s(SPICE_CHANNEL_MAIN, SPICE_MSG_MAIN_CHANNELS_LIST, b, 8, EBADMSG));
    /* NOTIFY with message_len 0xffffffff */
    memset(b, 0, sizeof(b));
    put32(b + 20, 0xffffffffu);
    CHECK(rejects_s(SPICE_CHANNEL_MAIN, SPICE_MSG_NOTIFY, b, 30, EBADMSG));
    /* clip with 0x10000001 rectangles: 16 * count wraps 32 bits */
    memset(b, 0, sizeof(b));
    b[20] = SPICE_CLIP_TYPE_RECTS;
    put32(b + 21, 0x10000001u);
    CHECK(rejects_s(SPICE_CHANNEL_DISPLAY, SPICE_MSG_DISPLAY_DRAW_FILL, b, 64, EBADMSG));
    /* unknown clip type */
    b[20] = 9;
    CHECK(rejects_s(SPICE_CHANNEL_DISPLAY, SPICE_MSG_DISPLAY_DRAW_FILL, b, 64, EBADMSG));
    /* MONITORS_CONFIG count over the limit */
    memset(b, 0, sizeof(b));
    b[0] = 0xff;
    b[1] = 0xff;
    CHECK(rejects_s(SPICE_CHANNEL_DISPLAY, SPICE_MSG_DISPLAY_MONITORS_CONFIG, b, 64, EBADMSG));

    /* DRAW_COPY whose image pointer points past the body, at 0, and at a
     * bitmap whose stride * height wraps 32 bits */
    uint8_t d[128] = { 0 };
    put32(d + 21, 500);
    CHECK(rejects_s(SPICE_CHANNEL_DISPLAY, SPICE_MSG_DISPLAY_DRAW_COPY, d, 57, EBADMSG));
    put32(d + 21, 0);
    CHECK(rejects_s(SPICE_CHANNEL_DISPLAY, SPICE_MSG_DISPLAY_DRAW_COPY, d, 57, EBADMSG));
    put32(d + 21, 57);
    d[57 + 8] = SPICE_IMAGE_TYPE_BITMAP;
    put32(d + 57 + 10, 4096);          /* width */
    put32(d + 57 + 14, 4096);          /* height */
    d[75] = SPICE_BITMAP_FMT_32BIT;
    put32(d + 77, 4096);               /* x */
    put32(d + 81, 4096);               /* y */
    put32(d + 85, 0xfffffff0u);        /* stride: stride * y > 4 GiB */
    CHECK(rejects_s(SPICE_CHANNEL_DISPLAY, SPICE_MSG_DISPLAY_DRAW_COPY, d, sizeof(d), EBADMSG));
    /* stride smaller than a row */
    put32(d + 85, 16);
    CHECK(rejects_s(SPICE_CHANNEL_DISPLAY, SPICE_MSG_DISPLAY_DRAW_COPY, d, sizeof(d), EBADMSG));
    /* an image whose size field promises more than the body has (LZ4) */
    d[57 + 8] = SPICE_IMAGE_TYPE_LZ4;
    put32(d + 75, 0x7fffffffu);
    CHECK(rejects_s(SPICE_CHANNEL_DISPLAY, SPICE_MSG_DISPLAY_DRAW_COPY, d, sizeof(d), EBADMSG));
    d[57 + 8] = SPICE_IMAGE_TYPE_LZ_RGB;   /* the same for LZ_RGB */
    CHECK(rejects_s(SPICE_CHANNEL_DISPLAY, SPICE_MSG_DISPLAY_DRAW_COPY, d, sizeof(d), EBADMSG));
    /* palette images and image types we do not decode */
    d[57 + 8] = SPICE_IMAGE_TYPE_QUIC;
    CHECK(rejects_s(SPICE_CHANNEL_DISPLAY, SPICE_MSG_DISPLAY_DRAW_COPY, d, sizeof(d), ENOTSUP));

    /* client PREFERRED_VIDEO_CODEC_TYPE with a count past the body */
    uint8_t v[3] = { 200, 1, 2 };
    CHECK(rejects_c(SPICE_CHANNEL_DISPLAY, SPICE_MSGC_DISPLAY_PREFERRED_VIDEO_CODEC_TYPE, v, 3, EBADMSG));
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
