/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spice-messages.c: dispatch of every message we marshal or demarshal to the
 * codec of its body, by channel and type. */
#include "config.h"

#include "spice-display-codec.h"

#include <string.h>

/* ---- server -> client ------------------------------------------------------ */

static bool codec_base_msg(SpiceCodec *c, SpiceMsg *m)
{
    switch (m->type) {
    case SPICE_MSG_SET_ACK:
        codec_u32(c, &m->u.set_ack.generation);
        codec_u32(c, &m->u.set_ack.window);
        return true;
    case SPICE_MSG_PING:
        codec_u32(c, &m->u.ping.id);
        codec_u64(c, &m->u.ping.timestamp);
        codec_rest(c, &m->u.ping.payload);
        return true;
    case SPICE_MSG_WAIT_FOR_CHANNELS: {
        uint8_t n = (uint8_t)m->u.wait_for_channels.channels.count;
        if (c->writing && m->u.wait_for_channels.channels.count > UINT8_MAX) {
            codec_fail(c, EBADMSG);
            return true;
        }
        codec_u8(c, &n);
        m->u.wait_for_channels.channels.count = n;
        codec_array(c, &m->u.wait_for_channels.channels, SPICE_MSG_WAIT_CHANNEL_WIRE_SIZE);
        return true;
    }
    case SPICE_MSG_DISCONNECTING:
        codec_u64(c, &m->u.disconnecting.time_stamp);
        codec_u32(c, &m->u.disconnecting.reason);
        return true;
    case SPICE_MSG_NOTIFY:
        codec_u64(c, &m->u.notify.time_stamp);
        codec_u32(c, &m->u.notify.severity);
        codec_u32(c, &m->u.notify.visibility);
        codec_u32(c, &m->u.notify.what);
        codec_u32(c, &m->u.notify.message.count);
        codec_array(c, &m->u.notify.message, 1);
        return true;
    default:
        return false;
    }
}

static bool codec_main_msg(SpiceCodec *c, SpiceMsg *m)
{
    switch (m->type) {
    case SPICE_MSG_MAIN_INIT: {
        SpiceMsgMainInit *i = &m->u.main_init;
        codec_u32(c, &i->session_id);
        codec_u32(c, &i->display_channels_hint);
        codec_u32(c, &i->supported_mouse_modes);
        codec_u32(c, &i->current_mouse_mode);
        codec_u32(c, &i->agent_connected);
        codec_u32(c, &i->agent_tokens);
        codec_u32(c, &i->multi_media_time);
        codec_u32(c, &i->ram_hint);
        return true;
    }
    case SPICE_MSG_MAIN_CHANNELS_LIST:
        codec_u32(c, &m->u.channels_list.channels.count);
        codec_array(c, &m->u.channels_list.channels, SPICE_MSG_CHANNEL_ID_WIRE_SIZE);
        return true;
    case SPICE_MSG_MAIN_MOUSE_MODE:
        codec_u16(c, &m->u.mouse_mode.supported_modes);
        codec_u16(c, &m->u.mouse_mode.current_mode);
        return true;
    case SPICE_MSG_MAIN_MULTI_MEDIA_TIME:
        codec_u32(c, &m->u.multi_media_time.time);
        return true;
    case SPICE_MSG_MAIN_AGENT_CONNECTED:
        return true;
    case SPICE_MSG_MAIN_AGENT_DISCONNECTED:
        codec_u32(c, &m->u.agent_disconnected.error_code);
        return true;
    case SPICE_MSG_MAIN_AGENT_DATA:
        codec_rest(c, &m->u.raw);
        return true;
    case SPICE_MSG_MAIN_AGENT_TOKEN:
    case SPICE_MSG_MAIN_AGENT_CONNECTED_TOKENS:
        codec_u32(c, &m->u.agent_tokens.num_tokens);
        return true;
    case SPICE_MSG_MAIN_NAME:
        codec_u32(c, &m->u.name.name.count);
        codec_array(c, &m->u.name.name, 1);
        return true;
    case SPICE_MSG_MAIN_UUID:
        for (size_t i = 0; i < sizeof(m->u.uuid.uuid); i++) {
            codec_u8(c, &m->u.uuid.uuid[i]);
        }
        return true;
    default:
        return false;
    }
}

