/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qxl-device.c: creation, ROM and RAM header, interrupts, the guest-bug
 * latch, the release ring and the reset of the QXL device. */
#include "config.h"

#include "qxl-private.h"

#include <string.h>

/* The ROM BAR: QXLRom, then the mode table; two pages hold both. */
#define QXL_ROM_BAR_SIZE 8192u

/* Modes offered in the ROM (32 bpp, orientation 0), if they fit vgamem. */
static const struct { uint32_t x, y; } qxl_mode_list[] = {
    { 640, 480 }, { 800, 600 }, { 1024, 768 }, { 1280, 720 }, { 1280, 800 },
    { 1280, 1024 }, { 1440, 900 }, { 1600, 900 }, { 1680, 1050 }, { 1920, 1080 },
    { 1920, 1200 }, { 2560, 1440 },
};

void qxl_device_default_config(QxlDeviceConfig *cfg)
{
    *cfg = (QxlDeviceConfig){
        .id = 0,
        .bar_gpa = VM_PCI_HOLE_START,
        .io_base = 0xc000,
        .irq_line = 10,
        .ram_size = 32u << 20,
        .vgamem_size = 16u << 20,
        .vram_size = 16u << 20,
        .n_surfaces = 1024,
    };
}

static bool is_pow2(uint32_t v)
{
    return v && !(v & (v - 1));
}

static void init_rom(QxlDevice *d)
{
    QXLRom *rom = &d->shadow_rom;
    uint32_t ram_header_size = (uint32_t)((sizeof(QXLRam) + 4095) & ~4095u);
    memset(rom, 0, sizeof(*rom));
    rom->magic = QXL_ROM_MAGIC;
    rom->id = (uint32_t)d->cfg.id;
    rom->modes_offset = sizeof(QXLRom);
    rom->draw_area_offset = 0;
    rom->surface0_area_size = d->cfg.vgamem_size;
    rom->pages_offset = d->cfg.vgamem_size;
    rom->ram_header_offset = d->cfg.ram_size - ram_header_size;
    rom->num_pages = (rom->ram_header_offset - rom->pages_offset) / 4096;
    rom->n_surfaces = d->cfg.n_surfaces;
    rom->slots_start = QXL_DEVICE_SLOTS_START;
    rom->slots_end = QXL_DEVICE_NUM_MEMSLOTS - 1;
    rom->slot_gen_bits = QXL_DEVICE_SLOT_GEN_BITS;
    rom->slot_id_bits = QXL_DEVICE_SLOT_ID_BITS;
    rom->slot_generation = 0; /* constant: guests cache the address high bits */
    d->ram_header_offset = rom->ram_header_offset;

    /* The mode table follows the ROM in the same BAR. */
    QXLModes *modes = (QXLModes *)(void *)(d->bar_rom->host + sizeof(QXLRom));
    uint32_t n = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(qxl_mode_list); i++) {
        uint32_t stride = qxl_mode_list[i].x * 4;
        if ((uint64_t)stride * qxl_mode_list[i].y > d->cfg.vgamem_size) {
            continue;
        }
        QXLMode m = { .id = n, .x_res = qxl_mode_list[i].x, .y_res = qxl_mode_list[i].y,
                      .bits = 32, .stride = stride, .x_mili = 0, .y_mili = 0, .orientation = 0 };
        memcpy(&modes->modes[n], &m, sizeof(m));
        n++;
    }
    modes->n_modes = n;
    memcpy(d->rom, rom, sizeof(*rom));
}

/* The RAM header as the device leaves it after creation and every reset. */
static void init_ram(QxlDevice *d)
{
    QXLRam *ram = d->ram;
    ram->magic = QXL_RAM_MAGIC;
    ram->int_pending = 0;
    ram->int_mask = 0;
    ram->update_surface = 0;
    ram->monitors_config = 0;
    qxl_ring_reset(&d->cmd_ring);
    qxl_ring_reset(&d->cursor_ring);
    qxl_ring_reset(&d->release_ring);
}

