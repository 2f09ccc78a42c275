/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-record.c: the record channel: START/STOP/VOLUME/MUTE to the feeding
 * client, RECORD_MODE/START_MARK/DATA from clients, checked, into the ring
 * the host reads. */
#include "config.h"

#include "red-record.h"

#include <string.h>

#include <glib.h>

#include "red-audio-codec.h"
#include "red-audio.h"
#include "red-log.h"

typedef struct RecordClient {
    RedAudioClient base;
    RedRecord *rec;
    SpiceAudioDataMode mode;
    RedAudioDecoder *decoder;   /* Opus mode only */
    uint32_t mode_time, start_time; /* the client's clock, kept as upstream keeps them */
} RecordClient;

struct RedRecord {
    RedAudioInstance inst;      /* its clients are RecordClient*, the feeding one first */
    SpiceRecordInstance *sin;
    RedRecord **slot;           /* the owner's pointer to us */
    bool active;                /* between record_start and _stop */
    /* The ring: frames written and read since the last start (counters wrap
     * at 2^32; only their difference matters, and it never exceeds
     * RED_RECORD_RING_FRAMES). */
    uint32_t write_pos, read_pos;
    bool primed;                /* half the ring arrived since the start */
    uint32_t ring[RED_RECORD_RING_FRAMES];
    int16_t decoded[RED_AUDIO_OPUS_MAX_DECODED * RED_AUDIO_CHANNELS];
};

static RecordClient *feeder(const RedRecord *rec)
{
    return rec->inst.clients ? rec->inst.clients->data : NULL;
}

static void reset_ring(RedRecord *rec)
{
    rec->write_pos = rec->read_pos = 0;
    rec->primed = false;
}

static int send_start(RecordClient *rc)
{
    SpiceMsg m = { .type = SPICE_MSG_RECORD_START,
                   .u.audio_start = { .channels = RED_AUDIO_CHANNELS,
                                      .format = SPICE_AUDIO_FMT_S16,
                                      .frequency = rc->rec->inst.frequency } };
    rc->base.started = true;
    return red_channel_client_send(rc->base.rcc, &m);
}

static void send_stop(RecordClient *rc)
{
    SpiceMsg m = { .type = SPICE_MSG_RECORD_STOP };
    rc->base.started = false;
    red_channel_client_send(rc->base.rcc, &m);
}

/* The feeder starts sending when recording is on (fresh ring: what another
 * client sent is not this one's sound). */
static void feeder_start(RedRecord *rec)
{
    RecordClient *rc = feeder(rec);
    if (rec->active && rc && !rc->base.started) {
        reset_ring(rec);
        send_start(rc);
    }
}

static void ring_write(RedRecord *rec, const uint8_t *frames, uint32_t n)
{
    if (n > RED_RECORD_RING_FRAMES) { /* only the newest fit */
        frames += (size_t)(n - RED_RECORD_RING_FRAMES) * 4;
        rec->write_pos += n - RED_RECORD_RING_FRAMES;
        n = RED_RECORD_RING_FRAMES;
    }
    uint32_t at = rec->write_pos % RED_RECORD_RING_FRAMES;
    uint32_t first = MIN(n, RED_RECORD_RING_FRAMES - at);
    memcpy(&rec->ring[at], frames, (size_t)first * 4);
    memcpy(rec->ring, frames + (size_t)first * 4, (size_t)(n - first) * 4);
    rec->write_pos += n;
    if (rec->write_pos - rec->read_pos > RED_RECORD_RING_FRAMES) {
        rec->read_pos = rec->write_pos - RED_RECORD_RING_FRAMES; /* the host is behind */
    }
    if (rec->write_pos - rec->read_pos >= RED_RECORD_RING_FRAMES / 2) {
        rec->primed = true;
    }
}

