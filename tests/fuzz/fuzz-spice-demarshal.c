/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-spice-demarshal: libFuzzer target for every client -> server parser
 * (the link message and the data-phase bodies of all four channels).
 *
 * Input layout: byte 0 selects the channel (and the link parser), bytes 1-2
 * the message type, the rest is the body.  Each body is parsed from a buffer
 * of exactly its size so ASan catches any read past it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "spice-link.h"
#include "spice-messages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t channels[] = { SPICE_CHANNEL_MAIN, SPICE_CHANNEL_DISPLAY,
                                        SPICE_CHANNEL_CURSOR, SPICE_CHANNEL_INPUTS };
    if (size < 3) {
        return 0;
    }
    uint8_t sel = data[0];
    uint16_t type = (uint16_t)(data[1] | data[2] << 8);
    size_t n = size - 3;
    uint8_t *body = malloc(n ? n : 1);
    if (body == NULL) {
        return 0;
    }
    memcpy(body, data + 3, n);
    if (sel == 0xff) {
        SpiceLinkRequest req;
        (void)spice_link_mess_parse(body, n, &req);
    } else {
        uint8_t channel = channels[sel % 4];
        SpiceMsgc c;
        if (spice_msgc_parse(channel, type, body, n, &c) == 0) {
            /* what parsed must marshal back without touching freed memory */
            SpiceWireWriter w;
            spice_wire_writer_init(&w);
            (void)spice_msgc_marshal(&w, channel, &c);
            spice_wire_writer_finish(&w);
        }
        /* the same bytes as a server message (our test client's parser) */
        SpiceMsg s;
        if (spice_msg_parse(channel, type, body, n, &s) == 0 &&
            s.type == SPICE_MSG_DISPLAY_MONITORS_CONFIG && s.u.monitors_config.count) {
            (void)spice_msg_head_at(&s.u.monitors_config.heads, s.u.monitors_config.count - 1);
        }
    }
    free(body);
    return 0;
}