static bool codec_display_msg(SpiceCodec *c, SpiceMsg *m)
{
    switch (m->type) {
    case SPICE_MSG_DISPLAY_MARK:
    case SPICE_MSG_DISPLAY_RESET:
    case SPICE_MSG_DISPLAY_INVAL_ALL_PALETTES:
    case SPICE_MSG_DISPLAY_STREAM_DESTROY_ALL:
        return true;
    case SPICE_MSG_DISPLAY_INVAL_ALL_PIXMAPS: {
        SpiceMsg wait = { .type = SPICE_MSG_WAIT_FOR_CHANNELS };
        wait.u.wait_for_channels = m->u.inval_all_pixmaps;
        codec_base_msg(c, &wait);
        m->u.inval_all_pixmaps = wait.u.wait_for_channels;
        return true;
    }
    case SPICE_MSG_DISPLAY_INVAL_LIST: {
        SpiceMsgDisplayInvalList *l = &m->u.inval_list;
        codec_u16(c, &l->count);
        if (c->writing && l->resources.count != l->count) {
            codec_fail(c, EBADMSG);
            return true;
        }
        l->resources.count = l->count;
        codec_array(c, &l->resources, SPICE_MSG_RESOURCE_WIRE_SIZE);
        return true;
    }
    case SPICE_MSG_DISPLAY_SURFACE_CREATE: {
        SpiceMsgSurfaceCreate *s = &m->u.surface_create;
        codec_u32(c, &s->surface_id);
        codec_u32(c, &s->width);
        codec_u32(c, &s->height);
        codec_u32(c, &s->format);
        codec_u32(c, &s->flags);
        return true;
    }
    case SPICE_MSG_DISPLAY_SURFACE_DESTROY:
        codec_u32(c, &m->u.surface_destroy.surface_id);
        return true;
    case SPICE_MSG_DISPLAY_MONITORS_CONFIG: {
        SpiceMsgMonitorsConfig *mc = &m->u.monitors_config;
        codec_u16(c, &mc->count);
        codec_u16(c, &mc->max_allowed);
        if (mc->count > SPICE_MSG_MAX_MONITORS ||
            (c->writing && mc->heads.count != mc->count)) {
            codec_fail(c, EBADMSG);
            return true;
        }
        mc->heads.count = mc->count;
        codec_array(c, &mc->heads, SPICE_MSG_HEAD_WIRE_SIZE);
        return true;
    }
    case SPICE_MSG_DISPLAY_DRAW_FILL:
        codec_draw_fill(c, &m->u.draw_fill);
        return true;
    case SPICE_MSG_DISPLAY_DRAW_COPY:
    case SPICE_MSG_DISPLAY_DRAW_BLEND:
        codec_draw_copy(c, &m->u.draw_copy);
        return true;
    case SPICE_MSG_DISPLAY_COPY_BITS:
        codec_copy_bits(c, &m->u.copy_bits);
        return true;
    case SPICE_MSG_DISPLAY_STREAM_CREATE:
        codec_stream_create(c, &m->u.stream_create);
        return true;
    case SPICE_MSG_DISPLAY_STREAM_DATA:
        codec_stream_data(c, &m->u.stream_data);
        return true;
    case SPICE_MSG_DISPLAY_STREAM_DESTROY:
        codec_u32(c, &m->u.stream_destroy.id);
        return true;
    case SPICE_MSG_DISPLAY_STREAM_ACTIVATE_REPORT: {
        SpiceMsgStreamActivateReport *a = &m->u.stream_activate_report;
        codec_u32(c, &a->stream_id);
        codec_u32(c, &a->unique_id);
        codec_u32(c, &a->max_window_size);
        codec_u32(c, &a->timeout_ms);
        return true;
    }
    default:
        return false;
    }
}

