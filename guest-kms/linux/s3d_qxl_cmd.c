// SPDX-License-Identifier: GPL-2.0-only
/*
 * s3d_qxl_cmd.c: device memory, the command and cursor rings, and the
 * release ring.
 *
 * Every command is one allocation in the BAR0 page area (command, image
 * header, chunk and pixels together), so a release frees exactly one block.
 * The block's offset is its release id; the driver keeps the size of every
 * block the device holds in an xarray, so an id the device invents, repeats
 * or chains in a loop is caught instead of freeing memory twice.
 */
#include <linux/genalloc.h>
#include <linux/io.h>

#include <drm/drm_print.h>
#include <drm/drm_rect.h>

#include "s3d_qxl.h"

#define RING_U32(ring, field) ((u32 *)((u8 *)(ring) + offsetof(QXLCommandRing, field)))

static void *ring_of(struct s3d_qxl_device *q, enum s3d_qxl_ring id)
{
	return id == S3D_QXL_RING_CMD ? (void *)&q->ram_header->cmd_ring :
					(void *)&q->ram_header->cursor_ring;
}

bool s3d_qxl_cmd_rings_idle(struct s3d_qxl_device *q)
{
	void *c = ring_of(q, S3D_QXL_RING_CMD), *k = ring_of(q, S3D_QXL_RING_CURSOR);

	return READ_ONCE(*RING_U32(c, prod)) == READ_ONCE(*RING_U32(c, cons)) &&
	       READ_ONCE(*RING_U32(k, prod)) == READ_ONCE(*RING_U32(k, cons));
}

/* cmd_lock held.  Waits (bounded) for room, then pushes and notifies. */
static int ring_push(struct s3d_qxl_device *q, enum s3d_qxl_ring id, u64 phys, u32 type)
{
	void *ring = ring_of(q, id);
	const u32 n = id == S3D_QXL_RING_CMD ? QXL_COMMAND_RING_SIZE : QXL_CURSOR_RING_SIZE;
	const u32 irq = id == S3D_QXL_RING_CMD ? QXL_INTERRUPT_DISPLAY : QXL_INTERRUPT_CURSOR;
	unsigned long deadline = jiffies + msecs_to_jiffies(S3D_QXL_RING_TIMEOUT_MS);
	QXLCommand cmd = { .data = phys, .type = type };
	u32 prod, cons;

	for (;;) {
		prod = READ_ONCE(*RING_U32(ring, prod));
		cons = READ_ONCE(*RING_U32(ring, cons));
		if (prod - cons < n)
			break;
		if (prod - cons > n) {
			drm_err_ratelimited(&q->drm, "ring %d: consumer 0x%x past producer 0x%x\n",
					    id, cons, prod);
			return -EIO;
		}
		/* Full: ask to hear of the next consume, then look again. */
		WRITE_ONCE(*RING_U32(ring, notify_on_cons), cons + 1);
		mb();
		if (READ_ONCE(*RING_U32(ring, cons)) != cons)
			continue;
		if (time_after(jiffies, deadline)) {
			drm_err_ratelimited(&q->drm, "ring %d stayed full for %d ms\n", id,
					    S3D_QXL_RING_TIMEOUT_MS);
			return -ETIMEDOUT;
		}
		s3d_qxl_hw_wait(q, irq, msecs_to_jiffies(10));
	}
	memcpy((u8 *)ring + offsetof(QXLCommandRing, items) + (prod & (n - 1)) * sizeof(cmd),
	       &cmd, sizeof(cmd));
	wmb();
	WRITE_ONCE(*RING_U32(ring, prod), prod + 1);
	mb();
	if (READ_ONCE(*RING_U32(ring, notify_on_prod)) == prod + 1)
		s3d_qxl_hw_out(q, id == S3D_QXL_RING_CMD ? QXL_IO_NOTIFY_CMD :
			       QXL_IO_NOTIFY_CURSOR, 0);
	return 0;
}

static void block_free(struct s3d_qxl_device *q, u64 off, size_t size)
{
	gen_pool_free(q->pool, (unsigned long)(q->ram + off), size);
}

