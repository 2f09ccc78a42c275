/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* inputs-channel.c: keyboard and mouse from the clients to the host's
 * keyboard/mouse/tablet interfaces, or in client mouse mode to the guest
 * agent (VD_AGENT_MOUSE_STATE) when reds_agent_mouse says so.  Every
 * client's input is accepted, in the order it arrives; the mouse mode is
 * server-wide (reds.h).
 *
 * Keys arrive as PC/XT set-1 scancodes packed into a u32, least significant
 * byte first (an 0xE0-prefixed key is 0xXXE0); we push bytes until a zero
 * byte.  Motion is acknowledged every SPICE_INPUT_MOTION_ACK_BUNCH messages:
 * spice-gtk stops sending motion when acks lag. */
#include "config.h"

#include "inputs-channel.h"

#include "red-agent.h"
#include "red-channel-client.h"
#include "red-log.h"
#include "reds-connection.h"

/* How long after a lock key or a client's lock sync the LEDs are sent back
 * (as the real server does, 2 s): time for the guest to act on the keys. */
#define INPUTS_LEDS_ECHO_MS 2000

struct InputsChannel {
    RedsState *reds;
    GList *clients;             /* InputsClient* */
    SpiceTimer *leds_echo;      /* created at spice_server_init */
    /* The client mouse as the agent last heard it (server-wide, as the
     * mouse mode is): a button message changes only its buttons. */
    VDAgentMouseState agent_mouse;
};

typedef struct InputsClient {
    InputsChannel *channel;
    RedsState *reds;
    RedChannelClient *rcc;
    RedsConnection *connection;
    uint32_t session_id;        /* the connection id its link quoted */
    unsigned motion_count;
} InputsClient;

static void push_scancode(RedsState *reds, uint32_t code)
{
    SpiceKbdInstance *kbd = reds_get_keyboard(reds);
    if (kbd == NULL) {
        return;
    }
    SpiceKbdInterface *kif = SPICE_CONTAINEROF(kbd->base.sif, SpiceKbdInterface, base);
    for (int i = 0; i < 4 && (code & 0xff); i++, code >>= 8) {
        kif->push_scan_freg(kbd, (uint8_t)(code & 0xff));
    }
}

/* SPICE button mask -> QEMU's: left 1, right 2, middle 4, wheel up 8, down 16
 * (spice has left 1, middle 2, right 4). */
/* SPICE_MOUSE_BUTTON_MASK_* to VD_AGENT_*BUTTON_MASK: one bit up. */
static uint32_t agent_buttons(uint32_t s)
{
    return (s & (SPICE_MOUSE_BUTTON_MASK_LEFT | SPICE_MOUSE_BUTTON_MASK_MIDDLE |
                 SPICE_MOUSE_BUTTON_MASK_RIGHT)) << 1;
}

static void agent_mouse_send(InputsClient *ic)
{
    red_agent_mouse_state(reds_get_agent(ic->reds), &ic->channel->agent_mouse);
}

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
        if (((wanted & locks[i].flag) != 0) != ((reds_get_kbd_leds(reds) & locks[i].led) != 0)) {
            push_scancode(reds, locks[i].scancode);
            push_scancode(reds, locks[i].scancode | 0x80);
        }
    }
}

static bool is_lock_key(uint32_t code)
{
    return code == 0x3a || code == 0x45 || code == 0x46; /* caps, num, scroll lock */
}

/* The client toggled its lock LEDs on its own when it sent the keys; the
 * guest may not follow (no keyboard, a guest ignoring the key, a lock key
 * that changes nothing).  Sending the guest's LEDs back a little later
 * puts the client right again even when no LED change ever reaches us. */