static bool handle_data(RecordClient *rc, const SpiceMsgAudioPacket *p)
{
    RedRecord *rec = rc->rec;
    if (p->data.count > RED_RECORD_MAX_PACKET) {
        red_log_warn("record: RECORD_DATA of %u bytes from session %u: more than the "
                     "%u-byte ring", p->data.count, rc->base.session_id, RED_RECORD_MAX_PACKET);
        return false;
    }
    const uint8_t *frames = p->data.data;
    uint32_t n;
    if (rc->mode == SPICE_AUDIO_DATA_MODE_OPUS) {
        int got = red_audio_decoder_decode(rc->decoder, p->data.data, p->data.count,
                                           rec->decoded, RED_AUDIO_OPUS_MAX_DECODED);
        if (got < 0) {
            red_log_warn("record: RECORD_DATA of %u bytes from session %u is not valid Opus",
                         p->data.count, rc->base.session_id);
            return false;
        }
        frames = (const uint8_t *)rec->decoded;
        n = (uint32_t)got;
    } else {
        if (p->data.count % RED_AUDIO_FRAME_BYTES != 0) {
            red_log_warn("record: RECORD_DATA of %u bytes from session %u: not whole S16 "
                         "stereo frames", p->data.count, rc->base.session_id);
            return false;
        }
        n = p->data.count / RED_AUDIO_FRAME_BYTES;
    }
    /* Only the feeder's sound reaches the guest; the others' is checked
     * (a bad client goes whichever it is) and dropped. */
    if (rc == feeder(rec)) {
        ring_write(rec, frames, n);
    }
    return true;
}

static bool handle_mode(RecordClient *rc, const SpiceMsgAudioMode *m)
{
    RedRecord *rec = rc->rec;
    rc->mode_time = m->time;
    if (m->mode == SPICE_AUDIO_DATA_MODE_RAW) {
        red_audio_decoder_free(rc->decoder);
        rc->decoder = NULL;
        rc->mode = SPICE_AUDIO_DATA_MODE_RAW;
        return true;
    }
    if (m->mode != SPICE_AUDIO_DATA_MODE_OPUS || !red_audio_opus_rate_ok(rec->inst.frequency)) {
        red_log_warn("record: RECORD_MODE %u from session %u not supported at %u Hz",
                     m->mode, rc->base.session_id, rec->inst.frequency);
        return false;
    }
    RedAudioDecoder *d = red_audio_decoder_new(rec->inst.frequency);
    if (d == NULL) {
        return false; /* logged */
    }
    red_audio_decoder_free(rc->decoder);
    rc->decoder = d;
    rc->mode = SPICE_AUDIO_DATA_MODE_OPUS;
    return true;
}

static bool record_handle_message(RedChannelClient *rcc, const SpiceMsgc *msg, void *opaque)
{
    RecordClient *rc = opaque;
    (void)rcc;
    switch (msg->type) {
    case SPICE_MSGC_RECORD_DATA:
        return handle_data(rc, &msg->u.record_data);
    case SPICE_MSGC_RECORD_MODE:
        return handle_mode(rc, &msg->u.record_mode);
    case SPICE_MSGC_RECORD_START_MARK:
        rc->start_time = msg->u.record_start_mark.time;
        return true;
    default:
        return false;
    }
}

static void record_on_closed(RedChannelClient *rcc, void *opaque)
{
    RecordClient *rc = opaque;
    RedRecord *rec = rc->rec;
    (void)rcc;
    bool was_feeder = rc == feeder(rec);
    rec->inst.clients = g_list_remove(rec->inst.clients, rc);
    red_audio_client_finish(&rc->base, "record");
    red_audio_decoder_free(rc->decoder);
    g_free(rc);
    if (was_feeder) {
        feeder_start(rec); /* the previous client takes over */
    }
}

static const RedChannelClientOps record_ops = {
    .handle_message = record_handle_message,
    .on_closed = record_on_closed,
};

