/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qxl-fixture.h: a whole stack in one test process (qemu-hw-qxl/stack:
 * the machine, its main loop on a thread, a SPICE server, whichever
 * libspice-server the program was linked with, and the QXL device), with
 * the test thread as the guest's vCPU driving the device through
 * guest-kms's hardware layer on the stack's bus. */
#ifndef QXL_FIXTURE_H
#define QXL_FIXTURE_H

#include <stdbool.h>

#include <spice.h>

#include "gqxl-cmd.h"
#include "gqxl-hw.h"
#include "vm-stack.h"

typedef struct QxlFixture {
    VmStack *stack;
    /* borrowed from stack */
    VmMachine *vm;
    SpiceServer *server;
    QxlDevice *dev;
    const Gbus *bus;            /* the test thread plays the guest on it */
    GqxlHw hw;
    GqxlReleases rel;
    int port;                   /* 0: no client port */
    bool probed;                /* hw and rel belong to the fixture */
} QxlFixture;

/* Starts everything and runs the driver's probe and setup. listen: open a
 * SPICE port on 127.0.0.1 (a free one is picked). -1 on failure. */
int qxl_fixture_start(QxlFixture *f, bool listen);
/* The same without the driver's probe and setup, for tests that open the
 * device with a whole driver (guest-kms). */
int qxl_fixture_start_device(QxlFixture *f, bool listen);
void qxl_fixture_stop(QxlFixture *f);

/* The primary surface at the start of BAR0 (create_surface +
 * CREATE_PRIMARY_ASYNC). */
int qxl_fixture_create_primary(QxlFixture *f, uint32_t width, uint32_t height, bool keep_data);
/* The pixel (x8r8g8b8, x masked off) at (x, y) of the primary in BAR0. */
uint32_t qxl_fixture_primary_pixel(QxlFixture *f, uint32_t width, uint32_t x, uint32_t y);
/* Collects releases until none are outstanding or the deadline passes. */
bool qxl_fixture_collect_all(QxlFixture *f, int64_t timeout_us);
/* Enters S3 on this (guest) thread; another thread wakes the machine as
 * soon as it sleeps. Returns when the guest runs again (0) or -1. */
int qxl_fixture_suspend_and_wake(QxlFixture *f);
/* The same, running asleep(data) on the waker thread while the machine is
 * in S3 (before the wake reset). */
int qxl_fixture_suspend_and_wake_with(QxlFixture *f, void (*asleep)(void *data), void *data);

#endif /* QXL_FIXTURE_H */
