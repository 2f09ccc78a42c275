/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-agent.h: the guest agent (the "vdagent" spicevmc char device) and the
 * main channel's agent messages, for any number of main-channel clients.
 *
 * Wire facts (spice-protocol's vd_agent.h): on the device, data travels in
 * chunks, a VDIChunkHeader {port, size} then size bytes; port
 * VDP_CLIENT_PORT carries VDAgentMessages between agent and clients,
 * VDP_SERVER_PORT those between agent and server.  Towards the agent a
 * chunk holds at most VD_AGENT_MAX_DATA_SIZE bytes (spice-vdagentd refuses
 * more), and each client AGENT_DATA becomes one chunk.  From the agent a
 * chunk may be any size (spice-vdagentd writes a whole message as one
 * chunk); it reaches clients as AGENT_DATA pieces of at most
 * VD_AGENT_MAX_DATA_SIZE, which we read one at a time.
 *
 * Flow control, both ways counted in AGENT_DATA messages:
 * - client -> agent: each client has RED_AGENT_CLIENT_WINDOW tokens (sent in
 *   MAIN_INIT and AGENT_CONNECTED_TOKENS); every AGENT_DATA costs one, and
 *   one comes back (AGENT_TOKEN) when that chunk reached the device.  A
 *   client that sends with no token left is closed: what we hold for the
 *   device is at most window chunks per client.
 * - agent -> client: a client grants tokens with AGENT_START and
 *   AGENT_TOKEN; each chunk from the agent goes to every started client and
 *   costs each one token.  The device is read only while every started
 *   client has a token and a free socket queue (as upstream's char device
 *   does: the slowest client paces the agent); a client that keeps the agent
 *   waiting for tokens RED_AGENT_TOKEN_WAIT_MS is closed.
 * - several clients write whole messages in turn: a client's message is
 *   written to the device chunk after chunk before another client's begins,
 *   so the agent never sees two messages interleaved on VDP_CLIENT_PORT.  A
 *   client that goes with its message half written, and the last client to
 *   go, make us send VD_AGENT_CLIENT_DISCONNECTED on VDP_SERVER_PORT, which
 *   is how the agent learns to drop a half message and its clipboard grabs.
 *
 * Validated from clients: chunk size (1..VD_AGENT_MAX_DATA_SIZE), the
 * message header in the first chunk (protocol, type), chunks never crossing
 * a message end, tokens.  From the agent: chunk port, and the same message
 * framing; an agent that breaks them is cut off (no more reads, clients
 * told AGENT_DISCONNECTED) until the host removes and adds the device again.
 * Messages the host's switches disable (spice_server_set_agent_copypaste,
 * _file_xfer) are dropped both ways (red-agent-framing.h).
 *
 * Threads: main thread only.
 */
#ifndef RED_AGENT_H
#define RED_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include <spice.h>

#include "red-channel-client.h"
#include "red-char-device.h"
#include "reds.h"
#include "spice-messages.h"

/* Tokens a client has for AGENT_DATA to the agent: upstream's value (10),
 * which spice-gtk expects; 10 chunks of 2 KiB per client is our bound. */
#define RED_AGENT_CLIENT_WINDOW 10
/* How long a client may hold the agent (its data waiting) without granting
 * a token before it is closed; upstream's char device waits 30 s too. */
#define RED_AGENT_TOKEN_WAIT_MS 30000

typedef struct RedAgent RedAgent;
typedef struct RedAgentClient RedAgentClient;

/* One per server; no device attached yet. */
RedAgent *red_agent_create(RedsState *reds);
/* Detaches the device (without telling clients) and frees.  Its clients
 * must be destroyed already.  NULL ok. */
void red_agent_destroy(RedAgent *agent);

/* The host added the vdagent char device: tells every main client
 * AGENT_CONNECTED(_TOKENS) and the device state(1).  Returns the device
 * (for spice_server_char_device_wakeup), or NULL when an agent is attached
 * already or the instance is unusable (logged). */
RedCharDevice *red_agent_attach(RedAgent *agent, SpiceCharDeviceInstance *sin);
/* The host removed it: clients hear AGENT_DISCONNECTED; queued data for the
 * agent is dropped.  No-op for another instance. */
void red_agent_detach(RedAgent *agent, SpiceCharDeviceInstance *sin);
/* An agent is attached and not cut off. */
bool red_agent_is_connected(const RedAgent *agent);

/* The client mouse through the agent (reds_agent_mouse): a
 * VD_AGENT_MOUSE_STATE on the server's port, the host byte order given.
 * Only the latest state waits for room in the device (never a queue of
 * them), ahead of the clients' chunks.  No-op without an agent. */
void red_agent_mouse_state(RedAgent *agent, const VDAgentMouseState *state);

/* A main-channel client linked; rcc must outlive the returned object (the
 * owner destroys it in rcc's on_closed). */
RedAgentClient *red_agent_client_create(RedAgent *agent, RedChannelClient *rcc);
/* The client went.  Safe from inside any callback of the agent.  NULL ok. */
void red_agent_client_destroy(RedAgentClient *client);
/* Fills MAIN_INIT's agent_connected and agent_tokens. */
void red_agent_client_fill_init(const RedAgentClient *client, SpiceMsgMainInit *init);
/* AGENT_START, AGENT_TOKEN or AGENT_DATA from the client.  Returns false
 * (after logging the value) when the client must be closed. */
bool red_agent_client_handle_message(RedAgentClient *client, const SpiceMsgc *msg);
/* The client's socket queue drained: the agent may be read again. */
void red_agent_client_writable(RedAgentClient *client);

#endif /* RED_AGENT_H */
