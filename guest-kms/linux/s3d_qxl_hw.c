// SPDX-License-Identifier: GPL-2.0-only
/*
 * s3d_qxl_hw.c: the QXL device from the driver's side: BARs, the ROM and RAM
 * header checks, the mode table, ports, the interrupt, async I/O, memslots
 * and the primary surface.
 */
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/pci.h>

#include <drm/drm_print.h>

#include "s3d_qxl.h"

#define RAM_FIELD(q, field) ((u32 *)((q)->ram_header ? \
	(u8 *)(q)->ram_header + offsetof(QXLRam, field) : NULL))

void s3d_qxl_hw_out(struct s3d_qxl_device *q, u32 port, u8 value)
{
	outb(value, q->io_base + port);
}

static irqreturn_t s3d_qxl_irq(int irq, void *arg)
{
	struct s3d_qxl_device *q = arg;
	u32 pending = xchg(RAM_FIELD(q, int_pending), 0);
	unsigned int bit;

	if (!pending)
		return IRQ_NONE;
	for (bit = 0; bit < 32; bit++)
		if (pending & BIT(bit))
			set_bit(bit, &q->events);
	if (pending & QXL_INTERRUPT_ERROR) {
		atomic_inc(&q->device_errors);
		drm_err_ratelimited(&q->drm, "the device reports a driver error\n");
	}
	/* Re-arm and let the device lower the line. */
	WRITE_ONCE(*RAM_FIELD(q, int_mask), S3D_QXL_INT_MASK);
	s3d_qxl_hw_out(q, QXL_IO_UPDATE_IRQ, 0);
	if (pending & QXL_INTERRUPT_DISPLAY)
		schedule_work(&q->release_work);
	wake_up_all(&q->irq_wq);
	return IRQ_HANDLED;
}

u32 s3d_qxl_hw_wait(struct s3d_qxl_device *q, u32 bits, unsigned long timeout)
{
	u32 got = 0;
	unsigned int bit;

	wait_event_timeout(q->irq_wq, (READ_ONCE(q->events) & bits) != 0, timeout);
	for (bit = 0; bit < 32; bit++)
		if ((bits & BIT(bit)) && test_and_clear_bit(bit, &q->events))
			got |= BIT(bit);
	return got;
}

int s3d_qxl_hw_async_io(struct s3d_qxl_device *q, u32 port, u8 value)
{
	u32 got;

	mutex_lock(&q->io_lock);
	clear_bit(ilog2(QXL_INTERRUPT_IO_CMD), &q->events);
	clear_bit(ilog2(QXL_INTERRUPT_ERROR), &q->events);
	s3d_qxl_hw_out(q, port, value);
	got = s3d_qxl_hw_wait(q, QXL_INTERRUPT_IO_CMD | QXL_INTERRUPT_ERROR,
			      msecs_to_jiffies(S3D_QXL_IO_TIMEOUT_MS));
	mutex_unlock(&q->io_lock);
	/* The caller names the step in its one log line. */
	if (got & QXL_INTERRUPT_ERROR) {
		drm_dbg(&q->drm, "async io %u: the device reports an error\n", port);
		return -EIO;
	}
	if (!(got & QXL_INTERRUPT_IO_CMD)) {
		drm_dbg(&q->drm, "async io %u: no completion within %d ms\n", port,
			S3D_QXL_IO_TIMEOUT_MS);
		return -ETIMEDOUT;
	}
	return 0;
}

/* Device addresses are offsets into the memslot's BAR (QEMU subtracts the
 * BAR base from mem_start), tagged with the slot id and generation. */
u64 s3d_qxl_hw_phys(struct s3d_qxl_device *q, enum s3d_qxl_slot slot, u64 bar_offset)
{
	return q->slot_high[slot] | bar_offset;
}

static int add_memslot(struct s3d_qxl_device *q, enum s3d_qxl_slot slot, u64 start, u64 end)
{
	QXLMemSlot ms = { .mem_start = start, .mem_end = end };

	memcpy(&q->ram_header->mem_slot, &ms, sizeof(ms));
	return s3d_qxl_hw_async_io(q, QXL_IO_MEMSLOT_ADD_ASYNC, q->slot_id[slot]);
}