static bool codec_cursor_msg(SpiceCodec *c, SpiceMsg *m)
{
    switch (m->type) {
    case SPICE_MSG_CURSOR_INIT:
        codec_point16(c, &m->u.cursor_init.position);
        codec_u16(c, &m->u.cursor_init.trail_length);
        codec_u16(c, &m->u.cursor_init.trail_frequency);
        codec_u8(c, &m->u.cursor_init.visible);
        codec_cursor(c, &m->u.cursor_init.cursor);
        return true;
    case SPICE_MSG_CURSOR_SET:
        codec_point16(c, &m->u.cursor_set.position);
        codec_u8(c, &m->u.cursor_set.visible);
        codec_cursor(c, &m->u.cursor_set.cursor);
        return true;
    case SPICE_MSG_CURSOR_MOVE:
        codec_point16(c, &m->u.cursor_move.position);
        return true;
    case SPICE_MSG_CURSOR_TRAIL:
        codec_u16(c, &m->u.cursor_trail.length);
        codec_u16(c, &m->u.cursor_trail.frequency);
        return true;
    case SPICE_MSG_CURSOR_INVAL_ONE:
        codec_u64(c, &m->u.cursor_inval_one.id);
        return true;
    case SPICE_MSG_CURSOR_RESET:
    case SPICE_MSG_CURSOR_HIDE:
    case SPICE_MSG_CURSOR_INVAL_ALL:
        return true;
    default:
        return false;
    }
}

static bool codec_inputs_msg(SpiceCodec *c, SpiceMsg *m)
{
    switch (m->type) {
    case SPICE_MSG_INPUTS_INIT:
        codec_u16(c, &m->u.inputs_init.keyboard_modifiers);
        return true;
    case SPICE_MSG_INPUTS_KEY_MODIFIERS:
        codec_u16(c, &m->u.key_modifiers.modifiers);
        return true;
    case SPICE_MSG_INPUTS_MOUSE_MOTION_ACK:
        return true;
    default:
        return false;
    }
}

/* The spicevmc channels (usbredir, webdav, port) carry the device's bytes
 * as they are; compressed data is never negotiated (we offer no caps). */
static bool codec_spicevmc_msg(SpiceCodec *c, SpiceMsg *m)
{
    if (m->type != SPICE_MSG_SPICEVMC_DATA) {
        return false;
    }
    codec_rest(c, &m->u.raw);
    return true;
}

/* The volume array of PLAYBACK_VOLUME and RECORD_VOLUME: a u8 count, then
 * u16 per channel. */
static void codec_audio_volume(SpiceCodec *c, SpiceMsgAudioVolume *v)
{
    uint8_t n = (uint8_t)v->volume.count;
    if (c->writing && v->volume.count > UINT8_MAX) {
        codec_fail(c, EBADMSG);
        return;
    }
    codec_u8(c, &n);
    v->volume.count = n;
    codec_array(c, &v->volume, sizeof(uint16_t));
}

static bool codec_playback_msg(SpiceCodec *c, SpiceMsg *m)
{
    switch (m->type) {
    case SPICE_MSG_PLAYBACK_DATA:
        codec_u32(c, &m->u.audio_data.time);
        codec_rest(c, &m->u.audio_data.data);
        return true;
    case SPICE_MSG_PLAYBACK_MODE:
        codec_u32(c, &m->u.audio_mode.time);
        codec_u16(c, &m->u.audio_mode.mode);
        codec_rest(c, &m->u.audio_mode.data);
        return true;
    case SPICE_MSG_PLAYBACK_START:
        codec_u32(c, &m->u.audio_start.channels);
        codec_u16(c, &m->u.audio_start.format);
        codec_u32(c, &m->u.audio_start.frequency);
        codec_u32(c, &m->u.audio_start.time);
        return true;
    case SPICE_MSG_PLAYBACK_STOP:
        return true;
    case SPICE_MSG_PLAYBACK_VOLUME:
        codec_audio_volume(c, &m->u.audio_volume);
        return true;
    case SPICE_MSG_PLAYBACK_MUTE:
        codec_u8(c, &m->u.audio_mute.mute);
        return true;
    case SPICE_MSG_PLAYBACK_LATENCY:
        codec_u32(c, &m->u.playback_latency.latency_ms);
        return true;
    default:
        return false;
    }
}

