/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spice-wire.c: bounds-checked little-endian writer and reader. */
#include "config.h"

#include "spice-wire.h"

#include <stdlib.h>
#include <string.h>

/* A SPICE body size is a u32; refuse to build anything larger. */
#define SPICE_WIRE_MAX_BUFFER ((size_t)UINT32_MAX)

void spice_wire_writer_init(SpiceWireWriter *w)
{
    memset(w, 0, sizeof(*w));
}

void spice_wire_writer_finish(SpiceWireWriter *w)
{
    if (w == NULL) {
        return;
    }
    free(w->data);
    memset(w, 0, sizeof(*w));
}

void spice_wire_writer_reset(SpiceWireWriter *w)
{
    w->len = 0;
    w->body_start = 0;
    w->header_start = 0;
    w->failed = false;
}

bool spice_wire_writer_failed(const SpiceWireWriter *w)
{
    return w->failed;
}

uint8_t *spice_wire_put_space(SpiceWireWriter *w, size_t n)
{
    if (w->failed) {
        return NULL;
    }
    if (n > SPICE_WIRE_MAX_BUFFER - w->len) {
        w->failed = true;
        return NULL;
    }
    size_t need = w->len + n;
    if (need > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < need) {
            cap = cap > SPICE_WIRE_MAX_BUFFER / 2 ? SPICE_WIRE_MAX_BUFFER : cap * 2;
        }
        uint8_t *p = realloc(w->data, cap);
        if (p == NULL) {
            w->failed = true;
            return NULL;
        }
        w->data = p;
        w->cap = cap;
    }
    uint8_t *at = w->data + w->len;
    w->len = need;
    return at;
}

static void put_le(SpiceWireWriter *w, uint64_t v, size_t n)
{
    uint8_t *p = spice_wire_put_space(w, n);
    if (p == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

void spice_wire_put_u8(SpiceWireWriter *w, uint8_t v) { put_le(w, v, 1); }
void spice_wire_put_u16(SpiceWireWriter *w, uint16_t v) { put_le(w, v, 2); }
void spice_wire_put_u32(SpiceWireWriter *w, uint32_t v) { put_le(w, v, 4); }
void spice_wire_put_u64(SpiceWireWriter *w, uint64_t v) { put_le(w, v, 8); }
void spice_wire_put_i16(SpiceWireWriter *w, int16_t v) { put_le(w, (uint16_t)v, 2); }
void spice_wire_put_i32(SpiceWireWriter *w, int32_t v) { put_le(w, (uint32_t)v, 4); }
void spice_wire_put_i64(SpiceWireWriter *w, int64_t v) { put_le(w, (uint64_t)v, 8); }

void spice_wire_put_bytes(SpiceWireWriter *w, const void *src, size_t n)
{
    uint8_t *p = spice_wire_put_space(w, n);
    if (p != NULL && n > 0) {
        memcpy(p, src, n);
    }
}

static void patch_u32(SpiceWireWriter *w, size_t at, uint32_t v)
{
    if (w->failed || at + 4 > w->len) {
        return;
    }
    for (size_t i = 0; i < 4; i++) {
        w->data[at + i] = (uint8_t)(v >> (8 * i));
    }
}

size_t spice_wire_reserve_ptr(SpiceWireWriter *w)
{
    size_t slot = w->len;
    spice_wire_put_u32(w, 0);
    return slot;
}

void spice_wire_patch_ptr_here(SpiceWireWriter *w, size_t slot)
{
    /* Offsets are relative to the body start (spice_protocol.txt, "pointer"). */
    patch_u32(w, slot, (uint32_t)(w->len - w->body_start));
}

void spice_wire_begin_message(SpiceWireWriter *w, uint16_t type)
{
    w->header_start = w->len;
    spice_wire_put_u16(w, type);
    spice_wire_put_u32(w, 0);
    w->body_start = w->len;
}

void spice_wire_end_message(SpiceWireWriter *w)
{
    patch_u32(w, w->header_start + 2, (uint32_t)(w->len - w->body_start));
}

size_t spice_wire_body_size(const SpiceWireWriter *w)
{
    return w->len - w->body_start;
}

void spice_wire_reader_init(SpiceWireReader *r, const void *data, size_t len)
{
    r->data = data;
    r->len = data ? len : 0;
    r->pos = 0;
    r->failed = false;
}

bool spice_wire_reader_failed(const SpiceWireReader *r)
{
    return r->failed;
}

size_t spice_wire_remaining(const SpiceWireReader *r)
{
    return r->failed ? 0 : r->len - r->pos;
}

const uint8_t *spice_wire_get_bytes(SpiceWireReader *r, size_t n)
{
    if (r->failed || n > r->len - r->pos) {
        r->failed = true;
        return NULL;
    }
    const uint8_t *p = r->data + r->pos;
    r->pos += n;
    return p;
}

const uint8_t *spice_wire_get_array(SpiceWireReader *r, uint64_t count, size_t elem_size)
{
    if (elem_size != 0 && count > (uint64_t)SIZE_MAX / elem_size) {
        r->failed = true;
        return NULL;
    }
    return spice_wire_get_bytes(r, (size_t)count * elem_size);
}

static uint64_t get_le(SpiceWireReader *r, size_t n)
{
    const uint8_t *p = spice_wire_get_bytes(r, n);
    uint64_t v = 0;
    if (p == NULL) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

uint8_t spice_wire_get_u8(SpiceWireReader *r) { return (uint8_t)get_le(r, 1); }
uint16_t spice_wire_get_u16(SpiceWireReader *r) { return (uint16_t)get_le(r, 2); }
uint32_t spice_wire_get_u32(SpiceWireReader *r) { return (uint32_t)get_le(r, 4); }
uint64_t spice_wire_get_u64(SpiceWireReader *r) { return get_le(r, 8); }
int16_t spice_wire_get_i16(SpiceWireReader *r) { return (int16_t)get_le(r, 2); }
int32_t spice_wire_get_i32(SpiceWireReader *r) { return (int32_t)get_le(r, 4); }
int64_t spice_wire_get_i64(SpiceWireReader *r) { return (int64_t)get_le(r, 8); }

SpiceWireReader spice_wire_reader_at(SpiceWireReader *r, uint32_t offset)
{
    SpiceWireReader sub = { .data = r->data, .len = r->len, .pos = offset, .failed = false };
    if (r->failed || offset == 0 || offset > r->len) {
        r->failed = true;
        sub.failed = true;
        sub.pos = 0;
    }
    return sub;
}
