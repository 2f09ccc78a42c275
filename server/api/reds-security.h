// SPDX-License-Identifier: LGPL-2.1-or-later
/* reds-security.h (api/ only): a server's TLS settings and which channels
 * must (or must not) be linked over TLS.
 *
 * spice_server_set_tls and spice_server_set_channel_security fill
 * RedsState; spice_server_init builds the TLS context from it; the link
 * policy asks reds_security_check for every link.
 * Threads: main thread only.
 */
#ifndef REDS_SECURITY_H
#define REDS_SECURITY_H

#include <stdbool.h>
#include <stdint.h>

#include "reds-private.h"

/* The settings of a new server: no TLS port, every channel both ways. */
void reds_security_init(RedsState *reds);
/* Initialises SASL when it is on, and builds the TLS context when a TLS
 * port is configured.  Returns 0, or -1 (SASL did not initialise, or the
 * TLS files are unusable; the reason is logged). */
int reds_security_start(RedsState *reds);
/* Frees the context and the settings (spice_server_destroy). */
void reds_security_finish(RedsState *reds);

/* SPICE_LINK_ERR_OK when channel_type may be linked this way (tls or not);
 * NEED_SECURED / NEED_UNSECURED otherwise, as spice-server answers. */
uint32_t reds_security_check(const RedsState *reds, uint8_t channel_type, bool tls);

#endif /* REDS_SECURITY_H */
