/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-chunks.c: QXLDataChunk lists. */
#include "config.h"

#include "red-chunks.h"

#include <stddef.h>
#include <string.h>

#include <glib.h>

#include "red-log.h"

/* One chunk: its header copied once (the guest may change it under us),
 * and its payload translated with the size from the copy. */
static const uint8_t *chunk_at(const RedMemSlots *slots, uint32_t group_id, QXLPHYSICAL addr,
                               uint32_t *data_size, QXLPHYSICAL *next)
{
    const QXLDataChunk *c = red_memslots_translate(slots, group_id, addr, sizeof(QXLDataChunk));
    if (c == NULL) {
        return NULL;
    }
    uint32_t n = c->data_size;
    *next = c->next_chunk;
    *data_size = n;
    if (n == 0) {
        return (const uint8_t *)c; /* valid, empty: the caller skips it */
    }
    return red_memslots_translate(slots, group_id, addr, sizeof(QXLDataChunk) + (uint64_t)n)
               ? (const uint8_t *)c + sizeof(QXLDataChunk)
               : NULL;
}

int red_chunks_read(const RedMemSlots *slots, uint32_t group_id, QXLPHYSICAL first,
                    uint64_t size, RedChunkData *out)
{
    memset(out, 0, sizeof(*out));
    uint32_t n;
    QXLPHYSICAL next;
    const uint8_t *p = chunk_at(slots, group_id, first, &n, &next);
    if (p == NULL || size == 0) {
        return -1;
    }
    if (n >= size) {
        out->data = p; /* the common case: one chunk, no copy */
        out->size = size;
        return 0;
    }
    if (size > RED_CHUNKS_MAX_BYTES) {
        red_log_guest_error("chunk list size", size, "too large to gather");
        return -1;
    }
    /* A first walk that only adds up the chunks, so that a short or broken
     * list costs no allocation of the size it claims (up to 256 MiB).  The
     * copy below checks every chunk again: the guest may change the list
     * between the two walks. */
    uint64_t have = n;
    QXLPHYSICAL at = next;
    for (unsigned count = 1; have < size; count++) {
        uint32_t more;
        if (at == 0 || count >= RED_CHUNKS_MAX_COUNT ||
            chunk_at(slots, group_id, at, &more, &at) == NULL) {
            red_log_guest_error("chunk list bytes", have, "shorter than the data it carries, "
                                "too long or broken");
            return -1;
        }
        have += more;
    }
    uint8_t *buf = g_try_malloc(size);
    if (buf == NULL) {
        red_log_guest_error("chunk list size", size, "cannot allocate");
        return -1;
    }
    uint64_t got = 0;
    for (unsigned count = 1;; count++) {
        uint64_t take = MIN((uint64_t)n, size - got);
        memcpy(buf + got, p, take);
        got += take;
        if (got == size) {
            break;
        }
        if (next == 0) {
            red_log_guest_error("chunk list bytes", got, "shorter than the data it carries");
            g_free(buf);
            return -1;
        }
        if (count >= RED_CHUNKS_MAX_COUNT) {
            red_log_guest_error("chunk list length", count, "too long or cyclic");
            g_free(buf);
            return -1;
        }
        p = chunk_at(slots, group_id, next, &n, &next);
        if (p == NULL) {
            g_free(buf);
            return -1;
        }
    }
    out->data = out->owned = buf;
    out->size = size;
    return 0;
}

void red_chunk_data_finish(RedChunkData *d)
{
    g_free(d->owned);
    memset(d, 0, sizeof(*d));
}
