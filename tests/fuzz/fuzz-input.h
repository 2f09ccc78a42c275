/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-input.h: reading a fuzz input as a program of operands. */
#ifndef FUZZ_INPUT_H
#define FUZZ_INPUT_H

#include <stdint.h>

/* The next n (<= 4) bytes at *p as a little-endian number; bytes past the
 * end read as 0, so every program is complete however it is cut. */
static inline uint32_t fuzz_take(const uint8_t **p, const uint8_t *end, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n && *p < end; i++) {
        v |= (uint32_t)*(*p)++ << (8 * i);
    }
    return v;
}

#endif /* FUZZ_INPUT_H */