uint8_t *qxl_bar_host(QxlDevice *d, uint64_t gpa, uint64_t size)
{
    const VmRegion *bars[] = { d->bar_ram, d->bar_vram };
    for (size_t i = 0; i < G_N_ELEMENTS(bars); i++) {
        const VmRegion *r = bars[i];
        if (gpa >= r->gpa && gpa - r->gpa <= r->size && size <= r->size - (gpa - r->gpa)) {
            return r->host + (gpa - r->gpa);
        }
    }
    return NULL;
}

void qxl_update_irq(QxlDevice *d)
{
    g_mutex_lock(&d->irq_lock);
    uint32_t pending = __atomic_load_n(&d->ram->int_pending, __ATOMIC_ACQUIRE);
    uint32_t mask = __atomic_load_n(&d->ram->int_mask, __ATOMIC_ACQUIRE);
    vm_irq_set_level(d->irq, (pending & mask) != 0);
    g_mutex_unlock(&d->irq_lock);
}

void qxl_send_events(QxlDevice *d, uint32_t events)
{
    uint32_t old = __atomic_fetch_or(&d->ram->int_pending, events, __ATOMIC_ACQ_REL);
    if ((old & events) != events) {
        qxl_update_irq(d);
    }
}

void qxl_guest_bug(QxlDevice *d, const char *field, uint64_t value, const char *why)
{
    vm_log_warn("qxl-%d: guest bug: %s = 0x%" G_GINT64_MODIFIER "x: %s", d->cfg.id, field,
                (guint64)value, why);
    g_atomic_int_set(&d->guest_bug, 1);
    g_mutex_lock(&d->stats_lock);
    d->stats.guest_bugs++;
    g_snprintf(d->stats.last_guest_bug, sizeof(d->stats.last_guest_bug),
               "%s = 0x%" G_GINT64_MODIFIER "x: %s", field, (guint64)value, why);
    g_mutex_unlock(&d->stats_lock);
    qxl_send_events(d, QXL_INTERRUPT_ERROR);
}

void qxl_push_free_res(QxlDevice *d, bool flush)
{
    g_mutex_lock(&d->release_lock);
    QxlRingStatus st = qxl_ring_can_push(&d->release_ring);
    bool push = st == QXL_RING_OK && d->num_free_res > 0 &&
                (flush || (!d->oom_running && d->num_free_res >= QXL_DEVICE_FREE_BUNCH));
    bool notify = false;
    if (st == QXL_RING_BROKEN) {
        g_mutex_unlock(&d->release_lock);
        qxl_guest_bug(d, "release ring prod - cons", 0, "past the ring size");
        return;
    }
    if (push) {
        notify = qxl_ring_push(&d->release_ring);
        uint64_t *next = qxl_ring_prod_item(&d->release_ring);
        if (next) {
            __atomic_store_n(next, 0, __ATOMIC_RELEASE);
        }
        d->num_free_res = 0;
        d->last_release = NULL;
    }
    g_mutex_unlock(&d->release_lock);
    if (push) {
        QXL_STATS_INC(d, release_pushes);
    }
    if (notify) {
        qxl_send_events(d, QXL_INTERRUPT_DISPLAY);
    }
}

void qxl_hard_reset(QxlDevice *d)
{
    /* The server first: it drains the rings (releasing into the old ring
     * state, which is then reset) and forgets everything of the guest. */
    spice_qxl_reset_cursor(&d->qxl);
    spice_qxl_reset_image_cache(&d->qxl);
    spice_qxl_destroy_surfaces(&d->qxl);
    spice_qxl_reset_memslots(&d->qxl);

    memcpy(d->rom, &d->shadow_rom, sizeof(QXLRom));
    g_mutex_lock(&d->release_lock);
    init_ram(d);
    d->num_free_res = 0;
    d->last_release = NULL;
    g_mutex_unlock(&d->release_lock);
    memset(d->slots, 0, sizeof(d->slots));
    d->primary_created = false;
    d->cmd_prod_at_flush = 0;
    d->mode = QXL_DEVICE_MODE_UNDEFINED;
    g_atomic_int_set(&d->guest_bug, 0);
    g_mutex_lock(&d->async_lock);
    d->current_async = QXL_UNDEFINED_IO;
    g_mutex_unlock(&d->async_lock);
    qxl_update_irq(d);
    QXL_STATS_INC(d, resets);
}

