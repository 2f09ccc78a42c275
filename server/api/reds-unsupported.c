/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* reds-unsupported.c: public entry points of features s3display does not
 * implement yet (client migration, record/replay, GL scanout) plus a few
 * deprecated leftovers.
 *
 * Why they exist at all: Debian's QEMU modules are bound with RTLD_NOW, so
 * every symbol of libspice-server.so.1 they import must be defined, and the
 * others are part of the ABI (spice-server.syms) that we reproduce exactly.
 *
 * Each function answers the way the real library answers when the feature
 * is absent or no client is connected: a documented -1 where the caller can
 * act on a refusal, a harmless no-op where it cannot.  Refusals set errno
 * (ENOTSUP for a feature we lack, EINVAL for a bad argument) and never
 * abort.  None of them creates a channel, so clients are never offered a
 * channel we cannot serve.  None keeps state: every function may be called
 * from any thread.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <spice.h>

#include "red-log.h"

/* ---- client migration ---------------------------------------------------- */

/* Switch-host migration set-up (deprecated): -1, errno ENOTSUP.  We cannot
 * tell clients where to reconnect. */
RED_EXPORT int spice_server_migrate_info(SpiceServer *s, const char *dest,
                                         int port, int secure_port,
                                         const char *cert_subject)
{
    red_log_info("client migration to %s is not supported", dest ? dest : "(null)");
    errno = ENOTSUP;
    return -1;
}

/* Switch-host migration trigger (deprecated): 0.  migrate_info never
 * succeeds, so no client waits for a switch; the real library also returns
 * 0 when there is nobody to switch. */
RED_EXPORT int spice_server_migrate_switch(SpiceServer *s)
{
    return 0;
}

/* Seamless/semi-seamless migration set-up: -1, errno ENOTSUP.  QEMU's
 * client_migrate_info then reports that the display could not be prepared,
 * and libvirt does not wait for a SPICE_MIGRATE_COMPLETED event; the VM
 * migrates anyway and clients reconnect by hand. */
RED_EXPORT int spice_server_migrate_connect(SpiceServer *s, const char *dest,
                                            int port, int secure_port,
                                            const char *cert_subject)
{
    red_log_info("client migration to %s is not supported", dest ? dest : "(null)");
    errno = ENOTSUP;
    return -1;
}

/* Migration started: 0; there is no client state to freeze. */
RED_EXPORT int spice_server_migrate_start(SpiceServer *s)
{
    return 0;
}

/* Migration ended (completed or not): 0; no client was handed over, so
 * there is nothing to finish. */
RED_EXPORT int spice_server_migrate_end(SpiceServer *s, int completed)
{
    return 0;
}

/* Seamless migration switch: ignored; it only matters once
 * migrate_connect can succeed. */
RED_EXPORT void spice_server_set_seamless_migration(SpiceServer *s, int enable)
{
}


/* ---- compatibility leftovers --------------------------------------------- */

/* Current compat version: SPICE_COMPAT_VERSION_CURRENT (0.6). */
RED_EXPORT spice_compat_version_t spice_get_current_compat_version(void)
{
    return SPICE_COMPAT_VERSION_CURRENT;
}

/* Compat version: 0 for SPICE_COMPAT_VERSION_CURRENT, -1 (errno ENOTSUP)
 * otherwise: the 0.4 wire protocol is gone and later ones are unknown. */
RED_EXPORT int spice_server_set_compat_version(SpiceServer *s,
                                               spice_compat_version_t version)
{
    if (version != SPICE_COMPAT_VERSION_CURRENT) {
        errno = ENOTSUP;
        return -1;
    }
    return 0;
}

/* Renderer (deprecated): 0 for "sw", the only renderer the real library
 * ever had; -1 (errno ENOTSUP) for anything else, NULL included. */
RED_EXPORT int spice_server_add_renderer(SpiceServer *s, const char *name)
{
    if (!name || strcmp(name, "sw") != 0) {
        errno = ENOTSUP;
        return -1;
    }
    return 0;
}

/* Local address of "the" client (deprecated): -1, errno ENOTSUP; *sa and
 * *salen are untouched.  It assumed a single client; hosts learn
 * addresses from the core interface's channel_event instead. */
RED_EXPORT int spice_server_get_sock_info(SpiceServer *s, struct sockaddr *sa, socklen_t *salen)
{
    errno = ENOTSUP;
    return -1;
}

/* Peer address of "the" client (deprecated): -1, errno ENOTSUP, as above. */
RED_EXPORT int spice_server_get_peer_info(SpiceServer *s, struct sockaddr *sa, socklen_t *salen)
{
    errno = ENOTSUP;
    return -1;
}

/* ---- record/replay ------------------------------------------------------- */

/* Replay reader: NULL, errno ENOTSUP.  Replaying recorded QXL command files
 * is a debugging tool of the real library whose file format we do not read;
 * QEMU never calls it. */
RED_EXPORT SpiceReplay *spice_replay_new(FILE *file, int nsurfaces)
{
    errno = ENOTSUP;
    return NULL;
}

/* Frees a replay reader: no-op (spice_replay_new never creates one). */
RED_EXPORT void spice_replay_free(SpiceReplay *replay)
{
}

/* Next replayed command: NULL (no reader, no commands). */
RED_EXPORT QXLCommandExt *spice_replay_next_cmd(SpiceReplay *replay, QXLInstance *instance)
{
    return NULL;
}

/* Frees a replayed command: no-op (next_cmd never returns one). */
RED_EXPORT void spice_replay_free_cmd(SpiceReplay *replay, QXLCommandExt *cmd)
{
}

/* ---- QXL leftovers ------------------------------------------------------- */

/* GL scanout: closes fd when it is >= 0 and shows nothing.  The library owns
 * the dma-buf fd from this call on (QEMU never closes it), so closing it
 * keeps QEMU from leaking one fd per scanout; we offer no GL display to
 * clients.  fd -1 means "scanout disabled": nothing to do. */
RED_EXPORT void spice_qxl_gl_scanout(QXLInstance *qxl, int fd,
                                     uint32_t width, uint32_t height,
                                     uint32_t stride, uint32_t format,
                                     int y_0_top)
{
    if (fd >= 0) {
        /* No retry on EINTR: Linux releases the descriptor either way. */
        close(fd);
    }
}

/* Monitor limit (deprecated): ignored.  It only capped monitor configs sent
 * to clients; QXLInterface 3.3 hosts (QEMU 7.2) report monitors through
 * client_monitors_config and do not call this. */
RED_EXPORT void spice_qxl_set_max_monitors(QXLInstance *instance, unsigned int max_monitors)
{
}
