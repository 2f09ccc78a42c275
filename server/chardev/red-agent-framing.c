/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-agent-framing.c: message framing and policy filter of agent chunks. */
#include "config.h"

#include "red-agent-framing.h"

#include <string.h>

#include <glib.h>
#include <spice/vd_agent.h>

static RedAgentChunkFate fate_of(const RedAgentPolicy *policy, uint32_t type)
{
    switch (type) {
    case VD_AGENT_CLIPBOARD:
    case VD_AGENT_CLIPBOARD_GRAB:
    case VD_AGENT_CLIPBOARD_REQUEST:
    case VD_AGENT_CLIPBOARD_RELEASE:
        return policy->copypaste ? RED_AGENT_CHUNK_PASS : RED_AGENT_CHUNK_DROP;
    case VD_AGENT_FILE_XFER_START:
    case VD_AGENT_FILE_XFER_STATUS:
    case VD_AGENT_FILE_XFER_DATA:
        return policy->file_xfer ? RED_AGENT_CHUNK_PASS : RED_AGENT_CHUNK_DROP;
    case VD_AGENT_MONITORS_CONFIG:
        return policy->monitors_to_devices ? RED_AGENT_CHUNK_TAKE : RED_AGENT_CHUNK_PASS;
    default:
        return RED_AGENT_CHUNK_PASS;
    }
}

RedAgentFrameError red_agent_frame_chunk(RedAgentFraming *f, const RedAgentPolicy *policy,
                                         const uint8_t *data, uint32_t len,
                                         RedAgentChunkFate *fate, bool *ends, uint32_t *value)
{
    uint32_t payload = len;
    uint32_t msg_left = f->msg_left;
    RedAgentChunkFate msg_fate = f->fate;
    if (msg_left == 0) {
        VDAgentMessage h;
        if (len < sizeof(h)) {
            *value = len;
            return RED_AGENT_FRAME_NO_HEADER;
        }
        memcpy(&h, data, sizeof(h));
        uint32_t protocol = GUINT32_FROM_LE(h.protocol), type = GUINT32_FROM_LE(h.type);
        if (protocol != VD_AGENT_PROTOCOL) {
            *value = protocol;
            return RED_AGENT_FRAME_BAD_HEADER;
        }
        if (type == 0 || type >= VD_AGENT_END_MESSAGE) {
            *value = type;
            return RED_AGENT_FRAME_BAD_HEADER;
        }
        payload = len - (uint32_t)sizeof(h);
        msg_left = GUINT32_FROM_LE(h.size);
        msg_fate = fate_of(policy, type);
    }
    if (payload > msg_left) {
        *value = payload - msg_left;
        return RED_AGENT_FRAME_OVERRUN;
    }
    f->msg_left = msg_left - payload;
    f->fate = msg_fate;
    *fate = msg_fate;
    *ends = f->msg_left == 0;
    return RED_AGENT_FRAME_OK;
}

const char *red_agent_frame_error_str(RedAgentFrameError err)
{
    switch (err) {
    case RED_AGENT_FRAME_OK: return "ok";
    case RED_AGENT_FRAME_NO_HEADER: return "message starts without its 20-byte header; chunk size";
    case RED_AGENT_FRAME_BAD_HEADER: return "message header refused: protocol or type";
    case RED_AGENT_FRAME_OVERRUN: return "chunk runs past the message end by";
    }
    return "?";
}
