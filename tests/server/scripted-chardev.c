/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scripted-chardev.c: the scripted char device of the char-device tests. */
#include "config.h"

#include "scripted-chardev.h"

#include <stdint.h>
#include <string.h>

static ScriptedCharDev *scripted(SpiceCharDeviceInstance *sin)
{
    return SPICE_CONTAINEROF(sin, ScriptedCharDev, sin);
}

static void scripted_state(SpiceCharDeviceInstance *sin, int connected)
{
    scripted(sin)->state = connected;
}

static int scripted_write(SpiceCharDeviceInstance *sin, const uint8_t *buf, int len)
{
    ScriptedCharDev *d = scripted(sin);
    d->write_calls++;
    size_t n = MIN((size_t)len, d->write_budget);
    g_byte_array_append(d->from_server, buf, (guint)n);
    d->write_budget -= n;
    return (int)n;
}

static int scripted_read(SpiceCharDeviceInstance *sin, uint8_t *buf, int len)
{
    ScriptedCharDev *d = scripted(sin);
    guint n = MIN((guint)len, d->to_server->len);
    if (n == 0) {
        return 0;
    }
    memcpy(buf, d->to_server->data, n);
    g_byte_array_remove_range(d->to_server, 0, n);
    d->read_total += n;
    return (int)n;
}

static const SpiceCharDeviceInterface scripted_interface = {
    .base = { .type = SPICE_INTERFACE_CHAR_DEVICE, .description = "scripted char device",
              .major_version = SPICE_INTERFACE_CHAR_DEVICE_MAJOR,
              .minor_version = SPICE_INTERFACE_CHAR_DEVICE_MINOR },
    .state = scripted_state,
    .write = scripted_write,
    .read = scripted_read,
};

void scripted_chardev_init(ScriptedCharDev *dev, const char *subtype)
{
    memset(dev, 0, sizeof(*dev));
    dev->sin.base.sif = &scripted_interface.base;
    dev->sin.subtype = subtype;
    dev->to_server = g_byte_array_new();
    dev->from_server = g_byte_array_new();
    dev->write_budget = SIZE_MAX;
    dev->state = -1;
}

void scripted_chardev_finish(ScriptedCharDev *dev)
{
    g_byte_array_free(dev->to_server, TRUE);
    g_byte_array_free(dev->from_server, TRUE);
    dev->to_server = dev->from_server = NULL;
}
