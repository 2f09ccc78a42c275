/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-audio.c: the audio channel classes of a server, and the client and
 * volume handling both audio channels share. */
#include "config.h"

#include "red-audio.h"

#include <glib.h>

#include "red-audio-codec.h"
#include "red-log.h"
#include "red-playback.h"
#include "red-record.h"

struct RedAudio {
    RedsState *reds;
    bool playback_compression;
    RedPlayback *playback;      /* the added playback instance's, or NULL */
    RedRecord *record;          /* the added record instance's, or NULL */
};

/* ---- the channel classes ------------------------------------------------- */

static void playback_caps(void *opaque, SpiceLinkCaps *caps)
{
    RedAudio *audio = opaque;
    red_playback_caps(audio->playback, caps);
}

static void playback_link(void *opaque, void *instance, RedStream *stream,
                          const SpiceLinkRequest *req)
{
    (void)opaque;
    red_playback_link(instance, stream, req);
}

static void playback_session_ended(void *opaque, uint32_t session_id, const char *why)
{
    RedAudio *audio = opaque;
    (void)why;
    if (audio->playback) {
        red_playback_close_clients(audio->playback, session_id, "session closed");
    }
}

static void playback_close_all(void *opaque, const char *why)
{
    RedAudio *audio = opaque;
    if (audio->playback) {
        red_playback_close_clients(audio->playback, 0, why);
    }
}

static const RedChannelClass playback_class = {
    .type = SPICE_CHANNEL_PLAYBACK,
    .caps = playback_caps,
    .link = playback_link,
    .session_ended = playback_session_ended,
    .close_all = playback_close_all,
};

static void record_caps(void *opaque, SpiceLinkCaps *caps)
{
    RedAudio *audio = opaque;
    red_record_caps(audio->record, caps);
}

static void record_link(void *opaque, void *instance, RedStream *stream,
                        const SpiceLinkRequest *req)
{
    (void)opaque;
    red_record_link(instance, stream, req);
}

static void record_session_ended(void *opaque, uint32_t session_id, const char *why)
{
    RedAudio *audio = opaque;
    (void)why;
    if (audio->record) {
        red_record_close_clients(audio->record, session_id, "session closed");
    }
}

static void record_close_all(void *opaque, const char *why)
{
    RedAudio *audio = opaque;
    if (audio->record) {
        red_record_close_clients(audio->record, 0, why);
    }
}

static const RedChannelClass record_class = {
    .type = SPICE_CHANNEL_RECORD,
    .caps = record_caps,
    .link = record_link,
    .session_ended = record_session_ended,
    .close_all = record_close_all,
};

RedAudio *red_audio_create(RedsState *reds)
{
    RedAudio *audio = g_new0(RedAudio, 1);
    audio->reds = reds;
    audio->playback_compression = true; /* upstream's default */
    RedChannelRegistry *registry = reds_get_registry(reds);
    if (red_channel_registry_add_class(registry, &playback_class, audio) != 0 ||
        red_channel_registry_add_class(registry, &record_class, audio) != 0) {
        g_free(audio);
        return NULL;
    }
    return audio;
}

void red_audio_destroy(RedAudio *audio)
{
    if (audio == NULL) {
        return;
    }
    red_playback_free(audio->playback);
    red_record_free(audio->record);
    g_free(audio);
}

/* ---- the instances ------------------------------------------------------- */

int red_audio_add_playback(RedAudio *audio, SpicePlaybackInstance *sin)
{
    if (audio->playback) {
        red_log_warn("add_interface: a second playback instance (one channel per type)");
        return -1;
    }
    audio->playback = red_playback_new(audio->reds, sin, &audio->playback);
    if (audio->playback == NULL) {
        return -1;
    }
    red_playback_set_compression(audio->playback, audio->playback_compression);
    return 0;
}

int red_audio_add_record(RedAudio *audio, SpiceRecordInstance *sin)
{
    if (audio->record) {
        red_log_warn("add_interface: a second record instance (one channel per type)");
        return -1;
    }
    audio->record = red_record_new(audio->reds, sin, &audio->record);
    return audio->record ? 0 : -1;
}

int red_audio_remove_playback(SpicePlaybackInstance *sin)
{
    RedPlayback *pb = (RedPlayback *)sin->st;
    if (pb == NULL) {
        return -1;
    }
    red_playback_free(pb); /* clears the RedAudio's pointer to it */
    return 0;
}

int red_audio_remove_record(SpiceRecordInstance *sin)
{
    RedRecord *rec = (RedRecord *)sin->st;
    if (rec == NULL) {
        return -1;
    }
    red_record_free(rec);
    return 0;
}

void red_audio_set_playback_compression(RedAudio *audio, bool on)
{
    audio->playback_compression = on;
    if (audio->playback) {
        red_playback_set_compression(audio->playback, on);
    }
}

bool red_audio_playback_compression(const RedAudio *audio)
{
    return audio->playback_compression;
}

void red_audio_set_video_latency(RedAudio *audio, uint32_t session_id, uint32_t ms)
{
    if (audio && audio->playback) {
        red_playback_set_latency(audio->playback, session_id, ms);
    }
}

bool red_audio_session_hears(const RedAudio *audio, uint32_t session_id)
{
    return audio && audio->playback && red_playback_session_hears(audio->playback, session_id);
}

/* ---- shared by both channels ---------------------------------------------- */

void red_audio_volume_set(RedAudioVolume *v, uint8_t nchannels, const uint16_t *volume)
{
    g_free(v->volume);
    v->volume = nchannels ? g_memdup2(volume, sizeof(uint16_t) * nchannels) : NULL;
    v->nchannels = nchannels;
}

