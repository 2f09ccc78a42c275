/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* reds-audio.c: the playback and record entry points of libspice-server.
 *
 * s3display has no audio channel yet.  QEMU's audio-spice module still
 * imports every one of these functions (the loader resolves them with
 * RTLD_NOW), and it calls them as soon as the guest opens a sound device,
 * whether or not a client is connected.  So each function does what the real
 * library does when no client has an audio channel open: playback hands out
 * no buffer, record delivers no samples, the rest changes nothing.  QEMU's
 * audio-spice copes with that state (it is the normal "no client" state), so
 * the guest's sound card keeps working and its output is simply dropped.
 *
 * Nothing here advertises a playback or record channel to clients; none
 * keeps state, so every function may be called from any thread and accepts
 * NULL for any argument.
 */
#include "config.h"

#include <spice.h>

#include "red-log.h"

/* The rate the real library reports while no client is connected: it
 * assumes the client will take Opus, whose native rate is 48 kHz.  QEMU
 * opens its voice at this rate, so reporting the same number keeps the
 * guest-visible audio set-up identical to Debian's library. */
#define RED_AUDIO_BEST_RATE 48000u

/* ---- playback ------------------------------------------------------------ */

/* Playback start: no-op.  There is no channel to start streaming on; the
 * guest's audio keeps running on QEMU's side. */
RED_EXPORT void spice_server_playback_start(SpicePlaybackInstance *sin)
{
}

/* Playback stop: no-op, for the same reason as start. */
RED_EXPORT void spice_server_playback_stop(SpicePlaybackInstance *sin)
{
}

/* Playback buffer: always *samples = NULL and *num_samples = 0, which is the
 * real library's answer when no client is listening.  QEMU then restarts its
 * rate limiter and asks again later instead of writing samples. */
RED_EXPORT void spice_server_playback_get_buffer(SpicePlaybackInstance *sin,
                                                 uint32_t **samples,
                                                 uint32_t *num_samples)
{
    if (samples) {
        *samples = NULL;
    }
    if (num_samples) {
        *num_samples = 0;
    }
}

/* Playback samples: ignored.  get_buffer never hands out a buffer, so there
 * is nothing of ours to take back; the pointer is never dereferenced. */
RED_EXPORT void spice_server_playback_put_samples(SpicePlaybackInstance *sin,
                                                  uint32_t *samples)
{
}

/* Playback volume: ignored (the volume would only be forwarded to a client). */
RED_EXPORT void spice_server_playback_set_volume(SpicePlaybackInstance *sin,
                                                 uint8_t nchannels,
                                                 uint16_t *volume)
{
}

/* Playback mute: ignored (the mute state would only be forwarded to a client). */
RED_EXPORT void spice_server_playback_set_mute(SpicePlaybackInstance *sin, uint8_t mute)
{
}

/* ---- record -------------------------------------------------------------- */

/* Record start: no-op; no client can send microphone data. */
RED_EXPORT void spice_server_record_start(SpiceRecordInstance *sin)
{
}

/* Record stop: no-op, for the same reason as start. */
RED_EXPORT void spice_server_record_stop(SpiceRecordInstance *sin)
{
}

/* Record samples: returns 0 and leaves the buffer untouched, the real
 * library's answer when no client sends audio; QEMU then feeds the guest
 * silence itself. */
RED_EXPORT uint32_t spice_server_record_get_samples(SpiceRecordInstance *sin,
                                                    uint32_t *samples,
                                                    uint32_t bufsize)
{
    return 0;
}

/* Record volume: ignored (it would only be forwarded to a client). */
RED_EXPORT void spice_server_record_set_volume(SpiceRecordInstance *sin,
                                               uint8_t nchannels,
                                               uint16_t *volume)
{
}

/* Record mute: ignored (it would only be forwarded to a client). */
RED_EXPORT void spice_server_record_set_mute(SpiceRecordInstance *sin, uint8_t mute)
{
}

/* ---- rates --------------------------------------------------------------- */

/* Best playback rate: RED_AUDIO_BEST_RATE (48000), as the real library with
 * no client connected. */
RED_EXPORT uint32_t spice_server_get_best_playback_rate(SpicePlaybackInstance *sin)
{
    return RED_AUDIO_BEST_RATE;
}

/* Playback rate: ignored; it would only pick the codec for a client stream. */
RED_EXPORT void spice_server_set_playback_rate(SpicePlaybackInstance *sin, uint32_t frequency)
{
}

/* Best record rate: RED_AUDIO_BEST_RATE (48000), as for playback. */
RED_EXPORT uint32_t spice_server_get_best_record_rate(SpiceRecordInstance *sin)
{
    return RED_AUDIO_BEST_RATE;
}

/* Record rate: ignored, as for playback. */
RED_EXPORT void spice_server_set_record_rate(SpiceRecordInstance *sin, uint32_t frequency)
{
}

/* Playback compression: accepted and ignored, returns 0 (the real library
 * never fails it either).  It only chooses between raw and compressed
 * streams for a client; QEMU calls it at start-up with its
 * playback-compression option. */
RED_EXPORT int spice_server_set_playback_compression(SpiceServer *s, int enable)
{
    return 0;
}
