/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spice-messages.h: SPICE message bodies as C structs, their marshaller and
 * their demarshaller.
 *
 * Message numbers, channel types, caps and flag values come from Debian's
 * <spice/enums.h> and <spice/protocol.h> (libspice-protocol-dev); this header
 * adds what spice-common gives the real server and client and Debian does not
 * package: the bodies.  Layouts follow spice-common's spice.proto (see
 * ../shared/reference/spice-wire-and-abi.md §3-§7).
 *
 * Arrays inside a body (clip rectangles, channel lists, monitor heads, raw
 * payloads) are kept as views of their wire bytes (SpiceWireArray): parsing
 * copies nothing, and the typed getters below decode one element at a time.
 * A parsed message therefore points into the body it was parsed from and is
 * valid only as long as that buffer is.
 *
 * Direction: SpiceMsg is server -> client, SpiceMsgc is client -> server.
 * The server marshals SpiceMsg and demarshals SpiceMsgc; a client (our test
 * client) does the opposite, so both directions have both functions.
 */
#ifndef SPICE_MESSAGES_H
#define SPICE_MESSAGES_H

#include <stdint.h>

#include <spice/enums.h>
#include <spice/protocol.h>

#include "spice-wire.h"

/* Limits the demarshaller enforces beyond "fits in the received bytes". */
#define SPICE_MSG_MAX_CLIP_RECTS 65536      /* more than any real clip needs */
#define SPICE_MSG_MAX_MONITORS 256          /* spice-gtk's MONITORS_MAX */
#define SPICE_MSG_MAX_IMAGE_DIM 16384       /* bigger than any surface we make */

typedef struct SpiceWireArray {
    const uint8_t *data; /* wire bytes of `count` elements */
    uint32_t count;
} SpiceWireArray;

typedef struct SpiceMsgRect {
    int32_t top, left, bottom, right;
} SpiceMsgRect;

typedef struct SpiceMsgPoint {
    int32_t x, y;
} SpiceMsgPoint;

typedef struct SpiceMsgPoint16 {
    int16_t x, y;
} SpiceMsgPoint16;

/* ---- base channel (every channel) ---------------------------------------- */
typedef struct SpiceMsgSetAck { uint32_t generation, window; } SpiceMsgSetAck;
typedef struct SpiceMsgPing {
    uint32_t id;
    uint64_t timestamp;
    SpiceWireArray payload; /* bytes */
} SpiceMsgPing;
typedef struct SpiceMsgDisconnect { uint64_t time_stamp; uint32_t reason; } SpiceMsgDisconnect;
typedef struct SpiceMsgNotify {
    uint64_t time_stamp;
    uint32_t severity, visibility, what;
    SpiceWireArray message; /* bytes, message_len of them */
} SpiceMsgNotify;
typedef struct SpiceMsgWaitForChannels {
    SpiceWireArray channels; /* 10-byte {type u8, id u8, serial u64}, count u8 */
} SpiceMsgWaitForChannels;

typedef struct SpiceMsgcAckSync { uint32_t generation; } SpiceMsgcAckSync;
typedef struct SpiceMsgcPong { uint32_t id; uint64_t timestamp; } SpiceMsgcPong;

/* ---- main channel ---------------------------------------------------------- */
typedef struct SpiceMsgMainInit {
    uint32_t session_id, display_channels_hint, supported_mouse_modes,
             current_mouse_mode, agent_connected, agent_tokens,
             multi_media_time, ram_hint;
} SpiceMsgMainInit;
typedef struct SpiceMsgMainChannelsList {
    SpiceWireArray channels; /* 2-byte {type u8, id u8} */
} SpiceMsgMainChannelsList;
typedef struct SpiceMsgMainMouseMode { uint16_t supported_modes, current_mode; } SpiceMsgMainMouseMode;
typedef struct SpiceMsgMainMultiMediaTime { uint32_t time; } SpiceMsgMainMultiMediaTime;
typedef struct SpiceMsgMainAgentDisconnect { uint32_t error_code; } SpiceMsgMainAgentDisconnect;
typedef struct SpiceMsgMainAgentTokens { uint32_t num_tokens; } SpiceMsgMainAgentTokens;
typedef struct SpiceMsgMainName { SpiceWireArray name; /* bytes incl. NUL */ } SpiceMsgMainName;
typedef struct SpiceMsgMainUuid { uint8_t uuid[16]; } SpiceMsgMainUuid;

