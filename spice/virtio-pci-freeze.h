/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtio-pci-freeze.h: this project's one ABI addition for guest sleep (S3),
 * the virtio-pci freeze_mode (seeds 000, 001, 003), and virtio 1.4's
 * SUSPEND (seed 002) beside it.  (QXL needs nothing new: its S3 sequence
 * uses the existing QXL_IO_FLUSH_SURFACES_ASYNC and QXL_IO_FLUSH_RELEASE,
 * seed 004.)
 *
 * freeze_mode is a driver-written mode that asks a virtio device to keep
 * its resources across the reset that follows S3, with the corrections the
 * spec review asked for:
 * - a feature bit, offered by the device and accepted by the driver;
 *   without it the field is absent from the driver's point of view and the
 *   device behaves exactly as before;
 * - the field sits at the END of struct virtio_pci_common_cfg, after every
 *   field the virtio 1.3 spec defines (queue_notif_config_data @56,
 *   queue_reset @58, admin_queue_index @60, admin_queue_num @62), so no
 *   existing field moves;
 * - the values are defined here (UNFREEZE 0, FREEZE_S3 1; the rest are
 *   reserved and a driver that writes one gets a device error);
 * - request/acknowledge: the driver writes freeze_mode; the device stops
 *   consuming buffers, finishes the ones in flight, flushes used buffers
 *   and notifies, and only then sets freeze_status to the same value.  The
 *   driver polls freeze_status with a deadline.
 */
#ifndef VIRTIO_PCI_FREEZE_H
#define VIRTIO_PCI_FREEZE_H

/* Feature bit for freeze_mode.  Bits 44-49 are "reserved for future
 * extensions" of the transport in virtio 1.2/1.3 (43 became
 * VIRTIO_F_SUSPEND in 1.4).  We take the top of that range, 49, the bit least
 * likely to be allocated next by the TC, so an experimental device never
 * collides with a standard feature a newer driver might negotiate. */
#define VIRTIO_F_FREEZE_MODE 49

/* virtio 1.4's SUSPEND (seed 002): feature bit and device-status bit. */
#define VIRTIO_F_SUSPEND 43
#define VIRTIO_CONFIG_S_SUSPEND 16

/* Layout of the end of the common configuration structure. */
#define VIRTIO_PCI_COMMON_ADMIN_Q_INDEX 60 /* virtio 1.3, le16 */
#define VIRTIO_PCI_COMMON_ADMIN_Q_NUM 62   /* virtio 1.3, le16 */
#define VIRTIO_PCI_COMMON_FREEZE_MODE 64   /* le16, read-write: the request */
#define VIRTIO_PCI_COMMON_FREEZE_STATUS 66 /* le16, read-only: the mode reached */
#define VIRTIO_PCI_COMMON_CFG_SIZE_FREEZE 68

enum {
    VIRTIO_PCI_FREEZE_MODE_UNFREEZE = 0,
    VIRTIO_PCI_FREEZE_MODE_FREEZE_S3 = 1,
    /* 2..0xffff reserved (e.g. S4) */
};

/* How long a driver waits for freeze_status (or the SUSPEND status bit)
 * to reach what it wrote; our device answers well within it. */
#define VIRTIO_PCI_FREEZE_ACK_TIMEOUT_MS 2000

#endif /* VIRTIO_PCI_FREEZE_H */
