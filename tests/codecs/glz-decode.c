/* SPDX-License-Identifier: GPL-2.0-or-later */
/* glz-decode.c: the strict GLZ_RGB decoder and model window of
 * glz-decode.h. */
#include "config.h"

#include "glz-decode.h"

#include <stdbool.h>
#include <string.h>

#include <glib.h>

typedef struct HeldImage {
    uint32_t n;
    uint32_t *px;
} HeldImage;

struct TestGlzWindow {
    uint64_t next_id, oldest;       /* held: oldest .. next_id - 1 */
    GPtrArray *images;              /* HeldImage *, index id - oldest */
};

typedef struct Cursor {
    const uint8_t *p;
    size_t pos, size;
} Cursor;

/* Reads `bytes` bytes as a big-endian number. */
static int take(Cursor *c, unsigned bytes, uint64_t *v)
{
    if (bytes > c->size - c->pos) {
        return -1;
    }
    uint64_t x = 0;
    for (unsigned k = 0; k < bytes; k++) {
        x = x << 8 | c->p[c->pos++];
    }
    *v = x;
    return 0;
}

static void held_free(gpointer p)
{
    HeldImage *h = p;
    g_free(h->px);
    g_free(h);
}

TestGlzWindow *test_glz_window_new(void)
{
    TestGlzWindow *w = g_new0(TestGlzWindow, 1);
    w->images = g_ptr_array_new_with_free_func(held_free);
    return w;
}

void test_glz_window_free(TestGlzWindow *w)
{
    if (w != NULL) {
        g_ptr_array_free(w->images, TRUE);
        g_free(w);
    }
}

size_t test_glz_window_count(const TestGlzWindow *w)
{
    return w->images->len;
}

uint64_t test_glz_window_oldest(const TestGlzWindow *w)
{
    return w->oldest;
}

/* One reference token after its ctrl byte: fills *len, *ofs, *dist. */
static int read_ref(Cursor *c, uint64_t ctrl, size_t *len, uint32_t *ofs, uint32_t *dist)
{
    uint64_t b;
    *len = ctrl >> 5;
    if (*len == 7) {
        do {
            if (take(c, 1, &b) != 0) {
                return -1;
            }
            *len += b;
        } while (b == 255);
    }
    uint32_t o = ctrl & 0x0f;
    if (take(c, 1, &b) != 0) {
        return -1;
    }
    o |= (uint32_t)b << 4;
    if (take(c, 1, &b) != 0) {
        return -1;
    }
    unsigned extra = (unsigned)(b >> 6);
    uint32_t d;
    uint64_t x;
    if (!(ctrl & 0x10)) {
        d = b & 0x3f;
        for (unsigned k = 0; k < extra; k++) {
            if (take(c, 1, &x) != 0) {
                return -1;
            }
            d |= (uint32_t)x << (6 + 8 * k);
        }
    } else {
        bool very_long = b & 0x20;
        o |= (uint32_t)(b & 0x1f) << 12;
        d = 0;
        for (unsigned k = 0; k < extra; k++) {
            if (take(c, 1, &x) != 0) {
                return -1;
            }
            d |= (uint32_t)x << (8 * k);
        }
        if (very_long) {
            if (take(c, 1, &x) != 0) {
                return -1;
            }
            o |= (uint32_t)x << 17;
        }
    }
    *ofs = o;
    *dist = d;
    return 0;
}

static int decode_body(const TestGlzWindow *w, Cursor *c, uint64_t id, uint32_t head_dist,
                       uint32_t *out, size_t n, TestGlzStats *st)
{
    size_t op = 0;
    while (op < n) {
        uint64_t ctrl, b, g, r;
        if (take(c, 1, &ctrl) != 0) {
            return -3;
        }
        if (ctrl < 32) {
            if (ctrl + 1 > n - op) {
                return -4;
            }
            for (uint64_t k = 0; k <= ctrl; k++) {
                if (take(c, 1, &b) || take(c, 1, &g) || take(c, 1, &r)) {
                    return -5;
                }
                out[op++] = (uint32_t)(r << 16 | g << 8 | b);
            }
            st->literal_pixels += ctrl + 1;
            continue;
        }
        size_t len;
        uint32_t ofs, dist;
        if (read_ref(c, ctrl, &len, &ofs, &dist) != 0) {
            return -6;
        }
        if (len > n - op) {
            return -7;
        }
        if (dist == 0) {
            size_t back = (size_t)ofs + 1;
            if (back > op) {
                return -8;
            }
            for (size_t k = 0; k < len; k++, op++) {
                out[op] = out[op - back];
            }
            st->inside_refs++;
            st->inside_pixels += len;
            continue;
        }
        /* The client holds oldest .. id - 1 and may only rely on what this
         * image's win_head_dist covers. */
        if (dist > head_dist || dist > id - w->oldest) {
            return -9;
        }
        const HeldImage *ref = g_ptr_array_index(w->images, (guint)(id - dist - w->oldest));
        if (ofs > ref->n || len > ref->n - ofs) {
            return -10;
        }
        memcpy(out + op, ref->px + ofs, len * 4);
        op += len;
        st->cross_refs++;
        st->cross_pixels += len;
        st->max_dist = MAX(st->max_dist, dist);
        st->max_cross_ofs = MAX(st->max_cross_ofs, ofs);
    }
    return c->pos == c->size ? 0 : -11;
}

int test_glz_decode(TestGlzWindow *w, const uint8_t *p, size_t size, uint32_t width,
                    uint32_t height, uint32_t *out, TestGlzStats *stats)
{
    Cursor c = { p, 0, size };
    uint64_t magic, version, type, hw, hh, stride, id, head_dist;
    if (take(&c, 4, &magic) || take(&c, 4, &version) || take(&c, 1, &type) ||
        take(&c, 4, &hw) || take(&c, 4, &hh) || take(&c, 4, &stride) || take(&c, 8, &id) ||
        take(&c, 4, &head_dist)) {
        return -1;
    }
    if (magic != 0x20205a4cu || version != 0x00010001u || type != (8 | 0x10) || hw != width ||
        hh != height || stride != (uint64_t)width * 4 || id != w->next_id ||
        head_dist > id || id - head_dist < w->oldest) {
        return -2;
    }
    TestGlzStats st = { .id = id, .win_head_dist = (uint32_t)head_dist };
    size_t n = (size_t)width * height;
    int ret = decode_body(w, &c, id, (uint32_t)head_dist, out, n, &st);
    if (ret != 0) {
        return ret;
    }
    HeldImage *h = g_new(HeldImage, 1);
    h->n = (uint32_t)n;
    h->px = g_memdup2(out, n * 4);
    g_ptr_array_add(w->images, h);
    w->next_id++;
    uint64_t keep_from = id - head_dist;
    g_ptr_array_remove_range(w->images, 0, (guint)(keep_from - w->oldest));
    w->oldest = keep_from;
    if (stats != NULL) {
        *stats = st;
    }
    return 0;
}
