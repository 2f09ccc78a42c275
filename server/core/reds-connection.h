// SPDX-License-Identifier: LGPL-2.1-or-later
/* reds-connection.h: the channel events QEMU hears through
 * SpiceCoreInterface.channel_event, one record per channel connection.
 *
 * Threads: main thread only; a worker hands a record back through the main
 * queue (RED_MAIN_EVENT_CONNECTION_CLOSED).
 */
#ifndef REDS_CONNECTION_H
#define REDS_CONNECTION_H

#include <stdint.h>

#include <spice.h>

#include "reds.h"

/* A connection's channel-event record: valid from CONNECTED until after the
 * DISCONNECTED callback, as QEMU expects. */
typedef struct RedsConnection {
    SpiceChannelEventInfo info;
} RedsConnection;

/* A record for the socket fd of channel (type, id) of session session_id;
 * no event yet. */
RedsConnection *reds_connection_new(RedsState *reds, int fd, uint8_t type, uint8_t id,
                                    uint32_t session_id);
/* Emits event (SPICE_CHANNEL_EVENT_*) for c; c NULL is ignored. */
void reds_connection_event(RedsState *reds, RedsConnection *c, int event);
/* Emits CONNECTED then INITIALIZED: the channel is serving its client. */
void reds_connection_opened(RedsState *reds, RedsConnection *c);
/* Emits DISCONNECTED and frees the record. */
void reds_connection_closed(RedsState *reds, RedsConnection *c);

#endif /* REDS_CONNECTION_H */
