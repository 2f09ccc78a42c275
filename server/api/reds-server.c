/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* reds-server.c: the server object: configuration setters, the listening
 * sockets (plain and TLS), the link policy (tickets and channel security;
 * the channel registry says which channel goes where), set-up and
 * teardown. */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "inputs-channel.h"
#include "main-channel.h"
#include "red-agent.h"
#include "red-audio.h"
#include "red-vmc.h"
#include "red-log.h"
#include "reds-char-devices.h"
#include "reds-displays.h"
#include "reds-private.h"
#include "reds-security.h"

RED_EXPORT SpiceServer *spice_server_new(void)
{
    RedsState *reds = g_new0(RedsState, 1);
    reds->ticketing = true; /* as the real server: no password, no login */
    reds->ticket_expiry = INT64_MAX;
    reds->listen_fd = -1;
    reds->caller_listen_fd = -1;
    reds->port = -1;
    reds_security_init(reds);
    reds->image_compression = SPICE_IMAGE_COMPRESSION_AUTO_GLZ;
    reds->jpeg_compression = SPICE_WAN_COMPRESSION_AUTO; /* the real library's default */
    reds->zlib_glz_compression = SPICE_WAN_COMPRESSION_AUTO; /* and this */
    reds->streaming_video = SPICE_STREAM_VIDEO_FILTER; /* the real library's default */
    reds->agent_mouse = true;
    reds->agent_copypaste = true;
    reds->agent_file_xfer = true;
    reds->mouse_mode = SPICE_MOUSE_MODE_SERVER;
    reds->vm_running = true; /* the real server starts "running" too */
    reds->qxls = g_ptr_array_new();
    reds->registry = red_channel_registry_new();
    reds->sessions = red_sessions_new(reds->registry);
    reds->agent = red_agent_create(reds);
    /* The order of the classes is the order of CHANNELS_LIST and of the
     * session's end: main, inputs, then display and cursor per QXL. */
    reds->main_channel = main_channel_new(reds);
    reds->inputs_channel = inputs_channel_new(reds);
    if (reds->main_channel == NULL || reds->inputs_channel == NULL ||
        reds_displays_register(reds) != 0 ||
        (reds->vmc_channels = red_vmc_channels_create(reds)) == NULL ||
        (reds->audio = red_audio_create(reds)) == NULL) {
        red_log_warn("spice_server_new: cannot register the channels");
        spice_server_destroy(reds);
        return NULL;
    }
    return reds;
}

/* ---- link policy: the registry's classes answer -------------------------- */

static void policy_channel_caps(void *opaque, uint8_t type, SpiceLinkCaps *caps)
{
    RedsState *reds = opaque;
    red_channel_registry_caps(reds->registry, type, caps);
}

static bool policy_check_ticket(void *opaque, const char *password)
{
    RedsState *reds = opaque;
    if (!reds->ticketing) {
        return true;
    }
    if (reds->password[0] == '\0') {
        red_log_info("link refused: ticketing is enabled but no password is set");
        return false;
    }
    if (reds->ticket_expiry < g_get_monotonic_time() / G_USEC_PER_SEC) {
        red_log_info("link refused: the ticket has expired");
        return false;
    }
    return strcmp(password, reds->password) == 0;
}

static uint32_t policy_check_security(void *opaque, uint8_t channel_type, bool tls)
{
    return reds_security_check(opaque, channel_type, tls);
}

static uint32_t policy_check_channel(void *opaque, const SpiceLinkRequest *req)
{
    RedsState *reds = opaque;
    return red_sessions_check_link(reds->sessions, req);
}

static void policy_linked(void *opaque, RedStream *stream, const SpiceLinkRequest *req)
{
    RedsState *reds = opaque;
    red_channel_registry_link(reds->registry, stream, req);
}

static void policy_finished(void *opaque, RedLink *link)
{
    RedsState *reds = opaque;
    reds->links = g_list_remove(reds->links, link);
}

