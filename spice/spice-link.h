/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spice-link.h: the link stage of a SPICE connection (before the data phase).
 *
 * Client -> server: SpiceLinkHeader (16 bytes) + SpiceLinkMess (18 bytes) +
 * capability words; then, with AUTH_SELECTION, a u32 mechanism; then the
 * RSA-encrypted ticket.  Server -> client: SpiceLinkHeader + SpiceLinkReply
 * (178 bytes) + capability words; after the ticket, a bare u32 SpiceLinkErr.
 * Struct layouts are Debian's <spice/protocol.h>; the rules are in
 * spice-wire-and-abi.md §1.
 */
#ifndef SPICE_LINK_H
#define SPICE_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <spice/protocol.h>

#include "spice-wire.h"

#define SPICE_LINK_HEADER_SIZE 16
#define SPICE_LINK_MESS_SIZE 18
#define SPICE_LINK_REPLY_SIZE 178
/* The real server refuses link messages above 4096 bytes (reds.cpp). */
#define SPICE_LINK_MAX_SIZE 4096
/* More capability words than any peer sends; bounds the arrays below. */
#define SPICE_LINK_MAX_CAP_WORDS 4

typedef struct SpiceLinkCaps {
    uint32_t num_common, num_channel;
    uint32_t common[SPICE_LINK_MAX_CAP_WORDS];
    uint32_t channel[SPICE_LINK_MAX_CAP_WORDS];
} SpiceLinkCaps;

typedef struct SpiceLinkRequest {
    uint32_t connection_id;
    uint8_t channel_type, channel_id;
    SpiceLinkCaps caps; /* words past SPICE_LINK_MAX_CAP_WORDS are dropped */
} SpiceLinkRequest;

/* Parses a 16-byte link header. Returns SPICE_LINK_ERR_OK and sets *size to
 * the number of bytes that follow, or the SpiceLinkErr to send back:
 * INVALID_MAGIC, VERSION_MISMATCH (major != 2), INVALID_DATA (size outside
 * [18, SPICE_LINK_MAX_SIZE]). */
uint32_t spice_link_header_parse(const uint8_t hdr[SPICE_LINK_HEADER_SIZE], uint32_t *size);

/* Parses the SpiceLinkMess and caps that followed the header. Returns
 * SPICE_LINK_ERR_OK or SPICE_LINK_ERR_INVALID_DATA (caps outside the
 * message, offset below the fixed part, counts over 1024). */
uint32_t spice_link_mess_parse(const uint8_t *buf, size_t len, SpiceLinkRequest *out);

/* Writes header + SpiceLinkMess + caps (what a client sends). */
void spice_link_mess_write(SpiceWireWriter *w, const SpiceLinkRequest *req);

/* Writes header + SpiceLinkReply + caps. `pub_key` is SPICE_TICKET_PUBKEY_BYTES
 * of DER SubjectPublicKeyInfo, or NULL for zeros (an error reply). */
void spice_link_reply_write(SpiceWireWriter *w, uint32_t error, const uint8_t *pub_key,
                            const SpiceLinkCaps *caps);

/* Parses a reply (client side). Returns 0, or -1 (EBADMSG) if malformed. */
int spice_link_reply_parse(const uint8_t *buf, size_t len, uint32_t *error,
                           uint8_t pub_key[SPICE_TICKET_PUBKEY_BYTES], SpiceLinkCaps *caps);

bool spice_link_caps_has(const uint32_t *words, uint32_t num_words, unsigned cap);
void spice_link_caps_set(uint32_t *words, uint32_t *num_words, unsigned cap);

#endif /* SPICE_LINK_H */
