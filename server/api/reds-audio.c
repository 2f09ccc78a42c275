/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* reds-audio.c: the playback and record entry points of libspice-server,
 * a thin layer over server/audio/ (red-playback.h, red-record.h).
 *
 * QEMU's audio-spice module calls these from its main loop (the server's
 * thread) as soon as the guest opens a sound device, whether or not a
 * client is connected.  Every function accepts an instance that was never
 * added, or was removed, or whose server is gone (sin->st NULL): it then
 * does what the real library does with no client listening (no buffer, no
 * samples, nothing sent).  NULL arguments are accepted the same way.
 */
#include "config.h"

#include <spice.h>

#include "red-audio-codec.h"
#include "red-audio.h"
#include "red-log.h"
#include "red-playback.h"
#include "red-record.h"
#include "reds-private.h"

static RedPlayback *playback_of(SpicePlaybackInstance *sin)
{
    return sin ? (RedPlayback *)sin->st : NULL;
}

static RedRecord *record_of(SpiceRecordInstance *sin)
{
    return sin ? (RedRecord *)sin->st : NULL;
}

/* ---- playback ------------------------------------------------------------ */

RED_EXPORT void spice_server_playback_start(SpicePlaybackInstance *sin)
{
    RedPlayback *pb = playback_of(sin);
    if (pb) {
        red_playback_start(pb);
    }
}

RED_EXPORT void spice_server_playback_stop(SpicePlaybackInstance *sin)
{
    RedPlayback *pb = playback_of(sin);
    if (pb) {
        red_playback_stop(pb);
    }
}

RED_EXPORT void spice_server_playback_get_buffer(SpicePlaybackInstance *sin,
                                                 uint32_t **samples,
                                                 uint32_t *num_samples)
{
    uint32_t *buf = NULL;
    uint32_t n = 0;
    RedPlayback *pb = playback_of(sin);
    if (pb) {
        red_playback_get_buffer(pb, &buf, &n);
    }
    if (samples) {
        *samples = buf;
    }
    if (num_samples) {
        *num_samples = n;
    }
}

RED_EXPORT void spice_server_playback_put_samples(SpicePlaybackInstance *sin,
                                                  uint32_t *samples)
{
    RedPlayback *pb = playback_of(sin);
    if (pb && samples) {
        red_playback_put_samples(pb, samples);
    }
}

RED_EXPORT void spice_server_playback_set_volume(SpicePlaybackInstance *sin,
                                                 uint8_t nchannels,
                                                 uint16_t *volume)
{
    RedPlayback *pb = playback_of(sin);
    if (pb && (volume || nchannels == 0)) {
        red_playback_set_volume(pb, nchannels, volume);
    }
}

RED_EXPORT void spice_server_playback_set_mute(SpicePlaybackInstance *sin, uint8_t mute)
{
    RedPlayback *pb = playback_of(sin);
    if (pb) {
        red_playback_set_mute(pb, mute);
    }
}

/* ---- record -------------------------------------------------------------- */

RED_EXPORT void spice_server_record_start(SpiceRecordInstance *sin)
{
    RedRecord *rec = record_of(sin);
    if (rec) {
        red_record_start(rec);
    }
}

RED_EXPORT void spice_server_record_stop(SpiceRecordInstance *sin)
{
    RedRecord *rec = record_of(sin);
    if (rec) {
        red_record_stop(rec);
    }
}

/* 0 with no client, as the real library: QEMU then feeds the guest silence. */
RED_EXPORT uint32_t spice_server_record_get_samples(SpiceRecordInstance *sin,
                                                    uint32_t *samples,
                                                    uint32_t bufsize)
{
    RedRecord *rec = record_of(sin);
    return rec ? red_record_get_samples(rec, samples, bufsize) : 0;
}

RED_EXPORT void spice_server_record_set_volume(SpiceRecordInstance *sin,
                                               uint8_t nchannels,
                                               uint16_t *volume)
{
    RedRecord *rec = record_of(sin);
    if (rec && (volume || nchannels == 0)) {
        red_record_set_volume(rec, nchannels, volume);
    }
}

RED_EXPORT void spice_server_record_set_mute(SpiceRecordInstance *sin, uint8_t mute)
{
    RedRecord *rec = record_of(sin);
    if (rec) {
        red_record_set_mute(rec, mute);
    }
}

/* ---- rates --------------------------------------------------------------- */

/* Opus's rate, always, as upstream: the host opens its voice at it, and a
 * client that cannot take Opus takes raw PCM at any rate. */
RED_EXPORT uint32_t spice_server_get_best_playback_rate(SpicePlaybackInstance *sin)
{
    (void)sin;
    return RED_AUDIO_OPUS_RATE;
}

RED_EXPORT void spice_server_set_playback_rate(SpicePlaybackInstance *sin, uint32_t frequency)
{
    RedPlayback *pb = playback_of(sin);
    if (pb) {
        red_playback_set_rate(pb, frequency);
    }
}

RED_EXPORT uint32_t spice_server_get_best_record_rate(SpiceRecordInstance *sin)
{
    (void)sin;
    return RED_AUDIO_OPUS_RATE;
}

RED_EXPORT void spice_server_set_record_rate(SpiceRecordInstance *sin, uint32_t frequency)
{
    RedRecord *rec = record_of(sin);
    if (rec) {
        red_record_set_rate(rec, frequency);
    }
}

/* Never fails, as upstream's (QEMU calls it at start-up with its
 * playback-compression option, before any audio interface is added). */
RED_EXPORT int spice_server_set_playback_compression(SpiceServer *reds, int enable)
{
    if (reds && reds->audio) {
        red_audio_set_playback_compression(reds->audio, enable != 0);
    }
    return 0;
}
