// SPDX-License-Identifier: LGPL-2.1-or-later
/* main-channel.h: the main channel, whose link opens a client's session.
 *
 * Registered with the server's channel registry at creation; it opens a
 * session when a client links (up to RED_SESSION_MAX_CLIENTS at once) and
 * ends that session, and only that one, when the client goes.
 * Threads: main thread only.
 */
#ifndef MAIN_CHANNEL_H
#define MAIN_CHANNEL_H

#include "reds.h"

typedef struct MainChannel MainChannel;

/* Creates the channel and registers its class with reds' registry. */
MainChannel *main_channel_new(RedsState *reds);
/* Frees it; its client must be closed already (registry close_all). NULL ok. */
void main_channel_free(MainChannel *mc);

/* Tells every client the supported and current mouse modes (after a tablet
 * came or went); falls back to the server mouse when the current mode is no
 * longer supported. */
void main_channel_send_mouse_mode(MainChannel *mc);

/* session_id's link test (red-net-test.h) bitrate: 0 while it runs, when
 * it failed, or for no such session (red_net_bps_low says whether it is a
 * slow link).  mc NULL ok. */
uint64_t main_channel_session_bps(const MainChannel *mc, uint32_t session_id);

#endif /* MAIN_CHANNEL_H */
