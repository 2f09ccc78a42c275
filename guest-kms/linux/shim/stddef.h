/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel stand-in for <stddef.h> (see stdint.h here). */
#ifndef S3D_QXL_SHIM_STDDEF_H
#define S3D_QXL_SHIM_STDDEF_H
#include <linux/stddef.h>
#endif
