// SPDX-License-Identifier: LGPL-2.1-or-later
/* inputs-channel.h: the inputs channel (keyboard, mouse, tablet), offered as
 * (INPUTS, 0) in the server's channel registry.
 *
 * Threads: main thread only.
 */
#ifndef INPUTS_CHANNEL_H
#define INPUTS_CHANNEL_H

#include <stdint.h>

#include "reds.h"

typedef struct InputsChannel InputsChannel;

/* Creates the channel, registers its class and offers (INPUTS, 0). */
InputsChannel *inputs_channel_new(RedsState *reds);
/* At spice_server_init, once the core is known: creates the timer that
 * sends the keyboard LEDs back after lock keys.  0, or -1. */
int inputs_channel_start(InputsChannel *ic);
/* Frees it; its clients must be closed already (registry close_all). NULL ok. */
void inputs_channel_free(InputsChannel *ic);

/* Sends the keyboard LEDs (reds_get_kbd_leds) to every client. */
void inputs_channel_send_leds(InputsChannel *ic);
/* The primary surface is width x height: the tablet's logical size. */
void inputs_channel_set_tablet_size(InputsChannel *ic, uint32_t width, uint32_t height);

#endif /* INPUTS_CHANNEL_H */
