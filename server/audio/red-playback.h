/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-playback.h: the playback channel of one SpicePlaybackInstance: the
 * guest's sound to every client that links (PLAYBACK, 0), raw S16 stereo
 * or Opus.
 *
 * Flow (why frames are dropped): audio is only worth hearing now.  Each
 * client holds at most one frame waiting to be sent, and a frame is sent
 * only while fewer than RED_PLAYBACK_MAX_QUEUED bytes wait for its socket
 * (else when they have been written: red_channel_client_notify_drained);
 * a newer frame replaces a waiting one (the old one is dropped), as
 * upstream keeps one pending frame.  A client that reads slowly therefore
 * costs a few KiB, never a growing queue, and hears the newest sound when
 * it catches up.
 *
 * Threads: main thread only (red-audio.h).
 */
#ifndef RED_PLAYBACK_H
#define RED_PLAYBACK_H

#include <stdbool.h>
#include <stdint.h>

#include <spice.h>

#include "red-audio-codec.h"
#include "reds.h"

/* Three raw packets (about 30 ms; 16 bytes: a DATA message's mini header
 * and time): enough to keep a live client's socket busy between two packets
 * of the host, little enough to stay in time. */
#define RED_PLAYBACK_MAX_QUEUED \
    (3u * (RED_AUDIO_PACKET_FRAMES * RED_AUDIO_FRAME_BYTES + 16u))

typedef struct RedPlayback RedPlayback;

/* Creates the channel of sin (sin->st points to it) and offers
 * (PLAYBACK, 0).  *slot is set to NULL when it is freed.  NULL on failure. */
RedPlayback *red_playback_new(RedsState *reds, SpicePlaybackInstance *sin, RedPlayback **slot);
/* Closes its clients, withdraws the channel, detaches sin.  NULL ok. */
void red_playback_free(RedPlayback *pb);

/* Our caps for a playback link: VOLUME, and OPUS once the host set an
 * Opus rate (as upstream).  pb NULL: VOLUME only. */
void red_playback_caps(const RedPlayback *pb, SpiceLinkCaps *caps);
/* A client linked: it gets PLAYBACK_MODE, VOLUME and MUTE if the host set a
 * volume, and START if playback is on. */
void red_playback_link(RedPlayback *pb, RedStream *stream, const SpiceLinkRequest *req);
/* Closes the clients of session_id (0: all) without ending sessions. */
void red_playback_close_clients(RedPlayback *pb, uint32_t session_id, const char *why);
/* Re-picks every client's mode (spice_server_set_playback_compression). */
void red_playback_set_compression(RedPlayback *pb, bool on);

/* The public API (api/reds-audio.c), same semantics as upstream's: */
void red_playback_start(RedPlayback *pb);
void red_playback_stop(RedPlayback *pb);
/* A buffer of *frames frames while playback is on and a client listens;
 * NULL and 0 otherwise.  The host fills it and gives it back with
 * red_playback_put_samples. */
void red_playback_get_buffer(RedPlayback *pb, uint32_t **samples, uint32_t *frames);
/* Sends the frames of the buffer get_buffer gave to every listening client
 * (copied: the buffer is the host's again at once).  Any other pointer is
 * ignored (logged once). */
void red_playback_put_samples(RedPlayback *pb, const uint32_t *samples);
void red_playback_set_volume(RedPlayback *pb, uint8_t nchannels, const uint16_t *volume);
void red_playback_set_mute(RedPlayback *pb, uint8_t mute);
void red_playback_set_rate(RedPlayback *pb, uint32_t frequency);

/* Lip sync (red-video.h): the session's video needs ms of margin.  Its
 * clients that announced SPICE_PLAYBACK_CAP_LATENCY get PLAYBACK_LATENCY,
 * the least they should buffer (upstream sends it on the same news). */
void red_playback_set_latency(RedPlayback *pb, uint32_t session_id, uint32_t ms);
/* Whether a client of session_id is started (hears the sound now).  Each
 * change of that is told to reds_set_audio_clock. */
bool red_playback_session_hears(const RedPlayback *pb, uint32_t session_id);

/* Frames dropped for slow clients so far (a frame dropped for two clients
 * counts twice): tests and logs. */
uint64_t red_playback_frames_dropped(const RedPlayback *pb);

#endif /* RED_PLAYBACK_H */
