/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-core.h: a SpiceCoreInterface on a GLib main loop in its own thread,
 * for tests and benchmarks that drive a libspice-server (Debian's or ours)
 * through <spice.h> while their main thread plays the guest or a client.
 * The interface is the machine's (vm-core.h), run without a machine.
 *
 * The library calls the core from the thread that owns the server (here:
 * the core thread, since every spice_server_* call goes through
 * test_core_call) and keeps its display worker on a loop of its own.  GLib
 * sources are attached to the core's context explicitly, which GLib allows
 * from any thread, so a stray call from another thread is still safe.
 *
 * One TestCore per process: the SpiceCoreInterface callbacks carry no
 * context pointer, so they find the core's GMainContext in a static.
 */
#ifndef TEST_CORE_H
#define TEST_CORE_H

#include <stdbool.h>

#include <spice.h>

typedef struct TestCore TestCore;

/* Starts the core thread.  Returns NULL if a TestCore, the default
 * interface or another VmCore exists already. */
TestCore *test_core_create(void);

/* Stops the loop and joins the thread.  Destroy the server first (through
 * test_core_call).  NULL is accepted. */
void test_core_destroy(TestCore *core);

/* The same callbacks on the calling thread's default main context, for a
 * program that runs its own GMainLoop there (the library then calls them
 * from that thread).  log_channel_events prints each channel event on
 * stderr.  NULL if a TestCore exists; one per process. */
SpiceCoreInterface *test_core_default_interface(bool log_channel_events);

/* The interface to pass to spice_server_init; owned by the core. */
SpiceCoreInterface *test_core_get_interface(TestCore *core);

/* Runs func(data) on the core thread and waits for it, at most timeout_ms.
 * Returns 0, or -1 if it did not finish in time (func may then still run:
 * the caller should treat the process as failed and exit). */
int test_core_call(TestCore *core, void (*func)(void *data), void *data, unsigned timeout_ms);

#endif /* TEST_CORE_H */
