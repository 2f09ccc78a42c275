/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-log.h: the one logger of server/.
 *
 * Messages go through GLib's g_log with the domain "s3display-server", so a
 * host (QEMU) routes them like its own.  Guest and client errors are logged
 * at WARNING with the field and the value that was wrong; they never abort.
 * Thread safety: callable from any thread.
 */
#ifndef RED_LOG_H
#define RED_LOG_H

#include <glib.h>

#define RED_LOG_DOMAIN "s3display-server"

#define red_log_debug(...) g_log(RED_LOG_DOMAIN, G_LOG_LEVEL_DEBUG, __VA_ARGS__)
#define red_log_info(...) g_log(RED_LOG_DOMAIN, G_LOG_LEVEL_INFO, __VA_ARGS__)
#define red_log_warn(...) g_log(RED_LOG_DOMAIN, G_LOG_LEVEL_WARNING, __VA_ARGS__)

/* A guest sent something invalid: names the field and its value. */
#define red_log_guest_error(field, value, why) \
    red_log_warn("guest error: %s = 0x%" G_GINT64_MODIFIER "x: %s", (field), (guint64)(value), (why))

/* Marks a function of the public libspice-server API (the rest is hidden). */
#define RED_EXPORT __attribute__((visibility("default")))

#endif /* RED_LOG_H */
