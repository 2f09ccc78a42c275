// SPDX-License-Identifier: LGPL-2.1-or-later
/* red-session.h: the one client session a server has at a time.
 *
 * A session begins when a client links the main channel (a fresh, non-zero
 * id the other channels must quote) and ends when that main channel closes,
 * when a new client takes over, or when the host changes the ticket or
 * destroys the server.  Its end is heard by every channel class in the
 * registry, so no channel closes another's clients by name.
 *
 * Threads: main thread only.
 */
#ifndef RED_SESSION_H
#define RED_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "red-channel-registry.h"

typedef struct RedSession RedSession;

/* The session's end is announced to the classes of registry (which must
 * outlive the session). */
RedSession *red_session_new(RedChannelRegistry *registry);
void red_session_free(RedSession *s); /* NULL ok; ends nothing */

/* Ends the current session, if any, then begins one; returns its id. */
uint32_t red_session_begin(RedSession *s);
/* Ends the current session: its id is void at once, then every class hears
 * why.  Nothing happens when no session is on, so a class may end it again
 * from inside its own handler. */
void red_session_end(RedSession *s, const char *why);

/* The id of the current session; 0 when there is none. */
uint32_t red_session_id(const RedSession *s);

#endif /* RED_SESSION_H */