static void qxl_machine_reset(void *opaque)
{
    QxlDevice *d = opaque;
    vm_irq_set_level(d->irq, false);
    qxl_hard_reset(d);
}

/* The machine enters S3: note what a correct driver would have cleaned
 * up (seed 004) and did not.  Only counted and logged: the guest may have
 * reasons (Linux keeps nothing on the rings but skips FLUSH_RELEASE). */
static void qxl_machine_suspend(void *opaque)
{
    QxlDevice *d = opaque;
    uint64_t ring_cmds = !qxl_ring_is_empty(&d->cmd_ring) + !qxl_ring_is_empty(&d->cursor_ring);
    g_mutex_lock(&d->release_lock);
    uint32_t unflushed = d->num_free_res;
    g_mutex_unlock(&d->release_lock);
    g_mutex_lock(&d->stats_lock);
    d->stats.s3_entries++;
    d->stats.s3_unflushed_releases += unflushed;
    d->stats.s3_ring_commands += ring_cmds;
    d->stats.s3_primary_alive += d->primary_created;
    if (unflushed || ring_cmds) {
        g_snprintf(d->stats.last_s3_problem, sizeof(d->stats.last_s3_problem),
                   "entered S3 with %u releases not flushed (QXL_IO_FLUSH_RELEASE missing?) "
                   "and %s", unflushed, ring_cmds ? "commands left on the rings" : "empty rings");
    }
    g_mutex_unlock(&d->stats_lock);
    if (unflushed || ring_cmds) {
        vm_log_warn("qxl-%d: %s", d->cfg.id, d->stats.last_s3_problem);
    }
}

static const VmDeviceOps qxl_vm_ops = {
    .name = "qxl", .reset = qxl_machine_reset, .suspend = qxl_machine_suspend,
};

