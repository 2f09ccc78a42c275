// SPDX-License-Identifier: LGPL-2.1-or-later
/* reds-private.h (core/ and api/ only): the server object behind
 * SpiceServer.  Channels use the accessors of reds.h; display workers never
 * see it.
 *
 * Threads: main thread only.  The one field a worker reaches is main_queue,
 * through the RedWorkerEvents the api hands it (red_main_queue_post is
 * callable from any thread).
 */
#ifndef REDS_PRIVATE_H
#define REDS_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <glib.h>
#include <openssl/types.h>
#include <spice.h>

#include "red-channel-registry.h"
#include "red-link.h"
#include "red-session.h"
#include "reds.h"

struct MainChannel;
struct InputsChannel;
struct RedAgent;
struct RedVmcChannels;
struct RedAudio;
/* red-main-queue.h carries RedsConnection records (reds-connection.c stands
 * on this header), so the queue is named here, not included. */
struct RedMainQueue;

struct RedsState {
    const SpiceCoreInterface *core;
    bool initialized;

    /* configuration */
    char *addr;
    int addr_flags;
    int port;
    bool ticketing;             /* default on: no password = nobody links */
    char password[SPICE_MAX_PASSWORD_LENGTH + 1];
    /* When the ticket expires, in monotonic seconds (as spice-server: it
     * is expired once the clock is past it); INT64_MAX: never. */
    int64_t ticket_expiry;
    char *name;
    uint8_t uuid[16];
    bool have_uuid;
    SpiceImageCompression image_compression;
    spice_wan_compression_t jpeg_compression; /* lossy images: red-image-lossy.h */
    spice_wan_compression_t zlib_glz_compression; /* zlib over GLZ: red-image-codec.h */
    int streaming_video;        /* SPICE_STREAM_VIDEO_*: for display clients attached after */
    char *video_codecs;         /* accepted list (api/reds-video-codecs.c), NULL = none set */
    bool agent_mouse;
    bool vdagent_attached;      /* the vdagent char device is added (the guest opened its port) */
    bool agent_copypaste;       /* clipboard messages through the agent */
    bool agent_file_xfer;       /* file-transfer messages through the agent */
    bool exit_on_disconnect;

    /* TLS and channel security (api/reds-security.c) */
    int tls_port;               /* -1: no TLS port */
    char *tls_ca_file, *tls_cert_file, *tls_key_file, *tls_key_password;
    char *tls_dh_file, *tls_ciphers;
    SSL_CTX *tls_ctx;           /* built by spice_server_init */
    uint32_t default_security;  /* SPICE_CHANNEL_SECURITY_* bits */
    uint32_t channel_security[SPICE_END_CHANNEL];
    bool channel_security_set[SPICE_END_CHANNEL];
    bool sasl;                  /* SASL instead of the ticket (TLS links only) */
    char *sasl_appname;         /* NULL: "spice" */

    /* network */
    int listen_fd;
    SpiceWatch *listen_watch;
    int tls_listen_fd;
    SpiceWatch *tls_listen_watch;
    int caller_listen_fd;       /* spice_server_set_listen_socket_fd: never closed */
    SpiceWatch *caller_listen_watch;
    GList *links;               /* RedLink* in handshake */
    RedLinkPolicy link_policy;

    /* channels and the sessions (one per connected client) */
    RedChannelRegistry *registry;
    RedSessions *sessions;
    struct MainChannel *main_channel;
    struct InputsChannel *inputs_channel;
    GList *connections;         /* RedsConnection*, for channel events */

    /* devices */
    GPtrArray *qxls;            /* RedsQxl* (api/reds-displays.c) */
    SpiceKbdInstance *keyboard;
    SpiceMouseInstance *mouse;
    SpiceTabletInstance *tablet;
    struct RedAgent *agent;     /* the vdagent char device, if added */
    struct RedVmcChannels *vmc_channels; /* usbredir pass-through channels */
    struct RedAudio *audio;     /* playback and record channels (server/audio) */
    GList *char_devices;        /* SpiceCharDeviceInstance* added */
    uint8_t kbd_leds;
    uint32_t mouse_mode;        /* SPICE_MOUSE_MODE_SERVER or _CLIENT */
    bool vm_running;

    /* events from the display workers */
    struct RedMainQueue *main_queue;
};

#endif /* REDS_PRIVATE_H */
