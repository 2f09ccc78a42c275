/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gvgpu-kms.h: options of the virtio-gpu backend of the KMS layer.
 * gkms_open_virtio_gpu() (gkms.h) uses the defaults; tests choose how the
 * driver suspends with gkms_open_virtio_gpu_with(). */
#ifndef GVGPU_KMS_H
#define GVGPU_KMS_H

#include <stdbool.h>
#include <stdint.h>

#include "gkms.h"

typedef enum GvgpuPmMethod {
    /* freeze_mode if negotiated, else recreate every resource on resume */
    GVGPU_PM_AUTO,
    /* virtio 1.4 SUSPEND bit to quiesce; the wake's reset still wipes the
     * device, so resume recreates every resource */
    GVGPU_PM_SUSPEND_BIT,
    /* PCI PM: quiesce, D3hot; with No_Soft_Reset the state survives and
     * resume only sets the scanout again (else it recreates) */
    GVGPU_PM_NO_SOFT_RESET,
    /* does nothing on suspend; resume re-initialises the transport and sets
     * the scanout, as Linux did before the fix (QEMU issue 1860) */
    GVGPU_PM_NONE,
} GvgpuPmMethod;

typedef struct GvgpuOptions {
    GvgpuPmMethod pm;
    bool accept_freeze;         /* negotiate VIRTIO_F_FREEZE_MODE if offered */
    bool accept_suspend;        /* negotiate VIRTIO_F_SUSPEND if offered */
    uint64_t ram_base, ram_size; /* guest RAM for rings and backing; 0: 16 MiB..end */
} GvgpuOptions;

void gvgpu_default_options(GvgpuOptions *opt);
GkmsDevice *gkms_open_virtio_gpu_with(const Gbus *bus, unsigned index, const GvgpuOptions *opt);

#endif /* GVGPU_KMS_H */
