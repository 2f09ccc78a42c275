/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-char-device.c: bounded reads and writes of one host char device. */
#include "config.h"

#include "red-char-device.h"

#include <limits.h>
#include <string.h>

#include <glib.h>

#include "red-log.h"

typedef struct WriteBuf {
    size_t len, done;
    uint64_t tag;
    uint8_t data[];
} WriteBuf;

struct RedCharDevice {
    const SpiceCoreInterface *loop;
    SpiceCharDeviceInstance *sin;
    const SpiceCharDeviceInterface *sif;
    RedCharDeviceOps ops;
    void *opaque;

    GQueue writes;              /* WriteBuf*, oldest first */
    size_t queued, max_queued;  /* bytes not yet written, and their bound */
    SpiceTimer *retry_timer;    /* the device took nothing: write again */
    SpiceTimer *read_timer;     /* the read budget ran out: read on */

    bool flushing;              /* inside char_flush (on_written may write) */
    bool running;               /* inside red_char_device_wakeup */
    bool again;                 /* a wakeup came while running */
};

static const SpiceCharDeviceInterface *char_sif(const SpiceCharDeviceInstance *sin)
{
    return SPICE_CONTAINEROF(sin->base.sif, SpiceCharDeviceInterface, base);
}

bool red_char_device_is_valid_instance(const SpiceCharDeviceInstance *sin)
{
    const SpiceCharDeviceInterface *sif = char_sif(sin);
    if (sif->base.major_version != SPICE_INTERFACE_CHAR_DEVICE_MAJOR) {
        red_log_warn("char device %s: interface version %u.%u not supported",
                     sin->subtype ? sin->subtype : "(null)", sif->base.major_version,
                     sif->base.minor_version);
        return false;
    }
    if (sif->read == NULL || sif->write == NULL) {
        red_log_warn("char device %s: no read or write callback",
                     sin->subtype ? sin->subtype : "(null)");
        return false;
    }
    return true;
}

/* Writes queued buffers until the device takes no more; returns true when
 * the queue is empty. */
static bool char_flush(RedCharDevice *dev)
{
    if (dev->flushing) {
        return false; /* the outer loop writes what on_written queued */
    }
    dev->flushing = true;
    WriteBuf *b;
    while ((b = g_queue_peek_head(&dev->writes)) != NULL) {
        size_t left = b->len - b->done;
        int want = left > INT_MAX ? INT_MAX : (int)left;
        int n = dev->sif->write(dev->sin, b->data + b->done, want);
        if (n <= 0) {
            dev->loop->timer_start(dev->retry_timer, RED_CHAR_DEVICE_RETRY_MS);
            dev->flushing = false;
            return false;
        }
        size_t took = (size_t)n > left ? left : (size_t)n; /* a device never takes more */
        b->done += took;
        dev->queued -= took;
        if (b->done == b->len) {
            g_queue_pop_head(&dev->writes);
            uint64_t tag = b->tag;
            g_free(b);
            if (dev->ops.on_written) {
                dev->ops.on_written(dev->opaque, tag);
            }
        }
    }
    dev->flushing = false;
    return true;
}

/* Reads while the consumer has room; returns false when the budget ran out
 * with data possibly left. */
static bool char_read(RedCharDevice *dev)
{
    uint8_t buf[4096];
    size_t budget = RED_CHAR_DEVICE_READ_BUDGET;
    while (budget > 0) {
        size_t room = dev->ops.read_room(dev->opaque);
        if (room == 0) {
            return true;
        }
        size_t want = MIN(MIN(room, sizeof(buf)), budget);
        int n = dev->sif->read(dev->sin, buf, (int)want);
        if (n <= 0) {
            return true;
        }
        size_t got = (size_t)n > want ? want : (size_t)n;
        budget -= got;
        dev->ops.on_read(dev->opaque, buf, got);
    }
    return false;
}

void red_char_device_wakeup(RedCharDevice *dev)
{
    if (dev->running) {
        dev->again = true; /* the loop below runs once more */
        return;
    }
    dev->running = true;
    bool more;
    do {
        dev->again = false;
        char_flush(dev);
        more = !char_read(dev);
    } while (dev->again);
    dev->running = false;
    if (more) {
        dev->loop->timer_start(dev->read_timer, 0);
    }
}

static void char_timer_fired(void *opaque)
{
    red_char_device_wakeup(opaque);
}

RedCharDevice *red_char_device_create(const SpiceCoreInterface *loop,
                                      SpiceCharDeviceInstance *sin, size_t max_queued,
                                      const RedCharDeviceOps *ops, void *opaque)
{
    RedCharDevice *dev = g_new0(RedCharDevice, 1);
    dev->loop = loop;
    dev->sin = sin;
    dev->sif = char_sif(sin);
    dev->ops = *ops;
    dev->opaque = opaque;
    dev->max_queued = max_queued;
    g_queue_init(&dev->writes);
    dev->retry_timer = loop->timer_add(char_timer_fired, dev);
    dev->read_timer = loop->timer_add(char_timer_fired, dev);
    if (dev->retry_timer == NULL || dev->read_timer == NULL) {
        red_char_device_destroy(dev);
        return NULL;
    }
    return dev;
}

void red_char_device_destroy(RedCharDevice *dev)
{
    if (dev == NULL) {
        return;
    }
    if (dev->retry_timer) {
        dev->loop->timer_remove(dev->retry_timer);
    }
    if (dev->read_timer) {
        dev->loop->timer_remove(dev->read_timer);
    }
    g_queue_clear_full(&dev->writes, g_free);
    g_free(dev);
}

SpiceCharDeviceInstance *red_char_device_instance(const RedCharDevice *dev)
{
    return dev->sin;
}

void red_char_device_set_state(RedCharDevice *dev, bool connected)
{
    if (dev->sif->state) {
        dev->sif->state(dev->sin, connected);
    }
}

size_t red_char_device_write_room(const RedCharDevice *dev)
{
    return dev->max_queued - dev->queued;
}

int red_char_device_write(RedCharDevice *dev, const void *data, size_t len, uint64_t tag)
{
    if (len == 0 || len > red_char_device_write_room(dev)) {
        return -1;
    }
    WriteBuf *b = g_malloc(sizeof(*b) + len);
    b->len = len;
    b->done = 0;
    b->tag = tag;
    memcpy(b->data, data, len);
    g_queue_push_tail(&dev->writes, b);
    dev->queued += len;
    char_flush(dev);
    return 0;
}
