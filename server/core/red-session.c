// SPDX-License-Identifier: LGPL-2.1-or-later
/* red-session.c: the session table and the announcement of a session's
 * end. */
#include "config.h"

#include "red-session.h"

#include <glib.h>

#include "red-log.h"

struct RedSessions {
    RedChannelRegistry *registry;
    uint32_t ids[RED_SESSION_MAX_CLIENTS]; /* 0 = a free slot */
};

RedSessions *red_sessions_new(RedChannelRegistry *registry)
{
    RedSessions *t = g_new0(RedSessions, 1);
    t->registry = registry;
    return t;
}

void red_sessions_free(RedSessions *t)
{
    g_free(t);
}

static int find_slot(const RedSessions *t, uint32_t id)
{
    for (int i = 0; i < RED_SESSION_MAX_CLIENTS; i++) {
        if (t->ids[i] == id) {
            return i;
        }
    }
    return -1;
}

uint32_t red_sessions_begin(RedSessions *t)
{
    int slot = find_slot(t, 0);
    if (slot < 0) {
        return 0;
    }
    uint32_t id;
    do {
        id = g_random_int();
        /* 0 means "no session" on the wire; an id in use would let one
         * client's channels join another's session. */
    } while (id == 0 || find_slot(t, id) >= 0);
    t->ids[slot] = id;
    return id;
}

void red_sessions_end(RedSessions *t, uint32_t id, const char *why)
{
    int slot = id ? find_slot(t, id) : -1;
    if (slot < 0) {
        return;
    }
    t->ids[slot] = 0;
    red_channel_registry_session_ended(t->registry, id, why);
}

void red_sessions_end_all(RedSessions *t, const char *why)
{
    for (int i = 0; i < RED_SESSION_MAX_CLIENTS; i++) {
        red_sessions_end(t, t->ids[i], why);
    }
}

bool red_sessions_is_open(const RedSessions *t, uint32_t id)
{
    return id != 0 && find_slot(t, id) >= 0;
}

unsigned red_sessions_count(const RedSessions *t)
{
    unsigned n = 0;
    for (int i = 0; i < RED_SESSION_MAX_CLIENTS; i++) {
        n += t->ids[i] != 0;
    }
    return n;
}

uint32_t red_sessions_check_link(const RedSessions *t, const SpiceLinkRequest *req)
{
    if (red_channel_registry_opens_session(t->registry, req->channel_type)) {
        if (red_sessions_count(t) >= RED_SESSION_MAX_CLIENTS) {
            red_log_info("link refused: %u clients are connected, the limit "
                         "(RED_SESSION_MAX_CLIENTS)", red_sessions_count(t));
            return SPICE_LINK_ERR_CHANNEL_NOT_AVAILABLE;
        }
        return SPICE_LINK_ERR_OK; /* a new session (migration is not supported) */
    }
    /* The session is checked first, as the real server does: a client of
     * an ended session learns that, whatever channel it asks for. */
    if (!red_sessions_is_open(t, req->connection_id)) {
        red_log_info("link refused: channel %u:%u quotes connection id %u, not a session "
                     "that is on", req->channel_type, req->channel_id, req->connection_id);
        return SPICE_LINK_ERR_BAD_CONNECTION_ID;
    }
    return red_channel_registry_offers(t->registry, req->channel_type, req->channel_id)
               ? SPICE_LINK_ERR_OK : SPICE_LINK_ERR_CHANNEL_NOT_AVAILABLE;
}
