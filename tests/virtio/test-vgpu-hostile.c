/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-vgpu-hostile: a hostile or broken driver against the virtio-gpu
 * device: reserved freeze modes, freeze and SUSPEND while the queue is
 * busy, notifications while frozen, descriptor loops, addresses outside
 * guest RAM, runaway ring indices, indirect descriptors, rings outside
 * RAM, status abuse, and malformed commands.  Structural errors must give
 * NEEDS_RESET (and a log line), malformed commands an error response;
 * never a crash (ASan/UBSan), a hang (every wait has a deadline) or a
 * write outside guest RAM, and a reset always brings the device back.
 * "Nothing happened" is only checked once something proves the device
 * acted on the write: its worker finished a pass started after it
 * (stats.kicks_done), or a later command was answered. */
#include "config.h"

#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_gpu.h>
#include <linux/virtio_pci.h>

#include "virtio-pci-freeze.h"
#include "test-util.h"
#include "vgpu-fixture.h"

#define FREEZE_BIT (UINT64_C(1) << VIRTIO_F_FREEZE_MODE)
#define SUSPEND_BIT (UINT64_C(1) << VIRTIO_F_SUSPEND)
#define DEADLINE_US (2 * G_USEC_PER_SEC)

static VgpuFixture fx;

static void start(unsigned cmd_delay_us, uint64_t features)
{
    VgpuDeviceConfig cfg;
    vgpu_device_default_config(&cfg);
    cfg.cmd_delay_us = cmd_delay_us;
    if (vgpu_fixture_start(&fx, &cfg) != 0 || vgpu_fixture_open_raw(&fx, features) != 0) {
        fprintf(stderr, "fixture failed to start\n");
        exit(1);
    }
}

static VgpuDeviceStats stats(void)
{
    VgpuDeviceStats st;
    vgpu_device_get_stats(fx.dev, &st);
    return st;
}

static bool needs_reset(void)
{
    return gvgpu_hw_poll(&fx.hw, VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_CONFIG_S_NEEDS_RESET,
                         VIRTIO_CONFIG_S_NEEDS_RESET, DEADLINE_US);
}

/* Waits until the worker has finished a pass over the queues that it
 * started after everything written so far: whatever a write asked of it,
 * it has done (or declined) by then. */
static void wait_worker_pass(void)
{
    uint64_t kicks = stats().kicks;
    int64_t deadline = g_get_monotonic_time() + DEADLINE_US;
    while (stats().kicks_done < kicks && g_get_monotonic_time() < deadline) {
        g_usleep(1000);
    }
    CHECK(stats().kicks_done >= kicks);
}

/* A command answered now proves the worker is consuming: it saw every
 * earlier write and none of them quiesced it. */
