/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * s3d_qxl: a DRM/KMS driver for the QXL PCI device (1b36:0100) whose
 * suspend follows the flush-on-sleep sequence: drain the rings,
 * QXL_IO_FLUSH_SURFACES_ASYNC, destroy the surfaces, QXL_IO_FLUSH_RELEASE,
 * take back every command; after the wake reset: QXL_IO_RESET, memslots,
 * the primary and a full redraw from the shadow framebuffer.
 *
 * One file per layer, as in drm/tiny:
 *   s3d_qxl_drv.c  PCI binding, the DRM driver, module parameters
 *   s3d_qxl_hw.c   BARs, ROM/RAM checks, ports, interrupt, async I/O, memslots
 *   s3d_qxl_cmd.c  device memory, rings, commands and their releases
 *   s3d_qxl_kms.c  CRTC, planes, encoder, connector
 *   s3d_qxl_pm.c   suspend/freeze/poweroff and resume/thaw/restore
 *
 * The device is untrusted: every value read from it is range-checked, every
 * wait on it has a timeout, and nothing it says can crash the kernel.
 */
#ifndef S3D_QXL_H
#define S3D_QXL_H

#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <drm/drm_connector.h>
#include <drm/drm_crtc.h>
#include <drm/drm_device.h>
#include <drm/drm_encoder.h>
#include <drm/drm_plane.h>

/* The device ABI: Debian's libspice-protocol-dev, through shim/.  Its
 * macros.h compares LONG_MAX in #if, which the kernel's cast cannot do. */
#pragma push_macro("LONG_MAX")
#undef LONG_MAX
#define LONG_MAX 9223372036854775807L
#include <spice/qxl_dev.h>
#undef LONG_MAX
#pragma pop_macro("LONG_MAX")

#define S3D_QXL_NAME "s3d_qxl"

/* Limits, each with its reason. */
#define S3D_QXL_MAX_MODES	64	/* QEMU's ROM lists about 40 */
#define S3D_QXL_MIN_DIM		320
#define S3D_QXL_MAX_DIM		8192	/* the server's surface limit */
#define S3D_QXL_CURSOR_MAX	64	/* cursor plane size, as spice clients */
#define S3D_QXL_BAND_BYTES	(256 * 1024) /* pixels per drawable: bounded chunks */
#define S3D_QXL_IO_TIMEOUT_MS	1500	/* any async I/O: a fault is reported within 2 s */
#define S3D_QXL_RING_TIMEOUT_MS	1000	/* a full ring, before the command is dropped */
#define S3D_QXL_RELEASE_TIMEOUT_MS 1000 /* suspend: every release back */
#define S3D_QXL_ALLOC_ALIGN	64

/* The interrupts this driver takes. */
#define S3D_QXL_INT_MASK (QXL_INTERRUPT_DISPLAY | QXL_INTERRUPT_CURSOR | \
			  QXL_INTERRUPT_IO_CMD | QXL_INTERRUPT_ERROR)

enum s3d_qxl_ring {
	S3D_QXL_RING_CMD,
	S3D_QXL_RING_CURSOR,
};

enum s3d_qxl_slot {
	S3D_QXL_SLOT_MAIN,	/* BAR0 up to the RAM header: primary, commands */
	S3D_QXL_SLOT_SURF,	/* BAR1: off-screen surfaces */
	S3D_QXL_NUM_SLOTS,
};

/* Faults the tests inject into the suspend sequence (module parameter). */
enum s3d_qxl_fault {
	S3D_QXL_FAULT_NONE,
	S3D_QXL_FAULT_SKIP_FLUSH_RELEASE,	/* releases never all come back */
	S3D_QXL_FAULT_DESTROY_BEFORE_FLUSH,	/* destroy, then flush */
	S3D_QXL_FAULT_STALL_IO,			/* an async I/O that never completes */
};

enum s3d_qxl_pm_state {
	S3D_QXL_PM_RUNNING,
	S3D_QXL_PM_SUSPENDED,	/* between our suspend and resume callbacks */
};

struct s3d_qxl_device {
	struct drm_device drm;

