/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-playback.c: the playback channel: START/STOP, DATA in raw or Opus
 * mode per client, VOLUME and MUTE, and the drop-old-frames flow control
 * described in red-playback.h.
 *
 * Samples are S16 stereo frames, one uint32_t each in the public API, left
 * channel in the low half: on the little-endian hosts we build for, that
 * is the wire's byte order already, so raw frames go out as they are. */
#include "config.h"

#include "red-playback.h"

#include <string.h>

#include <glib.h>

#include "red-audio-codec.h"
#include "red-audio.h"
#include "red-log.h"

typedef struct PlaybackClient {
    RedAudioClient base;
    RedPlayback *pb;
    SpiceAudioDataMode mode;
    RedAudioEncoder *encoder;   /* Opus mode only */
    bool has_pending;           /* a frame waits in pending */
    uint32_t pending_time;
    uint32_t pending[RED_AUDIO_PACKET_FRAMES];
} PlaybackClient;

struct RedPlayback {
    RedAudioInstance inst;      /* its clients are PlaybackClient* */
    SpicePlaybackInstance *sin;
    RedPlayback **slot;         /* the owner's pointer to us */
    bool active;                /* between playback_start and _stop */
    bool compression;           /* Opus allowed (set_playback_compression) */
    bool warned_foreign_buffer;
    uint64_t frames_dropped;
    uint32_t buffer[RED_AUDIO_PACKET_FRAMES]; /* what get_buffer hands out */
};

static const char *mode_name(SpiceAudioDataMode mode)
{
    return mode == SPICE_AUDIO_DATA_MODE_OPUS ? "opus" : "raw";
}

/* Opus when the host allows compression, the client announced Opus and the
 * rate suits Opus (upstream's rule); raw otherwise, and raw when the
 * encoder cannot be made. */
static void pick_mode(PlaybackClient *pc)
{
    RedPlayback *pb = pc->pb;
    bool opus = pb->compression && red_audio_opus_rate_ok(pb->inst.frequency) &&
                red_channel_client_has_cap(pc->base.rcc, SPICE_PLAYBACK_CAP_OPUS);
    red_audio_encoder_free(pc->encoder);
    pc->encoder = opus ? red_audio_encoder_new(pb->inst.frequency) : NULL;
    pc->mode = pc->encoder ? SPICE_AUDIO_DATA_MODE_OPUS : SPICE_AUDIO_DATA_MODE_RAW;
}

bool red_playback_session_hears(const RedPlayback *pb, uint32_t session_id)
{
    for (GList *l = pb->inst.clients; l; l = l->next) {
        const PlaybackClient *pc = l->data;
        if (pc->base.session_id == session_id && pc->base.started) {
            return true;
        }
    }
    return false;
}

/* pc's started flag is about to become `started`: when that changes
 * whether its session hears sound, the session's video follows. */
static void set_started(PlaybackClient *pc, bool started)
{
    RedPlayback *pb = pc->pb;
    uint32_t session = pc->base.session_id;
    bool before = red_playback_session_hears(pb, session);
    pc->base.started = started;
    bool after = red_playback_session_hears(pb, session);
    if (before != after) {
        reds_set_audio_clock(pb->inst.reds, session, after);
    }
}

/* The send_* functions return red_channel_client_send's result: on -1 the
 * client may be freed already (its on_closed ran), so callers stop. */
static int send_mode(PlaybackClient *pc)
{
    SpiceMsg m = { .type = SPICE_MSG_PLAYBACK_MODE,
                   .u.audio_mode = { .time = red_audio_mm_time(), .mode = pc->mode } };
    return red_channel_client_send(pc->base.rcc, &m);
}

static int send_start(PlaybackClient *pc)
{
    SpiceMsg m = { .type = SPICE_MSG_PLAYBACK_START,
                   .u.audio_start = { .channels = RED_AUDIO_CHANNELS,
                                      .format = SPICE_AUDIO_FMT_S16,
                                      .frequency = pc->pb->inst.frequency,
                                      .time = red_audio_mm_time() } };
    set_started(pc, true);
    return red_channel_client_send(pc->base.rcc, &m);
}

static void send_stop(PlaybackClient *pc)
{
    SpiceMsg m = { .type = SPICE_MSG_PLAYBACK_STOP };
    set_started(pc, false);
    pc->has_pending = false; /* what was not sent before the stop is not wanted after */
    red_channel_client_send(pc->base.rcc, &m);
}