int s3d_qxl_hw_setup(struct s3d_qxl_device *q)
{
	unsigned int gen_bits = q->rom.slot_gen_bits, id_bits = q->rom.slot_id_bits;
	unsigned int shift = 64 - (gen_bits + id_bits);
	/* The generation may change with a reset: read the live ROM. */
	u32 gen = ioread8(q->rom_bar + offsetof(QXLRom, slot_generation));
	int s, ret;

	if (gen_bits < 32 && gen >> gen_bits) {
		drm_err(&q->drm, "ROM slot generation %u wider than %u bits\n", gen, gen_bits);
		return -EIO;
	}
	for (s = 0; s < S3D_QXL_NUM_SLOTS; s++)
		q->slot_high[s] = (((u64)q->slot_id[s] << gen_bits) | gen) << shift;

	/* A known state: no memslots, no primary, no surfaces. */
	s3d_qxl_hw_out(q, QXL_IO_RESET, 0);
	q->primary_live = false;
	q->cursor_visible = false;
	WRITE_ONCE(*RAM_FIELD(q, int_mask), S3D_QXL_INT_MASK);
	ret = add_memslot(q, S3D_QXL_SLOT_MAIN, q->ram_phys,
			  q->ram_phys + q->rom.ram_header_offset);
	if (!ret)
		ret = add_memslot(q, S3D_QXL_SLOT_SURF, q->vram_phys, q->vram_phys + q->vram_size);
	return ret;
}

int s3d_qxl_hw_create_primary(struct s3d_qxl_device *q, u32 width, u32 height, bool keep)
{
	QXLSurfaceCreate sc = {
		.width = width,
		.height = height,
		.stride = (s32)(width * 4),
		.format = SPICE_SURFACE_FMT_32_xRGB,
		.position = 0,
		.mouse_mode = 1,
		.flags = keep ? QXL_SURF_FLAG_KEEP_DATA : 0,
		.type = QXL_SURF_TYPE_PRIMARY,
		.mem = s3d_qxl_hw_phys(q, S3D_QXL_SLOT_MAIN, q->rom.draw_area_offset),
	};
	int ret;

	if ((u64)width * height * 4 > q->rom.surface0_area_size)
		return -EINVAL;
	memcpy(&q->ram_header->create_surface, &sc, sizeof(sc));
	ret = s3d_qxl_hw_async_io(q, QXL_IO_CREATE_PRIMARY_ASYNC, 0);
	if (ret)
		return ret;
	q->primary_live = true;
	q->primary_w = width;
	q->primary_h = height;
	return 0;
}

int s3d_qxl_hw_destroy_primary(struct s3d_qxl_device *q)
{
	if (!q->primary_live)
		return 0;
	q->primary_live = false;
	return s3d_qxl_hw_async_io(q, QXL_IO_DESTROY_PRIMARY_ASYNC, 0);
}

/* The ROM's mode table: 32-bit modes that fit the primary area, once each. */
static void read_modes(struct s3d_qxl_device *q, size_t rom_size)
{
	u32 n, i, j;

	if (q->rom.modes_offset > rom_size - 4)
		return;
	n = ioread32(q->rom_bar + q->rom.modes_offset);
	if ((u64)n * sizeof(QXLMode) > rom_size - q->rom.modes_offset - 4) {
		drm_warn(&q->drm, "ROM mode count %u past the ROM\n", n);
		return;
	}
	for (i = 0; i < n && q->n_modes < S3D_QXL_MAX_MODES; i++) {
		QXLMode m;
		bool dup = false;

		memcpy_fromio(&m, q->rom_bar + q->rom.modes_offset + 4 + i * sizeof(m), sizeof(m));
		if (m.bits != 32 || m.orientation != 0 || m.x_res < S3D_QXL_MIN_DIM ||
		    m.y_res < S3D_QXL_MIN_DIM || m.x_res > S3D_QXL_MAX_DIM ||
		    m.y_res > S3D_QXL_MAX_DIM ||
		    (u64)m.x_res * m.y_res * 4 > q->rom.surface0_area_size)
			continue;
		for (j = 0; j < q->n_modes; j++)
			dup |= q->modes[j].w == m.x_res && q->modes[j].h == m.y_res;
		if (dup)
			continue;
		q->modes[q->n_modes].w = m.x_res;
		q->modes[q->n_modes].h = m.y_res;
		q->n_modes++;
	}
}

