/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-agent-framing.h: where VDAgentMessages begin and end in a stream of
 * chunks, and which of them the host's policy lets through.
 *
 * Both peers of the agent cut a message into chunks with its VDAgentMessage
 * header at the start of the first one, and never put two messages in one
 * chunk (spice-gtk and spice-vdagent do so; upstream's server requires it
 * too).  A framing follows one direction of one peer.
 */
#ifndef RED_AGENT_FRAMING_H
#define RED_AGENT_FRAMING_H

#include <stdbool.h>
#include <stdint.h>

/* What the host allows through (spice_server_set_agent_copypaste,
 * spice_server_set_agent_file_xfer), and whether the display devices take
 * the client's monitors configs instead of the agent
 * (reds_take_monitors_config). */
typedef struct RedAgentPolicy {
    bool copypaste;
    bool file_xfer;
    bool monitors_to_devices;
} RedAgentPolicy;

/* What becomes of a chunk, decided once per message at its header. */
typedef enum RedAgentChunkFate {
    RED_AGENT_CHUNK_PASS,   /* to the peer */
    RED_AGENT_CHUNK_DROP,   /* filtered out by the host's switches */
    RED_AGENT_CHUNK_TAKE,   /* a VD_AGENT_MONITORS_CONFIG for the devices */
} RedAgentChunkFate;

typedef struct RedAgentFraming {
    uint32_t msg_left;      /* bytes of the current message still to come */
    RedAgentChunkFate fate; /* of the current message */
} RedAgentFraming;

typedef enum RedAgentFrameError {
    RED_AGENT_FRAME_OK,
    RED_AGENT_FRAME_NO_HEADER,   /* a message starts in a chunk shorter than its header */
    RED_AGENT_FRAME_BAD_HEADER,  /* protocol not VD_AGENT_PROTOCOL, or an unknown type */
    RED_AGENT_FRAME_OVERRUN,     /* the chunk runs past the message's end */
} RedAgentFrameError;

/* Advances f over one chunk of len bytes.  On RED_AGENT_FRAME_OK, *fate
 * says what the policy makes of the chunk's message and *ends whether the
 * chunk completes it.  On an error, *value is the
 * offending number (length, protocol/type, or bytes past the end) and f is
 * unchanged. */
RedAgentFrameError red_agent_frame_chunk(RedAgentFraming *f, const RedAgentPolicy *policy,
                                         const uint8_t *data, uint32_t len,
                                         RedAgentChunkFate *fate, bool *ends, uint32_t *value);

/* A one-line description of err for logs. */
const char *red_agent_frame_error_str(RedAgentFrameError err);

#endif /* RED_AGENT_FRAMING_H */
