/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-row-ring.c: a buffer of rows mapped twice, back to back (see
 * red-row-ring.h).  The memory is an anonymous memfd; the address range
 * is first reserved whole, so that the two mappings land next to each
 * other with nothing of anyone else's in between. */
#include "config.h"

#include "red-row-ring.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int red_row_ring_init(RedRowRing *ring, size_t stride, uint32_t min_rows)
{
    memset(ring, 0, sizeof(*ring));
    long page_l = sysconf(_SC_PAGESIZE);
    if (stride == 0 || min_rows == 0 || page_l <= 0) {
        return -1;
    }
    size_t page = (size_t)page_l;
    /* Rows come in groups of page / gcd(stride, page): the fewest whose
     * bytes are whole pages. */
    size_t a = stride, b = page;
    while (b != 0) {
        size_t t = a % b;
        a = b;
        b = t;
    }
    size_t group = page / a;
    uint64_t rows = ((uint64_t)min_rows + group - 1) / group * group;
    if (rows > UINT32_MAX || rows > SIZE_MAX / 2 / stride) {
        return -1;
    }
    size_t bytes = (size_t)rows * stride;
    int fd = memfd_create("s3d-row-ring", MFD_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    uint8_t *base = MAP_FAILED;
    if (ftruncate(fd, (off_t)bytes) == 0) {
        base = mmap(NULL, 2 * bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    }
    if (base != MAP_FAILED &&
        (mmap(base, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED ||
         mmap(base + bytes, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) ==
             MAP_FAILED)) {
        munmap(base, 2 * bytes);
        base = MAP_FAILED;
    }
    int saved = errno;
    close(fd); /* the mappings hold the memory */
    if (base == MAP_FAILED) {
        errno = saved;
        return -1;
    }
    *ring = (RedRowRing){ .base = base, .bytes = bytes, .rows = (uint32_t)rows };
    return 0;
}

void red_row_ring_fini(RedRowRing *ring)
{
    if (ring->base != NULL) {
        munmap(ring->base, 2 * ring->bytes);
    }
    memset(ring, 0, sizeof(*ring));
}
