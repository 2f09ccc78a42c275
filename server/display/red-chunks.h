/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-chunks.h: reading a guest QXLDataChunk list (bitmap data, clip rects,
 * cursor shapes).
 *
 * The list is untrusted: every chunk header and payload is translated with
 * its size, the walk stops after RED_CHUNKS_MAX_COUNT chunks (a cyclic list
 * ends there), and the total may not pass the size the caller asked for.
 * Thread: the display worker.
 */
#ifndef RED_CHUNKS_H
#define RED_CHUNKS_H

#include <stdbool.h>
#include <stdint.h>

#include "red-memslot.h"

/* Windows drivers split big bitmaps into page-sized chunks: 64 MiB of data in
 * 4 KiB chunks is 16384 of them; nothing legitimate needs more. */
#define RED_CHUNKS_MAX_COUNT 16384
/* The most bytes gathered from a list of several chunks, checked before
 * the buffer is allocated (the size comes from guest fields: a stride of
 * 4 GiB asks for terabytes).  An 8K 32-bit frame is 132 MiB. */
#define RED_CHUNKS_MAX_BYTES (256u << 20)

/* The bytes of a chunk list, either borrowed from guest memory (zero copy,
 * when one chunk holds them all) or gathered into our own buffer. */
typedef struct RedChunkData {
    const uint8_t *data;
    uint64_t size;
    uint8_t *owned; /* non-NULL when gathered; freed by red_chunk_data_finish */
} RedChunkData;

/* Reads exactly `size` bytes from the list whose first chunk header is at
 * `first` (size > 0).  -1 (logged) if a chunk does not translate, the list
 * is cyclic or longer than RED_CHUNKS_MAX_COUNT, it holds fewer bytes, or
 * the bytes are spread over several chunks and size > RED_CHUNKS_MAX_BYTES. */
int red_chunks_read(const RedMemSlots *slots, uint32_t group_id, QXLPHYSICAL first,
                    uint64_t size, RedChunkData *out);
void red_chunk_data_finish(RedChunkData *d);

#endif /* RED_CHUNKS_H */