/* cmd_lock held.  One release element: a chain of ids through `next`. */
static int take_chain(struct s3d_qxl_device *q, u64 id)
{
	unsigned int guard = q->n_outstanding + 1;
	int freed = 0;

	for (; id != 0; guard--) {
		void *entry;
		u64 next;

		if (guard == 0 || id % S3D_QXL_ALLOC_ALIGN || id >= q->rom.ram_header_offset) {
			drm_err_ratelimited(&q->drm, "release id 0x%llx invalid\n", id);
			return -EIO;
		}
		entry = xa_load(&q->outstanding, id / S3D_QXL_ALLOC_ALIGN);
		if (!entry) {
			drm_err_ratelimited(&q->drm, "release of id 0x%llx never submitted\n", id);
			return -EIO;
		}
		next = READ_ONCE(((QXLReleaseInfo *)(q->ram + id))->next);
		xa_erase(&q->outstanding, id / S3D_QXL_ALLOC_ALIGN);
		block_free(q, id, xa_to_value(entry));
		q->n_outstanding--;
		q->released++;
		freed++;
		id = next;
	}
	return freed;
}

static int collect_locked(struct s3d_qxl_device *q)
{
	void *ring = &q->ram_header->release_ring;
	int freed = 0, ret;

	for (;;) {
		u32 cons = READ_ONCE(*RING_U32(ring, cons));
		u32 prod = READ_ONCE(*RING_U32(ring, prod));
		u64 id;

		if (prod == cons) {
			WRITE_ONCE(*RING_U32(ring, notify_on_prod), cons + 1);
			mb();
			if (READ_ONCE(*RING_U32(ring, prod)) == cons)
				return freed;
			continue;
		}
		if (prod - cons > QXL_RELEASE_RING_SIZE) {
			drm_err_ratelimited(&q->drm, "release ring producer 0x%x past 0x%x\n",
					    prod, cons);
			return -EIO;
		}
		rmb();
		id = READ_ONCE(q->ram_header->release_ring.items[cons & (QXL_RELEASE_RING_SIZE - 1)].el);
		WRITE_ONCE(*RING_U32(ring, cons), cons + 1);
		ret = take_chain(q, id);
		if (ret < 0)
			return ret;
		freed += ret;
	}
}

int s3d_qxl_cmd_collect_releases(struct s3d_qxl_device *q)
{
	int ret;

	mutex_lock(&q->cmd_lock);
	ret = collect_locked(q);
	mutex_unlock(&q->cmd_lock);
	return ret;
}

unsigned int s3d_qxl_cmd_outstanding(struct s3d_qxl_device *q)
{
	unsigned int n;

	mutex_lock(&q->cmd_lock);
	n = q->n_outstanding;
	mutex_unlock(&q->cmd_lock);
	return n;
}

unsigned int s3d_qxl_cmd_reclaim_all(struct s3d_qxl_device *q)
{
	unsigned long index;
	unsigned int n = 0;
	void *entry;

	mutex_lock(&q->cmd_lock);
	xa_for_each(&q->outstanding, index, entry) {
		xa_erase(&q->outstanding, index);
		block_free(q, (u64)index * S3D_QXL_ALLOC_ALIGN, xa_to_value(entry));
		n++;
	}
	q->n_outstanding = 0;
	q->released += n;
	mutex_unlock(&q->cmd_lock);
	return n;
}

static void release_work_fn(struct work_struct *work)
{
	struct s3d_qxl_device *q = container_of(work, struct s3d_qxl_device, release_work);

	mutex_lock(&q->cmd_lock);
	if (q->pool)
		collect_locked(q);
	mutex_unlock(&q->cmd_lock);
}

/* cmd_lock held.  A zeroed block of device memory, or NULL after the
 * releases and one bounded wait for more could not make room. */
static void *block_alloc(struct s3d_qxl_device *q, size_t size, u64 *off)
{
	unsigned long addr;
	int attempt;

	for (attempt = 0; attempt < 10; attempt++) {
		addr = gen_pool_alloc(q->pool, size);
		if (addr) {
			*off = (u8 *)addr - q->ram;
			memset((void *)addr, 0, size);
			return (void *)addr;
		}
		if (collect_locked(q) > 0)
			continue;
		/* As the in-kernel driver: ask the server to give back what it holds. */
		s3d_qxl_hw_out(q, QXL_IO_NOTIFY_OOM, 0);
		s3d_qxl_hw_wait(q, QXL_INTERRUPT_DISPLAY, msecs_to_jiffies(20));
	}
	drm_err_ratelimited(&q->drm, "out of device memory for %zu bytes\n", size);
	return NULL;
}

