// SPDX-License-Identifier: LGPL-2.1-or-later
/* red-session.h: the client sessions of a server, several at once.
 *
 * A session is one client: it begins when the client links the main channel
 * (a fresh, non-zero id, sent in MAIN_INIT, that the client's other channels
 * quote as their connection id) and ends when that main channel closes,
 * when the server closes any of its channels for an error (the client is
 * broken: half of it must not stay), or when the host changes the ticket or
 * destroys the server.  A new
 * client never ends another's session.  Each end is heard by every channel
 * class in the registry, with the session's id, so each class closes that
 * client's channels and no channel closes another's by name; the other
 * sessions see nothing.
 *
 * Threads: main thread only.
 */
#ifndef RED_SESSION_H
#define RED_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "red-channel-registry.h"

/* Clients connected at once.  Each one costs the display worker a copy of
 * every update (its own damage, pixels encoded for it alone) and up to
 * RED_SEND_HIGH_WATER queued per channel, on a thread that also serves the
 * guest: 8 is room for a viewer, a few screenshot or monitoring tools and a
 * reconnecting viewer whose old session has not timed out yet, while a
 * flood of clients cannot multiply the worker's work without bound.  The
 * client past it gets SPICE_LINK_ERR_CHANNEL_NOT_AVAILABLE on its main
 * channel (no other link error says "come back later"). */
#define RED_SESSION_MAX_CLIENTS 8

typedef struct RedSessions RedSessions;

/* Session ends are announced to the classes of registry (which must
 * outlive the table). */
RedSessions *red_sessions_new(RedChannelRegistry *registry);
void red_sessions_free(RedSessions *t); /* NULL ok; ends nothing */

/* Begins a session; returns its id (never 0), or 0 when
 * RED_SESSION_MAX_CLIENTS are on (nothing changes then). */
uint32_t red_sessions_begin(RedSessions *t);
/* Ends session id: its id is void at once, then every class hears it with
 * why.  Nothing happens when id is not on (0 included), so a class may end
 * it again from inside its own handler. */
void red_sessions_end(RedSessions *t, uint32_t id, const char *why);
/* Ends every session, one after the other (ticket change, teardown). */
void red_sessions_end_all(RedSessions *t, const char *why);

/* Is id a session that is on? (0 never is.) */
bool red_sessions_is_open(const RedSessions *t, uint32_t id);
/* Sessions on now, 0 .. RED_SESSION_MAX_CLIENTS. */
unsigned red_sessions_count(const RedSessions *t);

/* The link policy's answer for req: a main channel link is refused with
 * SPICE_LINK_ERR_CHANNEL_NOT_AVAILABLE when the table is full; any other
 * channel must quote a session that is on (else BAD_CONNECTION_ID) and be
 * offered by the registry (else CHANNEL_NOT_AVAILABLE).  Logs the refusal. */
uint32_t red_sessions_check_link(const RedSessions *t, const SpiceLinkRequest *req);

#endif /* RED_SESSION_H */