static void check_answers(void)
{
    struct virtio_gpu_ctrl_hdr req = { .type = VIRTIO_GPU_CMD_GET_DISPLAY_INFO };
    struct virtio_gpu_resp_display_info info;
    CHECK(gvgpu_hw_call(&fx.hw, &req, sizeof(req), &info, sizeof(info)) == 0);
    CHECK_EQ_U64(info.hdr.type, VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
}

/* After a driver error: the device reports it, and comes back on reset. */
static void check_error_and_recovery(const char *what)
{
    CHECK(needs_reset());
    VgpuDeviceStats st = stats();
    CHECK(st.driver_errors >= 1);
    if (strstr(st.last_driver_error, what) == NULL) {
        fprintf(stderr, "last driver error \"%s\" does not name \"%s\"\n", st.last_driver_error, what);
        CHECK(0);
    }
    CHECK(gvgpu_hw_init(&fx.hw, FREEZE_BIT | SUSPEND_BIT, true) == 0);
    check_answers();
}

/* Puts hand-made descriptors at the start of the control queue's table
 * and offers `head`. */
static void raw_offer(const struct vring_desc *d, unsigned n, uint16_t head, uint16_t idx_step)
{
    GvgpuQueue *q = &fx.hw.q[0];
    memcpy(q->desc, d, n * sizeof(*d));
    q->avail->ring[q->avail_idx % GVGPU_QUEUE_SIZE] = head;
    q->avail_idx = (uint16_t)(q->avail_idx + idx_step);
    __atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
    vm_machine_out(fx.vm, (uint16_t)(fx.hw.io + fx.hw.notify), 0, 2);
}

static uint64_t slot_gpa(void)
{
    return fx.hw.q[0].slots_off;
}

static void test_reserved_freeze_modes(void)
{
    start(0, FREEZE_BIT);
    static const uint16_t bad[] = { 2, 3, 0x100, 0xffff };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        uint16_t isr_port = (uint16_t)(fx.hw.io + fx.hw.isr);
        vm_machine_in(fx.vm, isr_port, 1); /* acknowledge whatever was pending */
        gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_FREEZE_MODE, bad[i], 2);
        CHECK(vm_irq_level(vm_machine_irq(fx.vm, fx.hw.irq_line)));
        CHECK(vm_machine_in(fx.vm, isr_port, 1) & VIRTIO_PCI_ISR_CONFIG); /* config change */
        CHECK_EQ_U64(gvgpu_hw_common_read(&fx.hw, VIRTIO_PCI_COMMON_FREEZE_STATUS, 2), 0);
        check_error_and_recovery("freeze_mode");
    }
    CHECK_EQ_U64(stats().driver_errors, G_N_ELEMENTS(bad));
    /* Without the feature negotiated the field does nothing at all. */
    CHECK(gvgpu_hw_init(&fx.hw, 0, true) == 0);
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_FREEZE_MODE, VIRTIO_PCI_FREEZE_MODE_FREEZE_S3, 2);
    wait_worker_pass();
    check_answers();
    CHECK_EQ_U64(gvgpu_hw_common_read(&fx.hw, VIRTIO_PCI_COMMON_FREEZE_STATUS, 2), 0);
    CHECK_EQ_U64(stats().freeze_acks, 0);
    CHECK(!(gvgpu_hw_status(&fx.hw) & VIRTIO_CONFIG_S_NEEDS_RESET));
    vgpu_fixture_stop(&fx);
}

/* A resource with backing, then `n` transfers posted without waiting. */
static void make_busy(unsigned n)
{
    struct virtio_gpu_resource_create_2d c = {
        .hdr = { .type = VIRTIO_GPU_CMD_RESOURCE_CREATE_2D }, .resource_id = 5,
        .format = VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, .width = 64, .height = 64 };
    struct {
        struct virtio_gpu_resource_attach_backing a;
        struct virtio_gpu_mem_entry e;
    } ab = { .a = { .hdr = { .type = VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING }, .resource_id = 5,
                    .nr_entries = 1 },
             .e = { .addr = 32u << 20, .length = 64 * 64 * 4 } };
    struct virtio_gpu_transfer_to_host_2d t = {
        .hdr = { .type = VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D }, .r = { 0, 0, 64, 64 },
        .resource_id = 5 };
    size_t rl = sizeof(struct virtio_gpu_ctrl_hdr);
    CHECK(gvgpu_hw_post(&fx.hw, 0, &c, sizeof(c), rl) == 0);
    CHECK(gvgpu_hw_post(&fx.hw, 0, &ab, sizeof(ab), rl) == 0);
    CHECK(gvgpu_hw_sync(&fx.hw, 0) == 0);
    for (unsigned i = 0; i < n; i++) {
        CHECK(gvgpu_hw_post(&fx.hw, 0, &t, sizeof(t), rl) == 0);
    }
}

static uint16_t used_idx(void)
{
    return __atomic_load_n(&fx.hw.q[0].used->idx, __ATOMIC_ACQUIRE);
}

/* Waits until the device has used more than `n` buffers of the control
 * queue: the request that follows lands mid-stream. */
static void wait_used_past(uint16_t n)
{
    int64_t deadline = g_get_monotonic_time() + DEADLINE_US;
    while (used_idx() <= n && g_get_monotonic_time() < deadline) {
        g_usleep(500);
    }
    CHECK(used_idx() > n);
}

/* Quiesced: nothing more is consumed, even when notified. */
static void check_quiesced(unsigned posted)
{
    wait_worker_pass();                 /* the pass that acknowledged has ended */
    uint16_t u = used_idx();
    CHECK(u > 2);                       /* it was consuming ... */
    CHECK(u < posted + 2);              /* ... and still busy when asked */
    vm_machine_out(fx.vm, (uint16_t)(fx.hw.io + fx.hw.notify), 0, 2); /* notify while frozen */
    wait_worker_pass();                 /* the worker looked at the queue again */
    CHECK_EQ_U64(used_idx(), u);
    /* every consumed buffer is published: avail - used are all unconsumed */
    CHECK_EQ_U64(fx.hw.q[0].avail_idx - used_idx(), posted + 2 - u);
    printf("  quiesced with %u of %u buffers consumed\n", u, posted + 2);
}

