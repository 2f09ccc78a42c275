/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gkms-drm.h: the guest KMS API (gkms.h) on a Linux DRM device (libdrm).
 *
 * Implements the part of gkms.h the demo desktop uses: modes, dumb
 * framebuffers, mode set, DIRTYFB, page flips, overlay surfaces (composed by
 * the CPU) and the cursor.  Suspend and resume are the kernel driver's
 * business in a Linux guest, so they are not here.  One thread. */
#ifndef GKMS_DRM_H
#define GKMS_DRM_H

#include "gkms.h"

/* Opens a DRM device node (e.g. /dev/dri/card0): its first connected
 * connector and first CRTC.  NULL (and a log line) on failure.  Close with
 * gkms_close(). */
GkmsDevice *gkms_open_drm(const char *path);

/* Shows the current framebuffer again through a page flip (the whole
 * picture into the back buffer, drmModePageFlip, its event awaited, 1 s at
 * most): 0, or -errno with gkms_last_error(). */
int gkms_page_flip_current(GkmsDevice *dev);

#endif /* GKMS_DRM_H */
