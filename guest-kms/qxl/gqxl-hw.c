/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gqxl-hw.c: probe, ports, interrupts, memslots and rings of a QXL device,
 * from the guest's side. */
#include "config.h"

#include "gqxl-hw.h"

#include <string.h>

#include "gkms-log.h"

enum { RING_PROD = 4, RING_NOTIFY_ON_PROD = 8, RING_CONS = 12, RING_NOTIFY_ON_CONS = 16,
       RING_ITEMS = 20 };

static uint32_t *ring_field(void *ring, size_t off)
{
    return (uint32_t *)(void *)((uint8_t *)ring + off);
}

static uint32_t ring_load(void *ring, size_t off)
{
    return __atomic_load_n(ring_field(ring, off), __ATOMIC_ACQUIRE);
}

static void ring_store(void *ring, size_t off, uint32_t v)
{
    __atomic_store_n(ring_field(ring, off), v, __ATOMIC_RELEASE);
}

int gqxl_hw_probe(GqxlHw *hw, const Gbus *bus, unsigned index)
{
    memset(hw, 0, sizeof(*hw));
    hw->bus = bus;
    hw->pci = gbus_pci_find(bus, REDHAT_PCI_VENDOR_ID, QXL_DEVICE_ID_STABLE, index);
    if (hw->pci == NULL) {
        gkms_log_warn("qxl: no device %u", index);
        return -1;
    }
    uint8_t revision = (uint8_t)gbus_pci_config_read(bus, hw->pci, 0x08, 1);
    if (revision < QXL_REVISION_STABLE_V12) {
        gkms_log_warn("qxl: revision %u too old", revision);
        return -1;
    }
    GbusPciBar b[GBUS_PCI_BARS];
    for (unsigned i = 0; i < GBUS_PCI_BARS; i++) {
        if (gbus_pci_bar(bus, hw->pci, i, &b[i]) != 0) {
            b[i] = (GbusPciBar){ 0 };
        }
    }
    hw->rom_bar = b[QXL_ROM_RANGE_INDEX];
    hw->bar_ram_gpa = b[QXL_RAM_RANGE_INDEX].addr;
    hw->bar_ram_size = (uint32_t)b[QXL_RAM_RANGE_INDEX].size;
    hw->bar_vram_gpa = b[QXL_VRAM_RANGE_INDEX].addr;
    hw->bar_vram_size = (uint32_t)b[QXL_VRAM_RANGE_INDEX].size;
    hw->io_base = (uint16_t)b[QXL_IO_RANGE_INDEX].addr;
    hw->bar_ram = gbus_phys_to_ptr(bus, hw->bar_ram_gpa, hw->bar_ram_size);
    hw->bar_vram = gbus_phys_to_ptr(bus, hw->bar_vram_gpa, hw->bar_vram_size);
    const uint8_t *rom_bar = gbus_phys_to_ptr(bus, b[QXL_ROM_RANGE_INDEX].addr,
                                              b[QXL_ROM_RANGE_INDEX].size);
    uint64_t rom_size = b[QXL_ROM_RANGE_INDEX].size;
    if (hw->bar_ram == NULL || hw->bar_vram == NULL || rom_bar == NULL ||
        rom_size < sizeof(QXLRom) || !b[QXL_IO_RANGE_INDEX].is_io) {
        gkms_log_warn("qxl: BARs missing");
        return -1;
    }
    memcpy(&hw->rom, rom_bar, sizeof(QXLRom));
    const QXLRom *r = &hw->rom;
    if (r->magic != QXL_ROM_MAGIC) {
        gkms_log_warn("qxl: bad ROM magic 0x%x", r->magic);
        return -1;
    }
    if ((uint64_t)r->ram_header_offset + sizeof(QXLRam) > hw->bar_ram_size ||
        r->pages_offset > r->ram_header_offset ||
        (uint64_t)r->num_pages * 4096 > r->ram_header_offset - r->pages_offset ||
        r->surface0_area_size > r->pages_offset || r->slots_start >= r->slots_end ||
        r->slot_gen_bits + r->slot_id_bits > 16 || r->modes_offset > rom_size - 4) {
        gkms_log_warn("qxl: ROM fields out of range");
        return -1;
    }
    hw->modes = (const QXLModes *)(const void *)(rom_bar + r->modes_offset);
    uint32_t n = hw->modes->n_modes;
    hw->n_modes = (uint64_t)n * sizeof(QXLMode) <= rom_size - r->modes_offset - 4 ? n : 0;
    hw->ram = (QXLRam *)(void *)(hw->bar_ram + r->ram_header_offset);
    if (hw->ram->magic != QXL_RAM_MAGIC) {
        gkms_log_warn("qxl: bad RAM header magic 0x%x", hw->ram->magic);
        return -1;
    }
    hw->irq_line = (uint8_t)gbus_pci_config_read(bus, hw->pci, 0x3c, 1);
    /* Slot ids and the high bits of their addresses: generation 0 stays
     * valid across resets, as QEMU and Linux assume. */
    for (int s = 0; s < 2; s++) {
        hw->slot_ids[s] = (uint8_t)(r->slots_start + s);
        unsigned shift = 64 - (r->slot_gen_bits + r->slot_id_bits);
        hw->slot_high_bits[s] =
            (((uint64_t)hw->slot_ids[s] << r->slot_gen_bits) | r->slot_generation) << shift;
    }
    /* Commands and images: the BAR0 pages; the surface-0 area holds the
     * primary, BAR1 the other surfaces. */
    gqxl_heap_init(&hw->cmd_heap, r->pages_offset, (uint64_t)r->num_pages * 4096);
    gqxl_heap_init(&hw->surf_heap, 0, hw->bar_vram_size);
    return 0;
}

