/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spice-samples.c: sample messages, with field values chosen so that every
 * byte differs from its neighbours (a field written at the wrong offset or
 * width shows up in the golden and round-trip tests). */
#include "config.h"

#include "spice-samples.h"

#define D SPICE_CHANNEL_DISPLAY
#define M SPICE_CHANNEL_MAIN
#define C SPICE_CHANNEL_CURSOR
#define I SPICE_CHANNEL_INPUTS

static uint8_t rects_wire[3 * SPICE_MSG_RECT_WIRE_SIZE];
static uint8_t heads_wire[2 * SPICE_MSG_HEAD_WIRE_SIZE];
static const uint8_t channels_wire[] = { 2, 0, 3, 0, 4, 0 };
static const uint8_t wait_wire[SPICE_MSG_WAIT_CHANNEL_WIRE_SIZE] = { 2, 0, 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t bytes[] = "abcdefghijklmnopqrstuvwxyz0123456789";
static uint8_t pixels[3 * 12]; /* 3x3 32-bit with stride 12 */
static const uint8_t lz4_payload[] = { 1, SPICE_BITMAP_FMT_32BIT, 0, 0, 0, 2, 0x10, 0x00 };
static uint8_t resources_wire[2 * SPICE_MSG_RESOURCE_WIRE_SIZE];
static const uint64_t resource_ids[2] = { 0x0102030405060708ull, 0x1112131415161718ull };
static const uint8_t cursor_shape[2 * 2 * 4] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static SpiceSampleMsg server[64];
static size_t n_server;
static SpiceSampleMsgc client[64];
static size_t n_client;

static SpiceMsg *add(uint8_t channel, uint16_t type)
{
    SpiceSampleMsg *s = &server[n_server++];
    s->channel = channel;
    s->msg.type = type;
    return &s->msg;
}

static SpiceMsgc *addc(uint8_t channel, uint16_t type, bool fixed)
{
    SpiceSampleMsgc *s = &client[n_client++];
    s->channel = channel;
    s->fixed = fixed;
    s->msg.type = type;
    return &s->msg;
}

static SpiceMsgDisplayBase base_with_clip(bool rects)
{
    SpiceMsgDisplayBase b = { .surface_id = 0, .box = { 1, 2, 30, 40 } };
    b.clip.type = rects ? SPICE_CLIP_TYPE_RECTS : SPICE_CLIP_TYPE_NONE;
    if (rects) {
        b.clip.rects = (SpiceWireArray){ rects_wire, 3 };
    }
    return b;
}

static SpiceMsgImage bitmap_image(void)
{
    SpiceMsgImage img = { .id = 0x1122334455667788ull, .type = SPICE_IMAGE_TYPE_BITMAP,
                          .width = 3, .height = 3, .bitmap_format = SPICE_BITMAP_FMT_32BIT,
                          .bitmap_flags = SPICE_BITMAP_FLAGS_TOP_DOWN, .bitmap_x = 3,
                          .bitmap_y = 3, .bitmap_stride = 12 };
    img.data = (SpiceWireArray){ pixels, sizeof(pixels) };
    return img;
}

static void build_server(void)
{
    SpiceMsg *m;
    static const uint8_t channels[] = { M, D, C, I };
    /* base messages on every channel */
    for (size_t i = 0; i < sizeof(channels); i++) {
        m = add(channels[i], SPICE_MSG_SET_ACK);
        m->u.set_ack = (SpiceMsgSetAck){ 0x01020304, 20 };
        m = add(channels[i], SPICE_MSG_PING);
        m->u.ping = (SpiceMsgPing){ 7, 0x0102030405060708ull, { bytes, 10 } };
    }
    m = add(M, SPICE_MSG_WAIT_FOR_CHANNELS);
    m->u.wait_for_channels.channels = (SpiceWireArray){ wait_wire, 1 };
    m = add(M, SPICE_MSG_DISCONNECTING);
    m->u.disconnecting = (SpiceMsgDisconnect){ 123456789, 3 };
    m = add(M, SPICE_MSG_NOTIFY);
    m->u.notify = (SpiceMsgNotify){ 99, 1, 2, 3, { bytes, 5 } };
    /* main */
    m = add(M, SPICE_MSG_MAIN_INIT);
    m->u.main_init = (SpiceMsgMainInit){ 0xdeadbeef, 1, 3, 2, 0, 10, 1000, 16 << 20 };
    m = add(M, SPICE_MSG_MAIN_CHANNELS_LIST);
    m->u.channels_list.channels = (SpiceWireArray){ channels_wire, 3 };
    m = add(M, SPICE_MSG_MAIN_MOUSE_MODE);
    m->u.mouse_mode = (SpiceMsgMainMouseMode){ 3, 2 };
    m = add(M, SPICE_MSG_MAIN_MULTI_MEDIA_TIME);
    m->u.multi_media_time.time = 4242;
    m = add(M, SPICE_MSG_MAIN_AGENT_DISCONNECTED);
    m->u.agent_disconnected.error_code = 5;
    m = add(M, SPICE_MSG_MAIN_AGENT_TOKEN);
    m->u.agent_tokens.num_tokens = 10;
    m = add(M, SPICE_MSG_MAIN_AGENT_CONNECTED_TOKENS);
    m->u.agent_tokens.num_tokens = 11;
    m = add(M, SPICE_MSG_MAIN_NAME);
    m->u.name.name = (SpiceWireArray){ (const uint8_t *)"demo", 5 };
    m = add(M, SPICE_MSG_MAIN_UUID);
    for (int i = 0; i < 16; i++) {
        m->u.uuid.uuid[i] = (uint8_t)(0xa0 + i);
    }
    /* display */
    add(D, SPICE_MSG_DISPLAY_MARK);
    add(D, SPICE_MSG_DISPLAY_RESET);
    add(D, SPICE_MSG_DISPLAY_INVAL_ALL_PALETTES);
    add(D, SPICE_MSG_DISPLAY_STREAM_DESTROY_ALL);
    m = add(D, SPICE_MSG_DISPLAY_INVAL_ALL_PIXMAPS);
    m->u.inval_all_pixmaps.channels = (SpiceWireArray){ wait_wire, 1 };
    spice_msg_resources_encode(SPICE_RES_TYPE_PIXMAP, resource_ids, 2, resources_wire);
    m = add(D, SPICE_MSG_DISPLAY_INVAL_LIST);
    m->u.inval_list = (SpiceMsgDisplayInvalList){ 2, { resources_wire, 2 } };
    m = add(D, SPICE_MSG_DISPLAY_SURFACE_CREATE);
    m->u.surface_create = (SpiceMsgSurfaceCreate){ 0, 1024, 768, SPICE_SURFACE_FMT_32_xRGB,
                                                   SPICE_SURFACE_FLAGS_PRIMARY };
    m = add(D, SPICE_MSG_DISPLAY_SURFACE_DESTROY);
    m->u.surface_destroy.surface_id = 7;
    m = add(D, SPICE_MSG_DISPLAY_MONITORS_CONFIG);
    m->u.monitors_config = (SpiceMsgMonitorsConfig){ 2, 4, { heads_wire, 2 } };
    for (int clip = 0; clip < 2; clip++) {
        m = add(D, SPICE_MSG_DISPLAY_DRAW_FILL);
        m->u.draw_fill = (SpiceMsgDrawFill){ .base = base_with_clip(clip),
                                             .brush_type = SPICE_BRUSH_TYPE_SOLID,
                                             .brush_color = 0x00ff8040,
                                             .rop_descriptor = SPICE_ROPD_OP_PUT };
        m = add(D, SPICE_MSG_DISPLAY_DRAW_COPY);
        m->u.draw_copy = (SpiceMsgDrawCopy){ .base = base_with_clip(clip), .src = bitmap_image(),
                                             .src_area = { 0, 0, 3, 3 },
                                             .rop_descriptor = SPICE_ROPD_OP_PUT };
        m = add(D, SPICE_MSG_DISPLAY_COPY_BITS);
        m->u.copy_bits = (SpiceMsgCopyBits){ .base = base_with_clip(clip), .src_pos = { 5, 6 } };
    }
    m = add(D, SPICE_MSG_DISPLAY_DRAW_FILL);
    m->u.draw_fill = (SpiceMsgDrawFill){ .base = base_with_clip(false),
                                         .brush_type = SPICE_BRUSH_TYPE_NONE,
                                         .rop_descriptor = SPICE_ROPD_OP_PUT };
    m = add(D, SPICE_MSG_DISPLAY_DRAW_BLEND);
    m->u.draw_copy = (SpiceMsgDrawCopy){ .base = base_with_clip(false), .src = bitmap_image(),
                                         .src_area = { 0, 0, 3, 3 },
                                         .rop_descriptor = SPICE_ROPD_OP_PUT };
    m = add(D, SPICE_MSG_DISPLAY_DRAW_COPY);
    m->u.draw_copy = (SpiceMsgDrawCopy){ .base = base_with_clip(false),
                                         .src = { .type = SPICE_IMAGE_TYPE_LZ4, .width = 1,
                                                  .height = 1,
                                                  .data = { lz4_payload, sizeof(lz4_payload) } },
                                         .src_area = { 0, 0, 1, 1 },
                                         .rop_descriptor = SPICE_ROPD_OP_PUT };
    m = add(D, SPICE_MSG_DISPLAY_DRAW_COPY);
    m->u.draw_copy = (SpiceMsgDrawCopy){ .base = base_with_clip(false),
                                         .src = { .id = 0x2122232425262728ull,
                                                  .type = SPICE_IMAGE_TYPE_FROM_CACHE,
                                                  .width = 3, .height = 3 },
                                         .src_area = { 0, 0, 3, 3 },
                                         .rop_descriptor = SPICE_ROPD_OP_PUT };
    /* cursor */
    SpiceMsgCursor shape = { .flags = 0, .unique = 77, .type = SPICE_CURSOR_TYPE_ALPHA,
                             .width = 2, .height = 2, .hot_spot_x = 1, .hot_spot_y = 1,
                             .data = { cursor_shape, sizeof(cursor_shape) } };
    m = add(C, SPICE_MSG_CURSOR_INIT);
    m->u.cursor_init = (SpiceMsgCursorInit){ { 10, 20 }, 0, 0, 1, shape };
    m = add(C, SPICE_MSG_CURSOR_INIT);
    m->u.cursor_init = (SpiceMsgCursorInit){ { 0, 0 }, 0, 0, 0, { .flags = SPICE_CURSOR_FLAGS_NONE } };
    m = add(C, SPICE_MSG_CURSOR_SET);
    m->u.cursor_set = (SpiceMsgCursorSet){ { -3, 400 }, 1, shape };
    m = add(C, SPICE_MSG_CURSOR_MOVE);
    m->u.cursor_move.position = (SpiceMsgPoint16){ 300, -2 };
    m = add(C, SPICE_MSG_CURSOR_TRAIL);
    m->u.cursor_trail = (SpiceMsgCursorTrail){ 4, 5 };
    m = add(C, SPICE_MSG_CURSOR_INVAL_ONE);
    m->u.cursor_inval_one.id = 77;
    add(C, SPICE_MSG_CURSOR_RESET);
    add(C, SPICE_MSG_CURSOR_HIDE);
    add(C, SPICE_MSG_CURSOR_INVAL_ALL);
    /* inputs */
    m = add(I, SPICE_MSG_INPUTS_INIT);
    m->u.inputs_init.keyboard_modifiers = SPICE_KEYBOARD_MODIFIER_FLAGS_NUM_LOCK;
    m = add(I, SPICE_MSG_INPUTS_KEY_MODIFIERS);
    m->u.key_modifiers.modifiers = SPICE_KEYBOARD_MODIFIER_FLAGS_CAPS_LOCK;
    add(I, SPICE_MSG_INPUTS_MOUSE_MOTION_ACK);
}

static void build_client(void)
{
    SpiceMsgc *m;
    static const uint8_t channels[] = { M, D, C, I };
    for (size_t i = 0; i < sizeof(channels); i++) {
        m = addc(channels[i], SPICE_MSGC_ACK_SYNC, true);
        m->u.ack_sync.generation = 0x01020304;
        addc(channels[i], SPICE_MSGC_ACK, true);
        m = addc(channels[i], SPICE_MSGC_PONG, true);
        m->u.pong = (SpiceMsgcPong){ 7, 0x0102030405060708ull };
    }
    addc(M, SPICE_MSGC_MIGRATE_FLUSH_MARK, true);
    m = addc(M, SPICE_MSGC_MIGRATE_DATA, false);
    m->u.raw = (SpiceWireArray){ bytes, 8 };
    m = addc(M, SPICE_MSGC_DISCONNECTING, true);
    m->u.disconnecting = (SpiceMsgDisconnect){ 5, 6 };
    m = addc(M, SPICE_MSGC_MAIN_CLIENT_INFO, false);
    m->u.raw = (SpiceWireArray){ bytes, 8 };
    addc(M, SPICE_MSGC_MAIN_MIGRATE_CONNECTED, true);
    addc(M, SPICE_MSGC_MAIN_MIGRATE_CONNECT_ERROR, true);
    addc(M, SPICE_MSGC_MAIN_ATTACH_CHANNELS, true);
    m = addc(M, SPICE_MSGC_MAIN_MOUSE_MODE_REQUEST, true);
    m->u.mouse_mode_request.mode = SPICE_MOUSE_MODE_CLIENT;
    m = addc(M, SPICE_MSGC_MAIN_AGENT_START, true);
    m->u.agent_tokens.num_tokens = 10;
    m = addc(M, SPICE_MSGC_MAIN_AGENT_DATA, false);
    m->u.raw = (SpiceWireArray){ bytes, 20 };
    m = addc(M, SPICE_MSGC_MAIN_AGENT_TOKEN, true);
    m->u.agent_tokens.num_tokens = 3;
    addc(M, SPICE_MSGC_MAIN_MIGRATE_END, true);
    m = addc(M, SPICE_MSGC_MAIN_MIGRATE_DST_DO_SEAMLESS, true);
    m->u.migrate_dst_do_seamless.src_version = 2;
    addc(M, SPICE_MSGC_MAIN_MIGRATE_CONNECTED_SEAMLESS, true);
    m = addc(M, SPICE_MSGC_MAIN_QUALITY_INDICATOR, false);
    m->u.raw = (SpiceWireArray){ bytes, 4 };
    m = addc(D, SPICE_MSGC_DISPLAY_INIT, true);
    m->u.display_init = (SpiceMsgcDisplayInit){ 1, 20 << 20, 1, 4 << 20 };
    m = addc(D, SPICE_MSGC_DISPLAY_STREAM_REPORT, true);
    m->u.stream_report = (SpiceMsgcDisplayStreamReport){ 1, 2, 3, 4, 5, 6, -7, 8 };
    m = addc(D, SPICE_MSGC_DISPLAY_PREFERRED_COMPRESSION, true);
    m->u.preferred_compression.image_compression = SPICE_IMAGE_COMPRESSION_LZ4;
    addc(D, SPICE_MSGC_DISPLAY_GL_DRAW_DONE, true);
    m = addc(D, SPICE_MSGC_DISPLAY_PREFERRED_VIDEO_CODEC_TYPE, true);
    m->u.preferred_video_codec_type.codecs = (SpiceWireArray){ (const uint8_t *)"\1\3", 2 };
    m = addc(I, SPICE_MSGC_INPUTS_KEY_DOWN, true);
    m->u.key_down.code = 0x1e;
    m = addc(I, SPICE_MSGC_INPUTS_KEY_UP, true);
    m->u.key_up.code = 0x9e;
    m = addc(I, SPICE_MSGC_INPUTS_KEY_DOWN, true);
    m->u.key_down.code = 0x48e0; /* extended key: bytes e0 48 */
    m = addc(I, SPICE_MSGC_INPUTS_KEY_MODIFIERS, true);
    m->u.key_modifiers.modifiers = 7;
    m = addc(I, SPICE_MSGC_INPUTS_KEY_SCANCODE, false);
    m->u.key_scancode.codes = (SpiceWireArray){ (const uint8_t *)"\x1e\x9e", 2 };
    m = addc(I, SPICE_MSGC_INPUTS_MOUSE_MOTION, true);
    m->u.mouse_motion = (SpiceMsgcMouseMotion){ -5, 9, 1 };
    m = addc(I, SPICE_MSGC_INPUTS_MOUSE_POSITION, true);
    m->u.mouse_position = (SpiceMsgcMousePosition){ 640, 480, 4, 0 };
    m = addc(I, SPICE_MSGC_INPUTS_MOUSE_PRESS, true);
    m->u.mouse_press = (SpiceMsgcMousePress){ SPICE_MOUSE_BUTTON_LEFT, 1 };
    m = addc(I, SPICE_MSGC_INPUTS_MOUSE_RELEASE, true);
    m->u.mouse_release = (SpiceMsgcMouseRelease){ SPICE_MOUSE_BUTTON_LEFT, 0 };
}

static void build(void)
{
    if (n_server) {
        return;
    }
    SpiceMsgRect rects[3] = { { 0, 0, 10, 10 }, { 10, 10, 20, 20 }, { -1, -2, 3, 4 } };
    SpiceMsgHead heads[2] = { { 0, 0, 1024, 768, 0, 0, 0 }, { 1, 0, 800, 600, 1024, 0, 0 } };
    spice_msg_rects_encode(rects, 3, rects_wire);
    spice_msg_heads_encode(heads, 2, heads_wire);
    for (size_t i = 0; i < sizeof(pixels); i++) {
        pixels[i] = (uint8_t)(i * 7 + 1);
    }
    build_server();
    build_client();
}

const SpiceSampleMsg *spice_samples_server(size_t *n)
{
    build();
    *n = n_server;
    return server;
}

const SpiceSampleMsgc *spice_samples_client(size_t *n)
{
    build();
    *n = n_client;
    return client;
}
