/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm-log.h: the one logger of qemu-hw-qxl/ (machine and devices).
 * GLib's g_log with the domain "s3display-vm"; guest errors at WARNING with
 * the field and value.  Callable from any thread. */
#ifndef VM_LOG_H
#define VM_LOG_H

#include <glib.h>

#define VM_LOG_DOMAIN "s3display-vm"
#define vm_log_info(...) g_log(VM_LOG_DOMAIN, G_LOG_LEVEL_INFO, __VA_ARGS__)
#define vm_log_warn(...) g_log(VM_LOG_DOMAIN, G_LOG_LEVEL_WARNING, __VA_ARGS__)

#endif /* VM_LOG_H */
