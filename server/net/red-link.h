/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-link.h: the link handshake of one accepted connection, on the main
 * thread, driven by SpiceCoreInterface watches.
 *
 * Steps: [TLS handshake, on the TLS port] -> link header (16) -> link
 * message and caps -> channel security check -> reply with a fresh RSA
 * key and our caps -> auth mechanism (u32, when both sides have
 * AUTH_SELECTION) -> 128-byte encrypted ticket, or the SASL exchange
 * (red-sasl.h) -> u32 result.  Any malformed
 * step gets the matching SpiceLinkErr and a close; a handshake that stalls
 * for RED_LINK_TIMEOUT_MS (the TLS handshake included) is closed too.
 */
#ifndef RED_LINK_H
#define RED_LINK_H

#include <stdbool.h>

#include <spice.h>

#include "red-stream.h"
#include "spice-link.h"

#define RED_LINK_TIMEOUT_MS 15000

typedef struct RedLink RedLink;

typedef struct RedLinkPolicy {
    void *opaque;
    /* SASL instead of the ticket (spice_server_set_sasl): only over TLS, a
     * plain link gets NEED_SECURED. */
    bool sasl;
    /* Our caps for a channel type (common caps are filled by the link). */
    void (*channel_caps)(void *opaque, uint8_t channel_type, SpiceLinkCaps *caps);
    /* Is this decrypted password acceptable now? */
    bool (*check_ticket)(void *opaque, const char *password);
    /* SPICE_LINK_ERR_OK, or NEED_SECURED (a plain link to a channel that
     * wants TLS) / NEED_UNSECURED, before anything else is said. */
    uint32_t (*check_security)(void *opaque, uint8_t channel_type, bool tls);
    /* SPICE_LINK_ERR_OK, or BAD_CONNECTION_ID / CHANNEL_NOT_AVAILABLE. */
    uint32_t (*check_channel)(void *opaque, const SpiceLinkRequest *req);
    /* Success: the stream (ownership passes) is in the data phase. */
    void (*linked)(void *opaque, RedStream *stream, const SpiceLinkRequest *req);
    /* The handshake is over, either way (on success, before linked).  The
     * link is freed right after, its socket closed on failure: for
     * bookkeeping only. */
    void (*finished)(void *opaque, RedLink *link);
} RedLinkPolicy;

/* Starts the handshake on an accepted fd (ownership passes), under TLS with
 * tls's certificates when tls is not NULL.  NULL on ENOMEM (fd closed).
 * The link frees itself after linked/finished. */
RedLink *red_link_start(const SpiceCoreInterface *core, int fd, SSL_CTX *tls,
                        const RedLinkPolicy *policy);
/* Aborts a handshake in progress (server shutdown). */
void red_link_abort(RedLink *link);

#endif /* RED_LINK_H */