static bool codec_record_msg(SpiceCodec *c, SpiceMsg *m)
{
    switch (m->type) {
    case SPICE_MSG_RECORD_START:
        codec_u32(c, &m->u.audio_start.channels);
        codec_u16(c, &m->u.audio_start.format);
        codec_u32(c, &m->u.audio_start.frequency);
        return true;
    case SPICE_MSG_RECORD_STOP:
        return true;
    case SPICE_MSG_RECORD_VOLUME:
        codec_audio_volume(c, &m->u.audio_volume);
        return true;
    case SPICE_MSG_RECORD_MUTE:
        codec_u8(c, &m->u.audio_mute.mute);
        return true;
    default:
        return false;
    }
}

static bool codec_msg(SpiceCodec *c, uint8_t channel, SpiceMsg *m)
{
    if (m->type <= SPICE_MSG_BASE_LAST) { /* channel messages start at 101 */
        return codec_base_msg(c, m);
    }
    switch (channel) {
    case SPICE_CHANNEL_MAIN: return codec_main_msg(c, m);
    case SPICE_CHANNEL_DISPLAY: return codec_display_msg(c, m);
    case SPICE_CHANNEL_CURSOR: return codec_cursor_msg(c, m);
    case SPICE_CHANNEL_INPUTS: return codec_inputs_msg(c, m);
    case SPICE_CHANNEL_PLAYBACK: return codec_playback_msg(c, m);
    case SPICE_CHANNEL_RECORD: return codec_record_msg(c, m);
    case SPICE_CHANNEL_USBREDIR:
    case SPICE_CHANNEL_WEBDAV:
    case SPICE_CHANNEL_PORT: return codec_spicevmc_msg(c, m);
    default: return false;
    }
}

/* ---- client -> server ------------------------------------------------------ */

static bool codec_base_msgc(SpiceCodec *c, SpiceMsgc *m)
{
    switch (m->type) {
    case SPICE_MSGC_ACK_SYNC:
        codec_u32(c, &m->u.ack_sync.generation);
        return true;
    case SPICE_MSGC_ACK:
    case SPICE_MSGC_MIGRATE_FLUSH_MARK:
        return true;
    case SPICE_MSGC_PONG:
        codec_u32(c, &m->u.pong.id);
        codec_u64(c, &m->u.pong.timestamp);
        return true;
    case SPICE_MSGC_MIGRATE_DATA:
        codec_rest(c, &m->u.raw);
        return true;
    case SPICE_MSGC_DISCONNECTING:
        codec_u64(c, &m->u.disconnecting.time_stamp);
        codec_u32(c, &m->u.disconnecting.reason);
        return true;
    default:
        return false;
    }
}

static bool codec_main_msgc(SpiceCodec *c, SpiceMsgc *m)
{
    switch (m->type) {
    case SPICE_MSGC_MAIN_CLIENT_INFO:
    case SPICE_MSGC_MAIN_AGENT_DATA:
    case SPICE_MSGC_MAIN_QUALITY_INDICATOR:
        codec_rest(c, &m->u.raw);
        return true;
    case SPICE_MSGC_MAIN_MIGRATE_CONNECTED:
    case SPICE_MSGC_MAIN_MIGRATE_CONNECT_ERROR:
    case SPICE_MSGC_MAIN_ATTACH_CHANNELS:
    case SPICE_MSGC_MAIN_MIGRATE_END:
    case SPICE_MSGC_MAIN_MIGRATE_CONNECTED_SEAMLESS:
        return true;
    case SPICE_MSGC_MAIN_MOUSE_MODE_REQUEST:
        codec_u16(c, &m->u.mouse_mode_request.mode);
        return true;
    case SPICE_MSGC_MAIN_AGENT_START:
    case SPICE_MSGC_MAIN_AGENT_TOKEN:
        codec_u32(c, &m->u.agent_tokens.num_tokens);
        return true;
    case SPICE_MSGC_MAIN_MIGRATE_DST_DO_SEAMLESS:
        codec_u32(c, &m->u.migrate_dst_do_seamless.src_version);
        return true;
    default:
        return false;
    }
}

