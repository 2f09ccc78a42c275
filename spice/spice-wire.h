/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spice-wire.h: the byte level of the SPICE wire protocol.
 *
 * SPICE is little-endian and packed: fields follow each other with no
 * padding.  A "pointer" inside a message body is a 32-bit offset counted
 * from the first byte of the body; 0 means NULL.
 *
 * SpiceWireWriter builds messages into a growable buffer.  Errors (out of
 * memory, a body that would pass 4 GiB) are latched: every later put is a
 * no-op and spice_wire_writer_failed() reports it once at the end, so the
 * marshallers do not test after every field.
 *
 * SpiceWireReader walks received bytes.  Every get checks the remaining
 * length first; a short read latches the failure and returns zero/NULL, so a
 * parser reads all its fields and tests spice_wire_reader_failed() once.
 * Nothing is ever read past `len`.
 *
 * Thread safety: none; one writer or reader per thread.
 */
#ifndef SPICE_WIRE_H
#define SPICE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Size of the mini data header (type u16 + size u32), used whenever both
 * peers advertise SPICE_COMMON_CAP_MINI_HEADER. */
#define SPICE_WIRE_MINI_HEADER_SIZE 6

typedef struct SpiceWireWriter {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t body_start;   /* offset of the current message body, for pointers */
    size_t header_start; /* offset of the current message's mini header */
    bool failed;
} SpiceWireWriter;

void spice_wire_writer_init(SpiceWireWriter *w);
/* Frees the buffer; the writer may be initialised again. NULL is fine. */
void spice_wire_writer_finish(SpiceWireWriter *w);
/* Empties the buffer but keeps its memory; clears the failure latch. */
void spice_wire_writer_reset(SpiceWireWriter *w);
bool spice_wire_writer_failed(const SpiceWireWriter *w);

void spice_wire_put_u8(SpiceWireWriter *w, uint8_t v);
void spice_wire_put_u16(SpiceWireWriter *w, uint16_t v);
void spice_wire_put_u32(SpiceWireWriter *w, uint32_t v);
void spice_wire_put_u64(SpiceWireWriter *w, uint64_t v);
void spice_wire_put_i16(SpiceWireWriter *w, int16_t v);
void spice_wire_put_i32(SpiceWireWriter *w, int32_t v);
void spice_wire_put_i64(SpiceWireWriter *w, int64_t v);
void spice_wire_put_bytes(SpiceWireWriter *w, const void *p, size_t n);
/* Appends n bytes and returns where they are, for callers that fill them in
 * place (e.g. an encoder writing straight into the send buffer); NULL once
 * the writer has failed. The pointer is valid until the next put. */
uint8_t *spice_wire_put_space(SpiceWireWriter *w, size_t n);

/* Pointers: reserve a 4-byte slot now, then, when the pointed-to data is about
 * to be written, patch the slot with the current body offset. */
size_t spice_wire_reserve_ptr(SpiceWireWriter *w);
void spice_wire_patch_ptr_here(SpiceWireWriter *w, size_t slot);

/* Starts a message: writes a mini header with a size to be patched and makes
 * the following bytes the body that pointers are relative to. */
void spice_wire_begin_message(SpiceWireWriter *w, uint16_t type);
/* Ends the current message: patches the header's body size. */
void spice_wire_end_message(SpiceWireWriter *w);
/* Body size of the message being written (bytes since begin_message). */
size_t spice_wire_body_size(const SpiceWireWriter *w);

typedef struct SpiceWireReader {
    const uint8_t *data;
    size_t len;
    size_t pos;
    bool failed;
} SpiceWireReader;

void spice_wire_reader_init(SpiceWireReader *r, const void *data, size_t len);
bool spice_wire_reader_failed(const SpiceWireReader *r);
size_t spice_wire_remaining(const SpiceWireReader *r);

uint8_t spice_wire_get_u8(SpiceWireReader *r);
uint16_t spice_wire_get_u16(SpiceWireReader *r);
uint32_t spice_wire_get_u32(SpiceWireReader *r);
uint64_t spice_wire_get_u64(SpiceWireReader *r);
int16_t spice_wire_get_i16(SpiceWireReader *r);
int32_t spice_wire_get_i32(SpiceWireReader *r);
int64_t spice_wire_get_i64(SpiceWireReader *r);
/* Returns a pointer to the next n bytes inside the buffer, or NULL (and the
 * latch) if fewer remain. */
const uint8_t *spice_wire_get_bytes(SpiceWireReader *r, size_t n);
/* Returns a pointer to `count` elements of `elem_size` bytes, checking the
 * product for overflow before the length. */
const uint8_t *spice_wire_get_array(SpiceWireReader *r, uint64_t count, size_t elem_size);

/* Follows a pointer: a reader over body[offset..len) of the same body. An
 * offset of 0 (NULL) or past the end latches the failure on `r`. */
SpiceWireReader spice_wire_reader_at(SpiceWireReader *r, uint32_t offset);

#endif /* SPICE_WIRE_H */