static const RedLinkPolicy *reds_link_policy(RedsState *reds)
{
    reds->link_policy = (RedLinkPolicy){ .opaque = reds, .sasl = reds->sasl,
                                         .channel_caps = policy_channel_caps,
                                         .check_ticket = policy_check_ticket,
                                         .check_security = policy_check_security,
                                         .check_channel = policy_check_channel,
                                         .linked = policy_linked, .finished = policy_finished };
    return &reds->link_policy;
}

/* tls: the TLS context, or NULL for a plain link. */
static void reds_start_link(RedsState *reds, int fd, SSL_CTX *tls)
{
    RedLink *l = red_link_start(reds->core, fd, tls, reds_link_policy(reds));
    if (l) {
        reds->links = g_list_prepend(reds->links, l);
    }
}

/* ---- listening ---------------------------------------------------------------- */

/* An accepted socket, or -1 (nothing to accept, or logged). */
static int reds_accept(int fd)
{
    int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (c < 0 && errno != EAGAIN && errno != EINTR) {
        red_log_warn("accept failed: %s", g_strerror(errno));
    }
    return c;
}

static void reds_on_accept(int fd, int event, void *opaque)
{
    (void)event;
    int c = reds_accept(fd);
    if (c >= 0) {
        reds_start_link(opaque, c, NULL);
    }
}

static void reds_on_accept_tls(int fd, int event, void *opaque)
{
    RedsState *reds = opaque;
    (void)event;
    int c = reds_accept(fd);
    if (c >= 0) {
        reds_start_link(reds, c, reds->tls_ctx);
    }
}

/* SPICE_ADDR_FLAG_UNIX_ONLY: addr is a socket path, or with a leading '@' a
 * name in the abstract namespace; a stale socket file at the path is
 * replaced, as the real library does. */