	/* BARs, mapped at probe */
	u8 *ram;			/* BAR0 */
	resource_size_t ram_phys, ram_size;
	resource_size_t vram_phys, vram_size; /* BAR1 */
	const u8 __iomem *rom_bar;	/* BAR2, for the live slot generation */
	unsigned long io_base;		/* BAR3 */
	QXLRom rom;			/* checked copy */
	QXLRam *ram_header;
	struct { u32 w, h; } modes[S3D_QXL_MAX_MODES];
	unsigned int n_modes;
	u8 slot_id[S3D_QXL_NUM_SLOTS];
	u64 slot_high[S3D_QXL_NUM_SLOTS];

	/* interrupt: bits of QXL_INTERRUPT_* seen and not yet consumed */
	unsigned long events;
	wait_queue_head_t irq_wq;
	atomic_t device_errors;

	/* one async I/O at a time (the device refuses a second) */
	struct mutex io_lock;

	/* device memory and the commands living in it */
	struct mutex cmd_lock;
	struct gen_pool *pool;
	struct xarray outstanding;	/* offset / 64 -> allocation size */
	unsigned int n_outstanding;
	u64 submitted, released;
	struct work_struct release_work;

	/* what the device shows */
	bool primary_live;
	u32 primary_w, primary_h;
	bool cursor_visible;
	bool resuming;		/* the replay after a wake: KEEP_DATA */

	/* power management */
	enum s3d_qxl_pm_state pm;
	struct drm_atomic_state *pm_saved;
	enum s3d_qxl_fault fault;

	/* KMS objects */
	struct drm_plane primary_plane;
	struct drm_plane cursor_plane;
	struct drm_crtc crtc;
	struct drm_encoder encoder;
	struct drm_connector connector;
};

static inline struct s3d_qxl_device *to_s3d_qxl(struct drm_device *drm)
{
	return container_of(drm, struct s3d_qxl_device, drm);
}

/* s3d_qxl_hw.c: all return 0 or a negative errno. */
int s3d_qxl_hw_init(struct s3d_qxl_device *q, struct pci_dev *pdev);
void s3d_qxl_hw_finish(struct s3d_qxl_device *q);
int s3d_qxl_hw_setup(struct s3d_qxl_device *q); /* QXL_IO_RESET, mask, memslots */
void s3d_qxl_hw_out(struct s3d_qxl_device *q, u32 port, u8 value);
int s3d_qxl_hw_async_io(struct s3d_qxl_device *q, u32 port, u8 value);
/* Waits until one of the QXL_INTERRUPT_* bits arrived; takes them. */
u32 s3d_qxl_hw_wait(struct s3d_qxl_device *q, u32 bits, unsigned long timeout_jiffies);
u64 s3d_qxl_hw_phys(struct s3d_qxl_device *q, enum s3d_qxl_slot slot, u64 bar_offset);
int s3d_qxl_hw_create_primary(struct s3d_qxl_device *q, u32 width, u32 height, bool keep);
int s3d_qxl_hw_destroy_primary(struct s3d_qxl_device *q);

/* s3d_qxl_cmd.c: command submission; callers hold no lock. */
int s3d_qxl_cmd_init(struct s3d_qxl_device *q);
void s3d_qxl_cmd_finish(struct s3d_qxl_device *q);
/* Draws the clip (primary coordinates) from src, which points at the pixel
 * the clip's top-left corner shows. */
int s3d_qxl_cmd_draw_copy(struct s3d_qxl_device *q, const void *src, u32 src_pitch,
			  const struct drm_rect *clip);
int s3d_qxl_cmd_cursor_set(struct s3d_qxl_device *q, const void *argb, u32 pitch, u32 w,
			   u32 h, u32 hot_x, u32 hot_y, int x, int y);
int s3d_qxl_cmd_cursor_move(struct s3d_qxl_device *q, int x, int y);
int s3d_qxl_cmd_cursor_hide(struct s3d_qxl_device *q);
/* Takes back what the device released; returns how many, or -EIO. */
int s3d_qxl_cmd_collect_releases(struct s3d_qxl_device *q);
unsigned int s3d_qxl_cmd_outstanding(struct s3d_qxl_device *q);
bool s3d_qxl_cmd_rings_idle(struct s3d_qxl_device *q);
/* After a device reset: nothing on the device refers to our memory. */
unsigned int s3d_qxl_cmd_reclaim_all(struct s3d_qxl_device *q);

/* s3d_qxl_kms.c */
int s3d_qxl_kms_init(struct s3d_qxl_device *q);

/* s3d_qxl_pm.c */
extern const struct dev_pm_ops s3d_qxl_pm_ops;

#endif
