/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vgpu-virtqueue.c: split virtqueues, device side (virtio 1.x, 2.7). */
#include "config.h"

#include "vgpu-virtqueue.h"

#include <string.h>

#include <glib.h>

void vgpu_vq_reset(VgpuVq *q)
{
    memset(q, 0, sizeof(*q));
    q->size = VGPU_QUEUE_MAX;
}

bool vgpu_vq_enable(VmMachine *vm, VgpuVq *q, const char **why, uint64_t *value)
{
    uint64_t n = q->size;
    if (n == 0 || n > VGPU_QUEUE_MAX || (n & (n - 1))) {
        *why = "queue_size is not a power of two up to the maximum";
        *value = n;
        return false;
    }
    /* Alignments of the split ring (2.7: 16, 2, 4). */
    if (q->desc_gpa % 16 || q->avail_gpa % 2 || q->used_gpa % 4) {
        *why = "queue area misaligned";
        *value = q->desc_gpa % 16 ? q->desc_gpa : q->avail_gpa % 2 ? q->avail_gpa : q->used_gpa;
        return false;
    }
    q->desc = vm_machine_gpa_to_host(vm, q->desc_gpa, 16 * n);
    q->avail = vm_machine_gpa_to_host(vm, q->avail_gpa, 6 + 2 * n);
    q->used = vm_machine_gpa_to_host(vm, q->used_gpa, 6 + 8 * n);
    if (q->desc == NULL || q->avail == NULL || q->used == NULL) {
        *why = "queue area outside guest RAM";
        *value = q->desc == NULL ? q->desc_gpa : q->avail == NULL ? q->avail_gpa : q->used_gpa;
        q->desc = NULL;
        return false;
    }
    q->enabled = true;
    q->last_avail = 0;
    q->used_idx = 0;
    return true;
}

bool vgpu_vq_has_work(const VgpuVq *q)
{
    if (!q->enabled) {
        return false;
    }
    uint16_t idx = __atomic_load_n(&q->avail->idx, __ATOMIC_ACQUIRE);
    return idx != q->last_avail;
}

static VgpuVqStatus broken(const char **why, uint64_t *value, const char *w, uint64_t v)
{
    *why = w;
    *value = v;
    return VGPU_VQ_BROKEN;
}

VgpuVqStatus vgpu_vq_pop(VmMachine *vm, VgpuVq *q, VgpuElem *e, const char **why,
                         uint64_t *value)
{
    /* Every field but the (large) segment array, which n_in bounds.
     * written sits after it: left out, a reused allocation's garbage made
     * the response go past the buffer (nothing written, a garbage used
     * length) in builds without ASan, whose malloc fill hid it. */
    memset(e, 0, offsetof(VgpuElem, in));
    e->n_in = 0;
    e->written = 0;
    if (!q->enabled) {
        return VGPU_VQ_EMPTY;
    }
    uint16_t avail_idx = __atomic_load_n(&q->avail->idx, __ATOMIC_ACQUIRE);
    uint16_t pending = (uint16_t)(avail_idx - q->last_avail);
    if (pending == 0) {
        return VGPU_VQ_EMPTY;
    }
    if (pending > q->size) {
        return broken(why, value, "avail.idx more than a ring ahead", avail_idx);
    }
    uint16_t head = __atomic_load_n(&q->avail->ring[q->last_avail % q->size], __ATOMIC_RELAXED);
    if (head >= q->size) {
        return broken(why, value, "avail.ring head index", head);
    }
    GByteArray *req = g_byte_array_new();
    uint16_t i = head;
    /* A chain longer than the table must revisit an entry: a loop. */
    for (unsigned count = 0;; count++) {
        if (count >= q->size) {
            g_byte_array_free(req, TRUE);
            return broken(why, value, "descriptor chain loops", head);
        }
        struct vring_desc d;
        memcpy(&d, &q->desc[i], sizeof(d));
        if (d.flags & VRING_DESC_F_INDIRECT) {
            g_byte_array_free(req, TRUE);
            return broken(why, value, "indirect descriptor (not negotiated)", i);
        }
        uint8_t *host = d.len ? vm_machine_gpa_to_host(vm, d.addr, d.len) : NULL;
        if (d.len && host == NULL) {
            g_byte_array_free(req, TRUE);
            return broken(why, value, "descriptor addr outside guest RAM", d.addr);
        }
        if (d.flags & VRING_DESC_F_WRITE) {
            if (d.len) {
                e->in[e->n_in++] = (VgpuSeg){ host, d.len };
            }
        } else {
            if (e->n_in) {
                g_byte_array_free(req, TRUE);
                return broken(why, value, "readable descriptor after a writable one", i);
            }
            if (d.len > VGPU_MAX_REQUEST - req->len) {
                g_byte_array_free(req, TRUE);
                return broken(why, value, "request larger than the device accepts", d.len);
            }
            g_byte_array_append(req, host, d.len);
        }
        if (!(d.flags & VRING_DESC_F_NEXT)) {
            break;
        }
        if (d.next >= q->size) {
            g_byte_array_free(req, TRUE);
            return broken(why, value, "descriptor next index", d.next);
        }
        i = d.next;
    }
    q->last_avail++;
    e->head = head;
    e->req_len = req->len;
    e->req = g_byte_array_free(req, FALSE);
    return VGPU_VQ_OK;
}

size_t vgpu_elem_write(VgpuElem *e, const void *p, size_t n)
{
    const uint8_t *src = p;
    size_t done = 0, skip = e->written;
    for (unsigned s = 0; s < e->n_in && done < n; s++) {
        if (skip >= e->in[s].len) {
            skip -= e->in[s].len;
            continue;
        }
        size_t chunk = MIN(n - done, e->in[s].len - skip);
        memcpy(e->in[s].host + skip, src + done, chunk);
        done += chunk;
        skip = 0;
    }
    e->written += done;
    return done;
}

void vgpu_vq_push(VgpuVq *q, VgpuElem *e)
{
    g_free(e->req);
    e->req = NULL;
    if (!q->enabled) {
        return; /* reset in between: the driver no longer waits for it */
    }
    struct vring_used_elem u = { .id = e->head, .len = (uint32_t)e->written };
    memcpy(&q->used->ring[q->used_idx % q->size], &u, sizeof(u));
    q->used_idx++;
    /* The element must be visible before the index that publishes it. */
    __atomic_store_n(&q->used->idx, q->used_idx, __ATOMIC_RELEASE);
}
