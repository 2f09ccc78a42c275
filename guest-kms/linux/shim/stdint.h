/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel stand-in for <stdint.h>, so that Debian's <spice/qxl_dev.h> (the
 * device ABI, written for userspace) builds inside the module unchanged:
 * the kernel's own types already carry the C99 names. */
#ifndef S3D_QXL_SHIM_STDINT_H
#define S3D_QXL_SHIM_STDINT_H
#include <linux/types.h>
#endif
