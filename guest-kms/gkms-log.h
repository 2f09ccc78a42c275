/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gkms-log.h: the one logger of guest-kms/ (GLib domain "s3display-guest"). */
#ifndef GKMS_LOG_H
#define GKMS_LOG_H

#include <glib.h>

#define GKMS_LOG_DOMAIN "s3display-guest"
#define gkms_log_info(...) g_log(GKMS_LOG_DOMAIN, G_LOG_LEVEL_INFO, __VA_ARGS__)
#define gkms_log_warn(...) g_log(GKMS_LOG_DOMAIN, G_LOG_LEVEL_WARNING, __VA_ARGS__)

#endif /* GKMS_LOG_H */