static void arm_leds_echo(InputsChannel *channel)
{
    if (channel->leds_echo) {
        reds_get_core(channel->reds)->timer_start(channel->leds_echo, INPUTS_LEDS_ECHO_MS);
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
    SpiceKbdInstance *kbd = reds_get_keyboard(reds);
    SpiceMouseInstance *mouse = reds_get_mouse(reds);
    SpiceTabletInstance *tablet = reds_get_tablet(reds);
    SpiceMouseInterface *mif = mouse ?
        SPICE_CONTAINEROF(mouse->base.sif, SpiceMouseInterface, base) : NULL;
    SpiceTabletInterface *tif = tablet ?
        SPICE_CONTAINEROF(tablet->base.sif, SpiceTabletInterface, base) : NULL;
    /* Client mode goes through the agent when it can (upstream's order),
     * else through the tablet; server mode through the mouse. */
    bool client_mode = reds_get_mouse_mode(reds) == SPICE_MOUSE_MODE_CLIENT;
    bool via_agent = client_mode && reds_agent_mouse(reds);
    bool via_tablet = client_mode && !via_agent && tif;
    VDAgentMouseState *am = &ic->channel->agent_mouse;
    (void)rcc;
    switch (msg->type) {
    case SPICE_MSGC_INPUTS_KEY_DOWN:
        push_scancode(reds, msg->u.key_down.code);
        if (is_lock_key(msg->u.key_down.code)) {
            arm_leds_echo(ic->channel);
        }
        return true;
    case SPICE_MSGC_INPUTS_KEY_UP:
        push_scancode(reds, msg->u.key_up.code);
        return true;
    case SPICE_MSGC_INPUTS_KEY_SCANCODE:
        for (uint32_t i = 0; i < msg->u.key_scancode.codes.count && kbd; i++) {
            SpiceKbdInterface *kif = SPICE_CONTAINEROF(kbd->base.sif, SpiceKbdInterface, base);
            kif->push_scan_freg(kbd, msg->u.key_scancode.codes.data[i]);
        }
        return true;
    case SPICE_MSGC_INPUTS_KEY_MODIFIERS:
        sync_lock_keys(reds, msg->u.key_modifiers.modifiers);
        arm_leds_echo(ic->channel);
        return true;
    case SPICE_MSGC_INPUTS_MOUSE_MOTION:
        count_motion(ic);
        if (!via_agent && !via_tablet && mif) {
            mif->motion(mouse, msg->u.mouse_motion.dx, msg->u.mouse_motion.dy, 0,
                        local_buttons(msg->u.mouse_motion.buttons_state));
        }
        return true;
    case SPICE_MSGC_INPUTS_MOUSE_POSITION:
        count_motion(ic);
        if (via_agent) {
            *am = (VDAgentMouseState){ .x = msg->u.mouse_position.x,
                                       .y = msg->u.mouse_position.y,
                                       .buttons = agent_buttons(msg->u.mouse_position.buttons_state),
                                       .display_id = msg->u.mouse_position.display_id };
            agent_mouse_send(ic);
        } else if (via_tablet) {
            tif->position(tablet, (int)msg->u.mouse_position.x,
                          (int)msg->u.mouse_position.y,
                          local_buttons(msg->u.mouse_position.buttons_state));
        }
        return true;
    case SPICE_MSGC_INPUTS_MOUSE_PRESS: {
        uint8_t b = msg->u.mouse_press.button;
        uint32_t state = local_buttons(msg->u.mouse_press.buttons_state);
        int dz = b == SPICE_MOUSE_BUTTON_UP ? -1 : b == SPICE_MOUSE_BUTTON_DOWN ? 1 : 0;
        if (via_agent) {
            am->buttons = agent_buttons(msg->u.mouse_press.buttons_state) |
                          (dz < 0 ? VD_AGENT_UBUTTON_MASK : 0) |
                          (dz > 0 ? VD_AGENT_DBUTTON_MASK : 0);
            agent_mouse_send(ic);
        } else if (via_tablet) {
            if (dz) {
                tif->wheel(tablet, dz, state);
            } else {
                tif->buttons(tablet, state);
            }
        } else if (mif) {
            if (dz) {
                mif->motion(mouse, 0, 0, dz, state);
            } else {
                mif->buttons(mouse, state);
            }
        }
        return true;
    }
    case SPICE_MSGC_INPUTS_MOUSE_RELEASE: {
        uint32_t state = local_buttons(msg->u.mouse_release.buttons_state);
        if (via_agent) {
            am->buttons = agent_buttons(msg->u.mouse_release.buttons_state);
            agent_mouse_send(ic);
        } else if (via_tablet) {
            tif->buttons(tablet, state);
        } else if (mif) {
            mif->buttons(mouse, state);
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
    uint32_t session_id = ic->session_id;
    bool failed = !red_channel_client_peer_closed(rcc);
    ic->channel->clients = g_list_remove(ic->channel->clients, ic);
    red_channel_client_free(ic->rcc);
    reds_connection_closed(reds, ic->connection);
    g_free(ic);
    if (failed) {
        /* A fatal error takes the whole client, not half of it (a no-op
         * when its session is what closed us). */
        red_sessions_end(reds_get_sessions(reds), session_id, "inputs channel failed");
    }
}

static const RedChannelClientOps inputs_ops = {
    .handle_message = inputs_handle_message,
    .on_closed = inputs_on_closed,
};

static uint8_t current_leds(RedsState *reds)
{
    SpiceKbdInstance *kbd = reds_get_keyboard(reds);
    if (kbd) {
        SpiceKbdInterface *kif = SPICE_CONTAINEROF(kbd->base.sif, SpiceKbdInterface, base);
        if (kif->get_leds) {
            reds_set_kbd_leds(reds, (uint8_t)kif->get_leds(kbd));
        }
    }
    return reds_get_kbd_leds(reds);
}

static void inputs_link(void *opaque, void *instance, RedStream *stream,
                        const SpiceLinkRequest *req)
{
    InputsChannel *channel = opaque;
    RedsState *reds = channel->reds;
    (void)instance;
    InputsClient *ic = g_new0(InputsClient, 1);
    ic->channel = channel;
    ic->reds = reds;
    ic->session_id = req->connection_id;
    ic->connection = reds_connection_new(reds, red_stream_fd(stream), SPICE_CHANNEL_INPUTS, 0,
                                         req->connection_id);
    ic->rcc = red_channel_client_new(reds_get_core(reds), stream, req, false, &inputs_ops, ic);
    if (ic->rcc == NULL) {
        reds_connection_closed(reds, ic->connection);
        g_free(ic);
        return;
    }
    channel->clients = g_list_prepend(channel->clients, ic);
    reds_connection_opened(reds, ic->connection);
    SpiceMsg init = { .type = SPICE_MSG_INPUTS_INIT,
                      .u.inputs_init.keyboard_modifiers = current_leds(reds) };
    red_channel_client_send(ic->rcc, &init);
}

static void leds_echo_fired(void *opaque)
{
    InputsChannel *channel = opaque;
    (void)current_leds(channel->reds);
    inputs_channel_send_leds(channel);
}

int inputs_channel_start(InputsChannel *channel)
{
    channel->leds_echo = reds_get_core(channel->reds)->timer_add(leds_echo_fired, channel);
    if (channel->leds_echo == NULL) {
        red_log_warn("inputs: cannot create the LED timer");
        return -1;
    }
    return 0;
}

void inputs_channel_send_leds(InputsChannel *channel)
{
    for (GList *l = channel->clients, *next; l; l = next) {
        next = l->next;
        InputsClient *ic = l->data;
        SpiceMsg m = { .type = SPICE_MSG_INPUTS_KEY_MODIFIERS,
                       .u.key_modifiers.modifiers = reds_get_kbd_leds(channel->reds) };
        red_channel_client_send(ic->rcc, &m);
    }
}

/* Closes the clients of session_id, or every client when it is 0. */
static void inputs_close(InputsChannel *channel, uint32_t session_id)
{
    for (GList *l = channel->clients, *next; l; l = next) {
        next = l->next; /* closing one frees only that one */
        InputsClient *ic = l->data;
        if (session_id == 0 || ic->session_id == session_id) {
            /* an inputs client's log line says its session closed */
            red_channel_client_close(ic->rcc, "session closed");
        }
    }
}

/* Inputs clients belong to a session: they go when it ends. */
static void inputs_session_ended(void *opaque, uint32_t session_id, const char *why)
{
    (void)why;
    inputs_close(opaque, session_id);
}

static void inputs_close_all(void *opaque, const char *why)
{
    (void)why;
    inputs_close(opaque, 0);
}

static void inputs_caps(void *opaque, SpiceLinkCaps *caps)
{
    (void)opaque;
    spice_link_caps_set(caps->channel, &caps->num_channel, SPICE_INPUTS_CAP_KEY_SCANCODE);
}

static const RedChannelClass inputs_class = {
    .type = SPICE_CHANNEL_INPUTS,
    .caps = inputs_caps,
    .link = inputs_link,
    .session_ended = inputs_session_ended,
    .close_all = inputs_close_all,
};

InputsChannel *inputs_channel_new(RedsState *reds)
{
    InputsChannel *channel = g_new0(InputsChannel, 1);
    channel->reds = reds;
    RedChannelRegistry *registry = reds_get_registry(reds);
    if (red_channel_registry_add_class(registry, &inputs_class, channel) != 0 ||
        red_channel_registry_add(registry, SPICE_CHANNEL_INPUTS, 0, channel) != 0) {
        g_free(channel);
        return NULL;
    }
    return channel;
}

void inputs_channel_free(InputsChannel *channel)
{
    if (channel && channel->leds_echo) {
        reds_get_core(channel->reds)->timer_remove(channel->leds_echo);
    }
    g_free(channel);
}

void inputs_channel_set_tablet_size(InputsChannel *channel, uint32_t width, uint32_t height)
{
    SpiceTabletInstance *tablet = reds_get_tablet(channel->reds);
    if (tablet) {
        SpiceTabletInterface *tif = SPICE_CONTAINEROF(tablet->base.sif, SpiceTabletInterface, base);
        tif->set_logical_size(tablet, (int)width, (int)height);
    }
}
