/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* reds-char-devices.c: the char devices a host plugs in
 * (SpiceCharDeviceInterface), by subtype:
 * - "vdagent": the guest agent, served on the main channel (chardev/red-agent);
 * - "usbredir": a usbredir channel passing the bytes through (chardev/red-vmc);
 * - "smartcard", "port" (webdav is a port): refused, logged: add_interface
 *   returns -1 and no channel is offered, so a client never links a channel
 *   we would not serve; QEMU carries on without them.
 * The device's st points at our record of it, so wakeups and removal find
 * their owner from the instance alone, as the API requires.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "red-agent.h"
#include "red-vmc.h"
#include "red-log.h"
#include "reds-char-devices.h"

#include "main-channel.h"
#include "reds-private.h"

/* What sin->st points at while the device is added. */
struct SpiceCharDeviceState {
    RedsState *reds;
    RedCharDevice *dev;         /* owned by the agent or the vmc channel */
    bool is_agent;
};

/* The subtypes Debian's libspice-server 0.15.1 recognises, in its order
 * (upstream reds.cpp lists vdagent, smartcard when built with libcacard,
 * which Debian's is, and usbredir).  QEMU's spicevmc chardev refuses to be
 * created, and QEMU exits, when its name= is not in this list, so every
 * libvirt VM with the usual vdagent, usbredir and smartcard channels keeps
 * starting.  Served: vdagent (on the main channel), usbredir (a
 * pass-through usbredir channel).  Recognised but refused at add_interface
 * (logged; no channel offered): smartcard.  "port" is not listed
 * because QEMU's spiceport chardev never checks it (as the real library);
 * it is refused at add_interface too. */
static const char *const red_char_device_subtypes[] = {
    "vdagent",
    "smartcard",
    "usbredir",
    NULL,
};

/* Recognised char-device subtypes: the static NULL-terminated list above.
 * The caller must not modify or free it (the header's return type predates
 * const; the array lives in read-only memory). */
RED_EXPORT const char **spice_server_char_device_recognized_subtypes(void)
{
    return (const char **)red_char_device_subtypes;
}

int reds_char_device_add(RedsState *reds, SpiceCharDeviceInstance *sin)
{
    const char *subtype = sin->subtype ? sin->subtype : "(null)";
    if (sin->st != NULL) {
        red_log_warn("char device %s added twice; refused", subtype);
        errno = EINVAL;
        return -1;
    }
    bool is_agent = strcmp(subtype, "vdagent") == 0;
    if (!is_agent && strcmp(subtype, "usbredir") != 0) {
        red_log_warn("char device %s%s%s not served: only vdagent and usbredir are", subtype,
                     sin->portname ? " " : "", sin->portname ? sin->portname : "");
        errno = ENOTSUP;
        return -1;
    }
    if (!reds->initialized) {
        /* Its timers come from the core spice_server_init gives. */
        red_log_warn("char device %s added before spice_server_init; refused", subtype);
        errno = EINVAL;
        return -1;
    }
    RedCharDevice *dev = is_agent ? red_agent_attach(reds->agent, sin)
                                  : red_vmc_add(reds->vmc_channels, sin);
    if (dev == NULL) {
        return -1;
    }
    SpiceCharDeviceState *st = g_new0(SpiceCharDeviceState, 1);
    st->reds = reds;
    st->dev = dev;
    st->is_agent = is_agent;
    sin->st = st;
    reds->char_devices = g_list_prepend(reds->char_devices, sin);
    if (is_agent) {
        /* The client mouse may now go through the agent. */
        reds->vdagent_attached = true;
        main_channel_send_mouse_mode(reds->main_channel);
    }
    return 0;
}

int reds_char_device_remove(SpiceCharDeviceInstance *sin)
{
    SpiceCharDeviceState *st = sin->st;
    if (st == NULL) {
        return 0; /* never added (a refused subtype): nothing to undo */
    }
    sin->st = NULL;
    st->reds->char_devices = g_list_remove(st->reds->char_devices, sin);
    if (st->is_agent) {
        red_agent_detach(st->reds->agent, sin);
        st->reds->vdagent_attached = false;
        main_channel_send_mouse_mode(st->reds->main_channel);
    } else {
        red_vmc_remove(st->reds->vmc_channels, sin);
    }
    g_free(st);
    return 0;
}

void reds_char_devices_remove_all(RedsState *reds)
{
    while (reds->char_devices) {
        reds_char_device_remove(reds->char_devices->data);
    }
}

/* The host has data for us or room for ours (QEMU calls it when the guest
 * wrote to its port, or read from it): read and write what the flow
 * control allows.  A device that was never added (st NULL) is ignored. */
RED_EXPORT void spice_server_char_device_wakeup(SpiceCharDeviceInstance *sin)
{
    if (sin == NULL || sin->st == NULL) {
        return;
    }
    red_char_device_wakeup(sin->st->dev);
}

/* Port event (the guest opened or closed a named port): ignored, since no
 * port device is ever added (see above). */
RED_EXPORT void spice_server_port_event(SpiceCharDeviceInstance *sin, uint8_t event)
{
    (void)sin;
    (void)event;
}