static void test_freeze_while_busy(void)
{
    start(3000, FREEZE_BIT);
    make_busy(30);
    wait_used_past(2);
    int64_t t0 = g_get_monotonic_time();
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_FREEZE_MODE, VIRTIO_PCI_FREEZE_MODE_FREEZE_S3, 2);
    CHECK(gvgpu_hw_poll(&fx.hw, VIRTIO_PCI_COMMON_FREEZE_STATUS, 2, 0xffff,
                        VIRTIO_PCI_FREEZE_MODE_FREEZE_S3, VIRTIO_PCI_FREEZE_ACK_TIMEOUT_MS * 1000));
    printf("  FREEZE_S3 acknowledged after %.2f ms\n", (g_get_monotonic_time() - t0) / 1000.0);
    check_quiesced(30);
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_FREEZE_MODE, VIRTIO_PCI_FREEZE_MODE_UNFREEZE, 2);
    CHECK(gvgpu_hw_poll(&fx.hw, VIRTIO_PCI_COMMON_FREEZE_STATUS, 2, 0xffff, 0, DEADLINE_US));
    CHECK(gvgpu_hw_sync(&fx.hw, 0) == 0);
    CHECK_EQ_U64(fx.hw.resp_errors, 0);
    CHECK_EQ_U64(stats().cmds[VGPU_STAT_CMD(VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D)], 30);
    vgpu_fixture_stop(&fx);
}

static void test_suspend_while_busy(void)
{
    start(3000, SUSPEND_BIT);
    make_busy(30);
    wait_used_past(2);
    uint8_t st = gvgpu_hw_status(&fx.hw);
    int64_t t0 = g_get_monotonic_time();
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_STATUS, st | VIRTIO_CONFIG_S_SUSPEND, 1);
    CHECK(gvgpu_hw_poll(&fx.hw, VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_CONFIG_S_SUSPEND,
                        VIRTIO_CONFIG_S_SUSPEND, VIRTIO_PCI_FREEZE_ACK_TIMEOUT_MS * 1000));
    printf("  SUSPEND shown after %.2f ms\n", (g_get_monotonic_time() - t0) / 1000.0);
    check_quiesced(30);
    /* DRIVER_OK without SUSPEND: the device resumes */
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_STATUS, st, 1);
    CHECK(gvgpu_hw_sync(&fx.hw, 0) == 0);
    CHECK(!(gvgpu_hw_status(&fx.hw) & VIRTIO_CONFIG_S_SUSPEND));
    CHECK_EQ_U64(fx.hw.resp_errors, 0);
    /* Without the feature the bit is ignored (seed 002). */
    CHECK(gvgpu_hw_init(&fx.hw, 0, true) == 0);
    st = gvgpu_hw_status(&fx.hw);
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_STATUS, st | VIRTIO_CONFIG_S_SUSPEND, 1);
    wait_worker_pass();
    check_answers();
    CHECK(!(gvgpu_hw_status(&fx.hw) & VIRTIO_CONFIG_S_SUSPEND));
    CHECK_EQ_U64(stats().suspend_acks, 1);
    vgpu_fixture_stop(&fx);
}

static void test_descriptor_loop(void)
{
    start(0, FREEZE_BIT);
    struct vring_desc d[2] = {
        { .addr = slot_gpa(), .len = 24, .flags = VRING_DESC_F_NEXT, .next = 1 },
        { .addr = slot_gpa() + 64, .len = 24, .flags = VRING_DESC_F_NEXT, .next = 0 },
    };
    raw_offer(d, 2, 0, 1);
    check_error_and_recovery("loops");
    vgpu_fixture_stop(&fx);
}

