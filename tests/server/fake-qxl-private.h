/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fake-qxl-private.h (fake-qxl*.c only): the fake device's state and the
 * command allocation that fake-qxl.c (the device: its QXLInterface, queues
 * and waits) and fake-qxl-draw.c (the commands a test submits) share. */
#ifndef FAKE_QXL_PRIVATE_H
#define FAKE_QXL_PRIVATE_H

#include <stddef.h>

#include <glib.h>

#include "fake-qxl.h"

/* Distinct cookies remembered by async_complete; a test uses a handful. */
#define FAKE_QXL_MAX_COOKIES 64

/* Payload pieces are aligned so that the server (and UBSan here) never sees
 * a misaligned pixel row or chunk header. */
#define FAKE_QXL_ALIGN 16

/* Marks a live command; a release naming anything else is counted as bad
 * instead of being freed, so a buggy server cannot make the test free
 * garbage. */
#define FAKE_QXL_CMD_MAGIC 0x51584c434d44ull  /* "QXLCMD" */

typedef struct FakeQxlCmd {
    uint64_t magic;
    struct FakeQxlCmd *next;      /* pending queue link */
    QXLCommandExt ext;
    size_t used, size;            /* bump allocation inside payload */
    _Alignas(FAKE_QXL_ALIGN) uint8_t payload[];
} FakeQxlCmd;

typedef struct FakeQxlQueue {
    FakeQxlCmd *head, *tail;
    unsigned length;              /* queued, not yet fetched */
} FakeQxlQueue;

/* What a waiting test thread waits for: each has its own condition, raised
 * only while some thread waits on it (FakeQxl.waiting), as a device raises
 * only the interrupts its guest enabled.  A broadcast nobody needs would
 * cost the server's thread a futex call per release, and the waiting
 * thread a wakeup for each (run-bench.sh measures through this fake). */
typedef enum FakeQxlEvent {
    FAKE_QXL_EVENT_RING_ROOM,     /* fake_qxl_wait_ring_room */
    FAKE_QXL_EVENT_ASKED,         /* fake_qxl_wait_asking, fake_qxl_wait_asked */
    FAKE_QXL_EVENT_RELEASED,      /* fake_qxl_wait_all_released */
    FAKE_QXL_EVENT_ASYNC,         /* fake_qxl_wait_async_count */
    FAKE_QXL_EVENT_CLIENT,        /* fake_qxl_wait_client_present */
    FAKE_QXL_EVENT_COUNT
} FakeQxlEvent;

typedef struct FakeQxlCookie {
    uint64_t cookie;
    unsigned count;
} FakeQxlCookie;

struct FakeQxl {
    QXLInstance instance;         /* first: callbacks get &instance */
    QXLInterface interface;

    GMutex lock;                  /* protects everything below */
    GCond raised[FAKE_QXL_EVENT_COUNT];
    unsigned waiting[FAKE_QXL_EVENT_COUNT]; /* threads in fake_qxl_wait_event */
    FakeQxlQueue display_queue;
    FakeQxlQueue cursor_queue;
    /* Every pushed, unreleased command (queued ones too): release_resource
     * checks a server-given id against it in constant time, as a device's
     * release ring costs, so that a server holding many commands is not
     * charged the fake's own search (run-bench.sh measures through this
     * fake). */
    GHashTable *live_set;
    FakeQxlCookie cookies[FAKE_QXL_MAX_COOKIES];
    unsigned n_cookies;
    FakeQxlStats stats;
    bool broken_ring;             /* fake_qxl_set_broken_ring */
    bool take_monitors;           /* fake_qxl_take_monitors_config */
    bool quiet;                   /* fake_qxl_set_quiet: no wakeup on a push */
    FakeQxlCompleteHook on_complete; /* fake_qxl_set_complete_hook */
    void *on_complete_opaque;
    /* fake_qxl_wait_ring_room: a fetch that brings the display queue down
     * to ring_wake_level raises FAKE_QXL_EVENT_RING_ROOM, as a device raises
     * its ring-space interrupt at the guest's notify_on_cons; other fetches
     * wake nobody. */
    unsigned ring_wake_level;

    /* Primary surface: touched by the main thread only (the worker writes
     * the pixels, not these fields). */
    uint8_t *primary_buf;
    bool primary_gone;          /* destroyed, buffer kept (fake_qxl_destroy_primary_keep_buffer) */
    uint32_t primary_width, primary_height;
    int32_t primary_stride;
    uint32_t attach_width, attach_height; /* fake_qxl_set_up_on_attach */
    uint32_t next_image_unique;
    uint32_t next_cursor_unique;
};

/* A guest pointer: QXLPHYSICAL equals the address (memslot delta 0). */
QXLPHYSICAL fake_qxl_phys(const void *p);
/* A command with payload_size bytes of payload (fake_qxl_cmd_need of each
 * piece, summed); NULL when out of memory. */
FakeQxlCmd *fake_qxl_cmd_new(size_t payload_size);
/* Carves size bytes, aligned and zeroed, from the command's payload. */
void *fake_qxl_cmd_take(FakeQxlCmd *cmd, size_t size);
/* The same, not zeroed: for pixels the caller writes, every byte, as a
 * driver writes an image into device memory once. */
void *fake_qxl_cmd_take_unzeroed(FakeQxlCmd *cmd, size_t size);
/* What a piece of size bytes takes of a payload (its alignment included). */
size_t fake_qxl_cmd_need(size_t size);
/* Queues a finished command on queue and wakes the worker. */
void fake_qxl_push(FakeQxl *qxl, FakeQxlQueue *queue, FakeQxlCmd *cmd);

#endif /* FAKE_QXL_PRIVATE_H */