/* Sends the waiting frame if the client's socket has room for it. */
static void flush_pending(PlaybackClient *pc)
{
    if (!pc->has_pending || !pc->base.started) {
        return;
    }
    if (!red_channel_client_can_send(pc->base.rcc) ||
        red_channel_client_queued(pc->base.rcc) >= RED_PLAYBACK_MAX_QUEUED) {
        /* Sent when the socket has taken what waits (on_writable), unless
         * a newer frame replaces it first. */
        red_channel_client_notify_drained(pc->base.rcc);
        return;
    }
    uint8_t opus[RED_AUDIO_OPUS_MAX_PACKET];
    SpiceMsg m = { .type = SPICE_MSG_PLAYBACK_DATA, .u.audio_data.time = pc->pending_time };
    if (pc->mode == SPICE_AUDIO_DATA_MODE_OPUS) {
        int n = red_audio_encoder_encode(pc->encoder, (const int16_t *)pc->pending, opus,
                                         sizeof(opus));
        if (n < 0) {
            red_audio_client_close(&pc->base, "playback: Opus encoding failed");
            return;
        }
        m.u.audio_data.data = (SpiceWireArray){ .data = opus, .count = (uint32_t)n };
    } else {
        m.u.audio_data.data = (SpiceWireArray){ .data = (const uint8_t *)pc->pending,
                                                .count = sizeof(pc->pending) };
    }
    pc->has_pending = false;
    red_channel_client_send(pc->base.rcc, &m);
}

static bool playback_handle_message(RedChannelClient *rcc, const SpiceMsgc *msg, void *opaque)
{
    (void)rcc;
    (void)opaque;
    /* The protocol has no playback message from clients; the parser refuses
     * them before this, so reaching here is a message we do not know. */
    red_log_warn("playback: unexpected client message type %u", msg->type);
    return false;
}

static void playback_on_writable(RedChannelClient *rcc, void *opaque)
{
    (void)rcc;
    flush_pending(opaque);
}

static void playback_on_closed(RedChannelClient *rcc, void *opaque)
{
    PlaybackClient *pc = opaque;
    (void)rcc;
    set_started(pc, false);
    pc->pb->inst.clients = g_list_remove(pc->pb->inst.clients, pc);
    red_audio_client_finish(&pc->base, "playback");
    red_audio_encoder_free(pc->encoder);
    g_free(pc);
}

static const RedChannelClientOps playback_ops = {
    .handle_message = playback_handle_message,
    .on_writable = playback_on_writable,
    .on_closed = playback_on_closed,
};

void red_playback_link(RedPlayback *pb, RedStream *stream, const SpiceLinkRequest *req)
{
    PlaybackClient *pc = g_new0(PlaybackClient, 1);
    pc->pb = pb;
    if (red_audio_client_open(&pc->base, pb->inst.reds, stream, req, &playback_ops, pc) != 0) {
        g_free(pc);
        return;
    }
    pb->inst.clients = g_list_append(pb->inst.clients, pc);
    pick_mode(pc);
    red_log_info("playback: client of session %u in %s mode", pc->base.session_id,
                 mode_name(pc->mode));
    if (send_mode(pc) != 0) {
        return;
    }
    if (pb->inst.volume.nchannels &&
        (red_audio_client_send_volume(&pc->base, &pb->inst.volume, SPICE_PLAYBACK_CAP_VOLUME,
                                      SPICE_MSG_PLAYBACK_VOLUME) != 0 ||
         red_audio_client_send_mute(&pc->base, &pb->inst.volume, SPICE_PLAYBACK_CAP_VOLUME,
                                    SPICE_MSG_PLAYBACK_MUTE) != 0)) {
        return;
    }
    if (pb->active) {
        send_start(pc);
    }
}

void red_playback_close_clients(RedPlayback *pb, uint32_t session_id, const char *why)
{
    red_audio_instance_close_clients(&pb->inst, session_id, why);
}

/* A new mode for every client whose mode changes (compression or rate). */
static void repick_modes(RedPlayback *pb)
{
    for (GList *l = pb->inst.clients, *next; l; l = next) {
        next = l->next; /* a failed send frees only that client */
        PlaybackClient *pc = l->data;
        SpiceAudioDataMode old = pc->mode;
        pick_mode(pc);
        if (pc->mode != old) {
            red_log_info("playback: session %u switches to %s mode", pc->base.session_id,
                         mode_name(pc->mode));
            send_mode(pc);
        }
    }
}

void red_playback_set_compression(RedPlayback *pb, bool on)
{
    pb->compression = on;
    repick_modes(pb);
}

void red_playback_caps(const RedPlayback *pb, SpiceLinkCaps *caps)
{
    red_audio_instance_caps(pb ? &pb->inst : NULL, caps, SPICE_PLAYBACK_CAP_VOLUME,
                            SPICE_PLAYBACK_CAP_OPUS);
}

