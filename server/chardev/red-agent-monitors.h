/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-agent-monitors.h: a client's VD_AGENT_MONITORS_CONFIG on its way to
 * the display devices instead of the agent (reds_take_monitors_config), as
 * upstream's server hands it to QXLInterface.client_monitors_config: the
 * message's chunks are collected, bounded, then checked and converted to
 * host byte order.
 *
 * Threads: the main thread (the client's main channel).
 */
#ifndef RED_AGENT_MONITORS_H
#define RED_AGENT_MONITORS_H

#include <stdbool.h>
#include <stdint.h>

#include <spice/vd_agent.h>

/* Upstream's bound: 256 monitors, each with its physical size. */
#define RED_AGENT_MONITORS_MAX 256
#define RED_AGENT_MONITORS_MAX_BYTES \
    (sizeof(VDAgentMonitorsConfig) + \
     RED_AGENT_MONITORS_MAX * (sizeof(VDAgentMonConfig) + sizeof(VDAgentMonitorMM)))

typedef struct RedAgentMonitors {
    uint8_t *body;          /* the message after its VDAgentMessage header */
    uint32_t size, have;    /* its declared size, bytes collected */
} RedAgentMonitors;

/* Adds one chunk of the message; the first starts with the VDAgentMessage
 * header (red_agent_frame_chunk checked that it is there and that no chunk
 * runs past the declared size).  -1 with *value = the declared size when
 * it exceeds RED_AGENT_MONITORS_MAX_BYTES (or the bytes so far, should a
 * chunk ever run past it). */
int red_agent_monitors_add(RedAgentMonitors *m, const uint8_t *data, uint32_t len,
                           uint32_t *value);
/* The message is complete: the config in host byte order (g_free it), or
 * NULL with *why and *value naming what is wrong (too short for its
 * monitor count, too many monitors).  m is empty afterwards. */
VDAgentMonitorsConfig *red_agent_monitors_take(RedAgentMonitors *m, const char **why,
                                               uint32_t *value);
/* Forgets a message half collected (the client or the agent went). */
void red_agent_monitors_clear(RedAgentMonitors *m);

#endif /* RED_AGENT_MONITORS_H */
