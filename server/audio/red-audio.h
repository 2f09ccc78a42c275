/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-audio.h: the server's audio: the playback and record channel classes
 * (SPICE_CHANNEL_PLAYBACK, SPICE_CHANNEL_RECORD), the host's playback
 * compression switch, and what the two channels share (a client's link and
 * close, the volume and mute state).
 *
 * Several clients (policy, as the display's): every playback client of
 * every session hears the guest, each in its own mode (raw or Opus) and
 * with its own flow control; record is one microphone, so only the record
 * client linked last feeds the guest (it gets RECORD_START while recording
 * is on, the one before it RECORD_STOP; when it leaves, the previous one
 * takes over).  Upstream serves one client per audio channel and
 * disconnects the older one; here a new client never disconnects another.
 *
 * Threads: main thread only (QEMU calls the audio API with its main loop's
 * lock held, on the thread that runs the SpiceCoreInterface callbacks).
 */
#ifndef RED_AUDIO_H
#define RED_AUDIO_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <spice.h>

#include "red-channel-client.h"
#include "reds-connection.h"
#include "reds.h"

typedef struct RedAudio RedAudio;

/* Creates the server's audio and registers the two channel classes (no
 * channel is offered until an interface is added).  NULL on failure. */
RedAudio *red_audio_create(RedsState *reds);
/* Closes every audio client, withdraws the channels and detaches the
 * instances (their audio calls are then no-ops).  NULL ok. */
void red_audio_destroy(RedAudio *audio);

/* spice_server_add_interface for "playback" / "record": offers (PLAYBACK, 0)
 * or (RECORD, 0).  Returns 0, or -1 (a second instance: there is one channel
 * id per type, as upstream's). */
int red_audio_add_playback(RedAudio *audio, SpicePlaybackInstance *sin);
int red_audio_add_record(RedAudio *audio, SpiceRecordInstance *sin);
/* spice_server_remove_interface: closes the instance's clients, withdraws its
 * channel.  0, or -1 when sin was not added. */
int red_audio_remove_playback(SpicePlaybackInstance *sin);
int red_audio_remove_record(SpiceRecordInstance *sin);

/* spice_server_set_playback_compression: on (the default) lets clients that
 * announce SPICE_PLAYBACK_CAP_OPUS get Opus; off sends raw PCM.  Clients
 * already connected switch modes (a PLAYBACK_MODE message). */
void red_audio_set_playback_compression(RedAudio *audio, bool on);
bool red_audio_playback_compression(const RedAudio *audio);
/* The video of session session_id needs ms of margin: its playback clients
 * are told to buffer that much (red-playback.h).  audio NULL ok. */
void red_audio_set_video_latency(RedAudio *audio, uint32_t session_id, uint32_t ms);
/* Whether a playback client of session_id is started (its sound sets the
 * session's clock: reds_set_audio_clock).  audio NULL: false. */
bool red_audio_session_hears(const RedAudio *audio, uint32_t session_id);

/* ---- shared by red-playback.c and red-record.c ------------------------- */

/* The volume and mute the host set, per channel; sent to clients that have
 * the VOLUME cap.  Upstream's rule: nothing is sent until the host set a
 * volume (nchannels > 0); from then on volume and mute go together on link. */
typedef struct RedAudioVolume {
    uint8_t nchannels;
    uint16_t *volume;           /* nchannels values, g_malloc'd */
    uint8_t mute;
} RedAudioVolume;

/* Stores the host's volume (volume may be NULL only when nchannels is 0). */
void red_audio_volume_set(RedAudioVolume *v, uint8_t nchannels, const uint16_t *volume);
void red_audio_volume_finish(RedAudioVolume *v);

/* One client of an audio channel: what both channel types keep. */
typedef struct RedAudioClient {
    RedsState *reds;
    RedChannelClient *rcc;
    RedsConnection *connection;
    uint32_t session_id;        /* the connection id its link quoted */
    bool started;               /* START sent and no STOP since */
    bool owner_closed;          /* closed by red_audio_client_close */
} RedAudioClient;

/* Opens the channel client for a linked stream (ownership passes) and emits
 * the channel events.  Returns 0, or -1 (stream closed). */
int red_audio_client_open(RedAudioClient *ac, RedsState *reds, RedStream *stream,
                          const SpiceLinkRequest *req, const RedChannelClientOps *ops,
                          void *opaque);
/* Closes the client for a reason of ours that is not its fault (session
 * ended, interface removed, server destroyed): its session is left alone.
 * on_closed runs before this returns unless a handler is on the stack. */
void red_audio_client_close(RedAudioClient *ac, const char *why);
/* After on_closed: frees the channel client, emits DISCONNECTED and, when we
 * closed it for an error, ends its session (a broken client goes whole). */
void red_audio_client_finish(RedAudioClient *ac, const char *channel_name);
/* Send VOLUME (when the host set one) or MUTE to a client that has
 * volume_cap.  Return 0 (also when nothing was due), or -1 when the send
 * failed: the client may be freed then (its on_closed ran). */
int red_audio_client_send_volume(RedAudioClient *ac, const RedAudioVolume *v,
                                  unsigned volume_cap, uint16_t volume_type);
int red_audio_client_send_mute(RedAudioClient *ac, const RedAudioVolume *v,
                                unsigned volume_cap, uint16_t mute_type);

/* What a playback and a record instance share: the first member of
 * RedPlayback and RedRecord. */
typedef struct RedAudioInstance {
    RedsState *reds;
    uint8_t channel_type;       /* SPICE_CHANNEL_PLAYBACK or SPICE_CHANNEL_RECORD */
    GList *clients;             /* each a struct whose first member is its RedAudioClient */
    uint32_t frequency;         /* the host's rate; Opus's rate until it sets one */
    bool rate_set;
    RedAudioVolume volume;
} RedAudioInstance;

/* Fills a zeroed ai and offers (channel_type, 0), whose links go to owner
 * (the RedPlayback or RedRecord that holds ai).  Returns 0, or -1 when that
 * channel is offered already. */
int red_audio_instance_init(RedAudioInstance *ai, RedsState *reds, uint8_t channel_type,
                            void *owner);
/* Withdraws the channel, closes every client (why: the log's reason; their
 * sessions are left alone) and forgets the volume. */
void red_audio_instance_finish(RedAudioInstance *ai, const char *why);
/* Closes the clients of session_id (0: all) without ending sessions. */
void red_audio_instance_close_clients(RedAudioInstance *ai, uint32_t session_id, const char *why);
/* Our caps for a link: volume_cap, and opus_cap once the host set a rate
 * Opus takes (as upstream).  ai NULL: volume_cap only. */
void red_audio_instance_caps(const RedAudioInstance *ai, SpiceLinkCaps *caps,
                             unsigned volume_cap, unsigned opus_cap);
/* The host's volume or mute: kept for clients that link later and sent to
 * every client that has volume_cap. */
void red_audio_instance_set_volume(RedAudioInstance *ai, uint8_t nchannels,
                                   const uint16_t *volume, unsigned volume_cap,
                                   uint16_t volume_type);
void red_audio_instance_set_mute(RedAudioInstance *ai, uint8_t mute, unsigned volume_cap,
                                 uint16_t mute_type);

#endif /* RED_AUDIO_H */
