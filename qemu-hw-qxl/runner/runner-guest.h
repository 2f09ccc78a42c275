/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runner-guest.h: the demo guest of the stack runner: one thread playing a
 * vCPU that runs the guest KMS driver (guest-kms) and the demo desktop,
 * and that goes through S3 the way `systemctl suspend` does: the driver's
 * freeze, the machine asleep until a wake, the driver's thaw.
 *
 * Other threads only post requests (suspend, pause, screendump) and read a
 * status snapshot; everything that touches the device runs on the guest
 * thread.  Results come back as events through the callback, called on the
 * guest thread (the runner forwards them to its loop).
 */
#ifndef RUNNER_GUEST_H
#define RUNNER_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "gkms.h"
#include "vm-machine.h"

typedef struct RunnerGuest RunnerGuest;

/* event: "SUSPENDING", "SUSPEND_FAILED", "RESUMED", "RESUME_FAILED",
 * "SCREENDUMP", "GUEST_ERROR"; data: a JSON object text. */
typedef void (*RunnerGuestEventFunc)(void *opaque, const char *event, const char *data);

typedef struct RunnerGuestConfig {
    uint32_t width, height;     /* wanted mode */
    unsigned fps;               /* frames per second of the animation */
    unsigned faults;            /* GkmsFault bits (broken-driver demos/tests) */
    bool virtio_gpu;            /* drive the virtio-gpu device instead of QXL */
    bool start_paused;          /* frame 0 stays on screen until "cont" */
} RunnerGuestConfig;

typedef struct RunnerGuestStatus {
    bool running;               /* the thread is alive */
    bool paused;
    bool driver_suspended;      /* between a successful freeze and the thaw */
    uint64_t tick;              /* frames drawn so far */
    uint32_t width, height;     /* the mode set */
    unsigned cycles;            /* completed suspend/resume cycles */
    unsigned failures;          /* failed freezes or thaws */
    double last_suspend_ms, last_resume_ms;
    GkmsStats kms;              /* taken on the guest thread after each frame */
    char last_error[160];
} RunnerGuestStatus;

/* Starts the thread: opens the device, sets the mode, draws frame 0.
 * NULL if the driver or the demo cannot start (logged). */
RunnerGuest *runner_guest_start(VmMachine *vm, const RunnerGuestConfig *cfg,
                                RunnerGuestEventFunc cb, void *opaque);
/* Stops the thread (powering the machine off wakes a sleeping guest) and
 * frees everything.  Call with the host loop no longer dispatching. */
void runner_guest_stop(RunnerGuest *g);

/* Asks for a suspend: the guest draws frames_before frames back to back
 * (left in flight on the rings), then freezes and enters S3.  -1 if a
 * suspend is already pending or the guest sleeps. */
int runner_guest_request_suspend(RunnerGuest *g, unsigned frames_before);
/* Stops or restarts the animation (the screen stays as it is). */
void runner_guest_set_paused(RunnerGuest *g, bool paused);
/* Writes what the demo says the screen shows at its current tick (PPM,
 * no cursor) on the guest thread; a SCREENDUMP event tells when. */
int runner_guest_request_expected_dump(RunnerGuest *g, const char *path);
void runner_guest_get_status(RunnerGuest *g, RunnerGuestStatus *out);

#endif /* RUNNER_GUEST_H */
