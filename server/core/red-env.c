/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-env.c: limits from the environment (red-env.h). */
#include "config.h"

#include "red-env.h"

#include <errno.h>
#include <stdlib.h>

#include "red-log.h"

unsigned red_env_ms(const char *name, unsigned def, unsigned max)
{
    const char *env = getenv(name);
    if (env == NULL || *env == '\0') {
        return def;
    }
    char *end;
    errno = 0;
    unsigned long v = strtoul(env, &end, 10);
    if (errno != 0 || *end != '\0' || env[0] == '-' || v > max) {
        red_log_warn("%s=%s is not a number of milliseconds up to %u; using %u", name, env, max,
                     def);
        return def;
    }
    return (unsigned)v;
}