/* cmd_lock held.  Hands the block to the device; on failure frees it. */
static int submit(struct s3d_qxl_device *q, u64 off, size_t size, enum s3d_qxl_ring ring,
		  u32 type)
{
	int ret;

	((QXLReleaseInfo *)(q->ram + off))->id = off;
	ret = xa_err(xa_store(&q->outstanding, off / S3D_QXL_ALLOC_ALIGN, xa_mk_value(size),
			      GFP_KERNEL));
	if (ret) {
		block_free(q, off, size);
		return ret;
	}
	q->n_outstanding++;
	q->submitted++;
	ret = ring_push(q, ring, s3d_qxl_hw_phys(q, S3D_QXL_SLOT_MAIN, off), type);
	if (ret) {
		xa_erase(&q->outstanding, off / S3D_QXL_ALLOC_ALIGN);
		block_free(q, off, size);
		q->n_outstanding--;
		q->submitted--;
	}
	return ret;
}

/* One QXL_DRAW_COPY of a w x h block onto the primary at (x, y); src points
 * at the block's first pixel. */
static int draw_band(struct s3d_qxl_device *q, const u8 *src, u32 pitch, int x, int y, u32 w,
		     u32 h)
{
	const size_t d_size = ALIGN(sizeof(QXLDrawable), S3D_QXL_ALLOC_ALIGN);
	const size_t i_size = ALIGN(sizeof(QXLImage), S3D_QXL_ALLOC_ALIGN);
	const size_t size = d_size + i_size + sizeof(QXLDataChunk) + (size_t)w * 4 * h;
	QXLDrawable *d;
	QXLImage *img;
	QXLDataChunk *chunk;
	u64 off;
	u32 row;

	d = block_alloc(q, size, &off);
	if (!d)
		return -ENOMEM;
	img = (QXLImage *)((u8 *)d + d_size);
	chunk = (QXLDataChunk *)((u8 *)img + i_size);
	chunk->data_size = w * 4 * h;
	for (row = 0; row < h; row++)
		memcpy(chunk->data + (size_t)row * w * 4, src + (size_t)row * pitch, (size_t)w * 4);
	img->descriptor.type = SPICE_IMAGE_TYPE_BITMAP;
	img->descriptor.width = w;
	img->descriptor.height = h;
	img->bitmap.format = SPICE_BITMAP_FMT_32BIT;
	img->bitmap.flags = QXL_BITMAP_TOP_DOWN;
	img->bitmap.x = w;
	img->bitmap.y = h;
	img->bitmap.stride = w * 4;
	img->bitmap.data = s3d_qxl_hw_phys(q, S3D_QXL_SLOT_MAIN, off + d_size + i_size);

	d->surface_id = 0;
	d->effect = QXL_EFFECT_OPAQUE;
	d->type = QXL_DRAW_COPY;
	d->bbox.left = x;
	d->bbox.top = y;
	d->bbox.right = x + w;
	d->bbox.bottom = y + h;
	d->clip.type = SPICE_CLIP_TYPE_NONE;
	d->surfaces_dest[0] = d->surfaces_dest[1] = d->surfaces_dest[2] = -1;
	d->u.copy.src_bitmap = s3d_qxl_hw_phys(q, S3D_QXL_SLOT_MAIN, off + d_size);
	d->u.copy.src_area.right = w;
	d->u.copy.src_area.bottom = h;
	d->u.copy.rop_descriptor = SPICE_ROPD_OP_PUT;
	return submit(q, off, size, S3D_QXL_RING_CMD, QXL_CMD_DRAW);
}

int s3d_qxl_cmd_draw_copy(struct s3d_qxl_device *q, const void *src, u32 pitch,
			  const struct drm_rect *clip)
{
	u32 w = drm_rect_width(clip), h = drm_rect_height(clip);
	u32 band = max_t(u32, 1, S3D_QXL_BAND_BYTES / max_t(u32, 1, w * 4));
	u32 y;
	int ret = 0;

	if (clip->x1 < 0 || clip->y1 < 0 || w == 0 || h == 0)
		return 0;
	mutex_lock(&q->cmd_lock);
	for (y = 0; y < h && !ret; y += band)
		ret = draw_band(q, (const u8 *)src + (size_t)y * pitch, pitch, clip->x1, clip->y1 + y,
				 w, min(band, h - y));
	mutex_unlock(&q->cmd_lock);
	return ret;
}

