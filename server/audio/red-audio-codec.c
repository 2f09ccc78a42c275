/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-audio-codec.c: the Opus encoder and decoder of the audio channels. */
#include "config.h"

#include "red-audio-codec.h"

#include <limits.h>

#include <glib.h>
#include <opus.h>

#include "red-log.h"

struct RedAudioEncoder {
    OpusEncoder *enc;
};

struct RedAudioDecoder {
    OpusDecoder *dec;
};

bool red_audio_opus_rate_ok(uint32_t rate)
{
    return rate == 8000 || rate == 12000 || rate == 16000 || rate == 24000 || rate == 48000;
}

RedAudioEncoder *red_audio_encoder_new(uint32_t rate)
{
    if (!red_audio_opus_rate_ok(rate)) {
        red_log_warn("audio: no Opus encoder at %u Hz", rate);
        return NULL;
    }
    int err = 0;
    /* OPUS_APPLICATION_AUDIO: a guest plays music as often as speech. */
    OpusEncoder *enc = opus_encoder_create((opus_int32)rate, RED_AUDIO_CHANNELS,
                                           OPUS_APPLICATION_AUDIO, &err);
    if (enc == NULL) {
        red_log_warn("audio: opus_encoder_create(%u Hz) failed: %s", rate, opus_strerror(err));
        return NULL;
    }
    RedAudioEncoder *e = g_new0(RedAudioEncoder, 1);
    e->enc = enc;
    return e;
}

void red_audio_encoder_free(RedAudioEncoder *e)
{
    if (e) {
        opus_encoder_destroy(e->enc);
        g_free(e);
    }
}

int red_audio_encoder_encode(RedAudioEncoder *e, const int16_t *pcm, uint8_t *out,
                             size_t out_cap)
{
    opus_int32 cap = out_cap > INT_MAX ? INT_MAX : (opus_int32)out_cap;
    opus_int32 n = opus_encode(e->enc, pcm, RED_AUDIO_PACKET_FRAMES, out, cap);
    if (n < 0) {
        red_log_warn("audio: opus_encode failed: %s", opus_strerror(n));
        return -1;
    }
    return n;
}

RedAudioDecoder *red_audio_decoder_new(uint32_t rate)
{
    if (!red_audio_opus_rate_ok(rate)) {
        red_log_warn("audio: no Opus decoder at %u Hz", rate);
        return NULL;
    }
    int err = 0;
    OpusDecoder *dec = opus_decoder_create((opus_int32)rate, RED_AUDIO_CHANNELS, &err);
    if (dec == NULL) {
        red_log_warn("audio: opus_decoder_create(%u Hz) failed: %s", rate, opus_strerror(err));
        return NULL;
    }
    RedAudioDecoder *d = g_new0(RedAudioDecoder, 1);
    d->dec = dec;
    return d;
}

void red_audio_decoder_free(RedAudioDecoder *d)
{
    if (d) {
        opus_decoder_destroy(d->dec);
        g_free(d);
    }
}

int red_audio_decoder_decode(RedAudioDecoder *d, const uint8_t *packet, size_t len,
                             int16_t *pcm, unsigned max_frames)
{
    /* An empty packet would ask Opus to conceal a loss: not data. */
    if (len == 0 || len > INT_MAX || max_frames > INT_MAX) {
        return -1;
    }
    int n = opus_decode(d->dec, packet, (opus_int32)len, pcm, (int)max_frames, 0);
    return n < 0 ? -1 : n;
}

uint32_t red_audio_mm_time(void)
{
    return (uint32_t)(g_get_monotonic_time() / 1000);
}
