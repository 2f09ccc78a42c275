/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-audio-codec.h: Opus for the playback and record channels
 * (SPICE_AUDIO_DATA_MODE_OPUS), over Debian's libopus.
 *
 * Audio is always S16 stereo, interleaved, little-endian (the only format
 * SpicePlaybackInterface and SpiceRecordInterface know): one "frame" is one
 * sample per channel, 4 bytes, a uint32_t in the public API.
 *
 * An encoder or decoder belongs to one channel client; no global state, any
 * thread may use its own objects.
 */
#ifndef RED_AUDIO_CODEC_H
#define RED_AUDIO_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RED_AUDIO_CHANNELS 2
#define RED_AUDIO_FRAME_BYTES 4         /* S16 x RED_AUDIO_CHANNELS */
/* The rate spice clients expect Opus at, and what we recommend to hosts
 * (spice_server_get_best_*_rate): Opus's native rate. */
#define RED_AUDIO_OPUS_RATE 48000u
/* Frames per playback packet: 10 ms at 48 kHz.  Opus packets must hold
 * 2.5, 5, 10, 20, 40 or 60 ms; spice clients size their buffers for 10 ms
 * packets, and raw packets use the same count so that a mode change does
 * not change the host's buffer size. */
#define RED_AUDIO_PACKET_FRAMES 480u
/* The largest Opus packet we produce (bytes); clients allocate this much.
 * At the default bit rate a 10 ms stereo packet is far below it. */
#define RED_AUDIO_OPUS_MAX_PACKET 480u
/* The most frames one Opus packet can decode to: 120 ms at 48 kHz (the
 * longest packet Opus defines). */
#define RED_AUDIO_OPUS_MAX_DECODED 5760u

typedef struct RedAudioEncoder RedAudioEncoder;
typedef struct RedAudioDecoder RedAudioDecoder;

/* Does Opus work at this sampling rate (8, 12, 16, 24 or 48 kHz)? */
bool red_audio_opus_rate_ok(uint32_t rate);

/* An encoder for rate (red_audio_opus_rate_ok), or NULL (logged). */
RedAudioEncoder *red_audio_encoder_new(uint32_t rate);
void red_audio_encoder_free(RedAudioEncoder *e); /* NULL ok */
/* Encodes RED_AUDIO_PACKET_FRAMES frames of pcm into out (at most out_cap
 * bytes).  Returns the packet's size, or -1 (logged). */
int red_audio_encoder_encode(RedAudioEncoder *e, const int16_t *pcm, uint8_t *out,
                             size_t out_cap);

/* A decoder for rate, or NULL (logged). */
RedAudioDecoder *red_audio_decoder_new(uint32_t rate);
void red_audio_decoder_free(RedAudioDecoder *d); /* NULL ok */
/* Decodes one packet (len bytes, from a client: untrusted) into pcm, which
 * holds max_frames frames.  Returns the frames decoded, or -1 when the
 * packet is not valid Opus or decodes to more than max_frames. */
int red_audio_decoder_decode(RedAudioDecoder *d, const uint8_t *packet, size_t len,
                             int16_t *pcm, unsigned max_frames);

/* The multimedia clock of audio packets: milliseconds of the monotonic
 * clock, the same clock as MAIN_INIT's multi_media_time. */
uint32_t red_audio_mm_time(void);

#endif /* RED_AUDIO_CODEC_H */