void gqxl_hw_finish(GqxlHw *hw)
{
    gqxl_heap_finish(&hw->cmd_heap);
    gqxl_heap_finish(&hw->surf_heap);
}

void gqxl_hw_out(GqxlHw *hw, uint32_t port, uint8_t value)
{
    gbus_out(hw->bus, (uint16_t)(hw->io_base + port), value, 1);
}

uint32_t gqxl_hw_take_irq(GqxlHw *hw)
{
    uint32_t pending = __atomic_exchange_n(&hw->ram->int_pending, 0, __ATOMIC_ACQ_REL);
    if (pending == 0) {
        return 0;
    }
    hw->irq_display += !!(pending & QXL_INTERRUPT_DISPLAY);
    hw->irq_cursor += !!(pending & QXL_INTERRUPT_CURSOR);
    hw->irq_io_cmd += !!(pending & QXL_INTERRUPT_IO_CMD);
    hw->irq_client_monitors += !!(pending & QXL_INTERRUPT_CLIENT_MONITORS_CONFIG);
    if (pending & QXL_INTERRUPT_ERROR) {
        hw->irq_error++;
        gkms_log_warn("qxl: the device reports a driver bug");
    }
    /* As Linux's handler: re-arm the mask, let the device lower the line. */
    __atomic_store_n(&hw->ram->int_mask, GQXL_INT_MASK, __ATOMIC_RELEASE);
    gqxl_hw_out(hw, QXL_IO_UPDATE_IRQ, 0);
    return pending;
}

uint32_t gqxl_hw_wait(GqxlHw *hw, uint32_t bits, int64_t deadline_us)
{
    for (;;) {
        uint32_t got = gqxl_hw_take_irq(hw) & bits;
        if (got) {
            return got;
        }
        /* The line may stay high (a latched device, bits we do not wait
         * for): the deadline is checked on every turn, not only on a
         * timed-out wait. */
        if (!gbus_irq_wait(hw->bus, hw->irq_line, deadline_us) || g_get_monotonic_time() >= deadline_us) {
            return gqxl_hw_take_irq(hw) & bits;
        }
    }
}

int gqxl_hw_async_io(GqxlHw *hw, uint32_t port, uint8_t value)
{
    /* An IO_CMD left over from before is not ours: take it first. */
    gqxl_hw_take_irq(hw);
    gqxl_hw_out(hw, port, value);
    int64_t deadline = g_get_monotonic_time() + GQXL_IO_TIMEOUT_US;
    uint32_t got = gqxl_hw_wait(hw, QXL_INTERRUPT_IO_CMD | QXL_INTERRUPT_ERROR, deadline);
    if (got & QXL_INTERRUPT_ERROR) {
        return -1;
    }
    if (!(got & QXL_INTERRUPT_IO_CMD)) {
        gkms_log_warn("qxl: async io %u timed out", port);
        return -1;
    }
    return 0;
}

static int add_slot(GqxlHw *hw, int s, uint64_t start, uint64_t end)
{
    QXLMemSlot ms = { .mem_start = start, .mem_end = end };
    memcpy((void *)&hw->ram->mem_slot, &ms, sizeof(ms));
    return gqxl_hw_async_io(hw, QXL_IO_MEMSLOT_ADD_ASYNC, hw->slot_ids[s]);
}

