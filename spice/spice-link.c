/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spice-link.c: link-stage messages. */
#include "config.h"

#include "spice-link.h"

#include <errno.h>
#include <string.h>

#include <spice/enums.h>

/* reds.cpp caps each count at 1024 words; we keep the same bound. */
#define SPICE_LINK_MAX_CAPS_COUNT 1024

uint32_t spice_link_header_parse(const uint8_t hdr[SPICE_LINK_HEADER_SIZE], uint32_t *size)
{
    SpiceWireReader r;
    spice_wire_reader_init(&r, hdr, SPICE_LINK_HEADER_SIZE);
    uint32_t magic = spice_wire_get_u32(&r);
    uint32_t major = spice_wire_get_u32(&r);
    (void)spice_wire_get_u32(&r); /* minor: ignored, as every server does */
    *size = spice_wire_get_u32(&r);
    if (magic != SPICE_MAGIC) {
        return SPICE_LINK_ERR_INVALID_MAGIC;
    }
    if (major != SPICE_VERSION_MAJOR) {
        return SPICE_LINK_ERR_VERSION_MISMATCH;
    }
    if (*size < SPICE_LINK_MESS_SIZE || *size > SPICE_LINK_MAX_SIZE) {
        return SPICE_LINK_ERR_INVALID_DATA;
    }
    return SPICE_LINK_ERR_OK;
}

static void read_caps(SpiceWireReader *r, uint32_t n, uint32_t *words, uint32_t *stored)
{
    *stored = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t v = spice_wire_get_u32(r);
        if (i < SPICE_LINK_MAX_CAP_WORDS) {
            words[(*stored)++] = v;
        }
    }
}

uint32_t spice_link_mess_parse(const uint8_t *buf, size_t len, SpiceLinkRequest *out)
{
    SpiceWireReader r;
    memset(out, 0, sizeof(*out));
    spice_wire_reader_init(&r, buf, len);
    out->connection_id = spice_wire_get_u32(&r);
    out->channel_type = spice_wire_get_u8(&r);
    out->channel_id = spice_wire_get_u8(&r);
    uint32_t ncommon = spice_wire_get_u32(&r);
    uint32_t nchannel = spice_wire_get_u32(&r);
    uint32_t caps_offset = spice_wire_get_u32(&r);
    if (spice_wire_reader_failed(&r) || ncommon > SPICE_LINK_MAX_CAPS_COUNT ||
        nchannel > SPICE_LINK_MAX_CAPS_COUNT || caps_offset < SPICE_LINK_MESS_SIZE ||
        caps_offset > len) {
        return SPICE_LINK_ERR_INVALID_DATA;
    }
    r.pos = caps_offset;
    if (spice_wire_remaining(&r) < ((size_t)ncommon + nchannel) * 4) {
        return SPICE_LINK_ERR_INVALID_DATA;
    }
    read_caps(&r, ncommon, out->caps.common, &out->caps.num_common);
    read_caps(&r, nchannel, out->caps.channel, &out->caps.num_channel);
    return spice_wire_reader_failed(&r) ? SPICE_LINK_ERR_INVALID_DATA : SPICE_LINK_ERR_OK;
}

static void write_header(SpiceWireWriter *w, uint32_t size)
{
    spice_wire_put_u32(w, SPICE_MAGIC);
    spice_wire_put_u32(w, SPICE_VERSION_MAJOR);
    spice_wire_put_u32(w, SPICE_VERSION_MINOR);
    spice_wire_put_u32(w, size);
}

static void write_caps(SpiceWireWriter *w, const SpiceLinkCaps *caps)
{
    for (uint32_t i = 0; i < caps->num_common; i++) {
        spice_wire_put_u32(w, caps->common[i]);
    }
    for (uint32_t i = 0; i < caps->num_channel; i++) {
        spice_wire_put_u32(w, caps->channel[i]);
    }
}

void spice_link_mess_write(SpiceWireWriter *w, const SpiceLinkRequest *req)
{
    uint32_t ncaps = req->caps.num_common + req->caps.num_channel;
    write_header(w, SPICE_LINK_MESS_SIZE + 4 * ncaps);
    spice_wire_put_u32(w, req->connection_id);
    spice_wire_put_u8(w, req->channel_type);
    spice_wire_put_u8(w, req->channel_id);
    spice_wire_put_u32(w, req->caps.num_common);
    spice_wire_put_u32(w, req->caps.num_channel);
    spice_wire_put_u32(w, SPICE_LINK_MESS_SIZE);
    write_caps(w, &req->caps);
}

void spice_link_reply_write(SpiceWireWriter *w, uint32_t error, const uint8_t *pub_key,
                            const SpiceLinkCaps *caps)
{
    static const uint8_t no_key[SPICE_TICKET_PUBKEY_BYTES];
    static const SpiceLinkCaps no_caps;
    if (caps == NULL) {
        caps = &no_caps;
    }
    uint32_t ncaps = caps->num_common + caps->num_channel;
    write_header(w, SPICE_LINK_REPLY_SIZE + 4 * ncaps);
    spice_wire_put_u32(w, error);
    spice_wire_put_bytes(w, pub_key ? pub_key : no_key, SPICE_TICKET_PUBKEY_BYTES);
    spice_wire_put_u32(w, caps->num_common);
    spice_wire_put_u32(w, caps->num_channel);
    spice_wire_put_u32(w, SPICE_LINK_REPLY_SIZE);
    write_caps(w, caps);
}

int spice_link_reply_parse(const uint8_t *buf, size_t len, uint32_t *error,
                           uint8_t pub_key[SPICE_TICKET_PUBKEY_BYTES], SpiceLinkCaps *caps)
{
    SpiceWireReader r;
    memset(caps, 0, sizeof(*caps));
    spice_wire_reader_init(&r, buf, len);
    *error = spice_wire_get_u32(&r);
    const uint8_t *key = spice_wire_get_bytes(&r, SPICE_TICKET_PUBKEY_BYTES);
    uint32_t ncommon = spice_wire_get_u32(&r);
    uint32_t nchannel = spice_wire_get_u32(&r);
    uint32_t caps_offset = spice_wire_get_u32(&r);
    if (spice_wire_reader_failed(&r) || ncommon > SPICE_LINK_MAX_CAPS_COUNT ||
        nchannel > SPICE_LINK_MAX_CAPS_COUNT || caps_offset < SPICE_LINK_REPLY_SIZE ||
        caps_offset > len) {
        errno = EBADMSG;
        return -1;
    }
    memcpy(pub_key, key, SPICE_TICKET_PUBKEY_BYTES);
    r.pos = caps_offset;
    read_caps(&r, ncommon, caps->common, &caps->num_common);
    read_caps(&r, nchannel, caps->channel, &caps->num_channel);
    if (spice_wire_reader_failed(&r)) {
        errno = EBADMSG;
        return -1;
    }
    return 0;
}

bool spice_link_caps_has(const uint32_t *words, uint32_t num_words, unsigned cap)
{
    return cap / 32 < num_words && (words[cap / 32] & (1u << (cap % 32)));
}

void spice_link_caps_set(uint32_t *words, uint32_t *num_words, unsigned cap)
{
    if (cap / 32 >= SPICE_LINK_MAX_CAP_WORDS) {
        return;
    }
    while (*num_words <= cap / 32) {
        words[(*num_words)++] = 0;
    }
    words[cap / 32] |= 1u << (cap % 32);
}