static bool codec_display_msgc(SpiceCodec *c, SpiceMsgc *m)
{
    switch (m->type) {
    case SPICE_MSGC_DISPLAY_INIT: {
        SpiceMsgcDisplayInit *i = &m->u.display_init;
        codec_u8(c, &i->pixmap_cache_id);
        codec_i64(c, &i->pixmap_cache_size);
        codec_u8(c, &i->glz_dictionary_id);
        codec_i32(c, &i->glz_dictionary_window_size);
        return true;
    }
    case SPICE_MSGC_DISPLAY_STREAM_REPORT: {
        SpiceMsgcDisplayStreamReport *s = &m->u.stream_report;
        codec_u32(c, &s->stream_id);
        codec_u32(c, &s->unique_id);
        codec_u32(c, &s->start_frame_mm_time);
        codec_u32(c, &s->end_frame_mm_time);
        codec_u32(c, &s->num_frames);
        codec_u32(c, &s->num_drops);
        codec_i32(c, &s->last_frame_delay);
        codec_u32(c, &s->audio_delay);
        return true;
    }
    case SPICE_MSGC_DISPLAY_PREFERRED_COMPRESSION:
        codec_u8(c, &m->u.preferred_compression.image_compression);
        return true;
    case SPICE_MSGC_DISPLAY_GL_DRAW_DONE:
        return true;
    case SPICE_MSGC_DISPLAY_PREFERRED_VIDEO_CODEC_TYPE: {
        SpiceWireArray *codecs = &m->u.preferred_video_codec_type.codecs;
        uint8_t n = (uint8_t)codecs->count;
        if (c->writing && codecs->count > UINT8_MAX) {
            codec_fail(c, EBADMSG);
            return true;
        }
        codec_u8(c, &n);
        codecs->count = n;
        codec_array(c, codecs, 1);
        return true;
    }
    default:
        return false;
    }
}

static bool codec_inputs_msgc(SpiceCodec *c, SpiceMsgc *m)
{
    switch (m->type) {
    case SPICE_MSGC_INPUTS_KEY_DOWN:
        codec_u32(c, &m->u.key_down.code);
        return true;
    case SPICE_MSGC_INPUTS_KEY_UP:
        codec_u32(c, &m->u.key_up.code);
        return true;
    case SPICE_MSGC_INPUTS_KEY_MODIFIERS:
        codec_u16(c, &m->u.key_modifiers.modifiers);
        return true;
    case SPICE_MSGC_INPUTS_KEY_SCANCODE:
        codec_rest(c, &m->u.key_scancode.codes);
        return true;
    case SPICE_MSGC_INPUTS_MOUSE_MOTION:
        codec_i32(c, &m->u.mouse_motion.dx);
        codec_i32(c, &m->u.mouse_motion.dy);
        codec_u16(c, &m->u.mouse_motion.buttons_state);
        return true;
    case SPICE_MSGC_INPUTS_MOUSE_POSITION:
        codec_u32(c, &m->u.mouse_position.x);
        codec_u32(c, &m->u.mouse_position.y);
        codec_u16(c, &m->u.mouse_position.buttons_state);
        codec_u8(c, &m->u.mouse_position.display_id);
        return true;
    case SPICE_MSGC_INPUTS_MOUSE_PRESS:
        codec_u8(c, &m->u.mouse_press.button);
        codec_u16(c, &m->u.mouse_press.buttons_state);
        return true;
    case SPICE_MSGC_INPUTS_MOUSE_RELEASE:
        codec_u8(c, &m->u.mouse_release.button);
        codec_u16(c, &m->u.mouse_release.buttons_state);
        return true;
    default:
        return false;
    }
}