typedef struct SpiceMsgcMainMouseModeRequest { uint16_t mode; } SpiceMsgcMainMouseModeRequest;
typedef struct SpiceMsgcMainAgentTokens { uint32_t num_tokens; } SpiceMsgcMainAgentTokens;
typedef struct SpiceMsgcMainMigrateDstDoSeamless { uint32_t src_version; } SpiceMsgcMainMigrateDstDoSeamless;

/* ---- display channel ------------------------------------------------------- */
typedef struct SpiceMsgClip {
    uint8_t type;           /* SPICE_CLIP_TYPE_NONE or _RECTS */
    SpiceWireArray rects;   /* 16-byte SpiceMsgRect */
} SpiceMsgClip;

typedef struct SpiceMsgDisplayBase {
    uint32_t surface_id;
    SpiceMsgRect box;
    SpiceMsgClip clip;
} SpiceMsgDisplayBase;

typedef struct SpiceMsgImage {
    uint64_t id;
    uint8_t type;           /* SPICE_IMAGE_TYPE_BITMAP, _LZ4, _LZ_RGB, _GLZ_RGB,
                             * _ZLIB_GLZ_RGB, _JPEG or _FROM_CACHE */
    uint8_t flags;
    uint32_t width, height;
    /* BITMAP: format (SPICE_BITMAP_FMT_*), flags (TOP_DOWN), x, y, stride and
     * stride*y inline bytes in `data`.  Palettes are not supported: only
     * 16/24/32-bit and RGBA formats, palette pointer 0.
     * LZ4: `data` is the payload (top-down byte, format byte, blocks).
     * LZ_RGB: `data` is the payload (server/codecs/red-lz.h).
     * GLZ_RGB: `data` is the payload (server/codecs/red-glz.h).
     * ZLIB_GLZ_RGB: `data` is a zlib stream of a GLZ_RGB payload of
     * glz_data_size bytes.
     * JPEG: `data` is a baseline JFIF image of width x height.
     * FROM_CACHE: nothing after the descriptor; `id` names a pixmap the
     * client cached earlier (flags SPICE_IMAGE_FLAGS_CACHE_ME). */
    uint8_t bitmap_format, bitmap_flags;
    uint32_t bitmap_x, bitmap_y, bitmap_stride;
    uint32_t glz_data_size; /* ZLIB_GLZ_RGB */
    SpiceWireArray data;    /* bytes */
} SpiceMsgImage;

/* INVAL_LIST: `resources` holds `count` 9-byte entries (type u8, id u64),
 * see spice_msg_resources_encode(). */
typedef struct SpiceMsgDisplayInvalList {
    uint16_t count;
    SpiceWireArray resources;
} SpiceMsgDisplayInvalList;

typedef struct SpiceMsgQMask {
    uint8_t flags;
    SpiceMsgPoint pos;      /* the mask bitmap is always NULL in what we send */
} SpiceMsgQMask;

typedef struct SpiceMsgSurfaceCreate {
    uint32_t surface_id, width, height, format, flags;
} SpiceMsgSurfaceCreate;
typedef struct SpiceMsgSurfaceDestroy { uint32_t surface_id; } SpiceMsgSurfaceDestroy;
typedef struct SpiceMsgMonitorsConfig {
    uint16_t count, max_allowed;
    SpiceWireArray heads;   /* 28-byte SpiceMsgHead */
} SpiceMsgMonitorsConfig;
typedef struct SpiceMsgHead {
    uint32_t monitor_id, surface_id, width, height, x, y, flags;
} SpiceMsgHead;

typedef struct SpiceMsgDrawFill {
    SpiceMsgDisplayBase base;
    uint8_t brush_type;     /* SPICE_BRUSH_TYPE_NONE or _SOLID */
    uint32_t brush_color;
    uint16_t rop_descriptor;
    SpiceMsgQMask mask;
} SpiceMsgDrawFill;

/* DRAW_COPY and DRAW_BLEND share a body. */
typedef struct SpiceMsgDrawCopy {
    SpiceMsgDisplayBase base;
    SpiceMsgImage src;
    SpiceMsgRect src_area;
    uint16_t rop_descriptor;
    uint8_t scale_mode;
    SpiceMsgQMask mask;
} SpiceMsgDrawCopy;

typedef struct SpiceMsgCopyBits {
    SpiceMsgDisplayBase base;
    SpiceMsgPoint src_pos;
} SpiceMsgCopyBits;

