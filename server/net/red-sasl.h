/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-sasl.h: the server side of SPICE's SASL authentication (Cyrus SASL),
 * run by the link when the client picks SPICE_COMMON_CAP_AUTH_SASL.
 *
 * Wire (little-endian u32 lengths, as spice-server and spice-gtk speak it):
 *   server: len, mechanism list ",A,B," (no NUL)
 *   client: len (1..RED_SASL_MAX_MECHNAME), mechanism name
 *   client: len (<= RED_SASL_MAX_DATA), data (with its NUL when len > 0)
 *   server: len, data + NUL (len counts the NUL; 0: no data), u8 complete
 *   ... client data / server data until complete = 1, then on success
 *   server: u32 SPICE_LINK_ERR_OK (the link result follows as for a
 *   ticket); a failed step closes the link without a word.
 *
 * Over TLS, TLS protects the stream and every mechanism the configuration
 * allows is offered.  On a plain link only mechanisms that negotiate a
 * security layer of RED_SASL_MIN_SSF bits or more (GSSAPI, DIGEST-MD5) are
 * offered, as by spice-server; after the auth result the stream runs
 * through that layer (red_stream_start_sasl_layer).  When the
 * configuration has no such mechanism, red_sasl_new says so and the link
 * answers NEED_SECURED: the client comes back over TLS.  The feeding is in
 * the link's hands: it reads red_sasl_want's bytes, then calls
 * red_sasl_step.
 * Threads: main thread only.
 */
#ifndef RED_SASL_H
#define RED_SASL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "red-stream.h"

#define RED_SASL_MAX_MECHNAME 100
/* spice-server's bound on one client step (a GSSAPI token is a few KiB). */
#define RED_SASL_MAX_DATA (1024 * 1024)
/* The weakest security layer a plain link takes: DES, Kerberos' least. */
#define RED_SASL_MIN_SSF 56
/* The largest security-layer packet we take (spice-gtk reads 8 KiB). */
#define RED_SASL_MAX_BUF 8192

typedef struct RedSasl RedSasl;

typedef enum RedSaslStatus {
    RED_SASL_CONTINUE,      /* read red_sasl_want's bytes, then step again */
    RED_SASL_DONE,          /* authenticated; SPICE_LINK_ERR_OK was sent */
    RED_SASL_FAILED,        /* refused (the client was told if the protocol says so) */
    RED_SASL_INVALID,       /* a mechanism the list did not offer: INVALID_DATA */
} RedSaslStatus;

/* Initialises Cyrus SASL for the process with appname (its config is
 * appname.conf); later calls do nothing.  Returns 0, or -1 (logged). */
int red_sasl_global_init(const char *appname);

/* Prepares an exchange on stream (which the link keeps owning): NULL when
 * SASL cannot start or has no mechanism to offer on this link (logged). */
RedSasl *red_sasl_new(RedStream *stream);
/* The client chose SASL: writes the mechanism list.  0, or -1. */
int red_sasl_begin(RedSasl *s);
void red_sasl_free(RedSasl *s); /* NULL ok */

/* Where the next n bytes from the client go (n > 0). */
uint8_t *red_sasl_want(RedSasl *s, size_t *n);
/* The wanted bytes arrived: advances the exchange. */
RedSaslStatus red_sasl_step(RedSasl *s);

#endif /* RED_SASL_H */
