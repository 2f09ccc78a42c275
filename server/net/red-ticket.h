/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-ticket.h: the SPICE ticket: a fresh RSA-1024 key per link, its public
 * half sent as 162 bytes of DER SubjectPublicKeyInfo, and RSA-OAEP (SHA-1,
 * MGF1-SHA-1, empty label) decryption of the client's 128-byte ticket
 * (spice-wire-and-abi.md §1.4).  Thread safety: one key per thread. */
#ifndef RED_TICKET_H
#define RED_TICKET_H

#include <stddef.h>
#include <stdint.h>

#include <spice/protocol.h>

#define RED_TICKET_ENCRYPTED_SIZE (SPICE_TICKET_KEY_PAIR_LENGTH / 8)

typedef struct RedTicketKey RedTicketKey;

/* Generates a key and its DER public key. NULL on failure (logged).
 * Built with FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION (the fuzzers only),
 * every call returns the same key pair, generated once per process. */
RedTicketKey *red_ticket_key_new(void);
void red_ticket_key_free(RedTicketKey *k); /* NULL ok */
const uint8_t *red_ticket_key_public_der(const RedTicketKey *k); /* SPICE_TICKET_PUBKEY_BYTES */

/* Decrypts a ticket into out (NUL-terminated, at most SPICE_MAX_PASSWORD_LENGTH
 * characters). Returns 0, or -1 if it does not decrypt or is not a string. */
int red_ticket_decrypt(const RedTicketKey *k, const uint8_t in[RED_TICKET_ENCRYPTED_SIZE],
                       char out[SPICE_MAX_PASSWORD_LENGTH + 1]);

#endif /* RED_TICKET_H */