int gqxl_hw_setup(GqxlHw *hw)
{
    /* A known state first: no memslots, no primary, no surfaces. */
    gqxl_hw_out(hw, QXL_IO_RESET, 0);
    __atomic_store_n(&hw->ram->int_mask, GQXL_INT_MASK, __ATOMIC_RELEASE);
    if (add_slot(hw, GQXL_MAIN_SLOT, hw->bar_ram_gpa, hw->bar_ram_gpa + hw->rom.ram_header_offset) ||
        add_slot(hw, GQXL_SURF_SLOT, hw->bar_vram_gpa, hw->bar_vram_gpa + hw->bar_vram_size)) {
        return -1;
    }
    return 0;
}

uint64_t gqxl_hw_phys(const GqxlHw *hw, int slot, uint64_t offset)
{
    return hw->slot_high_bits[slot] | offset;
}

void *gqxl_hw_cmd_ptr(GqxlHw *hw, uint64_t offset)
{
    return hw->bar_ram + offset;
}

uint64_t gqxl_hw_cmd_phys(const GqxlHw *hw, uint64_t offset)
{
    return gqxl_hw_phys(hw, GQXL_MAIN_SLOT, offset);
}

static void *ring_of(GqxlHw *hw, GqxlRingId id)
{
    return id == GQXL_RING_CMD ? (void *)&hw->ram->cmd_ring : (void *)&hw->ram->cursor_ring;
}

bool gqxl_hw_ring_idle(GqxlHw *hw, GqxlRingId id)
{
    void *ring = ring_of(hw, id);
    return ring_load(ring, RING_PROD) == ring_load(ring, RING_CONS);
}

int gqxl_hw_push(GqxlHw *hw, GqxlRingId id, uint64_t phys, uint32_t type)
{
    void *ring = ring_of(hw, id);
    const uint32_t n = id == GQXL_RING_CMD ? QXL_COMMAND_RING_SIZE : QXL_CURSOR_RING_SIZE;
    uint32_t irq = id == GQXL_RING_CMD ? QXL_INTERRUPT_DISPLAY : QXL_INTERRUPT_CURSOR;
    int64_t deadline = g_get_monotonic_time() + GQXL_IO_TIMEOUT_US;
    for (;;) {
        uint32_t prod = ring_load(ring, RING_PROD), cons = ring_load(ring, RING_CONS);
        if (prod - cons < n) {
            break;
        }
        /* Full: ask for an interrupt when the device consumes one, then
         * look again so that a consume in between is not missed. */
        ring_store(ring, RING_NOTIFY_ON_CONS, cons + 1);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (ring_load(ring, RING_CONS) != cons) {
            continue;
        }
        if (!(gqxl_hw_wait(hw, irq, deadline) & irq) && g_get_monotonic_time() >= deadline) {
            gkms_log_warn("qxl: ring %d stayed full", id);
            return -1;
        }
    }
    uint32_t prod = ring_load(ring, RING_PROD);
    QXLCommand cmd = { .data = phys, .type = type, .padding = 0 };
    memcpy((uint8_t *)ring + RING_ITEMS + (size_t)(prod & (n - 1)) * sizeof(QXLCommand), &cmd,
           sizeof(cmd));
    ring_store(ring, RING_PROD, prod + 1);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (prod + 1 == ring_load(ring, RING_NOTIFY_ON_PROD)) {
        gqxl_hw_out(hw, id == GQXL_RING_CMD ? QXL_IO_NOTIFY_CMD : QXL_IO_NOTIFY_CURSOR, 0);
    }
    return 0;
}

int gqxl_hw_release_pop(GqxlHw *hw, uint64_t *id)
{
    void *ring = &hw->ram->release_ring;
    uint32_t cons = ring_load(ring, RING_CONS);
    if (ring_load(ring, RING_PROD) == cons) {
        ring_store(ring, RING_NOTIFY_ON_PROD, cons + 1);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (ring_load(ring, RING_PROD) == cons) {
            return 0;
        }
    }
    const uint64_t *items = (const uint64_t *)(const void *)((uint8_t *)ring + RING_ITEMS);
    *id = __atomic_load_n(&items[cons & (QXL_RELEASE_RING_SIZE - 1)], __ATOMIC_ACQUIRE);
    ring_store(ring, RING_CONS, cons + 1);
    return 1;
}
