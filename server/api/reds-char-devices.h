/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* reds-char-devices.h: spice_server_add/remove_interface for char devices
 * (SpiceCharDeviceInterface), dispatched by subtype.
 * Threads: main thread only.
 */
#ifndef REDS_CHAR_DEVICES_H
#define REDS_CHAR_DEVICES_H

#include <spice.h>

#include "reds.h"

/* Adds sin (interface version checked by the caller).  Returns 0, or -1
 * (logged; errno ENOTSUP for a subtype we do not serve) and sin is left as
 * it was. */
int reds_char_device_add(RedsState *reds, SpiceCharDeviceInstance *sin);
/* Removes sin; 0 also when it was never added. */
int reds_char_device_remove(SpiceCharDeviceInstance *sin);
/* Server teardown: removes every device still added (their st is cleared,
 * so a late wakeup from the host is ignored). */
void reds_char_devices_remove_all(RedsState *reds);

#endif /* REDS_CHAR_DEVICES_H */
