/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel stand-in for <limits.h> (see stdint.h here).  The one limit the
 * spice headers test in #if, LONG_MAX, is provided around the include in
 * s3d_qxl.h, since the kernel's own is not usable in the preprocessor. */
#ifndef S3D_QXL_SHIM_LIMITS_H
#define S3D_QXL_SHIM_LIMITS_H
#endif
