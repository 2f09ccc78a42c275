/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-record.h: the record channel of one SpiceRecordInstance: a client's
 * microphone (RECORD_DATA, raw S16 stereo or Opus) into a ring the host
 * reads with spice_server_record_get_samples.
 *
 * One client feeds the guest at a time: the one linked last (red-audio.h
 * says why).  Record data is untrusted: a packet that is not whole S16
 * stereo frames, is larger than the ring, is not valid Opus, or a mode we
 * did not offer closes that client (logged with the value), as does any
 * malformed message.
 *
 * Threads: main thread only (red-audio.h).
 */
#ifndef RED_RECORD_H
#define RED_RECORD_H

#include <stdint.h>

#include <spice.h>

#include "reds.h"

/* Frames the ring holds: upstream's 32 KiB of S16 stereo, about 170 ms at
 * 48 kHz.  The host gets nothing until half of it has arrived after a
 * start (upstream's pre-buffer, which absorbs the network's jitter); when
 * the host reads too slowly the oldest frames are overwritten. */
#define RED_RECORD_RING_FRAMES 8192u
/* The largest RECORD_DATA payload accepted: a packet that alone overfills
 * the ring is not live audio. */
#define RED_RECORD_MAX_PACKET (RED_RECORD_RING_FRAMES * 4u)

typedef struct RedRecord RedRecord;

/* Creates the channel of sin (sin->st points to it) and offers (RECORD, 0);
 * *slot is set to NULL when it is freed.  NULL on failure. */
RedRecord *red_record_new(RedsState *reds, SpiceRecordInstance *sin, RedRecord **slot);
/* Closes its clients, withdraws the channel, detaches sin.  NULL ok. */
void red_record_free(RedRecord *rec);

/* Our caps for a record link: VOLUME, and OPUS once the host set an Opus
 * rate (as upstream).  rec NULL: VOLUME only. */
void red_record_caps(const RedRecord *rec, SpiceLinkCaps *caps);
/* A client linked: VOLUME and MUTE if the host set a volume; it becomes the
 * one that feeds the guest (START while recording is on). */
void red_record_link(RedRecord *rec, RedStream *stream, const SpiceLinkRequest *req);
/* Closes the clients of session_id (0: all) without ending sessions. */
void red_record_close_clients(RedRecord *rec, uint32_t session_id, const char *why);

/* The public API (api/reds-audio.c), same semantics as upstream's: */
void red_record_start(RedRecord *rec);
void red_record_stop(RedRecord *rec);
/* Copies up to bufsize frames of the feeding client's sound into samples;
 * returns how many (0: no client, not started, or still pre-buffering). */
uint32_t red_record_get_samples(RedRecord *rec, uint32_t *samples, uint32_t bufsize);
void red_record_set_volume(RedRecord *rec, uint8_t nchannels, const uint16_t *volume);
void red_record_set_mute(RedRecord *rec, uint8_t mute);
void red_record_set_rate(RedRecord *rec, uint32_t frequency);

#endif /* RED_RECORD_H */
