// SPDX-License-Identifier: LGPL-2.1-or-later
/* reds-connection.c: channel-event records and their callbacks. */
#include "config.h"

#include "reds-connection.h"

#include <sys/socket.h>

#include "reds-private.h"

RedsConnection *reds_connection_new(RedsState *reds, int fd, uint8_t type, uint8_t id,
                                    uint32_t session_id)
{
    RedsConnection *c = g_new0(RedsConnection, 1);
    SpiceChannelEventInfo *i = &c->info;
    i->connection_id = session_id;
    i->type = type;
    i->id = id;
    i->flags = SPICE_CHANNEL_EVENT_FLAG_ADDR_EXT;
    i->llen_ext = sizeof(i->laddr_ext);
    i->plen_ext = sizeof(i->paddr_ext);
    (void)getsockname(fd, (struct sockaddr *)&i->laddr_ext, &i->llen_ext);
    (void)getpeername(fd, (struct sockaddr *)&i->paddr_ext, &i->plen_ext);
    reds->connections = g_list_prepend(reds->connections, c);
    return c;
}

void reds_connection_event(RedsState *reds, RedsConnection *c, int event)
{
    if (reds->core->channel_event && c) {
        reds->core->channel_event(event, &c->info);
    }
}

void reds_connection_opened(RedsState *reds, RedsConnection *c)
{
    reds_connection_event(reds, c, SPICE_CHANNEL_EVENT_CONNECTED);
    reds_connection_event(reds, c, SPICE_CHANNEL_EVENT_INITIALIZED);
}

void reds_connection_closed(RedsState *reds, RedsConnection *c)
{
    reds_connection_event(reds, c, SPICE_CHANNEL_EVENT_DISCONNECTED);
    reds->connections = g_list_remove(reds->connections, c);
    g_free(c);
}