static int reds_listen_unix(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof(sun.sun_path)) {
        red_log_warn("cannot listen on unix socket \"%s\": path length %zu not in 1..%zu", path,
                     len, sizeof(sun.sun_path) - 1);
        return -1;
    }
    memcpy(sun.sun_path, path, len);
    if (path[0] == '@') {
        sun.sun_path[0] = '\0';
    } else {
        (void)unlink(path);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    socklen_t sa_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sa_len) != 0 || listen(fd, 16) != 0) {
        red_log_warn("cannot listen on unix socket \"%s\": %s", path, g_strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    return fd;
}

/* Listens on the server's address at port_number: the socket, or -1
 * (logged). */
static int reds_listen_tcp(const RedsState *reds, int port_number)
{
    char port[16];
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
    struct addrinfo *res = NULL;
    hints.ai_family = (reds->addr_flags & SPICE_ADDR_FLAG_IPV4_ONLY) ? AF_INET
                    : (reds->addr_flags & SPICE_ADDR_FLAG_IPV6_ONLY) ? AF_INET6 : AF_UNSPEC;
    g_snprintf(port, sizeof(port), "%d", port_number);
    const char *host = reds->addr && reds->addr[0] ? reds->addr : NULL;
    int err = getaddrinfo(host, port, &hints, &res);
    if (err != 0) {
        red_log_warn("cannot resolve %s:%s: %s", host ? host : "*", port, gai_strerror(err));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            continue;
        }
        int one = 1;
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 16) != 0) {
            red_log_warn("cannot listen on %s:%s: %s", host ? host : "*", port, g_strerror(errno));
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

/* Our own socket (a port, or a unix path), and the caller's listening fd
 * (spice_server_set_listen_socket_fd) beside it: both accept clients. */
static int reds_listen(RedsState *reds)
{
    bool unix_only = (reds->addr_flags & SPICE_ADDR_FLAG_UNIX_ONLY) != 0;
    if (unix_only || reds->port > 0) {
        int fd = unix_only ? reds_listen_unix(reds->addr ? reds->addr : "")
                           : reds_listen_tcp(reds, reds->port);
        if (fd < 0) {
            return -1;
        }
        reds->listen_fd = fd;
        reds->listen_watch = reds->core->watch_add(fd, SPICE_WATCH_EVENT_READ, reds_on_accept, reds);
    }
    if (reds->caller_listen_fd >= 0) {
        /* accept must not block the host's loop when a client vanished
         * between the wake-up and the call. */
        int fl = fcntl(reds->caller_listen_fd, F_GETFL);
        if (fl < 0 || fcntl(reds->caller_listen_fd, F_SETFL, fl | O_NONBLOCK) != 0) {
            red_log_warn("listen socket fd %d: %s", reds->caller_listen_fd, g_strerror(errno));
            return -1;
        }
        reds->caller_listen_watch = reds->core->watch_add(reds->caller_listen_fd,
                                                          SPICE_WATCH_EVENT_READ, reds_on_accept,
                                                          reds);
    }
    return 0;
}

RED_EXPORT int spice_server_init(SpiceServer *reds, SpiceCoreInterface *core)
{
    if (core == NULL || core->base.major_version != SPICE_INTERFACE_CORE_MAJOR) {
        red_log_warn("spice_server_init: unsupported core interface");
        return -1;
    }
    reds->core = core;
    reds->main_queue = red_main_queue_new(core, reds_displays_on_main_event, reds);
    if (reds->main_queue == NULL || inputs_channel_start(reds->inputs_channel) != 0) {
        return -1;
    }
    if (reds_listen(reds) != 0 || reds_security_start(reds) != 0) {
        return -1;
    }
    if (reds->tls_port > 0) {
        if ((reds->tls_listen_fd = reds_listen_tcp(reds, reds->tls_port)) < 0) {
            red_log_warn("spice_server_init: TLS port %d not opened", reds->tls_port);
            return -1;
        }
        reds->tls_listen_watch = core->watch_add(reds->tls_listen_fd, SPICE_WATCH_EVENT_READ,
                                                 reds_on_accept_tls, reds);
    }
    reds->initialized = true;
    return 0;
}

RED_EXPORT void spice_server_destroy(SpiceServer *reds)
{
    if (reds == NULL) {
        return;
    }
    while (reds->links) {
        red_link_abort(reds->links->data);
        reds->links = g_list_delete_link(reds->links, reds->links);
    }
    /* Every session ends (each class closes its clients of it), then any
     * client left is closed (inputs, then main: the reverse of set-up), then
     * the workers go with theirs; the workers' last events are delivered
     * when the queue goes. */
    red_sessions_end_all(reds->sessions, "server destroyed");
    red_channel_registry_close_all(reds->registry, "server destroyed");
    reds_char_devices_remove_all(reds);
    reds_displays_remove_all(reds);
    g_ptr_array_free(reds->qxls, TRUE);
    reds->qxls = NULL; /* audio clients closed below tell no worker */
    red_main_queue_free(reds->main_queue);
    g_list_free_full(reds->connections, g_free);
    if (reds->listen_watch) {
        reds->core->watch_remove(reds->listen_watch);
    }
    if (reds->listen_fd >= 0) {
        close(reds->listen_fd);
    }
    if (reds->tls_listen_watch) {
        reds->core->watch_remove(reds->tls_listen_watch);
    }
    if (reds->tls_listen_fd >= 0) {
        close(reds->tls_listen_fd);
    }
    reds_security_finish(reds);
    /* The caller's listening fd stays open: it is the caller's. */
    if (reds->caller_listen_watch) {
        reds->core->watch_remove(reds->caller_listen_watch);
    }
    inputs_channel_free(reds->inputs_channel);
    main_channel_free(reds->main_channel);
    red_agent_destroy(reds->agent);
    red_vmc_channels_destroy(reds->vmc_channels);
    red_audio_destroy(reds->audio);
    red_sessions_free(reds->sessions);
    red_channel_registry_free(reds->registry);
    g_free(reds->addr);
    g_free(reds->name);
    g_free(reds->video_codecs);
    memset(reds->password, 0, sizeof(reds->password));
    g_free(reds);
}

/* ---- configuration ------------------------------------------------------------ */

RED_EXPORT int spice_server_set_port(SpiceServer *reds, int port)
{
    if (port < 0 || port > 0xffff) {
        return -1;
    }
    reds->port = port;
    return 0;
}

RED_EXPORT void spice_server_set_addr(SpiceServer *reds, const char *addr, int flags)
{
    g_free(reds->addr);
    reds->addr = g_strdup(addr ? addr : "");
    reds->addr_flags = flags;
}

RED_EXPORT int spice_server_set_listen_socket_fd(SpiceServer *reds, int listen_fd)
{
    reds->caller_listen_fd = listen_fd;
    return 0;
}

RED_EXPORT int spice_server_set_exit_on_disconnect(SpiceServer *reds, int flag)
{
    reds->exit_on_disconnect = flag != 0;
    return 0;
}

RED_EXPORT int spice_server_set_noauth(SpiceServer *reds)
{
    memset(reds->password, 0, sizeof(reds->password));
    reds->ticketing = false;
    return 0;
}

/* As spice-server: with a client connected, fail_if_connected refuses (-1,
 * nothing changed) and disconnect_if_connected disconnects it first, as
 * does switching ticketing on from set_noauth.  lifetime in seconds from
 * now, 0 for ever; a negative one is already expired.  passwd NULL: nobody
 * can log in.  -1 for a password over SPICE_MAX_PASSWORD_LENGTH. */
RED_EXPORT int spice_server_set_ticket(SpiceServer *reds, const char *passwd, int lifetime,
                                       int fail_if_connected, int disconnect_if_connected)
{
    if (reds_count_clients(reds) > 0) {
        if (fail_if_connected) {
            return -1;
        }
        if (disconnect_if_connected || !reds->ticketing) {
            reds_end_all_sessions(reds, "ticket changed");
        }
    }
    if (passwd != NULL && strlen(passwd) > SPICE_MAX_PASSWORD_LENGTH) {
        return -1;
    }
    reds->ticketing = true;
    reds->ticket_expiry = lifetime == 0 ? INT64_MAX
                        : g_get_monotonic_time() / G_USEC_PER_SEC + lifetime;
    if (passwd == NULL) {
        memset(reds->password, 0, sizeof(reds->password));
        reds->ticket_expiry = 0;
        return 0;
    }
    g_strlcpy(reds->password, passwd, sizeof(reds->password));
    return 0;
}

RED_EXPORT void spice_server_set_name(SpiceServer *reds, const char *name)
{
    g_free(reds->name);
    reds->name = g_strdup(name);
}

RED_EXPORT void spice_server_set_uuid(SpiceServer *reds, const uint8_t uuid[16])
{
    memcpy(reds->uuid, uuid, sizeof(reds->uuid));
    reds->have_uuid = true;
}

RED_EXPORT int spice_server_set_image_compression(SpiceServer *reds, SpiceImageCompression comp)
{
    if (comp == SPICE_IMAGE_COMPRESSION_INVALID || comp >= SPICE_IMAGE_COMPRESSION_ENUM_END) {
        return -1;
    }
    /* Each client's display channel maps the setting to what we encode
     * when it attaches (red-image-codec.h). */
    reds->image_compression = comp;
    return 0;
}

RED_EXPORT SpiceImageCompression spice_server_get_image_compression(SpiceServer *reds)
{
    return reds->image_compression;
}

/* Lossy images for display clients attached after the call
 * (red-image-lossy.h says when they are used). */
RED_EXPORT int spice_server_set_jpeg_compression(SpiceServer *reds, spice_wan_compression_t comp)
{
    if (comp != SPICE_WAN_COMPRESSION_AUTO && comp != SPICE_WAN_COMPRESSION_NEVER &&
        comp != SPICE_WAN_COMPRESSION_ALWAYS) {
        return -1;
    }
    reds->jpeg_compression = comp;
    return 0;
}

/* zlib over GLZ for display clients attached after the call
 * (red-image-codec.h says when it is used). */
RED_EXPORT int spice_server_set_zlib_glz_compression(SpiceServer *reds,
                                                     spice_wan_compression_t comp)
{
    if (comp != SPICE_WAN_COMPRESSION_AUTO && comp != SPICE_WAN_COMPRESSION_NEVER &&
        comp != SPICE_WAN_COMPRESSION_ALWAYS) {
        return -1;
    }
    reds->zlib_glz_compression = comp;
    return 0;
}

/* Applies to display clients that attach after the call (the real library
 * also re-evaluates live streams; ours end within a second anyway). */
RED_EXPORT int spice_server_set_streaming_video(SpiceServer *reds, int value)
{
    if (value != SPICE_STREAM_VIDEO_OFF && value != SPICE_STREAM_VIDEO_ALL &&
        value != SPICE_STREAM_VIDEO_FILTER) {
        return -1;
    }
    reds->streaming_video = value;
    return 0;
}

RED_EXPORT int spice_server_set_agent_mouse(SpiceServer *reds, int enable)
{
    reds->agent_mouse = enable != 0;
    if (reds->main_channel) {
        main_channel_send_mouse_mode(reds->main_channel);
    }
    return 0;
}

/* Off: the agent's clipboard (or file-transfer) messages are dropped both
 * ways (chardev/red-agent-framing.c), from the next message on. */
RED_EXPORT int spice_server_set_agent_copypaste(SpiceServer *reds, int enable)
{
    reds->agent_copypaste = enable != 0;
    return 0;
}

RED_EXPORT int spice_server_set_agent_file_xfer(SpiceServer *reds, int enable)
{
    reds->agent_file_xfer = enable != 0;
    return 0;
}

RED_EXPORT int spice_server_is_server_mouse(SpiceServer *reds)
{
    return reds->mouse_mode == SPICE_MOUSE_MODE_SERVER;
}

RED_EXPORT int spice_server_get_num_clients(SpiceServer *reds)
{
    return (int)reds_count_clients(reds);
}

RED_EXPORT int spice_server_add_client(SpiceServer *reds, int socket, int skip_auth)
{
    (void)skip_auth; /* the ticket step still runs; noauth accepts any ticket */
    if (!reds->initialized) {
        return -1;
    }
    reds_start_link(reds, socket, NULL);
    return 0;
}

/* Has the peer of a connected socket already closed it (or reset it)?
 * Looks without taking anything. */
static bool reds_peer_gone(int fd)
{
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* A connected socket whose client speaks TLS first (QMP add_client
 * tls=on).  -1 without a TLS port configured, or when the peer has gone
 * already (spice-server's first handshake step fails then, and QEMU and
 * upstream's test-leaks count on the -1); the socket is then the caller's,
 * as spice-server leaves it. */
RED_EXPORT int spice_server_add_ssl_client(SpiceServer *reds, int socket, int skip_auth)
{
    (void)skip_auth; /* as add_client: the ticket step still runs */
    if (!reds->initialized || reds->tls_ctx == NULL) {
        red_log_warn("add_ssl_client: no TLS port is configured");
        return -1;
    }
    if (reds_peer_gone(socket)) {
        red_log_warn("add_ssl_client: the client has closed socket %d already", socket);
        return -1;
    }
    reds_start_link(reds, socket, reds->tls_ctx);
    return 0;
}

RED_EXPORT void spice_server_vm_start(SpiceServer *reds)
{
    reds_displays_set_running(reds, true);
}

RED_EXPORT void spice_server_vm_stop(SpiceServer *reds)
{
    reds_displays_set_running(reds, false);
}