static bool codec_spicevmc_msgc(SpiceCodec *c, SpiceMsgc *m)
{
    if (m->type != SPICE_MSGC_SPICEVMC_DATA) {
        return false;
    }
    codec_rest(c, &m->u.raw);
    return true;
}

static bool codec_record_msgc(SpiceCodec *c, SpiceMsgc *m)
{
    switch (m->type) {
    case SPICE_MSGC_RECORD_DATA:
        codec_u32(c, &m->u.record_data.time);
        codec_rest(c, &m->u.record_data.data);
        return true;
    case SPICE_MSGC_RECORD_MODE:
        codec_u32(c, &m->u.record_mode.time);
        codec_u16(c, &m->u.record_mode.mode);
        codec_rest(c, &m->u.record_mode.data);
        return true;
    case SPICE_MSGC_RECORD_START_MARK:
        codec_u32(c, &m->u.record_start_mark.time);
        return true;
    default:
        return false;
    }
}

static bool codec_msgc(SpiceCodec *c, uint8_t channel, SpiceMsgc *m)
{
    if (m->type <= SPICE_MSG_BASE_LAST) { /* channel messages start at 101 */
        return codec_base_msgc(c, m);
    }
    switch (channel) {
    case SPICE_CHANNEL_MAIN: return codec_main_msgc(c, m);
    case SPICE_CHANNEL_DISPLAY: return codec_display_msgc(c, m);
    case SPICE_CHANNEL_INPUTS: return codec_inputs_msgc(c, m);
    case SPICE_CHANNEL_CURSOR: return false; /* no cursor-specific client messages */
    case SPICE_CHANNEL_PLAYBACK: return false; /* no playback-specific client messages */
    case SPICE_CHANNEL_RECORD: return codec_record_msgc(c, m);
    case SPICE_CHANNEL_USBREDIR:
    case SPICE_CHANNEL_WEBDAV:
    case SPICE_CHANNEL_PORT: return codec_spicevmc_msgc(c, m);
    default: return false;
    }
}

/* ---- entry points ---------------------------------------------------------- */

static int finish_write(SpiceCodec *c, bool known, size_t start)
{
    int err = !known ? ENOTSUP : c->error ? c->error : 0;
    if (err == 0 && spice_wire_writer_failed(c->w)) {
        err = ENOMEM;
    }
    if (err != 0) {
        /* Leave the writer as it was before this message. */
        if (!spice_wire_writer_failed(c->w)) {
            c->w->len = start;
        }
        errno = err;
        return -1;
    }
    spice_wire_end_message(c->w);
    return 0;
}

static int finish_read(SpiceCodec *c, bool known)
{
    int err = !known ? ENOTSUP : c->error ? c->error : 0;
    if (err == 0 && spice_wire_reader_failed(&c->r)) {
        err = EBADMSG;
    }
    if (err != 0) {
        errno = err;
        return -1;
    }
    return 0;
}

int spice_msg_marshal(SpiceWireWriter *w, uint8_t channel_type, const SpiceMsg *msg)
{
    SpiceMsg copy = *msg;
    SpiceCodec c = { .writing = true, .w = w };
    size_t start = w->len;
    spice_wire_begin_message(w, msg->type);
    bool known = codec_msg(&c, channel_type, &copy);
    return finish_write(&c, known, start);
}

int spice_msg_parse(uint8_t channel_type, uint16_t type, const uint8_t *body, size_t len,
                    SpiceMsg *out)
{
    SpiceCodec c = { .writing = false };
    memset(out, 0, sizeof(*out));
    out->type = type;
    spice_wire_reader_init(&c.r, body, len);
    bool known = codec_msg(&c, channel_type, out);
    return finish_read(&c, known);
}

