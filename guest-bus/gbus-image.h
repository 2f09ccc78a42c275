/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gbus-image.h: a guest image, as the machine loads and starts it.
 *
 * A real machine runs firmware or a kernel it did not link with; ours runs
 * the guest as a shared object (guest-kms/image/s3d-guest-demo.so) that
 * exports one symbol, GBUS_IMAGE_ENTRY, a GbusImageEntry table.  The
 * machine dlopens it and hands it a Gbus (gbus.h); the image reaches the
 * machine through that bus only and the machine reaches the image through
 * this table only, so neither side includes or links the other.
 *
 * The table is also the guest's agent channel (QEMU's guest agent over
 * virtio-serial plays this part): the host asks for a suspend, a pause or
 * a screendump, reads a status snapshot, and hears events.
 *
 * Threads: the image runs its own vCPU thread.  The entry functions may be
 * called from any one host thread; events are called on the vCPU thread.
 */
#ifndef GBUS_IMAGE_H
#define GBUS_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "gbus.h"

/* Bumped on any incompatible change of this header. */
#define GBUS_IMAGE_ABI_VERSION 1
/* The one symbol an image exports: a const GbusImageEntry. */
#define GBUS_IMAGE_ENTRY "gbus_image_entry"

typedef struct GbusGuest GbusGuest;

typedef struct GbusImageConfig {
    uint32_t width, height;     /* wanted mode */
    unsigned fps;               /* frames per second of the animation */
    const char *fault;          /* NULL, or a fault the driver makes on purpose
                                 * (see the image's valid_faults) */
    bool virtio_gpu;            /* drive the virtio-gpu device instead of QXL */
    bool start_paused;          /* frame 0 stays on screen until set_paused(false) */
} GbusImageConfig;

/* The driver's books (what a guest's debugfs would show). */
typedef struct GbusGuestBooks {
    uint64_t commands_submitted, commands_released;
    unsigned commands_outstanding;
    unsigned device_allocations;
    unsigned surfaces;
    uint64_t resource_creations;
} GbusGuestBooks;

typedef struct GbusGuestStatus {
    bool running;               /* the vCPU thread is alive */
    bool paused;
    bool driver_suspended;      /* between a successful freeze and the thaw */
    uint64_t tick;              /* frames drawn so far */
    uint32_t width, height;     /* the mode set */
    unsigned cycles;            /* completed suspend/resume cycles */
    unsigned failures;          /* failed freezes or thaws */
    double last_suspend_ms, last_resume_ms;
    GbusGuestBooks books;
    char last_error[160];
} GbusGuestStatus;

typedef enum GbusGuestEventKind {
    GBUS_GUEST_SUSPENDING,      /* tick */
    GBUS_GUEST_SUSPEND_FAILED,  /* error */
    GBUS_GUEST_RESUMED,         /* slept, cycle, suspend_ms, resume_ms, tick */
    GBUS_GUEST_RESUME_FAILED,   /* error */
    GBUS_GUEST_SCREENDUMP,      /* path, tick, error (NULL if written) */
    GBUS_GUEST_ERROR,           /* error: the animation stopped */
} GbusGuestEventKind;

typedef struct GbusGuestEvent {
    GbusGuestEventKind kind;
    uint64_t tick;
    unsigned cycle;
    bool slept;
    double suspend_ms, resume_ms;
    const char *path;           /* valid during the call only */
    const char *error;          /* valid during the call only */
} GbusGuestEvent;

typedef void (*GbusGuestEventFunc)(void *opaque, const GbusGuestEvent *ev);

typedef struct GbusImageEntry {
    uint32_t abi_version;       /* GBUS_IMAGE_ABI_VERSION */
    const char *name;
    /* NULL if fault names none of these ("a|b|c", for a usage text). */
    const char *valid_faults;
    /* Starts the vCPU thread: probes the device on bus, sets the mode,
     * draws frame 0.  bus must outlive the guest.  NULL if it cannot start
     * (logged). */
    GbusGuest *(*create)(const Gbus *bus, const GbusImageConfig *cfg, GbusGuestEventFunc cb,
                         void *opaque);
    /* Asks the vCPU thread to end (returns at once).  A guest asleep in S3
     * only sees it once the machine powers off or wakes. */
    void (*stop)(GbusGuest *g);
    /* Joins the thread (after stop and the power-off) and frees. NULL ok. */
    void (*destroy)(GbusGuest *g);
    /* The guest draws frames_before frames back to back, freezes its
     * driver and asks the bus to sleep.  -1 if one is pending. */
    int (*request_suspend)(GbusGuest *g, unsigned frames_before);
    void (*set_paused)(GbusGuest *g, bool paused);
    /* Writes what the demo says the screen shows (PPM) on the vCPU
     * thread; a GBUS_GUEST_SCREENDUMP event tells when.  -1 if busy. */
    int (*request_screendump)(GbusGuest *g, const char *path);
    void (*get_status)(GbusGuest *g, GbusGuestStatus *out);
} GbusImageEntry;

#endif /* GBUS_IMAGE_H */