static QXLCursorCmd *cursor_cmd(struct s3d_qxl_device *q, size_t extra, u8 type, u64 *off,
				size_t *size)
{
	QXLCursorCmd *c;

	*size = ALIGN(sizeof(QXLCursorCmd), S3D_QXL_ALLOC_ALIGN) + extra;
	c = block_alloc(q, *size, off);
	if (c)
		c->type = type;
	return c;
}

int s3d_qxl_cmd_cursor_set(struct s3d_qxl_device *q, const void *argb, u32 pitch, u32 w,
			   u32 h, u32 hot_x, u32 hot_y, int x, int y)
{
	const size_t c_size = ALIGN(sizeof(QXLCursorCmd), S3D_QXL_ALLOC_ALIGN);
	QXLCursorCmd *c;
	QXLCursor *cur;
	size_t size;
	u64 off;
	u32 row;
	int ret = -ENOMEM;

	if (w == 0 || h == 0 || w > S3D_QXL_CURSOR_MAX || h > S3D_QXL_CURSOR_MAX)
		return -EINVAL;
	mutex_lock(&q->cmd_lock);
	c = cursor_cmd(q, sizeof(QXLCursor) + w * h * 4, QXL_CURSOR_SET, &off, &size);
	if (c) {
		cur = (QXLCursor *)((u8 *)c + c_size);
		cur->header.type = SPICE_CURSOR_TYPE_ALPHA;
		cur->header.width = w;
		cur->header.height = h;
		cur->header.hot_spot_x = hot_x;
		cur->header.hot_spot_y = hot_y;
		cur->data_size = w * h * 4;
		cur->chunk.data_size = w * h * 4;
		for (row = 0; row < h; row++)
			memcpy(cur->chunk.data + row * w * 4, (const u8 *)argb + row * pitch,
			       w * 4);
		c->u.set.position.x = x;
		c->u.set.position.y = y;
		c->u.set.visible = 1;
		c->u.set.shape = s3d_qxl_hw_phys(q, S3D_QXL_SLOT_MAIN, off + c_size);
		ret = submit(q, off, size, S3D_QXL_RING_CURSOR, QXL_CMD_CURSOR);
	}
	mutex_unlock(&q->cmd_lock);
	return ret;
}

int s3d_qxl_cmd_cursor_move(struct s3d_qxl_device *q, int x, int y)
{
	QXLCursorCmd *c;
	size_t size;
	u64 off;
	int ret = -ENOMEM;

	mutex_lock(&q->cmd_lock);
	c = cursor_cmd(q, 0, QXL_CURSOR_MOVE, &off, &size);
	if (c) {
		c->u.position.x = x;
		c->u.position.y = y;
		ret = submit(q, off, size, S3D_QXL_RING_CURSOR, QXL_CMD_CURSOR);
	}
	mutex_unlock(&q->cmd_lock);
	return ret;
}

int s3d_qxl_cmd_cursor_hide(struct s3d_qxl_device *q)
{
	QXLCursorCmd *c;
	size_t size;
	u64 off;
	int ret = -ENOMEM;

	mutex_lock(&q->cmd_lock);
	c = cursor_cmd(q, 0, QXL_CURSOR_HIDE, &off, &size);
	if (c)
		ret = submit(q, off, size, S3D_QXL_RING_CURSOR, QXL_CMD_CURSOR);
	mutex_unlock(&q->cmd_lock);
	return ret;
}

int s3d_qxl_cmd_init(struct s3d_qxl_device *q)
{
	int ret;

	mutex_init(&q->cmd_lock);
	xa_init(&q->outstanding);
	INIT_WORK(&q->release_work, release_work_fn);
	q->pool = gen_pool_create(ilog2(S3D_QXL_ALLOC_ALIGN), -1);
	if (!q->pool)
		return -ENOMEM;
	ret = gen_pool_add(q->pool, (unsigned long)(q->ram + q->rom.pages_offset),
			   (size_t)q->rom.num_pages * PAGE_SIZE, -1);
	if (ret) {
		gen_pool_destroy(q->pool);
		q->pool = NULL;
	}
	return ret;
}

void s3d_qxl_cmd_finish(struct s3d_qxl_device *q)
{
	if (!q->pool)
		return;
	cancel_work_sync(&q->release_work);
	/* The device was reset: it holds nothing of ours any more. */
	s3d_qxl_cmd_reclaim_all(q);
	mutex_lock(&q->cmd_lock);
	gen_pool_destroy(q->pool);
	q->pool = NULL;
	mutex_unlock(&q->cmd_lock);
	xa_destroy(&q->outstanding);
}
