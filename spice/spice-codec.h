/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spice-codec.h (internal): one description of each body layout, used both
 * to write and to read it.
 *
 * A codec function walks a message struct field by field; in write mode each
 * step appends the field to the writer, in read mode it fills the field from
 * the reader.  Describing a layout once keeps the marshaller and the
 * demarshaller from drifting apart; the golden-byte tests pin the layout
 * itself to the protocol.
 */
#ifndef SPICE_CODEC_H
#define SPICE_CODEC_H

#include <errno.h>
#include <stdbool.h>

#include "spice-messages.h"

typedef struct SpiceCodec {
    bool writing;
    SpiceWireWriter *w;     /* write mode */
    SpiceWireReader r;      /* read mode: the whole body */
    int error;              /* first semantic error (EBADMSG/ENOTSUP), 0 if none */
} SpiceCodec;

/* Records the first error.  In read mode a value read after the reader ran
 * out is a zero it made up, so whatever is wrong with it, the body was
 * short: EBADMSG. */
static inline void codec_fail(SpiceCodec *c, int err)
{
    if (c->error == 0) {
        c->error = !c->writing && spice_wire_reader_failed(&c->r) ? EBADMSG : err;
    }
}

static inline void codec_u8(SpiceCodec *c, uint8_t *v)
{
    if (c->writing) spice_wire_put_u8(c->w, *v); else *v = spice_wire_get_u8(&c->r);
}
static inline void codec_u16(SpiceCodec *c, uint16_t *v)
{
    if (c->writing) spice_wire_put_u16(c->w, *v); else *v = spice_wire_get_u16(&c->r);
}
static inline void codec_u32(SpiceCodec *c, uint32_t *v)
{
    if (c->writing) spice_wire_put_u32(c->w, *v); else *v = spice_wire_get_u32(&c->r);
}
static inline void codec_u64(SpiceCodec *c, uint64_t *v)
{
    if (c->writing) spice_wire_put_u64(c->w, *v); else *v = spice_wire_get_u64(&c->r);
}
static inline void codec_i16(SpiceCodec *c, int16_t *v)
{
    if (c->writing) spice_wire_put_i16(c->w, *v); else *v = spice_wire_get_i16(&c->r);
}
static inline void codec_i32(SpiceCodec *c, int32_t *v)
{
    if (c->writing) spice_wire_put_i32(c->w, *v); else *v = spice_wire_get_i32(&c->r);
}
static inline void codec_i64(SpiceCodec *c, int64_t *v)
{
    if (c->writing) spice_wire_put_i64(c->w, *v); else *v = spice_wire_get_i64(&c->r);
}

/* `count` elements of `elem_size` bytes; in read mode the count must already
 * be known (read before) and the bytes must be present. */
static inline void codec_array(SpiceCodec *c, SpiceWireArray *a, size_t elem_size)
{
    if (c->writing) {
        spice_wire_put_bytes(c->w, a->data, (size_t)a->count * elem_size);
    } else {
        a->data = spice_wire_get_array(&c->r, a->count, elem_size);
    }
}

/* Everything up to the end of the body, as bytes. */
static inline void codec_rest(SpiceCodec *c, SpiceWireArray *a)
{
    if (c->writing) {
        spice_wire_put_bytes(c->w, a->data, a->count);
    } else {
        size_t n = spice_wire_remaining(&c->r);
        if (n > UINT32_MAX) {
            codec_fail(c, EBADMSG);
            n = 0;
        }
        a->count = (uint32_t)n;
        a->data = spice_wire_get_bytes(&c->r, n);
    }
}

static inline void codec_rect(SpiceCodec *c, SpiceMsgRect *r)
{
    codec_i32(c, &r->top);
    codec_i32(c, &r->left);
    codec_i32(c, &r->bottom);
    codec_i32(c, &r->right);
}

static inline void codec_point(SpiceCodec *c, SpiceMsgPoint *p)
{
    codec_i32(c, &p->x);
    codec_i32(c, &p->y);
}

static inline void codec_point16(SpiceCodec *c, SpiceMsgPoint16 *p)
{
    codec_i16(c, &p->x);
    codec_i16(c, &p->y);
}

#endif /* SPICE_CODEC_H */
