// SPDX-License-Identifier: LGPL-2.1-or-later
/* red-channel-registry.h: the channels a server offers, so that the link
 * policy, the channel list and the session end loop over classes instead of
 * naming each channel.
 *
 * A class is one channel type (main, inputs, display, cursor) with its
 * operations; an instance is one (type, id) a client may link to (display 0,
 * cursor 0, ...), and every client of every session may link to it.  The
 * main channel is a class without instances: linking it opens a session
 * rather than joining one.
 *
 * Threads: main thread only (link, session end and server teardown all run
 * there).
 */
#ifndef RED_CHANNEL_REGISTRY_H
#define RED_CHANNEL_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "red-stream.h"
#include "spice-link.h"

typedef struct RedChannelClass {
    uint8_t type;               /* SPICE_CHANNEL_* */
    /* Linking this channel opens a new session (the main channel): any id,
     * no connection id to check, never listed in CHANNELS_LIST. */
    bool opens_session;
    /* Adds our capabilities for this channel type to caps (NULL: only the
     * common ones, which the link fills). */
    void (*caps)(void *opaque, SpiceLinkCaps *caps);
    /* A client finished the handshake for instance (NULL for a class that
     * opens sessions); the stream's ownership passes. */
    void (*link)(void *opaque, void *instance, RedStream *stream, const SpiceLinkRequest *req);
    /* Session session_id ended: close the clients of that session (those
     * that linked quoting it), and only those.  NULL for a class with no
     * clients of its own. */
    void (*session_ended)(void *opaque, uint32_t session_id, const char *why);
    /* The server is being destroyed: close every client now.  NULL when the
     * class's owner closes them (display workers do, when destroyed). */
    void (*close_all)(void *opaque, const char *why);
} RedChannelClass;

typedef struct RedChannelRegistry RedChannelRegistry;

RedChannelRegistry *red_channel_registry_new(void);
void red_channel_registry_free(RedChannelRegistry *r); /* NULL ok */

/* Registers a class (cls must outlive the registry; opaque is passed to its
 * operations).  Returns 0, or -1 if its type has a class already. */
int red_channel_registry_add_class(RedChannelRegistry *r, const RedChannelClass *cls,
                                   void *opaque);
/* Offers (type, id), served by instance.  Returns 0, or -1 when the type has
 * no class or (type, id) is offered already. */
int red_channel_registry_add(RedChannelRegistry *r, uint8_t type, uint8_t id, void *instance);
/* Withdraws (type, id); clients already linked are the owner's to close. */
void red_channel_registry_remove(RedChannelRegistry *r, uint8_t type, uint8_t id);

/* Is (type, id) offered? */
bool red_channel_registry_offers(const RedChannelRegistry *r, uint8_t type, uint8_t id);
/* Instances of a type (for the display hint of MAIN_INIT). */
unsigned red_channel_registry_count(const RedChannelRegistry *r, uint8_t type);
/* Writes (type, id) pairs of every offered instance, in the order they were
 * added, into pairs (2 bytes each, at most max pairs).  Returns how many. */
size_t red_channel_registry_list(const RedChannelRegistry *r, uint8_t *pairs, size_t max);
size_t red_channel_registry_size(const RedChannelRegistry *r); /* offered instances */

/* The link policy's questions, answered from the classes: */
void red_channel_registry_caps(const RedChannelRegistry *r, uint8_t type, SpiceLinkCaps *caps);
/* Does linking this channel type open a session (the main channel)? */
bool red_channel_registry_opens_session(const RedChannelRegistry *r, uint8_t type);
/* Hands a linked stream to its class (ownership passes; a stream nobody
 * serves is closed). */
void red_channel_registry_link(RedChannelRegistry *r, RedStream *stream,
                               const SpiceLinkRequest *req);

/* Every class hears that session session_id ended, in the order they were
 * added (red-session.c announces it). */
void red_channel_registry_session_ended(RedChannelRegistry *r, uint32_t session_id,
                                        const char *why);
/* Every class closes its clients, the last added first (teardown runs in
 * the reverse order of set-up). */
void red_channel_registry_close_all(RedChannelRegistry *r, const char *why);

#endif /* RED_CHANNEL_REGISTRY_H */
