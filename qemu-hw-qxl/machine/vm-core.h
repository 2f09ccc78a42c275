/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm-core.h: the host main loop of the VM, on GLib, and the
 * SpiceCoreInterface it gives a SPICE server (ours or Debian's).  The one
 * GLib SpiceCoreInterface of the project: the machine's, and the tests'
 * (tests/server/test-core.c runs one without a machine).
 *
 * Like QEMU's main loop, the loop thread holds the machine lock while it
 * dispatches and drops it while it polls, so server callbacks (network,
 * timers) and guest port writes never run device code at the same time.
 *
 * SpiceCoreInterface callbacks carry no pointer to the interface, so there
 * is one VmCore per process (the loop of the machine being run).
 */
#ifndef VM_CORE_H
#define VM_CORE_H

#include <stdbool.h>

#include <glib.h>
#include <spice.h>

#include "vm-machine.h"

typedef struct VmCore VmCore;

/* NULL if a VmCore already exists in this process.  vm NULL: a loop with
 * no machine lock (a server alone, as the server tests run it). */
VmCore *vm_core_create(VmMachine *vm);
/* The same on an existing context (e.g. g_main_context_default(), for a
 * program that runs its own GMainLoop there), which the core refs. */
VmCore *vm_core_create_on(VmMachine *vm, GMainContext *context);
/* Prints each channel event on stderr (also when $S3D_CORE_VERBOSE is set). */
void vm_core_set_log_events(VmCore *core, bool log_events);
void vm_core_destroy(VmCore *core); /* NULL ok; watches/timers must be gone */

SpiceCoreInterface *vm_core_interface(VmCore *core);
GMainContext *vm_core_context(VmCore *core);

/* Runs the loop on this thread until vm_core_quit (any thread). */
void vm_core_run(VmCore *core);
void vm_core_quit(VmCore *core);
/* Runs fn(data) on the loop thread (any thread; fn holds the machine lock).
 * destroy (may be NULL) frees data after fn ran, or when the loop is
 * destroyed before it could run: a call posted during shutdown leaks nothing. */
void vm_core_invoke(VmCore *core, GSourceFunc fn, gpointer data, GDestroyNotify destroy);

/* Channel events seen (for tests that want to see a client come and go). */
typedef struct VmCoreStats {
    unsigned connected, initialized, disconnected;
} VmCoreStats;
void vm_core_get_stats(VmCore *core, VmCoreStats *out);

#endif /* VM_CORE_H */
