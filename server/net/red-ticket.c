/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-ticket.c: RSA-OAEP ticket key, with OpenSSL 3's EVP interface. */
#include "config.h"

#include "red-ticket.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <glib.h>

#include "red-log.h"

struct RedTicketKey {
    EVP_PKEY *pkey;
    uint8_t der[SPICE_TICKET_PUBKEY_BYTES];
};

static RedTicketKey *ticket_key_generate(void)
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

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
/* Fuzzing builds only (the libFuzzer convention's macro, which only
 * tests/fuzz/fuzz-stack-flags.sh defines; the library that configure builds
 * never contains this): one key for the whole process, generated at the
 * first link.  A fresh key per link is what keeps a recorded ticket from
 * being replayed, so a production build must never share one; a fuzzer
 * links thousands of times a second, and RSA key generation (tens of
 * milliseconds under ASan) was nearly all of its time.  Every caller still
 * gets its own RedTicketKey (a reference to the shared EVP_PKEY), so
 * red_ticket_key_free and the decryption path are the production ones. */
RedTicketKey *red_ticket_key_new(void)
{
    static gsize done;
    static RedTicketKey *shared; /* held until exit */
    if (g_once_init_enter(&done)) {
        shared = ticket_key_generate();
        g_once_init_leave(&done, 1);
    }
    RedTicketKey *k = shared != NULL ? calloc(1, sizeof(*k)) : NULL;
    if (k == NULL || EVP_PKEY_up_ref(shared->pkey) != 1) {
        red_log_warn("ticket: no shared fuzzing key");
        free(k);
        return NULL;
    }
    k->pkey = shared->pkey;
    memcpy(k->der, shared->der, sizeof(k->der));
    return k;
}
#else
RedTicketKey *red_ticket_key_new(void)
{
    return ticket_key_generate();
}
#endif

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
