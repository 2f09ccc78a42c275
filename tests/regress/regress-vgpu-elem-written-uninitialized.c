// SPDX-License-Identifier: GPL-2.0-or-later
/* regress-vgpu-elem-written-uninitialized: the virtio-gpu device's
 * vgpu_vq_pop cleared a popped element only up to its segment array, so
 * `written` (after the array) kept whatever the allocation held.  The
 * response then went past the driver's buffer (nothing written) and the
 * used ring carried a garbage length.  Under ASan the malloc fill (first
 * 4 KiB) never reached that field, so only builds without ASan failed:
 * test-vgpu-hostile in `make distcheck`, and the demo.
 *
 * The exact input, with no worker and no guest driver: one request and one
 * 64-byte response buffer in a queue in guest RAM, popped into an element
 * full of garbage, as a reused allocation is.  The response must land in
 * the buffer and the used length must be its size. */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "test-util.h"
#include "vgpu-virtqueue.h"
#include "vm-machine.h"

#define RAM (1u << 20)
#define DESC_GPA 0x1000
#define AVAIL_GPA 0x2000
#define USED_GPA 0x3000
#define REQ_GPA 0x4000
#define RESP_GPA 0x5000
#define RESP_LEN 64

static void test_popped_element_writes_from_the_start(void)
{
    VmMachine *vm = vm_machine_create(RAM);
    CHECK(vm != NULL);
    uint8_t *ram = vm_machine_gpa_to_host(vm, 0, RAM);
    struct vring_desc *desc = (struct vring_desc *)(void *)(ram + DESC_GPA);
    desc[0] = (struct vring_desc){ .addr = REQ_GPA, .len = 24, .flags = VRING_DESC_F_NEXT,
                                   .next = 1 };
    desc[1] = (struct vring_desc){ .addr = RESP_GPA, .len = RESP_LEN,
                                   .flags = VRING_DESC_F_WRITE };
    struct vring_avail *avail = (struct vring_avail *)(void *)(ram + AVAIL_GPA);
    avail->ring[0] = 0;
    avail->idx = 1;
    memset(ram + RESP_GPA, 0, RESP_LEN);

    VgpuVq q = { .size = 8, .desc_gpa = DESC_GPA, .avail_gpa = AVAIL_GPA,
                 .used_gpa = USED_GPA };
    const char *why = NULL;
    uint64_t value = 0;
    CHECK(vgpu_vq_enable(vm, &q, &why, &value));
    VgpuElem *e = g_malloc(sizeof(*e));
    memset(e, 0xa5, sizeof(*e)); /* what a reused allocation may hold */
    CHECK(vgpu_vq_pop(vm, &q, e, &why, &value) == VGPU_VQ_OK);
    CHECK_EQ_U64(e->n_in, 1);

    uint8_t resp[24];
    memset(resp, 0x11, sizeof(resp));
    CHECK_EQ_U64(vgpu_elem_write(e, resp, sizeof(resp)), sizeof(resp));
    CHECK(memcmp(ram + RESP_GPA, resp, sizeof(resp)) == 0);
    vgpu_vq_push(&q, e);
    struct vring_used *used = (struct vring_used *)(void *)(ram + USED_GPA);
    CHECK_EQ_U64(used->idx, 1);
    CHECK_EQ_U64(used->ring[0].id, 0);
    CHECK_EQ_U64(used->ring[0].len, sizeof(resp));
    g_free(e);
    vm_machine_destroy(vm);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_popped_element_writes_from_the_start),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
