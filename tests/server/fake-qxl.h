/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fake-qxl.h: a minimal QXL device behind the public QXLInterface, for tests
 * that drive a libspice-server (Debian's or ours) through <spice.h> only.
 *
 * The device works like QEMU's "simple display" (ui/spice-display.c): one
 * memslot (group 0, slot 0, generation 0) maps all of host memory with
 * delta 0, so every QXLPHYSICAL the device hands out is a plain host
 * pointer.  Commands are built in host memory, queued, and fetched by the
 * server's worker thread through get_command; the server gives each one
 * back through release_resource, which frees it.  The device counts what
 * it submitted, what was released and which async cookies completed, so a
 * test can check that the server honours those contracts.
 *
 * Threads: the fake_qxl_* functions are called from the test's main thread;
 * the QXLInterface callbacks run on the server's worker thread.  The queues
 * and counters are protected by one mutex inside the device.  The primary
 * surface buffer is written by the worker thread; read it only after a
 * completed flush (spice_qxl_flush_surfaces_async + fake_qxl_wait_async)
 * or a synchronous spice_qxl_update_area.
 */
#ifndef FAKE_QXL_H
#define FAKE_QXL_H

#include <stdbool.h>
#include <stdint.h>

#include <spice.h>

typedef struct FakeQxl FakeQxl;

/* How the primary surface lays out its rows in memory. */
typedef enum FakeQxlStride {
    FAKE_QXL_STRIDE_POSITIVE,  /* row 0 at the lowest address (X11 style) */
    FAKE_QXL_STRIDE_NEGATIVE,  /* row 0 at the highest address (QEMU VGA style) */
} FakeQxlStride;

/* How a source bitmap's pixels reach the server. */
typedef enum FakeQxlBitmapData {
    FAKE_QXL_BITMAP_DIRECT,    /* QXL_BITMAP_DIRECT: bitmap.data points at the pixels */
    FAKE_QXL_BITMAP_CHUNKED,   /* bitmap.data points at a QXLDataChunk chain */
} FakeQxlBitmapData;

/* Row order of a source bitmap in memory. */
typedef enum FakeQxlRowOrder {
    FAKE_QXL_TOP_DOWN,         /* QXL_BITMAP_TOP_DOWN set */
    FAKE_QXL_BOTTOM_UP,        /* flag clear: the last row comes first */
} FakeQxlRowOrder;

/* Description of a 32-bit xRGB source bitmap for fake_qxl_submit_copy. */
typedef struct FakeQxlBitmap {
    const uint32_t *pixels;    /* width*height pixels, top row first, tightly packed */
    uint32_t width, height;
    FakeQxlBitmapData data;
    unsigned n_chunks;         /* FAKE_QXL_BITMAP_CHUNKED: 2..height chunks, split on rows */
    FakeQxlRowOrder rows;
    uint32_t row_padding;      /* extra bytes per row (stride = width*4 + padding),
                                * filled with garbage a server must not show */
    uint64_t cache_id;         /* 0: not cacheable (a fresh id per submit); else the
                                * image is marked QXL_IMAGE_CACHE with this id, which
                                * the caller keeps for the same pixels only */
} FakeQxlBitmap;

/* Counters, read as one consistent snapshot. */
typedef struct FakeQxlStats {
    uint64_t submitted;        /* commands queued (display + cursor) */
    uint64_t fetched;          /* commands the server took with get_(cursor_)command */
    uint64_t released;         /* release_resource calls that freed a command */
    uint64_t bad_releases;     /* release_resource calls naming no live command */
    uint64_t async_completes;  /* async_complete calls, any cookie */
    uint64_t flush_resources;  /* flush_resources calls */
    uint64_t update_area_completes;
    uint64_t notification_requests; /* req_(cursor_)notification calls */
    uint32_t display_queued_max; /* most display commands queued at once */
    uint64_t client_caps_calls; /* set_client_capabilities calls */
    uint8_t client_present;     /* ... the last one's client_present */
    uint8_t client_caps0;       /* ... and its caps[0] (display caps 0-7) */
    uint64_t monitors_queries;  /* client_monitors_config(NULL) calls */
    uint64_t monitors_configs;  /* client_monitors_config calls with a config */
    uint32_t monitors_count;    /* ... the last one's num_of_monitors */
    uint32_t monitors_width, monitors_height; /* ... and its last monitor's size */
} FakeQxlStats;

/* Allocates a device with display id `id` (the display channel id).
 * Returns NULL on allocation failure.  Register it with
 * spice_server_add_interface(server, &fake_qxl_get_instance(qxl)->base). */
FakeQxl *fake_qxl_create(int id);

/* Frees the device, every command still queued or not yet released, and the
 * primary buffer.  Call only after spice_server_remove_interface or
 * spice_server_destroy, when the worker thread no longer calls back.
 * NULL is accepted. */
void fake_qxl_destroy(FakeQxl *qxl);

/* The QXLInstance the server knows the device by; owned by the device. */
QXLInstance *fake_qxl_get_instance(FakeQxl *qxl);

/* Makes attached_worker (called by spice_server_add_interface) add the
 * memslot and create a width x height primary, as QEMU's devices and
 * upstream's test devices do there.  Call before add_interface. */
void fake_qxl_set_up_on_attach(FakeQxl *qxl, uint32_t width, uint32_t height);

/* Adds the host-memory memslot (group 0, slot 0, 0..~0, delta 0) with the
 * synchronous spice_qxl_add_memslot.  Call after add_interface. */
void fake_qxl_add_memslot(FakeQxl *qxl);

/* Allocates a width x height 32_xRGB buffer (zeroed) and creates primary
 * surface 0 over it with the synchronous spice_qxl_create_primary_surface.
 * Returns 0, or -1 if a primary exists already or allocation failed. */
int fake_qxl_create_primary(FakeQxl *qxl, uint32_t width, uint32_t height,
                            FakeQxlStride stride);

/* Destroys primary surface 0 (synchronous) and frees its buffer.
 * Does nothing if there is no primary. */
void fake_qxl_destroy_primary(FakeQxl *qxl);

/* Destroys primary surface 0 (synchronous) but keeps its buffer, as the
 * guest's VRAM stays after a destroy, so fake_qxl_primary_pixel still reads
 * it; the next create or fake_qxl_destroy_primary frees it. */
void fake_qxl_destroy_primary_keep_buffer(FakeQxl *qxl);
/* Pixel (x, y) of the primary surface as stored (xRGB, x byte undefined),
 * whatever the stride sign.  Coordinates must be inside the surface. */
uint32_t fake_qxl_primary_pixel(const FakeQxl *qxl, uint32_t x, uint32_t y);

/* Queue one drawable on surface 0 and wake the server (so only after
 * spice_server_add_interface and fake_qxl_create_primary).  `box` is
 * {top, left, bottom, right}, bottom/right exclusive, inside the primary.
 * Each returns 0, or -1 (errno set) on a bad argument or allocation
 * failure, in which case nothing was queued. */

/* QXL_DRAW_FILL, solid brush `rgb` (0xRRGGBB), rop OP_PUT. */
int fake_qxl_submit_fill(FakeQxl *qxl, const QXLRect *box, uint32_t rgb);

/* Clip lists longer than this are refused (EINVAL): tests need a few. */
#define FAKE_QXL_MAX_CLIP_RECTS 1024

/* The same fill, clipped to n_clip rectangles (SPICE_CLIP_TYPE_RECTS, one
 * chunk); n_clip 0 means no clip. */
int fake_qxl_submit_fill_clip(FakeQxl *qxl, const QXLRect *box, uint32_t rgb,
                              const QXLRect *clip, unsigned n_clip);

/* QXL_DRAW_COPY of a whole bitmap to `box` (same size as the bitmap), rop
 * OP_PUT.  The pixels are copied into the command: the caller keeps
 * ownership of bmp->pixels. */
int fake_qxl_submit_copy(FakeQxl *qxl, const QXLRect *box, const FakeQxlBitmap *bmp);

/* QXL_COPY_BITS: copies the box-sized area at (src_x, src_y) of surface 0
 * to `box`. */
int fake_qxl_submit_copy_bits(FakeQxl *qxl, const QXLRect *box, int32_t src_x, int32_t src_y);
/* The same copy, clipped to n_clip rectangles (0: no clip). */
int fake_qxl_submit_copy_bits_clip(FakeQxl *qxl, const QXLRect *box, int32_t src_x,
                                   int32_t src_y, const QXLRect *clip, unsigned n_clip);

/* QXL_CURSOR_SET: a visible size x size alpha cursor of one ARGB colour at
 * (x, y), hot spot (0, 0), on the cursor queue. */
int fake_qxl_submit_cursor_set(FakeQxl *qxl, int16_t x, int16_t y, uint16_t size,
                               uint32_t argb);

/* A broken ring, as a hostile or buggy guest's can be: while set, both
 * queues answer "a command may have arrived, do not sleep" to the server's
 * req_*_notification and yet hand out no command.  Clearing it wakes the
 * server.  Queued commands stay queued.  Setting it wakes the server too,
 * so that it starts asking. */
void fake_qxl_set_broken_ring(FakeQxl *qxl, bool broken);

/* Quiet: a push no longer wakes the server (spice_qxl_wakeup), so what is
 * queued waits for the server's own pulling or a flush, as it does on a
 * QXL device when the server did not ask to be notified. */
void fake_qxl_set_quiet(FakeQxl *qxl, bool quiet);

/* Called on the server's worker thread at each async completion, before
 * the waiters are woken; NULL removes it. */
typedef void (*FakeQxlCompleteHook)(uint64_t cookie, void *opaque);
void fake_qxl_set_complete_hook(FakeQxl *qxl, FakeQxlCompleteHook hook, void *opaque);

/* Waits until the server has made `count` more req_*_notification calls
 * than when called, or timeout_ms passed; true when it did. */
bool fake_qxl_wait_asking(FakeQxl *qxl, uint64_t count, unsigned timeout_ms);
/* The same with a total (FakeQxlStats.notification_requests) to reach:
 * for a count taken before what makes the server ask. */
bool fake_qxl_wait_asked(FakeQxl *qxl, uint64_t total, unsigned timeout_ms);

/* Waits until the display queue has room for `room` more commands in a
 * QXL command ring (QXL_COMMAND_RING_SIZE entries, spice/qxl_dev.h), as a
 * guest waits for ring space before it pushes, or timeout_ms passed; true
 * when there is room.  The device wakes the waiter once, when a fetch
 * makes that room (a guest's notify_on_cons), not at every fetch.  One
 * waiting thread at a time; room above the ring's size waits for an empty
 * queue. */
bool fake_qxl_wait_ring_room(FakeQxl *qxl, unsigned room, unsigned timeout_ms);

/* Waits until async_complete(cookie) has been seen at least once or
 * timeout_ms passed.  Returns how many times that cookie completed. */
unsigned fake_qxl_wait_async(FakeQxl *qxl, uint64_t cookie, unsigned timeout_ms);

/* Waits until async_complete(cookie) has been seen at least `count` times
 * or timeout_ms passed.  Returns how many times that cookie completed.  For
 * loops that reuse one cookie per frame: the device remembers only
 * FAKE_QXL_MAX_COOKIES distinct cookies. */
unsigned fake_qxl_wait_async_count(FakeQxl *qxl, uint64_t cookie, unsigned count,
                                   unsigned timeout_ms);

/* Waits until every submitted command has been released or timeout_ms
 * passed.  Returns true if none is outstanding. */
bool fake_qxl_wait_all_released(FakeQxl *qxl, unsigned timeout_ms);

/* Waits until the last set_client_capabilities call (there was one) said
 * client_present == present, or timeout_ms passed; true when it did. */
bool fake_qxl_wait_client_present(FakeQxl *qxl, bool present, unsigned timeout_ms);

/* Copies the counters. */
void fake_qxl_get_stats(FakeQxl *qxl, FakeQxlStats *out);

/* take = true: client_monitors_config says yes (the guest's driver follows
 * client layouts, as QEMU's qxl once the driver listens), so the server
 * hands client monitors configs here instead of to the agent.  Default:
 * false. */
void fake_qxl_take_monitors_config(FakeQxl *qxl, bool take);

#endif /* FAKE_QXL_H */
