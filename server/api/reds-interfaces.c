/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* reds-interfaces.c: spice_server_add_interface / remove_interface: the
 * devices a host plugs in (QXL, keyboard, mouse, tablet, char devices), checked against
 * the interface versions of the 0.15 headers. */
#include "config.h"

#include <string.h>

#include "inputs-channel.h"
#include "main-channel.h"
#include "red-audio.h"
#include "red-log.h"
#include "reds-char-devices.h"
#include "reds-displays.h"
#include "reds-private.h"

static bool is_valid_version(const SpiceBaseInterface *sif, unsigned major, unsigned minor)
{
    if (sif->major_version != major || sif->minor_version > minor) {
        red_log_warn("interface %s %u.%u not supported (want %u.%u)", sif->type,
                     sif->major_version, sif->minor_version, major, minor);
        return false;
    }
    return true;
}

RED_EXPORT int spice_server_add_interface(SpiceServer *reds, SpiceBaseInstance *sin)
{
    const SpiceBaseInterface *sif = sin ? sin->sif : NULL;
    if (reds == NULL || sif == NULL || sif->type == NULL) {
        return -1;
    }
    if (strcmp(sif->type, SPICE_INTERFACE_KEYBOARD) == 0) {
        if (!is_valid_version(sif, SPICE_INTERFACE_KEYBOARD_MAJOR, SPICE_INTERFACE_KEYBOARD_MINOR)) {
            return -1;
        }
        reds->keyboard = SPICE_CONTAINEROF(sin, SpiceKbdInstance, base);
        reds->keyboard->st = (SpiceKbdState *)reds;
        return 0;
    }
    if (strcmp(sif->type, SPICE_INTERFACE_MOUSE) == 0) {
        if (!is_valid_version(sif, SPICE_INTERFACE_MOUSE_MAJOR, SPICE_INTERFACE_MOUSE_MINOR)) {
            return -1;
        }
        reds->mouse = SPICE_CONTAINEROF(sin, SpiceMouseInstance, base);
        reds->mouse->st = (SpiceMouseState *)reds;
        return 0;
    }
    if (strcmp(sif->type, SPICE_INTERFACE_TABLET) == 0) {
        if (!is_valid_version(sif, SPICE_INTERFACE_TABLET_MAJOR, SPICE_INTERFACE_TABLET_MINOR)) {
            return -1;
        }
        reds->tablet = SPICE_CONTAINEROF(sin, SpiceTabletInstance, base);
        reds->tablet->st = (SpiceTabletState *)reds;
        main_channel_send_mouse_mode(reds->main_channel);
        return 0;
    }
    if (strcmp(sif->type, SPICE_INTERFACE_QXL) == 0) {
        if (!is_valid_version(sif, SPICE_INTERFACE_QXL_MAJOR, SPICE_INTERFACE_QXL_MINOR)) {
            return -1;
        }
        return reds_displays_add(reds, SPICE_CONTAINEROF(sin, QXLInstance, base));
    }
    if (strcmp(sif->type, SPICE_INTERFACE_CHAR_DEVICE) == 0) {
        if (!is_valid_version(sif, SPICE_INTERFACE_CHAR_DEVICE_MAJOR,
                              SPICE_INTERFACE_CHAR_DEVICE_MINOR)) {
            return -1;
        }
        return reds_char_device_add(reds, SPICE_CONTAINEROF(sin, SpiceCharDeviceInstance, base));
    }
    if (strcmp(sif->type, SPICE_INTERFACE_PLAYBACK) == 0) {
        if (!is_valid_version(sif, SPICE_INTERFACE_PLAYBACK_MAJOR,
                              SPICE_INTERFACE_PLAYBACK_MINOR)) {
            return -1;
        }
        return red_audio_add_playback(reds->audio,
                                      SPICE_CONTAINEROF(sin, SpicePlaybackInstance, base));
    }
    if (strcmp(sif->type, SPICE_INTERFACE_RECORD) == 0) {
        if (!is_valid_version(sif, SPICE_INTERFACE_RECORD_MAJOR, SPICE_INTERFACE_RECORD_MINOR)) {
            return -1;
        }
        return red_audio_add_record(reds->audio,
                                    SPICE_CONTAINEROF(sin, SpiceRecordInstance, base));
    }
    if (strcmp(sif->type, SPICE_INTERFACE_MIGRATION) == 0) {
        /* Accepted so hosts start, but no channel is advertised for it:
         * migration is not implemented. */
        red_log_info("interface %s accepted; not served (unsupported)", sif->type);
        return 0;
    }
    red_log_warn("add_interface: unknown interface %s", sif->type);
    return -1;
}

RED_EXPORT int spice_server_remove_interface(SpiceBaseInstance *sin)
{
    const SpiceBaseInterface *sif = sin ? sin->sif : NULL;
    if (sif == NULL || sif->type == NULL) {
        return -1;
    }
    if (strcmp(sif->type, SPICE_INTERFACE_TABLET) == 0) {
        SpiceTabletInstance *t = SPICE_CONTAINEROF(sin, SpiceTabletInstance, base);
        RedsState *reds = (RedsState *)t->st;
        if (reds && reds->tablet == t) {
            reds->tablet = NULL;
            t->st = NULL;
            main_channel_send_mouse_mode(reds->main_channel);
        }
        return 0;
    }
    if (strcmp(sif->type, SPICE_INTERFACE_QXL) == 0) {
        return reds_displays_remove(SPICE_CONTAINEROF(sin, QXLInstance, base));
    }
    if (strcmp(sif->type, SPICE_INTERFACE_CHAR_DEVICE) == 0) {
        return reds_char_device_remove(SPICE_CONTAINEROF(sin, SpiceCharDeviceInstance, base));
    }
    if (strcmp(sif->type, SPICE_INTERFACE_PLAYBACK) == 0) {
        return red_audio_remove_playback(SPICE_CONTAINEROF(sin, SpicePlaybackInstance, base));
    }
    if (strcmp(sif->type, SPICE_INTERFACE_RECORD) == 0) {
        return red_audio_remove_record(SPICE_CONTAINEROF(sin, SpiceRecordInstance, base));
    }
    /* Keyboard and mouse are never removed by QEMU; migration was never
     * really added. */
    return 0;
}

RED_EXPORT int spice_server_kbd_leds(SpiceKbdInstance *sin, int leds)
{
    RedsState *reds = sin ? (RedsState *)sin->st : NULL;
    if (reds == NULL) {
        return -1;
    }
    reds_set_kbd_leds(reds, (uint8_t)leds);
    inputs_channel_send_leds(reds->inputs_channel);
    return 0;
}