static void test_addresses_outside_ram(void)
{
    start(0, FREEZE_BIT);
    const VmRegion *ram = vm_machine_ram(fx.vm);
    static const uint64_t bad_addr[] = { 0xfff00000u, UINT64_MAX - 8, 0 };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad_addr); i++) {
        /* the last one straddles the end of RAM */
        uint64_t addr = bad_addr[i] ? bad_addr[i] : ram->size - 8;
        struct vring_desc d[2] = {
            { .addr = slot_gpa(), .len = 24, .flags = VRING_DESC_F_NEXT, .next = 1 },
            { .addr = addr, .len = 64, .flags = VRING_DESC_F_WRITE, .next = 0 },
        };
        raw_offer(d, 2, 0, 1);
        check_error_and_recovery("outside guest RAM");
    }
    /* a queue whose rings are not in RAM is refused at enable */
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_STATUS, 0, 1);
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_Q_SELECT, 0, 2);
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_Q_DESCLO, 0xf0000000u, 4);
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
    CHECK(gvgpu_hw_status(&fx.hw) & VIRTIO_CONFIG_S_NEEDS_RESET);
    CHECK_EQ_U64(gvgpu_hw_common_read(&fx.hw, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
    check_error_and_recovery("queue area");
    vgpu_fixture_stop(&fx);
}

static void test_ring_indices(void)
{
    start(0, FREEZE_BIT);
    struct vring_desc d = { .addr = slot_gpa(), .len = 24, .flags = 0, .next = 0 };
    raw_offer(&d, 1, 0, 1000);             /* avail.idx a thousand ahead */
    check_error_and_recovery("avail.idx");
    raw_offer(&d, 1, 200, 1);              /* head past the table */
    check_error_and_recovery("head index");
    struct vring_desc n = { .addr = slot_gpa(), .len = 24, .flags = VRING_DESC_F_NEXT, .next = 999 };
    raw_offer(&n, 1, 0, 1);                /* next past the table */
    check_error_and_recovery("next index");
    struct vring_desc ind = { .addr = slot_gpa(), .len = 16, .flags = VRING_DESC_F_INDIRECT };
    raw_offer(&ind, 1, 0, 1);              /* indirect, never negotiated */
    check_error_and_recovery("indirect");
    struct vring_desc order[2] = {
        { .addr = slot_gpa() + 2048, .len = 24, .flags = VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, .next = 1 },
        { .addr = slot_gpa(), .len = 24, .flags = 0 },
    };
    raw_offer(order, 2, 0, 1);             /* readable after writable */
    check_error_and_recovery("readable descriptor after");
    vgpu_fixture_stop(&fx);
}

static void test_status_abuse(void)
{
    start(0, FREEZE_BIT);
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE, 1);
    check_error_and_recovery("clears bits");
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_STATUS, 0, 1);
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                          VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_DRIVER_OK, 1);
    check_error_and_recovery("DRIVER_OK without FEATURES_OK");
    vgpu_fixture_stop(&fx);
}

static uint32_t call(const void *req, size_t len)
{
    struct virtio_gpu_ctrl_hdr resp = { 0 };
    if (gvgpu_hw_call(&fx.hw, req, len, &resp, sizeof(resp)) != 0) {
        return 0;
    }
    return resp.type;
}

