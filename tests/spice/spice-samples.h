/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spice-samples.h: one or more sample of every message type the protocol
 * layer knows, for the round-trip, hostile-input and fuzz-seed tests. */
#ifndef SPICE_SAMPLES_H
#define SPICE_SAMPLES_H

#include <stdbool.h>

#include "spice-messages.h"

typedef struct SpiceSampleMsg {
    uint8_t channel;
    SpiceMsg msg;
} SpiceSampleMsg;

typedef struct SpiceSampleMsgc {
    uint8_t channel;
    /* true when every byte of the body is required (no rest-of-message
     * field), so any truncation must be rejected */
    bool fixed;
    SpiceMsgc msg;
} SpiceSampleMsgc;

const SpiceSampleMsg *spice_samples_server(size_t *n);
const SpiceSampleMsgc *spice_samples_client(size_t *n);

#endif /* SPICE_SAMPLES_H */
