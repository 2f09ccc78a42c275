/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-digest.h (internal to the worker): the 128-bit XXH3 digest of an
 * image's rows, as fast as the CPU allows.
 *
 * Debian's libxxhash is built for the x86-64 baseline (SSE2) and called
 * through the library; the digest of each cached image (a 128x128 icon is
 * 64 KiB) then cost about as much as drawing it.  red-digest.c is built
 * twice, plainly and, on x86-64, with AVX2, both with XXH3 inlined; the
 * AVX2 build is taken when the CPU has AVX2.  XXH3's result does not depend
 * on how it is vectorised: every build gives the library's digest, bit for
 * bit (test-image-digest checks both against libxxhash).
 *
 * Thread: any.
 */
#ifndef RED_DIGEST_H
#define RED_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define RED_DIGEST_BYTES 16

/* The canonical (big-endian) XXH3-128 of `rows` runs of `row` bytes,
 * `stride` bytes apart, hashed as one run, with `seed`: equal to
 * XXH128_canonicalFromHash(XXH3_128bits_withSeed(the runs joined, seed)).
 * stride >= row.  Returns 0, or -1 if the CPU-specific build failed to
 * start its state (never, by XXH3's contract). */
int red_digest_rows(const uint8_t *bits, size_t row, size_t stride, uint32_t rows,
                    uint64_t seed, uint8_t out[RED_DIGEST_BYTES]);

/* The builds themselves, for the test that compares them: the plain one,
 * and the AVX2 one (NULL where it is not built or the CPU lacks AVX2). */
typedef int (*RedDigestRowsFn)(const uint8_t *bits, size_t row, size_t stride, uint32_t rows,
                               uint64_t seed, uint8_t out[RED_DIGEST_BYTES]);
int red_digest_rows_plain(const uint8_t *bits, size_t row, size_t stride, uint32_t rows,
                          uint64_t seed, uint8_t out[RED_DIGEST_BYTES]);
RedDigestRowsFn red_digest_rows_avx2_usable(void);

#endif /* RED_DIGEST_H */