static void test_malformed_commands(void)
{
    start(0, FREEZE_BIT);
    struct virtio_gpu_resource_create_2d c = {
        .hdr = { .type = VIRTIO_GPU_CMD_RESOURCE_CREATE_2D }, .resource_id = 7,
        .format = VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, .width = 0x7fffffff, .height = 0x7fffffff };
    CHECK_EQ_U64(call(&c, sizeof(c)), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    c.width = c.height = 16384;            /* 1 GiB: more than the device gives a guest */
    CHECK_EQ_U64(call(&c, sizeof(c)), VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
    c.width = c.height = 64;
    c.format = 999;
    CHECK_EQ_U64(call(&c, sizeof(c)), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    c.format = VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM;
    CHECK_EQ_U64(call(&c, sizeof(c)), VIRTIO_GPU_RESP_OK_NODATA);
    CHECK_EQ_U64(call(&c, sizeof(c)), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID); /* twice */
    struct {
        struct virtio_gpu_resource_attach_backing a;
        struct virtio_gpu_mem_entry e;
    } ab = { .a = { .hdr = { .type = VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING }, .resource_id = 7,
                    .nr_entries = 1 },
             .e = { .addr = 0xfffff000u, .length = 4096 } };
    CHECK_EQ_U64(call(&ab, sizeof(ab)), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    ab.a.nr_entries = 100000;              /* more entries than the request holds */
    ab.e.addr = 32u << 20;
    CHECK_EQ_U64(call(&ab, sizeof(ab)), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    ab.a.nr_entries = 1;
    ab.e.length = 4096;                    /* backing smaller than the resource */
    CHECK_EQ_U64(call(&ab, sizeof(ab)), VIRTIO_GPU_RESP_OK_NODATA);
    struct virtio_gpu_transfer_to_host_2d t = {
        .hdr = { .type = VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D }, .r = { 0, 0, 64, 64 }, .resource_id = 7 };
    CHECK_EQ_U64(call(&t, sizeof(t)), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    t.r = (struct virtio_gpu_rect){ 0, 0, 16, 4 };
    t.offset = UINT64_MAX - 10;            /* offset wrapping around */
    CHECK_EQ_U64(call(&t, sizeof(t)), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    t.offset = 0;
    t.r = (struct virtio_gpu_rect){ 0xfffffff0u, 0, 0x20, 1 };   /* x + width wraps */
    CHECK_EQ_U64(call(&t, sizeof(t)), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    struct virtio_gpu_set_scanout s = { .hdr = { .type = VIRTIO_GPU_CMD_SET_SCANOUT },
                                        .r = { 0, 0, 65, 64 }, .scanout_id = 0, .resource_id = 7 };
    CHECK_EQ_U64(call(&s, sizeof(s)), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    s.scanout_id = 5;
    CHECK_EQ_U64(call(&s, sizeof(s)), VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
    struct virtio_gpu_resource_flush f = { .hdr = { .type = VIRTIO_GPU_CMD_RESOURCE_FLUSH },
                                           .r = { 0, 0, 1, 1 }, .resource_id = 12345 };
    CHECK_EQ_U64(call(&f, sizeof(f)), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    CHECK_EQ_U64(call(&f, 4), VIRTIO_GPU_RESP_ERR_UNSPEC);       /* truncated header */
    CHECK_EQ_U64(call(&f, sizeof(f.hdr)), VIRTIO_GPU_RESP_ERR_UNSPEC); /* truncated body */
    struct virtio_gpu_ctrl_hdr h3d = { .type = VIRTIO_GPU_CMD_CTX_CREATE };
    CHECK_EQ_U64(call(&h3d, sizeof(h3d)), VIRTIO_GPU_RESP_ERR_UNSPEC);
    /* none of this is a transport error */
    CHECK(!(gvgpu_hw_status(&fx.hw) & VIRTIO_CONFIG_S_NEEDS_RESET));
    CHECK_EQ_U64(stats().driver_errors, 0);
    CHECK_EQ_U64(stats().resources, 1);
    vgpu_fixture_stop(&fx);
}

/* Frozen, reset, and then a driver that does not know freeze_mode (an
 * older kernel booted instead of resumed): the kept resources are dropped
 * when it sets FEATURES_OK, so it starts from a clean device. */
static void test_kept_state_dropped_for_unaware_driver(void)
{
    start(0, FREEZE_BIT);
    make_busy(0);
    gvgpu_hw_common_write(&fx.hw, VIRTIO_PCI_COMMON_FREEZE_MODE, VIRTIO_PCI_FREEZE_MODE_FREEZE_S3, 2);
    CHECK(gvgpu_hw_poll(&fx.hw, VIRTIO_PCI_COMMON_FREEZE_STATUS, 2, 0xffff,
                        VIRTIO_PCI_FREEZE_MODE_FREEZE_S3, DEADLINE_US));
    vm_machine_reset(fx.vm);
    CHECK_EQ_U64(stats().resources, 1);
    CHECK_EQ_U64(stats().kept_resets, 1);
    CHECK(gvgpu_hw_init(&fx.hw, 0, true) == 0);
    CHECK_EQ_U64(stats().resources, 0);
    CHECK_EQ_U64(gvgpu_hw_common_read(&fx.hw, VIRTIO_PCI_COMMON_FREEZE_STATUS, 2), 0);
    vgpu_fixture_stop(&fx);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_reserved_freeze_modes),
        TEST_CASE(test_freeze_while_busy),
        TEST_CASE(test_suspend_while_busy),
        TEST_CASE(test_descriptor_loop),
        TEST_CASE(test_addresses_outside_ram),
        TEST_CASE(test_ring_indices),
        TEST_CASE(test_status_abuse),
        TEST_CASE(test_malformed_commands),
        TEST_CASE(test_kept_state_dropped_for_unaware_driver),
    };
    if (test_check_spice_server(S3D_WANT_OUR_SERVER) != 0) {
        return 1;
    }
    return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