RedPlayback *red_playback_new(RedsState *reds, SpicePlaybackInstance *sin, RedPlayback **slot)
{
    RedPlayback *pb = g_new0(RedPlayback, 1);
    if (red_audio_instance_init(&pb->inst, reds, SPICE_CHANNEL_PLAYBACK, pb) != 0) {
        g_free(pb);
        return NULL;
    }
    pb->sin = sin;
    pb->slot = slot;
    pb->compression = true;
    sin->st = (SpicePlaybackState *)pb;
    return pb;
}

void red_playback_free(RedPlayback *pb)
{
    if (pb == NULL) {
        return;
    }
    red_audio_instance_finish(&pb->inst, "playback interface removed");
    pb->sin->st = NULL;
    *pb->slot = NULL;
    if (pb->frames_dropped) {
        red_log_info("playback: %" G_GUINT64_FORMAT " frames dropped for slow clients",
                     pb->frames_dropped);
    }
    g_free(pb);
}

void red_playback_start(RedPlayback *pb)
{
    pb->active = true;
    for (GList *l = pb->inst.clients, *next; l; l = next) {
        next = l->next; /* a failed send frees only that client */
        PlaybackClient *pc = l->data;
        if (!pc->base.started) {
            send_start(pc);
        }
    }
}

void red_playback_stop(RedPlayback *pb)
{
    pb->active = false;
    for (GList *l = pb->inst.clients, *next; l; l = next) {
        next = l->next; /* a failed send frees only that client */
        PlaybackClient *pc = l->data;
        if (pc->base.started) {
            send_stop(pc);
        }
    }
}

static bool has_listener(const RedPlayback *pb)
{
    for (GList *l = pb->inst.clients; l; l = l->next) {
        if (((PlaybackClient *)l->data)->base.started) {
            return true;
        }
    }
    return false;
}

void red_playback_get_buffer(RedPlayback *pb, uint32_t **samples, uint32_t *frames)
{
    /* No listener: no buffer, as upstream; the host then drops its sound. */
    bool give = pb->active && has_listener(pb);
    *samples = give ? pb->buffer : NULL;
    *frames = give ? RED_AUDIO_PACKET_FRAMES : 0;
}

void red_playback_put_samples(RedPlayback *pb, const uint32_t *samples)
{
    if (samples != pb->buffer) {
        if (!pb->warned_foreign_buffer) {
            red_log_warn("playback_put_samples: a buffer get_buffer did not give; ignored");
            pb->warned_foreign_buffer = true;
        }
        return;
    }
    uint32_t now = red_audio_mm_time();
    for (GList *l = pb->inst.clients, *next; l; l = next) {
        next = l->next; /* a failed send frees only that client */
        PlaybackClient *pc = l->data;
        if (!pc->base.started) {
            continue;
        }
        if (pc->has_pending) {
            pb->frames_dropped++; /* the newer frame wins */
        }
        memcpy(pc->pending, samples, sizeof(pc->pending));
        pc->pending_time = now;
        pc->has_pending = true;
        flush_pending(pc);
    }
}

void red_playback_set_volume(RedPlayback *pb, uint8_t nchannels, const uint16_t *volume)
{
    red_audio_instance_set_volume(&pb->inst, nchannels, volume, SPICE_PLAYBACK_CAP_VOLUME,
                                  SPICE_MSG_PLAYBACK_VOLUME);
}

void red_playback_set_mute(RedPlayback *pb, uint8_t mute)
{
    red_audio_instance_set_mute(&pb->inst, mute, SPICE_PLAYBACK_CAP_VOLUME,
                                SPICE_MSG_PLAYBACK_MUTE);
}

void red_playback_set_rate(RedPlayback *pb, uint32_t frequency)
{
    pb->inst.frequency = frequency;
    pb->inst.rate_set = true;
    repick_modes(pb);
}

void red_playback_set_latency(RedPlayback *pb, uint32_t session_id, uint32_t ms)
{
    for (GList *l = pb->inst.clients, *next; l; l = next) {
        next = l->next; /* a failed send frees only that client */
        PlaybackClient *pc = l->data;
        if (pc->base.session_id == session_id &&
            red_channel_client_has_cap(pc->base.rcc, SPICE_PLAYBACK_CAP_LATENCY)) {
            SpiceMsg m = { .type = SPICE_MSG_PLAYBACK_LATENCY,
                           .u.playback_latency = { .latency_ms = ms } };
            red_channel_client_send(pc->base.rcc, &m);
        }
    }
}

uint64_t red_playback_frames_dropped(const RedPlayback *pb)
{
    return pb->frames_dropped;
}