/* Every ROM field the driver uses, against the BAR sizes, in 64-bit maths. */
static int check_rom(struct s3d_qxl_device *q, size_t rom_size)
{
	const QXLRom *r = &q->rom;

	if (r->magic != QXL_ROM_MAGIC) {
		drm_err(&q->drm, "bad ROM magic 0x%x\n", r->magic);
		return -ENODEV;
	}
	if ((u64)r->ram_header_offset + sizeof(QXLRam) > q->ram_size ||
	    r->pages_offset > r->ram_header_offset ||
	    (u64)r->num_pages * PAGE_SIZE > r->ram_header_offset - r->pages_offset ||
	    r->num_pages == 0 || r->pages_offset < S3D_QXL_ALLOC_ALIGN ||
	    (u64)r->draw_area_offset + r->surface0_area_size > r->pages_offset ||
	    r->slots_start + S3D_QXL_NUM_SLOTS > r->slots_end ||
	    r->slots_end > (1u << min_t(u32, r->slot_id_bits, 16)) ||
	    r->slot_gen_bits + r->slot_id_bits == 0 ||
	    r->slot_gen_bits + r->slot_id_bits > 16 ||
	    r->modes_offset < sizeof(QXLRom) || r->modes_offset > rom_size - 4) {
		drm_err(&q->drm, "ROM fields out of range\n");
		return -ENODEV;
	}
	return 0;
}

int s3d_qxl_hw_init(struct s3d_qxl_device *q, struct pci_dev *pdev)
{
	struct device *dev = &pdev->dev;
	size_t rom_size;
	int ret, s;

	if (pdev->revision < QXL_REVISION_STABLE_V12) {
		drm_err(&q->drm, "device revision %u too old\n", pdev->revision);
		return -ENODEV;
	}
	if (!(pci_resource_flags(pdev, QXL_IO_RANGE_INDEX) & IORESOURCE_IO) ||
	    pci_resource_len(pdev, QXL_IO_RANGE_INDEX) < QXL_IO_RANGE_SIZE) {
		drm_err(&q->drm, "no I/O BAR\n");
		return -ENODEV;
	}
	/* managed: the device was enabled with pcim_enable_device() */
	ret = pci_request_regions(pdev, S3D_QXL_NAME);
	if (ret)
		return ret;
	q->io_base = pci_resource_start(pdev, QXL_IO_RANGE_INDEX);
	q->ram_phys = pci_resource_start(pdev, QXL_RAM_RANGE_INDEX);
	q->ram_size = pci_resource_len(pdev, QXL_RAM_RANGE_INDEX);
	q->vram_phys = pci_resource_start(pdev, QXL_VRAM_RANGE_INDEX);
	q->vram_size = pci_resource_len(pdev, QXL_VRAM_RANGE_INDEX);
	rom_size = pci_resource_len(pdev, QXL_ROM_RANGE_INDEX);
	if (rom_size < sizeof(QXLRom) + 4 || q->ram_size < PAGE_SIZE || q->vram_size == 0) {
		drm_err(&q->drm, "BARs too small\n");
		return -ENODEV;
	}
	q->rom_bar = devm_ioremap(dev, pci_resource_start(pdev, QXL_ROM_RANGE_INDEX), rom_size);
	/* Device RAM is host RAM behind a BAR: write-combined like QEMU's
	 * other display drivers; the rings use explicit barriers. */
	q->ram = (u8 __force *)devm_ioremap_wc(dev, q->ram_phys, q->ram_size);
	if (!q->rom_bar || !q->ram)
		return -ENOMEM;
	memcpy_fromio(&q->rom, q->rom_bar, sizeof(q->rom));
	ret = check_rom(q, rom_size);
	if (ret)
		return ret;
	q->ram_header = (QXLRam *)(q->ram + q->rom.ram_header_offset);
	if (READ_ONCE(q->ram_header->magic) != QXL_RAM_MAGIC) {
		drm_err(&q->drm, "bad RAM header magic\n");
		return -ENODEV;
	}
	read_modes(q, rom_size);
	if (q->n_modes == 0) {
		drm_err(&q->drm, "no usable mode in the ROM\n");
		return -ENODEV;
	}
	for (s = 0; s < S3D_QXL_NUM_SLOTS; s++)
		q->slot_id[s] = q->rom.slots_start + s;

	init_waitqueue_head(&q->irq_wq);
	mutex_init(&q->io_lock);
	/* Masked until the handler exists: a stale line from the firmware. */
	WRITE_ONCE(*RAM_FIELD(q, int_mask), 0);
	ret = devm_request_irq(dev, pdev->irq, s3d_qxl_irq, IRQF_SHARED, S3D_QXL_NAME, q);
	if (ret)
		return ret;
	return s3d_qxl_hw_setup(q);
}

void s3d_qxl_hw_finish(struct s3d_qxl_device *q)
{
	/* Leave the device as we found it: the firmware's VGA mode. */
	WRITE_ONCE(*RAM_FIELD(q, int_mask), 0);
	s3d_qxl_hw_out(q, QXL_IO_RESET, 0);
}
