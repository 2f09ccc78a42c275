/* SPDX-License-Identifier: GPL-2.0-or-later */
/* glz-upstream-shim.h: what spice-gtk's decode-glz.c takes from the rest of
 * spice-gtk (its gio-coroutine.h and spice-util.h), for glz-upstream-check,
 * which builds that one file alone.  test-red-glz-upstream.sh makes both
 * header names include this one.
 *
 * The client's decoder waits (a coroutine yield) until an image it is told
 * to refer to has arrived.  Here nothing else runs, so the wait answers at
 * once with whether the image is there; when it is not, decode-glz.c's own
 * checks fail, which the checker counts as a failure, where the real client
 * would hang. */
#ifndef GLZ_UPSTREAM_SHIM_H
#define GLZ_UPSTREAM_SHIM_H

#include <glib.h>

#define SPICE_DEBUG(fmt, ...) do { } while (0)

typedef struct GCoroutine GCoroutine;
typedef gboolean (*GConditionWaitFunc)(gpointer);

GCoroutine *g_coroutine_self(void);
gboolean g_coroutine_condition_wait(GCoroutine *coroutine, GConditionWaitFunc func,
                                    gpointer data);

#endif /* GLZ_UPSTREAM_SHIM_H */
