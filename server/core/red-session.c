// SPDX-License-Identifier: LGPL-2.1-or-later
/* red-session.c: session ids and the announcement of a session's end. */
#include "config.h"

#include "red-session.h"

#include <glib.h>

struct RedSession {
    RedChannelRegistry *registry;
    uint32_t id;                /* 0 = no session */
};

RedSession *red_session_new(RedChannelRegistry *registry)
{
    RedSession *s = g_new0(RedSession, 1);
    s->registry = registry;
    return s;
}

void red_session_free(RedSession *s)
{
    g_free(s);
}

uint32_t red_session_begin(RedSession *s)
{
    /* One session at a time, as the real server: the new client wins. */
    red_session_end(s, "replaced by a new client");
    do {
        s->id = g_random_int();
    } while (s->id == 0); /* 0 means "no session" on the wire too */
    return s->id;
}

void red_session_end(RedSession *s, const char *why)
{
    if (s->id == 0) {
        return;
    }
    s->id = 0;
    red_channel_registry_session_ended(s->registry, why);
}

uint32_t red_session_id(const RedSession *s)
{
    return s->id;
}