void red_audio_volume_finish(RedAudioVolume *v)
{
    g_free(v->volume);
    v->volume = NULL;
    v->nchannels = 0;
}

int red_audio_client_open(RedAudioClient *ac, RedsState *reds, RedStream *stream,
                          const SpiceLinkRequest *req, const RedChannelClientOps *ops,
                          void *opaque)
{
    ac->reds = reds;
    ac->session_id = req->connection_id;
    ac->connection = reds_connection_new(reds, red_stream_fd(stream), req->channel_type,
                                         req->channel_id, req->connection_id);
    /* No acks, as upstream's audio channels: flow control is ours (a slow
     * client loses frames, see red-playback.c). */
    ac->rcc = red_channel_client_new(reds_get_core(reds), stream, req, false, ops, opaque);
    if (ac->rcc == NULL) {
        reds_connection_closed(reds, ac->connection);
        ac->connection = NULL;
        return -1;
    }
    reds_connection_opened(reds, ac->connection);
    return 0;
}

void red_audio_client_close(RedAudioClient *ac, const char *why)
{
    ac->owner_closed = true;
    red_channel_client_close(ac->rcc, why);
}

void red_audio_client_finish(RedAudioClient *ac, const char *channel_name)
{
    bool failed = !red_channel_client_peer_closed(ac->rcc) && !ac->owner_closed;
    red_channel_client_free(ac->rcc);
    ac->rcc = NULL;
    reds_connection_closed(ac->reds, ac->connection);
    ac->connection = NULL;
    if (failed) {
        red_log_info("%s channel failed: ending session %u", channel_name, ac->session_id);
        red_sessions_end(reds_get_sessions(ac->reds), ac->session_id, "audio channel failed");
    }
}

int red_audio_client_send_volume(RedAudioClient *ac, const RedAudioVolume *v,
                                  unsigned volume_cap, uint16_t volume_type)
{
    if (v->nchannels == 0 || !red_channel_client_has_cap(ac->rcc, volume_cap)) {
        return 0;
    }
    uint8_t wire[UINT8_MAX * sizeof(uint16_t)];
    for (unsigned i = 0; i < v->nchannels; i++) {
        wire[2 * i] = (uint8_t)v->volume[i];
        wire[2 * i + 1] = (uint8_t)(v->volume[i] >> 8);
    }
    SpiceMsg m = { .type = volume_type,
                   .u.audio_volume.volume = { .data = wire, .count = v->nchannels } };
    return red_channel_client_send(ac->rcc, &m);
}

int red_audio_client_send_mute(RedAudioClient *ac, const RedAudioVolume *v,
                                unsigned volume_cap, uint16_t mute_type)
{
    if (!red_channel_client_has_cap(ac->rcc, volume_cap)) {
        return 0;
    }
    SpiceMsg m = { .type = mute_type, .u.audio_mute.mute = v->mute };
    return red_channel_client_send(ac->rcc, &m);
}

/* ---- the instances' common part ------------------------------------------ */

int red_audio_instance_init(RedAudioInstance *ai, RedsState *reds, uint8_t channel_type,
                            void *owner)
{
    ai->reds = reds;
    ai->channel_type = channel_type;
    ai->frequency = RED_AUDIO_OPUS_RATE;
    return red_channel_registry_add(reds_get_registry(reds), channel_type, 0, owner);
}

void red_audio_instance_finish(RedAudioInstance *ai, const char *why)
{
    red_channel_registry_remove(reds_get_registry(ai->reds), ai->channel_type, 0);
    /* Not inside a handler of theirs: each on_closed runs (and unlinks) now. */
    red_audio_instance_close_clients(ai, 0, why);
    red_audio_volume_finish(&ai->volume);
}

void red_audio_instance_close_clients(RedAudioInstance *ai, uint32_t session_id, const char *why)
{
    for (GList *l = ai->clients, *next; l; l = next) {
        next = l->next; /* closing one frees only that one */
        RedAudioClient *ac = l->data;
        if (session_id == 0 || ac->session_id == session_id) {
            red_audio_client_close(ac, why);
        }
    }
}

void red_audio_instance_caps(const RedAudioInstance *ai, SpiceLinkCaps *caps,
                             unsigned volume_cap, unsigned opus_cap)
{
    spice_link_caps_set(caps->channel, &caps->num_channel, volume_cap);
    if (ai && ai->rate_set && red_audio_opus_rate_ok(ai->frequency)) {
        spice_link_caps_set(caps->channel, &caps->num_channel, opus_cap);
    }
}

void red_audio_instance_set_volume(RedAudioInstance *ai, uint8_t nchannels,
                                   const uint16_t *volume, unsigned volume_cap,
                                   uint16_t volume_type)
{
    red_audio_volume_set(&ai->volume, nchannels, volume);
    /* Every client: a record client that takes over later must know it too. */
    for (GList *l = ai->clients, *next; l; l = next) {
        next = l->next; /* a failed send frees only that client */
        red_audio_client_send_volume(l->data, &ai->volume, volume_cap, volume_type);
    }
}

void red_audio_instance_set_mute(RedAudioInstance *ai, uint8_t mute, unsigned volume_cap,
                                 uint16_t mute_type)
{
    ai->volume.mute = mute;
    for (GList *l = ai->clients, *next; l; l = next) {
        next = l->next; /* a failed send frees only that client */
        red_audio_client_send_mute(l->data, &ai->volume, volume_cap, mute_type);
    }
}
