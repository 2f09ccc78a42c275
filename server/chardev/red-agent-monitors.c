/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-agent-monitors.c: a client's monitors config, collected and checked
 * (red-agent-monitors.h). */
#include "config.h"

#include "red-agent-monitors.h"

#include <string.h>

#include <glib.h>

int red_agent_monitors_add(RedAgentMonitors *m, const uint8_t *data, uint32_t len,
                           uint32_t *value)
{
    if (m->body == NULL) {
        VDAgentMessage h;
        memcpy(&h, data, sizeof(h));
        uint32_t size = GUINT32_FROM_LE(h.size);
        if (size > RED_AGENT_MONITORS_MAX_BYTES) {
            *value = size;
            return -1;
        }
        /* One byte at least, so an empty message still marks m as begun. */
        m->body = g_malloc(MAX(size, 1));
        m->size = size;
        m->have = 0;
        data += sizeof(h);
        len -= (uint32_t)sizeof(h);
    }
    /* The framing keeps the chunks within the declared size; checked all
     * the same, since a broken invariant here would write past body. */
    if (len > m->size - m->have) {
        *value = m->have + len;
        return -1;
    }
    memcpy(m->body + m->have, data, len);
    m->have += len;
    return 0;
}

VDAgentMonitorsConfig *red_agent_monitors_take(RedAgentMonitors *m, const char **why,
                                               uint32_t *value)
{
    VDAgentMonitorsConfig *out = NULL;
    VDAgentMonitorsConfig head;
    if (m->have < sizeof(head)) {
        *why = "monitors config shorter than its 8-byte head";
        *value = m->have;
        goto done;
    }
    memcpy(&head, m->body, sizeof(head));
    uint32_t n = GUINT32_FROM_LE(head.num_of_monitors);
    uint32_t flags = GUINT32_FROM_LE(head.flags);
    if (n > RED_AGENT_MONITORS_MAX) {
        *why = "monitors config for too many monitors";
        *value = n;
        goto done;
    }
    bool mm = flags & VD_AGENT_CONFIG_MONITORS_FLAG_PHYSICAL_SIZE;
    size_t need = sizeof(head) + (size_t)n * sizeof(VDAgentMonConfig) +
                  (mm ? (size_t)n * sizeof(VDAgentMonitorMM) : 0);
    if (m->have < need) {
        *why = "monitors config shorter than its monitor count needs";
        *value = m->have;
        goto done;
    }
    out = g_malloc(need);
    out->num_of_monitors = n;
    out->flags = flags;
    const uint8_t *p = m->body + sizeof(head);
    for (uint32_t i = 0; i < n; i++, p += sizeof(VDAgentMonConfig)) {
        VDAgentMonConfig c;
        memcpy(&c, p, sizeof(c));
        out->monitors[i] = (VDAgentMonConfig){
            .height = GUINT32_FROM_LE(c.height), .width = GUINT32_FROM_LE(c.width),
            .depth = GUINT32_FROM_LE(c.depth), .x = (int32_t)GUINT32_FROM_LE((uint32_t)c.x),
            .y = (int32_t)GUINT32_FROM_LE((uint32_t)c.y) };
    }
    if (mm) {
        /* The physical sizes follow the monitors, as on the wire. */
        uint8_t *out_mm = (uint8_t *)out + sizeof(head) + (size_t)n * sizeof(VDAgentMonConfig);
        for (uint32_t i = 0; i < n; i++, p += sizeof(VDAgentMonitorMM)) {
            VDAgentMonitorMM d;
            memcpy(&d, p, sizeof(d));
            d = (VDAgentMonitorMM){ .width = GUINT16_FROM_LE(d.width),
                                    .height = GUINT16_FROM_LE(d.height) };
            memcpy(out_mm + i * sizeof(d), &d, sizeof(d));
        }
    }
done:
    red_agent_monitors_clear(m);
    return out;
}

void red_agent_monitors_clear(RedAgentMonitors *m)
{
    g_free(m->body);
    *m = (RedAgentMonitors){ 0 };
}