/* Video streams (SPICE_VIDEO_CODEC_TYPE_MJPEG frames in STREAM_DATA). */
typedef struct SpiceMsgStreamCreate {
    uint32_t surface_id, id;
    uint8_t flags;          /* SPICE_STREAM_FLAGS_TOP_DOWN */
    uint8_t codec_type;     /* SPICE_VIDEO_CODEC_TYPE_* */
    uint64_t stamp;
    uint32_t stream_width, stream_height, src_width, src_height;
    SpiceMsgRect dest;
    SpiceMsgClip clip;
} SpiceMsgStreamCreate;
typedef struct SpiceMsgStreamData {
    uint32_t id, multi_media_time;
    SpiceWireArray data;    /* bytes, data_size of them: one encoded frame */
} SpiceMsgStreamData;
typedef struct SpiceMsgStreamDestroy { uint32_t id; } SpiceMsgStreamDestroy;
typedef struct SpiceMsgStreamActivateReport {
    uint32_t stream_id, unique_id, max_window_size, timeout_ms;
} SpiceMsgStreamActivateReport;

typedef struct SpiceMsgcDisplayInit {
    uint8_t pixmap_cache_id;
    int64_t pixmap_cache_size;
    uint8_t glz_dictionary_id;
    int32_t glz_dictionary_window_size;
} SpiceMsgcDisplayInit;
typedef struct SpiceMsgcDisplayStreamReport {
    uint32_t stream_id, unique_id, start_frame_mm_time, end_frame_mm_time,
             num_frames, num_drops;
    int32_t last_frame_delay;
    uint32_t audio_delay;
} SpiceMsgcDisplayStreamReport;
typedef struct SpiceMsgcDisplayPreferredCompression { uint8_t image_compression; } SpiceMsgcDisplayPreferredCompression;
typedef struct SpiceMsgcDisplayPreferredVideoCodecType {
    SpiceWireArray codecs;  /* bytes, count u8 */
} SpiceMsgcDisplayPreferredVideoCodecType;

/* ---- cursor channel --------------------------------------------------------- */
typedef struct SpiceMsgCursor {
    uint16_t flags;         /* SPICE_CURSOR_FLAGS_*; NONE: no shape follows */
    uint64_t unique;
    uint8_t type;           /* SPICE_CURSOR_TYPE_* */
    uint16_t width, height, hot_spot_x, hot_spot_y;
    SpiceWireArray data;    /* bytes: the rest of the message */
} SpiceMsgCursor;
typedef struct SpiceMsgCursorInit {
    SpiceMsgPoint16 position;
    uint16_t trail_length, trail_frequency;
    uint8_t visible;
    SpiceMsgCursor cursor;
} SpiceMsgCursorInit;
typedef struct SpiceMsgCursorSet {
    SpiceMsgPoint16 position;
    uint8_t visible;
    SpiceMsgCursor cursor;
} SpiceMsgCursorSet;
typedef struct SpiceMsgCursorMove { SpiceMsgPoint16 position; } SpiceMsgCursorMove;
typedef struct SpiceMsgCursorTrail { uint16_t length, frequency; } SpiceMsgCursorTrail;
typedef struct SpiceMsgCursorInvalOne { uint64_t id; } SpiceMsgCursorInvalOne;

/* ---- inputs channel --------------------------------------------------------- */
typedef struct SpiceMsgInputsInit { uint16_t keyboard_modifiers; } SpiceMsgInputsInit;
typedef struct SpiceMsgInputsKeyModifiers { uint16_t modifiers; } SpiceMsgInputsKeyModifiers;

typedef struct SpiceMsgcKeyDown { uint32_t code; } SpiceMsgcKeyDown;
typedef struct SpiceMsgcKeyUp { uint32_t code; } SpiceMsgcKeyUp;
typedef struct SpiceMsgcKeyModifiers { uint16_t modifiers; } SpiceMsgcKeyModifiers;
typedef struct SpiceMsgcKeyScancode { SpiceWireArray codes; /* bytes */ } SpiceMsgcKeyScancode;
typedef struct SpiceMsgcMouseMotion { int32_t dx, dy; uint16_t buttons_state; } SpiceMsgcMouseMotion;
typedef struct SpiceMsgcMousePosition {
    uint32_t x, y;
    uint16_t buttons_state;
    uint8_t display_id;
} SpiceMsgcMousePosition;
typedef struct SpiceMsgcMousePress { uint8_t button; uint16_t buttons_state; } SpiceMsgcMousePress;
typedef struct SpiceMsgcMouseRelease { uint8_t button; uint16_t buttons_state; } SpiceMsgcMouseRelease;

