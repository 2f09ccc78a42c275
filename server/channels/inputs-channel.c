/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* inputs-channel.c: keyboard and mouse from the client to the host's
 * keyboard/mouse/tablet interfaces.
 *
 * Keys arrive as PC/XT set-1 scancodes packed into a u32, least significant
 * byte first (an 0xE0-prefixed key is 0xXXE0); we push bytes until a zero
 * byte.  Motion is acknowledged every SPICE_INPUT_MOTION_ACK_BUNCH messages:
 * spice-gtk stops sending motion when acks lag. */
#include "config.h"

#include "red-log.h"
#include "reds.h"

typedef struct InputsClient {
    RedsState *reds;
    RedChannelClient *rcc;
    RedsConnection *connection;
    unsigned motion_count;
} InputsClient;

static void push_scancode(RedsState *reds, uint32_t code)
{
    if (reds->keyboard == NULL) {
        return;
    }
    SpiceKbdInterface *kif = SPICE_CONTAINEROF(reds->keyboard->base.sif, SpiceKbdInterface, base);
    for (int i = 0; i < 4 && (code & 0xff); i++, code >>= 8) {
        kif->push_scan_freg(reds->keyboard, (uint8_t)(code & 0xff));
    }
}

/* SPICE button mask -> QEMU's: left 1, right 2, middle 4, wheel up 8, down 16
 * (spice has left 1, middle 2, right 4). */
static uint32_t local_buttons(uint32_t s)
{
    return (s & SPICE_MOUSE_BUTTON_MASK_LEFT) |
           ((s & SPICE_MOUSE_BUTTON_MASK_MIDDLE) << 1) |
           ((s & SPICE_MOUSE_BUTTON_MASK_RIGHT) >> 1) |
           (s & ~(uint32_t)(SPICE_MOUSE_BUTTON_MASK_LEFT | SPICE_MOUSE_BUTTON_MASK_MIDDLE |
                            SPICE_MOUSE_BUTTON_MASK_RIGHT));
}

static void sync_lock_keys(RedsState *reds, uint16_t wanted)
{
    /* The client's lock state wins: tap the keys whose LED differs. */
    static const struct { uint16_t flag; uint8_t led; uint8_t scancode; } locks[] = {
        { SPICE_KEYBOARD_MODIFIER_FLAGS_SCROLL_LOCK, SPICE_KEYBOARD_MODIFIER_FLAGS_SCROLL_LOCK, 0x46 },
        { SPICE_KEYBOARD_MODIFIER_FLAGS_NUM_LOCK, SPICE_KEYBOARD_MODIFIER_FLAGS_NUM_LOCK, 0x45 },
        { SPICE_KEYBOARD_MODIFIER_FLAGS_CAPS_LOCK, SPICE_KEYBOARD_MODIFIER_FLAGS_CAPS_LOCK, 0x3a },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(locks); i++) {
        if (((wanted & locks[i].flag) != 0) != ((reds->kbd_leds & locks[i].led) != 0)) {
            push_scancode(reds, locks[i].scancode);
            push_scancode(reds, locks[i].scancode | 0x80);
        }
    }
}

static void count_motion(InputsClient *ic)
{
    if (++ic->motion_count % SPICE_INPUT_MOTION_ACK_BUNCH == 0) {
        SpiceMsg ack = { .type = SPICE_MSG_INPUTS_MOUSE_MOTION_ACK };
        red_channel_client_send(ic->rcc, &ack);
    }
}

static bool inputs_handle_message(RedChannelClient *rcc, const SpiceMsgc *msg, void *opaque)
{
    InputsClient *ic = opaque;
    RedsState *reds = ic->reds;
    SpiceMouseInterface *mif = reds->mouse ?
        SPICE_CONTAINEROF(reds->mouse->base.sif, SpiceMouseInterface, base) : NULL;
    SpiceTabletInterface *tif = reds->tablet ?
        SPICE_CONTAINEROF(reds->tablet->base.sif, SpiceTabletInterface, base) : NULL;
    bool client_mode = reds->mouse_mode == SPICE_MOUSE_MODE_CLIENT && tif;
    (void)rcc;
    switch (msg->type) {
    case SPICE_MSGC_INPUTS_KEY_DOWN:
        push_scancode(reds, msg->u.key_down.code);
        return true;
    case SPICE_MSGC_INPUTS_KEY_UP:
        push_scancode(reds, msg->u.key_up.code);
        return true;
    case SPICE_MSGC_INPUTS_KEY_SCANCODE:
        for (uint32_t i = 0; i < msg->u.key_scancode.codes.count && reds->keyboard; i++) {
            SpiceKbdInterface *kif =
                SPICE_CONTAINEROF(reds->keyboard->base.sif, SpiceKbdInterface, base);
            kif->push_scan_freg(reds->keyboard, msg->u.key_scancode.codes.data[i]);
        }
        return true;
    case SPICE_MSGC_INPUTS_KEY_MODIFIERS:
        sync_lock_keys(reds, msg->u.key_modifiers.modifiers);
        return true;
    case SPICE_MSGC_INPUTS_MOUSE_MOTION:
        count_motion(ic);
        if (!client_mode && mif) {
            mif->motion(reds->mouse, msg->u.mouse_motion.dx, msg->u.mouse_motion.dy, 0,
                        local_buttons(msg->u.mouse_motion.buttons_state));
        }
        return true;
    case SPICE_MSGC_INPUTS_MOUSE_POSITION:
        count_motion(ic);
        if (client_mode) {
            tif->position(reds->tablet, (int)msg->u.mouse_position.x,
                          (int)msg->u.mouse_position.y,
                          local_buttons(msg->u.mouse_position.buttons_state));
        }
        return true;
    case SPICE_MSGC_INPUTS_MOUSE_PRESS: {
        uint8_t b = msg->u.mouse_press.button;
        uint32_t state = local_buttons(msg->u.mouse_press.buttons_state);
        int dz = b == SPICE_MOUSE_BUTTON_UP ? -1 : b == SPICE_MOUSE_BUTTON_DOWN ? 1 : 0;
        if (client_mode) {
            if (dz) {
                tif->wheel(reds->tablet, dz, state);
            } else {
                tif->buttons(reds->tablet, state);
            }
        } else if (mif) {
            if (dz) {
                mif->motion(reds->mouse, 0, 0, dz, state);
            } else {
                mif->buttons(reds->mouse, state);
            }
        }
        return true;
    }
    case SPICE_MSGC_INPUTS_MOUSE_RELEASE: {
        uint32_t state = local_buttons(msg->u.mouse_release.buttons_state);
        if (client_mode) {
            tif->buttons(reds->tablet, state);
        } else if (mif) {
            mif->buttons(reds->mouse, state);
        }
        return true;
    }
    default:
        return false;
    }
}

