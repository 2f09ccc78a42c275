// SPDX-License-Identifier: LGPL-2.1-or-later
/* reds-state.c: the accessors of reds.h over the private RedsState. */
#include "config.h"

#include "reds-private.h"

#include <stdlib.h>

#include "red-log.h"

const SpiceCoreInterface *reds_get_core(const RedsState *reds)
{
    return reds->core;
}

RedChannelRegistry *reds_get_registry(RedsState *reds)
{
    return reds->registry;
}

RedSessions *reds_get_sessions(RedsState *reds)
{
    return reds->sessions;
}

unsigned reds_count_clients(const RedsState *reds)
{
    return red_sessions_count(reds->sessions);
}

void reds_end_all_sessions(RedsState *reds, const char *why)
{
    red_sessions_end_all(reds->sessions, why);
}

void reds_client_disconnected(RedsState *reds)
{
    if (reds->exit_on_disconnect) {
        red_log_info("a client disconnected and exit on disconnect is on: exiting");
        exit(0);
    }
}

struct RedAgent *reds_get_agent(RedsState *reds)
{
    return reds->agent;
}

bool reds_agent_copypaste(const RedsState *reds)
{
    return reds->agent_copypaste;
}

bool reds_agent_file_xfer(const RedsState *reds)
{
    return reds->agent_file_xfer;
}

SpiceKbdInstance *reds_get_keyboard(const RedsState *reds)
{
    return reds->keyboard;
}

SpiceMouseInstance *reds_get_mouse(const RedsState *reds)
{
    return reds->mouse;
}

SpiceTabletInstance *reds_get_tablet(const RedsState *reds)
{
    return reds->tablet;
}

uint8_t reds_get_kbd_leds(const RedsState *reds)
{
    return reds->kbd_leds;
}

void reds_set_kbd_leds(RedsState *reds, uint8_t leds)
{
    reds->kbd_leds = leds;
}

bool reds_agent_mouse(const RedsState *reds)
{
    return reds->agent_mouse && reds->vdagent_attached;
}

uint32_t reds_supported_mouse_modes(const RedsState *reds)
{
    bool client = reds->tablet || reds_agent_mouse(reds);
    return SPICE_MOUSE_MODE_SERVER | (client ? SPICE_MOUSE_MODE_CLIENT : 0);
}

uint32_t reds_get_mouse_mode(const RedsState *reds)
{
    return reds->mouse_mode;
}

int reds_set_mouse_mode(RedsState *reds, uint32_t mode)
{
    if (!(mode & reds_supported_mouse_modes(reds)) ||
        (mode != SPICE_MOUSE_MODE_SERVER && mode != SPICE_MOUSE_MODE_CLIENT)) {
        return -1;
    }
    reds->mouse_mode = mode;
    return 0;
}

void reds_check_mouse_mode(RedsState *reds)
{
    if (!(reds_supported_mouse_modes(reds) & reds->mouse_mode)) {
        reds->mouse_mode = SPICE_MOUSE_MODE_SERVER;
    }
}
