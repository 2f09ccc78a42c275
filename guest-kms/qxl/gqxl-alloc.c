/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gqxl-alloc.c: first fit with coalescing free extents. */
#include "config.h"

#include "gqxl-alloc.h"

typedef struct Extent {
    uint64_t off, len;
} Extent;

void gqxl_heap_init(GqxlHeap *h, uint64_t base, uint64_t size)
{
    h->base = base;
    h->size = size;
    h->free = g_array_new(FALSE, FALSE, sizeof(Extent));
    Extent all = { base, size };
    g_array_append_val(h->free, all);
    h->used = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    h->used_bytes = 0;
}

void gqxl_heap_finish(GqxlHeap *h)
{
    if (h->free) {
        g_array_free(h->free, TRUE);
        g_hash_table_destroy(h->used);
    }
    h->free = NULL;
    h->used = NULL;
}

uint64_t gqxl_heap_alloc(GqxlHeap *h, uint64_t size, uint64_t align)
{
    if (size == 0) {
        return UINT64_MAX;
    }
    for (guint i = 0; i < h->free->len; i++) {
        Extent *e = &g_array_index(h->free, Extent, i);
        uint64_t start = (e->off + align - 1) & ~(align - 1);
        if (start - e->off > e->len || size > e->len - (start - e->off)) {
            continue;
        }
        uint64_t tail_off = start + size, tail_len = e->off + e->len - tail_off;
        uint64_t head_len = start - e->off;
        if (head_len) {
            e->len = head_len;
            if (tail_len) {
                Extent t = { tail_off, tail_len };
                g_array_insert_val(h->free, i + 1, t);
            }
        } else if (tail_len) {
            *e = (Extent){ tail_off, tail_len };
        } else {
            g_array_remove_index(h->free, i);
        }
        gint64 *k = g_new(gint64, 1);
        uint64_t *v = g_new(uint64_t, 1);
        *k = (gint64)start;
        *v = size;
        g_hash_table_insert(h->used, k, v);
        h->used_bytes += size;
        return start;
    }
    return UINT64_MAX;
}

bool gqxl_heap_free(GqxlHeap *h, uint64_t offset)
{
    gint64 key = (gint64)offset;
    uint64_t *len = g_hash_table_lookup(h->used, &key);
    if (len == NULL) {
        return false;
    }
    Extent x = { offset, *len };
    h->used_bytes -= x.len;
    g_hash_table_remove(h->used, &key);
    guint i = 0;
    while (i < h->free->len && g_array_index(h->free, Extent, i).off < x.off) {
        i++;
    }
    g_array_insert_val(h->free, i, x);
    /* Merge with the next, then with the previous neighbour. */
    if (i + 1 < h->free->len) {
        Extent *a = &g_array_index(h->free, Extent, i), *b = &g_array_index(h->free, Extent, i + 1);
        if (a->off + a->len == b->off) {
            a->len += b->len;
            g_array_remove_index(h->free, i + 1);
        }
    }
    if (i > 0) {
        Extent *a = &g_array_index(h->free, Extent, i - 1), *b = &g_array_index(h->free, Extent, i);
        if (a->off + a->len == b->off) {
            a->len += b->len;
            g_array_remove_index(h->free, i);
        }
    }
    return true;
}

unsigned gqxl_heap_count(const GqxlHeap *h)
{
    return g_hash_table_size(h->used);
}