int spice_msgc_marshal(SpiceWireWriter *w, uint8_t channel_type, const SpiceMsgc *msg)
{
    SpiceMsgc copy = *msg;
    SpiceCodec c = { .writing = true, .w = w };
    size_t start = w->len;
    spice_wire_begin_message(w, msg->type);
    bool known = codec_msgc(&c, channel_type, &copy);
    return finish_write(&c, known, start);
}

int spice_msgc_parse(uint8_t channel_type, uint16_t type, const uint8_t *body, size_t len,
                     SpiceMsgc *out)
{
    SpiceCodec c = { .writing = false };
    memset(out, 0, sizeof(*out));
    out->type = type;
    spice_wire_reader_init(&c.r, body, len);
    bool known = codec_msgc(&c, channel_type, out);
    return finish_read(&c, known);
}

/* ---- array views ----------------------------------------------------------- */

static int32_t le_i32(const uint8_t *p)
{
    return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[3] << 24);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

SpiceMsgRect spice_msg_rect_at(const SpiceWireArray *a, uint32_t i)
{
    const uint8_t *p = a->data + (size_t)i * SPICE_MSG_RECT_WIRE_SIZE;
    SpiceMsgRect r = { le_i32(p), le_i32(p + 4), le_i32(p + 8), le_i32(p + 12) };
    return r;
}

SpiceMsgHead spice_msg_head_at(const SpiceWireArray *a, uint32_t i)
{
    const uint8_t *p = a->data + (size_t)i * SPICE_MSG_HEAD_WIRE_SIZE;
    SpiceMsgHead h = {
        (uint32_t)le_i32(p), (uint32_t)le_i32(p + 4), (uint32_t)le_i32(p + 8),
        (uint32_t)le_i32(p + 12), (uint32_t)le_i32(p + 16), (uint32_t)le_i32(p + 20),
        (uint32_t)le_i32(p + 24),
    };
    return h;
}

void spice_msg_rects_encode(const SpiceMsgRect *rects, uint32_t count, uint8_t *out)
{
    for (uint32_t i = 0; i < count; i++, out += SPICE_MSG_RECT_WIRE_SIZE) {
        put_le32(out, (uint32_t)rects[i].top);
        put_le32(out + 4, (uint32_t)rects[i].left);
        put_le32(out + 8, (uint32_t)rects[i].bottom);
        put_le32(out + 12, (uint32_t)rects[i].right);
    }
}

void spice_msg_heads_encode(const SpiceMsgHead *heads, uint32_t count, uint8_t *out)
{
    for (uint32_t i = 0; i < count; i++, out += SPICE_MSG_HEAD_WIRE_SIZE) {
        const uint32_t v[7] = { heads[i].monitor_id, heads[i].surface_id, heads[i].width,
                                heads[i].height, heads[i].x, heads[i].y, heads[i].flags };
        for (int k = 0; k < 7; k++) {
            put_le32(out + 4 * k, v[k]);
        }
    }
}

void spice_msg_resources_encode(uint8_t type, const uint64_t *ids, uint32_t count, uint8_t *out)
{
    for (uint32_t i = 0; i < count; i++, out += SPICE_MSG_RESOURCE_WIRE_SIZE) {
        out[0] = type;
        put_le32(out + 1, (uint32_t)ids[i]);
        put_le32(out + 5, (uint32_t)(ids[i] >> 32));
    }
}

uint64_t spice_msg_resource_at(const SpiceWireArray *a, uint32_t i, uint8_t *type)
{
    const uint8_t *p = a->data + (size_t)i * SPICE_MSG_RESOURCE_WIRE_SIZE;
    *type = p[0];
    return (uint64_t)(uint32_t)le_i32(p + 1) | (uint64_t)(uint32_t)le_i32(p + 5) << 32;
}
