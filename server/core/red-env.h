/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-env.h: the few limits an operator or a test may change through the
 * environment (S3D_*), read one way: a value that is not a number in range
 * is ignored with a warning, never taken as "no limit" by accident.
 * Thread safety: reentrant (getenv only). */
#ifndef RED_ENV_H
#define RED_ENV_H

/* The milliseconds named by environment variable `name`, or `def` when it
 * is unset, empty, not a number, negative or above `max`. */
unsigned red_env_ms(const char *name, unsigned def, unsigned max);

#endif /* RED_ENV_H */