/* ---- playback and record channels ------------------------------------------ */
/* Audio bodies (spice.proto: playback/record).  DATA and MODE end with the
 * payload: S16 stereo frames for SPICE_AUDIO_DATA_MODE_RAW, one Opus packet
 * for SPICE_AUDIO_DATA_MODE_OPUS. */
typedef struct SpiceMsgAudioPacket {
    uint32_t time;          /* multimedia time, ms */
    SpiceWireArray data;    /* bytes: the rest of the message */
} SpiceMsgAudioPacket;
typedef struct SpiceMsgAudioMode {
    uint32_t time;
    uint16_t mode;          /* SpiceAudioDataMode */
    SpiceWireArray data;    /* bytes: the rest of the message (unused today) */
} SpiceMsgAudioMode;
/* PLAYBACK_START (time meaningful) and RECORD_START (no time on the wire). */
typedef struct SpiceMsgAudioStart {
    uint32_t channels;
    uint16_t format;        /* SpiceAudioFmt */
    uint32_t frequency;
    uint32_t time;
} SpiceMsgAudioStart;
typedef struct SpiceMsgAudioVolume {
    SpiceWireArray volume;  /* u16 per channel, count u8 */
} SpiceMsgAudioVolume;
typedef struct SpiceMsgAudioMute { uint8_t mute; } SpiceMsgAudioMute;
typedef struct SpiceMsgPlaybackLatency { uint32_t latency_ms; } SpiceMsgPlaybackLatency;
typedef struct SpiceMsgcRecordStartMark { uint32_t time; } SpiceMsgcRecordStartMark;

/* A server -> client message of any channel; `type` selects the member. */
typedef struct SpiceMsg {
    uint16_t type;
    union {
        SpiceMsgSetAck set_ack;
        SpiceMsgPing ping;
        SpiceMsgDisconnect disconnecting;
        SpiceMsgNotify notify;
        SpiceMsgWaitForChannels wait_for_channels;
        SpiceMsgMainInit main_init;
        SpiceMsgMainChannelsList channels_list;
        SpiceMsgMainMouseMode mouse_mode;
        SpiceMsgMainMultiMediaTime multi_media_time;
        SpiceMsgMainAgentDisconnect agent_disconnected;
        SpiceMsgMainAgentTokens agent_tokens;
        SpiceMsgMainName name;
        SpiceMsgMainUuid uuid;
        SpiceMsgSurfaceCreate surface_create;
        SpiceMsgSurfaceDestroy surface_destroy;
        SpiceMsgMonitorsConfig monitors_config;
        SpiceMsgDrawFill draw_fill;
        SpiceMsgDrawCopy draw_copy; /* also DRAW_BLEND */
        SpiceMsgCopyBits copy_bits;
        SpiceMsgStreamCreate stream_create;
        SpiceMsgStreamData stream_data;
        SpiceMsgStreamDestroy stream_destroy;
        SpiceMsgStreamActivateReport stream_activate_report;
        SpiceMsgWaitForChannels inval_all_pixmaps;
        SpiceMsgDisplayInvalList inval_list;
        SpiceMsgCursorInit cursor_init;
        SpiceMsgCursorSet cursor_set;
        SpiceMsgCursorMove cursor_move;
        SpiceMsgCursorTrail cursor_trail;
        SpiceMsgCursorInvalOne cursor_inval_one;
        SpiceMsgInputsInit inputs_init;
        SpiceMsgInputsKeyModifiers key_modifiers;
        SpiceMsgAudioPacket audio_data;     /* PLAYBACK_DATA */
        SpiceMsgAudioMode audio_mode;       /* PLAYBACK_MODE */
        SpiceMsgAudioStart audio_start;     /* PLAYBACK_START, RECORD_START */
        SpiceMsgAudioVolume audio_volume;   /* PLAYBACK_VOLUME, RECORD_VOLUME */
        SpiceMsgAudioMute audio_mute;       /* PLAYBACK_MUTE, RECORD_MUTE */
        SpiceMsgPlaybackLatency playback_latency;
        SpiceWireArray raw;     /* MAIN_AGENT_DATA, SPICEVMC_DATA: bytes */
    } u;
} SpiceMsg;

