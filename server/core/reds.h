// SPDX-License-Identifier: LGPL-2.1-or-later
/* reds.h: what the channels may ask of the server object behind SpiceServer.
 *
 * RedsState itself is private to core/ and api/ (reds-private.h); the
 * channels see it through these accessors.
 * Threads: main thread only (the thread that calls spice_server_* and runs
 * the SpiceCoreInterface callbacks).  A display worker never sees RedsState:
 * it reports through the RedWorkerEvents it was given.
 */
#ifndef REDS_H
#define REDS_H

#include <stdbool.h>
#include <stdint.h>

#include <spice.h>

#include "red-channel-registry.h"
#include "red-session.h"

typedef struct RedsState RedsState;

/* The host's main loop. */
const SpiceCoreInterface *reds_get_core(const RedsState *reds);
RedChannelRegistry *reds_get_registry(RedsState *reds);
RedSessions *reds_get_sessions(RedsState *reds);

/* Clients connected now (sessions on), 0 .. RED_SESSION_MAX_CLIENTS: what
 * spice_server_get_num_clients and the ticket's *_if_connected flags ask. */
unsigned reds_count_clients(const RedsState *reds);
/* Ends every client's session (all their channels close), e.g. when the
 * host changes the ticket with disconnect_if_connected. */
void reds_end_all_sessions(RedsState *reds, const char *why);
/* A client's session ended (its main channel closed, whatever closed it).
 * With spice_server_set_exit_on_disconnect on, the process exits with
 * status 0 here, as upstream's server does (a host such as Xspice, whose
 * life is one client's, asks for it); otherwise nothing happens. */
void reds_client_disconnected(RedsState *reds);
/* The guest agent (chardev/red-agent.h), present whether or not its device
 * is added. */
struct RedAgent *reds_get_agent(RedsState *reds);
/* The host's agent switches (spice_server_set_agent_copypaste/_file_xfer;
 * both on by default, as upstream's). */
bool reds_agent_copypaste(const RedsState *reds);
bool reds_agent_file_xfer(const RedsState *reds);


/* Session session_id's playback began or stopped sounding (a client of it
 * got PLAYBACK_START, or STOP, or left): its display clients time their
 * video frames by the sound while on (red-video.h).  Any session id; one
 * that has no display client changes nothing. */
void reds_set_audio_clock(RedsState *reds, uint32_t session_id, bool on);

/* Session session_id's link test measured bits_per_sec after its display
 * clients attached: those whose host settings say `auto` for JPEG or zlib
 * over GLZ switch them on when that is slow (red_net_bps_low,
 * red-image-codec.h), and their video streams size their frames to the
 * bitrate (red-video.h).  A display client attaching later reads the
 * verdict itself. */
void reds_set_session_link(RedsState *reds, uint32_t session_id, uint64_t bits_per_sec);

/* Where a client's VD_AGENT_MONITORS_CONFIG goes, by upstream's rule: to
 * the display devices when every QXL instance takes it (QXLInterface 3.3's
 * client_monitors_config, asked with NULL; QEMU says yes once the guest's
 * driver unmasked QXL_INTERRUPT_CLIENT_MONITORS_CONFIG, and for virtio-gpu),
 * else to the agent.  false when there is no QXL instance. */
bool reds_take_monitors_config(RedsState *reds);
/* Hands a client's monitors config (host byte order, checked) to every QXL
 * instance's client_monitors_config. */
void reds_client_monitors_config(RedsState *reds, VDAgentMonitorsConfig *config);

/* The input devices the host plugged in; NULL when absent. */
SpiceKbdInstance *reds_get_keyboard(const RedsState *reds);
SpiceMouseInstance *reds_get_mouse(const RedsState *reds);
SpiceTabletInstance *reds_get_tablet(const RedsState *reds);

/* The keyboard LEDs as last reported (SPICE_KEYBOARD_MODIFIER_FLAGS_*). */
uint8_t reds_get_kbd_leds(const RedsState *reds);
void reds_set_kbd_leds(RedsState *reds, uint8_t leds);

/* The client mouse goes through the agent (VD_AGENT_MOUSE_STATE): the
 * host's switch (spice_server_set_agent_mouse, on by default) and the
 * vdagent device attached, as upstream decides.  Then it wins over a
 * tablet. */
bool reds_agent_mouse(const RedsState *reds);

/* SPICE_MOUSE_MODE_SERVER, or _CLIENT (only while a tablet is plugged in
 * or reds_agent_mouse).
 * The mode is server-wide, as upstream's: any client may request it, the
 * last request wins, and every client's main channel is told the result. */
uint32_t reds_get_mouse_mode(const RedsState *reds);
/* Sets mode if supported; returns 0, or -1 (mode unchanged). */
int reds_set_mouse_mode(RedsState *reds, uint32_t mode);
/* Falls back to the server mouse when the current mode is no longer
 * supported (the tablet went away). */
void reds_check_mouse_mode(RedsState *reds);
uint32_t reds_supported_mouse_modes(const RedsState *reds);

#endif /* REDS_H */