QxlDevice *qxl_device_create(VmMachine *vm, SpiceServer *server, const QxlDeviceConfig *cfg)
{
    if (!is_pow2(cfg->ram_size) || !is_pow2(cfg->vram_size) || cfg->vgamem_size % 4096 ||
        cfg->vgamem_size == 0 || cfg->ram_size < 2 * cfg->vgamem_size || cfg->n_surfaces == 0 ||
        cfg->n_surfaces > 65536 || cfg->id < 0) {
        vm_log_warn("qxl: invalid configuration");
        return NULL;
    }
    QxlDevice *d = g_new0(QxlDevice, 1);
    d->vm = vm;
    d->server = server;
    d->cfg = *cfg;
    d->irq = vm_machine_irq(vm, cfg->irq_line);
    g_mutex_init(&d->async_lock);
    g_mutex_init(&d->release_lock);
    g_mutex_init(&d->stats_lock);
    g_mutex_init(&d->irq_lock);
    d->current_async = QXL_UNDEFINED_IO;
    uint64_t gpa = cfg->bar_gpa;
    d->bar_ram = vm_machine_add_region(vm, "qxl-ram", gpa, cfg->ram_size);
    gpa += cfg->ram_size;
    d->bar_vram = d->bar_ram ? vm_machine_add_region(vm, "qxl-vram", gpa, cfg->vram_size) : NULL;
    gpa += cfg->vram_size;
    d->bar_rom = d->bar_vram ? vm_machine_add_region(vm, "qxl-rom", gpa, QXL_ROM_BAR_SIZE) : NULL;
    if (d->irq == NULL || d->bar_rom == NULL) {
        vm_log_warn("qxl: cannot place the BARs");
        g_free(d);
        return NULL;
    }
    d->rom = (QXLRom *)(void *)d->bar_rom->host;
    init_rom(d);
    d->ram = (QXLRam *)(void *)(d->bar_ram->host + d->ram_header_offset);
    qxl_ring_init(&d->cmd_ring, &d->ram->cmd_ring, QXL_COMMAND_RING_SIZE, sizeof(QXLCommand));
    qxl_ring_init(&d->cursor_ring, &d->ram->cursor_ring, QXL_CURSOR_RING_SIZE,
                  sizeof(QXLCommand));
    qxl_ring_init(&d->release_ring, &d->ram->release_ring, QXL_RELEASE_RING_SIZE,
                  sizeof(uint64_t));
    init_ram(d);

    d->pci = (VmPciDevice){
        .vendor_id = REDHAT_PCI_VENDOR_ID, .device_id = QXL_DEVICE_ID_STABLE,
        .revision = QXL_REVISION_STABLE_V12, .class_code = 0x038000, /* display, other */
        .irq_line = cfg->irq_line,
    };
    d->pci.bars[QXL_RAM_RANGE_INDEX] = (VmPciBar){ d->bar_ram->gpa, d->bar_ram->size, false };
    d->pci.bars[QXL_VRAM_RANGE_INDEX] = (VmPciBar){ d->bar_vram->gpa, d->bar_vram->size, false };
    d->pci.bars[QXL_ROM_RANGE_INDEX] = (VmPciBar){ d->bar_rom->gpa, d->bar_rom->size, false };
    d->pci.bars[QXL_IO_RANGE_INDEX] = (VmPciBar){ cfg->io_base, 32, true };
    if (vm_machine_map_ports(vm, cfg->io_base, 32, qxl_ioport_write, qxl_ioport_read, d) != 0 ||
        vm_machine_add_pci(vm, &d->pci) != 0 ||
        vm_machine_add_device(vm, &qxl_vm_ops, d) != 0) {
        vm_log_warn("qxl: the machine has no room for another device");
        g_free(d);
        return NULL;
    }
    d->qxl.base.sif = &qxl_device_interface.base;
    d->qxl.id = cfg->id;
    if (spice_server_add_interface(server, &d->qxl.base) != 0) {
        vm_log_warn("qxl: the SPICE server refused the QXL interface");
        g_free(d);
        return NULL;
    }
    return d;
}

void qxl_device_destroy(QxlDevice *d)
{
    if (d == NULL) {
        return;
    }
    spice_server_remove_interface(&d->qxl.base);
    g_mutex_clear(&d->async_lock);
    g_mutex_clear(&d->release_lock);
    g_mutex_clear(&d->stats_lock);
    g_mutex_clear(&d->irq_lock);
    g_free(d);
}

VmPciDevice *qxl_device_pci(QxlDevice *d)
{
    return &d->pci;
}

QXLInstance *qxl_device_instance(QxlDevice *d)
{
    return &d->qxl;
}

void qxl_device_get_stats(QxlDevice *d, QxlDeviceStats *out)
{
    g_mutex_lock(&d->stats_lock);
    *out = d->stats;
    g_mutex_unlock(&d->stats_lock);
}

bool qxl_device_in_guest_bug(QxlDevice *d)
{
    return g_atomic_int_get(&d->guest_bug) != 0;
}

bool qxl_device_worker_has_work(QxlDevice *d)
{
    g_mutex_lock(&d->async_lock);
    bool async = d->current_async != QXL_UNDEFINED_IO;
    g_mutex_unlock(&d->async_lock);
    /* The worker pulls commands only while a primary exists and the device
     * is not latched.  The rings are the port writer's side to read. */
    return async || (d->primary_created && !qxl_device_in_guest_bug(d) &&
                     (!qxl_ring_is_empty(&d->cmd_ring) || !qxl_ring_is_empty(&d->cursor_ring)));
}
