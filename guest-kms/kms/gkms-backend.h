/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gkms-backend.h (internal): what a device backend (QXL, virtio-gpu)
 * provides to the KMS layer.  Surface ids are small integers chosen by the
 * KMS layer (1..GKMS_MAX_SURFACES); 0 is the scanout. */
#ifndef GKMS_BACKEND_H
#define GKMS_BACKEND_H

#include <stddef.h>

#include "gkms.h"

#define GKMS_MAX_SURFACES 64

typedef struct GkmsBackendOps {
    void (*destroy)(void *be);
    unsigned (*get_modes)(void *be, GkmsMode *modes, unsigned max);
    /* Creates (or re-creates, keep_data) the scanout of this size. */
    int (*scanout_create)(void *be, uint32_t width, uint32_t height, bool keep_data);
    int (*scanout_destroy)(void *be);
    /* Copies box of img to the same place on the scanout. */
    int (*scanout_blit)(void *be, pixman_image_t *img, const pixman_box32_t *box);
    int (*surface_create)(void *be, uint32_t id, uint32_t width, uint32_t height);
    int (*surface_destroy)(void *be, uint32_t id);
    int (*surface_fill)(void *be, uint32_t id, const pixman_box32_t *box, uint32_t xrgb);
    int (*surface_upload)(void *be, uint32_t id, pixman_image_t *src, const pixman_box32_t *box,
                          int32_t x, int32_t y);
    /* Copies box of surface id onto the scanout at (x, y). */
    int (*surface_present)(void *be, uint32_t id, const pixman_box32_t *box, int32_t x, int32_t y);
    int (*cursor_set)(void *be, pixman_image_t *argb, uint16_t hot_x, uint16_t hot_y, int16_t x,
                      int16_t y);
    int (*cursor_move)(void *be, int16_t x, int16_t y);
    /* The device side of suspend/resume (the KMS layer gates commits and
     * redraws). resume re-creates the scanout and surfaces itself. */
    int (*suspend)(void *be, unsigned faults, char *err, size_t err_size);
    int (*resume)(void *be, char *err, size_t err_size);
    void (*stats)(void *be, GkmsStats *out);
    /* Optional (NULL: unsupported), for tests: render everything queued
     * into device memory; a pointer to the scanout's pixels there. */
    int (*flush)(void *be);
    const void *(*scanout_pixels)(void *be, uint32_t *stride);
} GkmsBackendOps;

/* The KMS layer around a backend (takes ownership of be). */
GkmsDevice *gkms_device_new(const GkmsBackendOps *ops, void *be);

/* QXL backend constructor (guest-kms/qxl/gqxl-kms.c). */
void *gqxl_kms_open(const Gbus *bus, unsigned index, const GkmsBackendOps **ops);

/* virtio-gpu backend constructor (guest-kms/virtio/gvgpu-kms.c). */
struct GvgpuOptions;
void *gvgpu_kms_open(const Gbus *bus, unsigned index, const struct GvgpuOptions *opt,
                     const GkmsBackendOps **ops);

#endif /* GKMS_BACKEND_H */
