/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-vmc.h: the spicevmc pass-through channels: a "usbredir" char device
 * becomes usbredir channel N, whose SPICEVMC_DATA messages carry the
 * device's bytes as they are, both ways (spice-protocol's spicevmc
 * channel; usbredir's own protocol runs end to end between the guest's
 * usb-redir device and the client).
 *
 * One client per channel (a second link is refused, as upstream does).
 * The device learns of it through state(1)/state(0).  Flow control is TCP
 * and the host's chardev: the device is read only while the client's
 * socket queue has room; a client's messages are read only while the
 * device's write queue (RED_VMC_QUEUE bytes) has room for the largest
 * message, so neither side is ever buffered without bound.
 *
 * Threads: main thread only.
 */
#ifndef RED_VMC_H
#define RED_VMC_H

#include <spice.h>

#include "red-char-device.h"
#include "reds.h"

/* Largest SPICEVMC_DATA we take from a client: spice-gtk's usbredir writes
 * are at most 64 KiB plus usbredir's header (upstream's buffer size). */
#define RED_VMC_MAX_MESSAGE (64u * 1024 + 32)
/* The device's write queue: two of the largest messages. */
#define RED_VMC_QUEUE (2 * RED_VMC_MAX_MESSAGE)
/* Channels of one type a server offers (ids 0..RED_VMC_MAX_CHANNELS-1). */
#define RED_VMC_MAX_CHANNELS 16

typedef struct RedVmcChannels RedVmcChannels;

/* Registers the usbredir channel class with reds' registry (no channel is
 * offered until a device is added).  NULL on failure. */
RedVmcChannels *red_vmc_channels_create(RedsState *reds);
/* Every device must be removed already.  NULL ok. */
void red_vmc_channels_destroy(RedVmcChannels *vmcs);

/* Serves sin (subtype "usbredir") as the next free usbredir channel id.
 * Returns its device, or NULL (logged) when unusable or all ids are taken. */
RedCharDevice *red_vmc_add(RedVmcChannels *vmcs, SpiceCharDeviceInstance *sin);
/* Withdraws the channel, closes its client, frees the device. */
void red_vmc_remove(RedVmcChannels *vmcs, SpiceCharDeviceInstance *sin);

#endif /* RED_VMC_H */
