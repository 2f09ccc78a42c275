/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-ticket.c: RSA-OAEP ticket key, with OpenSSL 3's EVP interface. */
#include "config.h"

#include "red-ticket.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "red-log.h"

struct RedTicketKey {
    EVP_PKEY *pkey;
    uint8_t der[SPICE_TICKET_PUBKEY_BYTES];
};

RedTicketKey *red_ticket_key_new(void)
{
    RedTicketKey *k = calloc(1, sizeof(*k));
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
    if (k == NULL || ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0 ||
        EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, SPICE_TICKET_KEY_PAIR_LENGTH) <= 0 ||
        EVP_PKEY_keygen(ctx, &k->pkey) <= 0) {
        red_log_warn("ticket: RSA key generation failed");
        EVP_PKEY_CTX_free(ctx);
        red_ticket_key_free(k);
        return NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    /* A 1024-bit key with e = 65537 encodes to exactly 162 bytes. */
    int len = i2d_PUBKEY(k->pkey, NULL);
    uint8_t *p = k->der;
    if (len != SPICE_TICKET_PUBKEY_BYTES || i2d_PUBKEY(k->pkey, &p) != len) {
        red_log_warn("ticket: unexpected public key size %d", len);
        red_ticket_key_free(k);
        return NULL;
    }
    return k;
}

void red_ticket_key_free(RedTicketKey *k)
{
    if (k == NULL) {
        return;
    }
    EVP_PKEY_free(k->pkey);
    free(k);
}

const uint8_t *red_ticket_key_public_der(const RedTicketKey *k)
{
    return k->der;
}

int red_ticket_decrypt(const RedTicketKey *k, const uint8_t in[RED_TICKET_ENCRYPTED_SIZE],
                       char out[SPICE_MAX_PASSWORD_LENGTH + 1])
{
    uint8_t plain[RED_TICKET_ENCRYPTED_SIZE];
    size_t plain_len = sizeof(plain);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
    int ok = ctx != NULL && EVP_PKEY_decrypt_init(ctx) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
             EVP_PKEY_decrypt(ctx, plain, &plain_len, in, RED_TICKET_ENCRYPTED_SIZE) > 0;
    EVP_PKEY_CTX_free(ctx);
    /* The client sends strlen + 1 bytes: the password and its NUL. */
    if (!ok || plain_len == 0 || plain_len > SPICE_MAX_PASSWORD_LENGTH + 1 ||
        plain[plain_len - 1] != '\0') {
        memset(plain, 0, sizeof(plain));
        return -1;
    }
    memcpy(out, plain, plain_len);
    memset(plain, 0, sizeof(plain));
    return 0;
}
