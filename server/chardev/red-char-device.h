/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-char-device.h: a host char device (SpiceCharDeviceInterface) as a
 * bounded byte pipe, the part every spicevmc user shares (the agent, the
 * pass-through channels).
 *
 * Reading: the device is read only as far as its consumer has room
 * (ops->read_room); when the consumer is full, reading stops and the data
 * stays in the host (QEMU marks its chardev blocked and the guest's port
 * fills up): back-pressure, never a growing buffer here.  The consumer calls
 * red_char_device_wakeup when it has room again, as the host does when the
 * guest wrote.
 *
 * Writing: red_char_device_write copies a buffer into a queue bounded by
 * the max_queued bytes given at creation and refuses past it; the queue is
 * written with the device's write() whenever the host wakes us and, when
 * the device took nothing, again after RED_CHAR_DEVICE_RETRY_MS.
 * ops->on_written reports each buffer once all of it reached the device, so
 * a producer can hand its peer a token back.
 *
 * Threads: main thread only (the host calls spice_server_char_device_wakeup
 * there, and the device's callbacks run there).
 */
#ifndef RED_CHAR_DEVICE_H
#define RED_CHAR_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <spice.h>

/* A device that took nothing is tried again after this long: QEMU wakes us
 * when the guest reads, but a device is not obliged to. */
#define RED_CHAR_DEVICE_RETRY_MS 100
/* Bytes read per wakeup before yielding to the host's loop (the rest is
 * read from a zero-delay timer), so one chatty guest cannot starve it. */
#define RED_CHAR_DEVICE_READ_BUDGET (256u * 1024)

typedef struct RedCharDevice RedCharDevice;

typedef struct RedCharDeviceOps {
    /* Bytes the consumer takes now; 0 stops reading until the next wakeup. */
    size_t (*read_room)(void *opaque);
    /* Bytes read from the device, len <= the room just returned.  The
     * consumer may call red_char_device_write or _wakeup from here, not
     * red_char_device_destroy. */
    void (*on_read)(void *opaque, const uint8_t *data, size_t len);
    /* All bytes of the buffer written with tag reached the device.  May be
     * NULL. */
    void (*on_written)(void *opaque, uint64_t tag);
} RedCharDeviceOps;

/* True when sin's interface is one we can drive (version, read and write
 * callbacks present); logs why not. */
bool red_char_device_is_valid_instance(const SpiceCharDeviceInstance *sin);

/* Wraps sin (checked with red_char_device_is_valid_instance) for the
 * consumer (ops, opaque); loop gives the retry timers.  Does not touch
 * sin->st: the api glue owns it.  Returns NULL on failure. */
RedCharDevice *red_char_device_create(const SpiceCoreInterface *loop,
                                      SpiceCharDeviceInstance *sin, size_t max_queued,
                                      const RedCharDeviceOps *ops, void *opaque);
/* Drops queued writes (not reported as written) and the timers.  NULL ok. */
void red_char_device_destroy(RedCharDevice *dev);

SpiceCharDeviceInstance *red_char_device_instance(const RedCharDevice *dev);

/* Tells the device whether a client is there to talk to (its state()
 * callback, if it has one); QEMU opens or closes the guest's port on it. */
void red_char_device_set_state(RedCharDevice *dev, bool connected);

/* Queues a copy of len bytes (tag comes back in on_written) and tries to
 * write.  Returns 0, or -1 when it does not fit in the bound (nothing
 * queued). */
int red_char_device_write(RedCharDevice *dev, const void *data, size_t len, uint64_t tag);
/* Bytes that red_char_device_write would accept now. */
size_t red_char_device_write_room(const RedCharDevice *dev);

/* Writes what is queued, then reads while the consumer has room. */
void red_char_device_wakeup(RedCharDevice *dev);

#endif /* RED_CHAR_DEVICE_H */