void red_record_link(RedRecord *rec, RedStream *stream, const SpiceLinkRequest *req)
{
    RecordClient *rc = g_new0(RecordClient, 1);
    rc->rec = rec;
    rc->mode = SPICE_AUDIO_DATA_MODE_RAW;
    if (red_audio_client_open(&rc->base, rec->inst.reds, stream, req, &record_ops, rc) != 0) {
        g_free(rc);
        return;
    }
    RecordClient *old = feeder(rec);
    rec->inst.clients = g_list_prepend(rec->inst.clients, rc);
    if (old && old->base.started) {
        send_stop(old); /* it stops feeding the guest; it stays connected */
    }
    if (rec->inst.volume.nchannels &&
        (red_audio_client_send_volume(&rc->base, &rec->inst.volume, SPICE_RECORD_CAP_VOLUME,
                                      SPICE_MSG_RECORD_VOLUME) != 0 ||
         red_audio_client_send_mute(&rc->base, &rec->inst.volume, SPICE_RECORD_CAP_VOLUME,
                                    SPICE_MSG_RECORD_MUTE) != 0)) {
        return; /* closed: on_closed handed the feeding over */
    }
    feeder_start(rec);
}

void red_record_close_clients(RedRecord *rec, uint32_t session_id, const char *why)
{
    red_audio_instance_close_clients(&rec->inst, session_id, why);
}

void red_record_caps(const RedRecord *rec, SpiceLinkCaps *caps)
{
    red_audio_instance_caps(rec ? &rec->inst : NULL, caps, SPICE_RECORD_CAP_VOLUME,
                            SPICE_RECORD_CAP_OPUS);
}

RedRecord *red_record_new(RedsState *reds, SpiceRecordInstance *sin, RedRecord **slot)
{
    RedRecord *rec = g_new0(RedRecord, 1);
    if (red_audio_instance_init(&rec->inst, reds, SPICE_CHANNEL_RECORD, rec) != 0) {
        g_free(rec);
        return NULL;
    }
    rec->sin = sin;
    rec->slot = slot;
    sin->st = (SpiceRecordState *)rec;
    return rec;
}

void red_record_free(RedRecord *rec)
{
    if (rec == NULL) {
        return;
    }
    rec->active = false; /* no hand-over START while the clients go */
    red_audio_instance_finish(&rec->inst, "record interface removed");
    rec->sin->st = NULL;
    *rec->slot = NULL;
    g_free(rec);
}

void red_record_start(RedRecord *rec)
{
    rec->active = true;
    feeder_start(rec);
}

void red_record_stop(RedRecord *rec)
{
    rec->active = false;
    RecordClient *rc = feeder(rec);
    if (rc && rc->base.started) {
        send_stop(rc);
    }
}

uint32_t red_record_get_samples(RedRecord *rec, uint32_t *samples, uint32_t bufsize)
{
    if (!rec->active || feeder(rec) == NULL || !rec->primed || samples == NULL) {
        return 0;
    }
    uint32_t n = MIN(rec->write_pos - rec->read_pos, bufsize);
    uint32_t at = rec->read_pos % RED_RECORD_RING_FRAMES;
    uint32_t first = MIN(n, RED_RECORD_RING_FRAMES - at);
    memcpy(samples, &rec->ring[at], (size_t)first * 4);
    memcpy(samples + first, rec->ring, (size_t)(n - first) * 4);
    rec->read_pos += n;
    return n;
}

void red_record_set_volume(RedRecord *rec, uint8_t nchannels, const uint16_t *volume)
{
    red_audio_instance_set_volume(&rec->inst, nchannels, volume, SPICE_RECORD_CAP_VOLUME,
                                  SPICE_MSG_RECORD_VOLUME);
}

void red_record_set_mute(RedRecord *rec, uint8_t mute)
{
    red_audio_instance_set_mute(&rec->inst, mute, SPICE_RECORD_CAP_VOLUME,
                                SPICE_MSG_RECORD_MUTE);
}

void red_record_set_rate(RedRecord *rec, uint32_t frequency)
{
    rec->inst.frequency = frequency;
    rec->inst.rate_set = true;
}
