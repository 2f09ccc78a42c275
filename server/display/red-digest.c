/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-digest.c: XXH3-128 of an image's rows, with XXH3 inlined so the
 * compiler builds it for this object's target (red-digest.h).  Built once
 * plainly and, on x86-64, once more with -mavx2 and RED_DIGEST_AVX2: only
 * the plain build holds the choice between them.  A build that compiles
 * the sources in one go (the fuzzers) defines RED_DIGEST_PLAIN_ONLY. */
#include "config.h"

#include "red-digest.h"

#include <string.h>

#define XXH_INLINE_ALL
#define XXH_STATIC_LINKING_ONLY
#ifdef RED_DIGEST_AVX2
#define XXH_VECTOR XXH_AVX2
#define DIGEST_ROWS red_digest_rows_avx2
#else
#define DIGEST_ROWS red_digest_rows_plain
#endif
#include <xxhash.h>

int DIGEST_ROWS(const uint8_t *bits, size_t row, size_t stride, uint32_t rows,
                uint64_t seed, uint8_t out[RED_DIGEST_BYTES]);

int DIGEST_ROWS(const uint8_t *bits, size_t row, size_t stride, uint32_t rows,
                uint64_t seed, uint8_t out[RED_DIGEST_BYTES])
{
    XXH128_hash_t hash;
    if (stride == row) {
        hash = XXH3_128bits_withSeed(bits, row * rows, seed);
    } else {
        /* On the stack: the streaming state is some 600 bytes, and a
         * malloc per image showed in the profile of reused icons. */
        XXH3_state_t st;
        XXH3_INITSTATE(&st);
        if (XXH3_128bits_reset_withSeed(&st, seed) != XXH_OK) {
            return -1;
        }
        for (uint32_t y = 0; y < rows; y++) {
            (void)XXH3_128bits_update(&st, bits + (size_t)y * stride, row);
        }
        hash = XXH3_128bits_digest(&st);
    }
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, hash);
    memcpy(out, c.digest, RED_DIGEST_BYTES);
    return 0;
}

#ifndef RED_DIGEST_AVX2
#if defined(HAVE_RED_DIGEST_AVX2) && !defined(RED_DIGEST_PLAIN_ONLY)
int red_digest_rows_avx2(const uint8_t *bits, size_t row, size_t stride, uint32_t rows,
                         uint64_t seed, uint8_t out[RED_DIGEST_BYTES]);
#endif

RedDigestRowsFn red_digest_rows_avx2_usable(void)
{
#if defined(HAVE_RED_DIGEST_AVX2) && !defined(RED_DIGEST_PLAIN_ONLY)
    if (__builtin_cpu_supports("avx2")) {
        return red_digest_rows_avx2;
    }
#endif
    return NULL;
}

int red_digest_rows(const uint8_t *bits, size_t row, size_t stride, uint32_t rows,
                    uint64_t seed, uint8_t out[RED_DIGEST_BYTES])
{
    /* Chosen once; a race between two first callers stores the same value. */
    static RedDigestRowsFn chosen;
    RedDigestRowsFn fn = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    if (fn == NULL) {
        fn = red_digest_rows_avx2_usable();
        if (fn == NULL) {
            fn = red_digest_rows_plain;
        }
        __atomic_store_n(&chosen, fn, __ATOMIC_RELAXED);
    }
    return fn(bits, row, stride, rows, seed, out);
}
#endif /* !RED_DIGEST_AVX2 */