static void inputs_on_closed(RedChannelClient *rcc, void *opaque)
{
    InputsClient *ic = opaque;
    RedsState *reds = ic->reds;
    (void)rcc;
    reds->inputs_clients = g_list_remove(reds->inputs_clients, ic);
    red_channel_client_free(ic->rcc);
    reds_connection_closed(reds, ic->connection);
    g_free(ic);
}

static const RedChannelClientOps inputs_ops = {
    .handle_message = inputs_handle_message,
    .on_closed = inputs_on_closed,
};

static uint8_t current_leds(RedsState *reds)
{
    if (reds->keyboard) {
        SpiceKbdInterface *kif = SPICE_CONTAINEROF(reds->keyboard->base.sif, SpiceKbdInterface, base);
        if (kif->get_leds) {
            reds->kbd_leds = kif->get_leds(reds->keyboard);
        }
    }
    return reds->kbd_leds;
}

void reds_inputs_client_linked(RedsState *reds, RedStream *stream, const SpiceLinkRequest *req)
{
    InputsClient *ic = g_new0(InputsClient, 1);
    ic->reds = reds;
    ic->connection = reds_connection_new(reds, red_stream_fd(stream), SPICE_CHANNEL_INPUTS, 0);
    ic->rcc = red_channel_client_new(reds->core, stream, req, false, &inputs_ops, ic);
    if (ic->rcc == NULL) {
        reds_connection_closed(reds, ic->connection);
        g_free(ic);
        return;
    }
    reds->inputs_clients = g_list_prepend(reds->inputs_clients, ic);
    reds_connection_event(reds, ic->connection, SPICE_CHANNEL_EVENT_CONNECTED);
    reds_connection_event(reds, ic->connection, SPICE_CHANNEL_EVENT_INITIALIZED);
    SpiceMsg init = { .type = SPICE_MSG_INPUTS_INIT,
                      .u.inputs_init.keyboard_modifiers = current_leds(reds) };
    red_channel_client_send(ic->rcc, &init);
}

void reds_inputs_send_leds(RedsState *reds)
{
    for (GList *l = reds->inputs_clients, *next; l; l = next) {
        next = l->next;
        InputsClient *ic = l->data;
        SpiceMsg m = { .type = SPICE_MSG_INPUTS_KEY_MODIFIERS,
                       .u.key_modifiers.modifiers = reds->kbd_leds };
        red_channel_client_send(ic->rcc, &m);
    }
}

void reds_inputs_close_all(RedsState *reds)
{
    while (reds->inputs_clients) {
        InputsClient *ic = reds->inputs_clients->data;
        red_channel_client_close(ic->rcc, "session closed");
    }
}

typedef struct TabletSize {
    uint32_t width, height;
} TabletSize;

static void set_tablet_size(RedsState *reds, void *data)
{
    TabletSize *size = data;
    if (reds->tablet) {
        SpiceTabletInterface *tif =
            SPICE_CONTAINEROF(reds->tablet->base.sif, SpiceTabletInterface, base);
        tif->set_logical_size(reds->tablet, (int)size->width, (int)size->height);
    }
    g_free(size);
}

void reds_update_tablet_size(RedsState *reds, uint32_t width, uint32_t height)
{
    /* Called from a worker: the tablet belongs to the main thread. */
    TabletSize *size = g_new(TabletSize, 1);
    size->width = width;
    size->height = height;
    reds_post_to_main(reds, set_tablet_size, size);
}

RED_EXPORT int spice_server_kbd_leds(SpiceKbdInstance *sin, int leds)
{
    RedsState *reds = sin ? (RedsState *)sin->st : NULL;
    if (reds == NULL) {
        return -1;
    }
    reds->kbd_leds = (uint8_t)leds;
    reds_inputs_send_leds(reds);
    return 0;
}