/* A client -> server message of any channel. */
typedef struct SpiceMsgc {
    uint16_t type;
    union {
        SpiceMsgcAckSync ack_sync;
        SpiceMsgcPong pong;
        SpiceMsgDisconnect disconnecting;
        SpiceWireArray raw;     /* bodies we only pass on or ignore */
        SpiceMsgcMainMouseModeRequest mouse_mode_request;
        SpiceMsgcMainAgentTokens agent_tokens;
        SpiceMsgcMainMigrateDstDoSeamless migrate_dst_do_seamless;
        SpiceMsgcDisplayInit display_init;
        SpiceMsgcDisplayStreamReport stream_report;
        SpiceMsgcDisplayPreferredCompression preferred_compression;
        SpiceMsgcDisplayPreferredVideoCodecType preferred_video_codec_type;
        SpiceMsgcKeyDown key_down;
        SpiceMsgcKeyUp key_up;
        SpiceMsgcKeyModifiers key_modifiers;
        SpiceMsgcKeyScancode key_scancode;
        SpiceMsgcMouseMotion mouse_motion;
        SpiceMsgcMousePosition mouse_position;
        SpiceMsgcMousePress mouse_press;
        SpiceMsgcMouseRelease mouse_release;
        SpiceMsgAudioPacket record_data;    /* RECORD_DATA */
        SpiceMsgAudioMode record_mode;      /* RECORD_MODE */
        SpiceMsgcRecordStartMark record_start_mark;
    } u;
} SpiceMsgc;

/* Errors: every function returns 0 on success, or -1 with errno set:
 *   ENOTSUP  unknown message type for that channel (or a feature we do not
 *            implement, e.g. a palette image),
 *   EBADMSG  the body is shorter than its fields, an offset/count points past
 *            it, a value is out of its range, or bytes are left over where the
 *            protocol says the message ends,
 *   ENOMEM   (marshal only) the writer could not grow. */

/* Writes `msg` (mini header + body) at the end of `w`. */
int spice_msg_marshal(SpiceWireWriter *w, uint8_t channel_type, const SpiceMsg *msg);
/* Parses a server -> client body. `out` points into `body` afterwards. */
int spice_msg_parse(uint8_t channel_type, uint16_t type, const uint8_t *body, size_t len,
                    SpiceMsg *out);

int spice_msgc_marshal(SpiceWireWriter *w, uint8_t channel_type, const SpiceMsgc *msg);
/* Parses a client -> server body: the server's gate for untrusted bytes. */
int spice_msgc_parse(uint8_t channel_type, uint16_t type, const uint8_t *body, size_t len,
                     SpiceMsgc *out);

/* Typed access to array views (index must be < count; checked by parse). */
SpiceMsgRect spice_msg_rect_at(const SpiceWireArray *a, uint32_t i);
SpiceMsgHead spice_msg_head_at(const SpiceWireArray *a, uint32_t i);
/* Encoders for building array views from structs (tests, server). `out` must
 * hold count * 16 (rects) or count * 28 (heads) bytes. */
void spice_msg_rects_encode(const SpiceMsgRect *rects, uint32_t count, uint8_t *out);
void spice_msg_heads_encode(const SpiceMsgHead *heads, uint32_t count, uint8_t *out);
/* INVAL_LIST entries: `count` resources of one type; `out` holds count * 9. */
void spice_msg_resources_encode(uint8_t type, const uint64_t *ids, uint32_t count, uint8_t *out);
/* The id of entry i of an INVAL_LIST (type in *type). */
uint64_t spice_msg_resource_at(const SpiceWireArray *a, uint32_t i, uint8_t *type);

/* The size in bytes of one element of the array views above. */
#define SPICE_MSG_RECT_WIRE_SIZE 16
#define SPICE_MSG_HEAD_WIRE_SIZE 28
#define SPICE_MSG_CHANNEL_ID_WIRE_SIZE 2
#define SPICE_MSG_WAIT_CHANNEL_WIRE_SIZE 10
#define SPICE_MSG_RESOURCE_WIRE_SIZE 9

/* Bytes per pixel of an uncompressed SpiceBitmapFmt we accept, or 0. */
unsigned spice_msg_bitmap_bpp(uint8_t bitmap_format);

#endif /* SPICE_MESSAGES_H */
