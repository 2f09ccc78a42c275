/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* reds-interfaces.c: spice_server_add_interface / remove_interface: the
 * devices a host plugs in (QXL, keyboard, mouse, tablet), checked against
 * the interface versions of the 0.15 headers. */
#include "config.h"

#include <string.h>

#include "red-log.h"
#include "red-worker.h"
#include "reds.h"

static bool is_valid_version(const SpiceBaseInterface *sif, unsigned major, unsigned minor)
{
    if (sif->major_version != major || sif->minor_version > minor) {
        red_log_warn("interface %s %u.%u not supported (want %u.%u)", sif->type,
                     sif->major_version, sif->minor_version, major, minor);
        return false;
    }
    return true;
}

static int add_qxl(RedsState *reds, QXLInstance *qxl)
{
    if (!reds->initialized || qxl->id < 0 || qxl->id > 255) {
        red_log_warn("add_interface qxl: bad id %d or server not initialised", qxl->id);
        return -1;
    }
    for (guint i = 0; i < reds->qxls->len; i++) {
        RedsQxl *q = g_ptr_array_index(reds->qxls, i);
        if (q->qxl->id == qxl->id) {
            red_log_warn("add_interface qxl: id %d already used", qxl->id);
            return -1;
        }
    }
    RedsQxl *q = g_new0(RedsQxl, 1);
    q->qxl = qxl;
    q->worker = red_worker_new(reds, qxl);
    if (q->worker == NULL) {
        g_free(q);
        return -1;
    }
    qxl->st = (QXLState *)q->worker;
    g_ptr_array_add(reds->qxls, q);
    return 0;
}

RED_EXPORT int spice_server_add_interface(SpiceServer *reds, SpiceBaseInstance *sin)
{
    const SpiceBaseInterface *sif = sin ? sin->sif : NULL;
    if (reds == NULL || sif == NULL || sif->type == NULL) {
        return -1;
    }
    if (strcmp(sif->type, SPICE_INTERFACE_KEYBOARD) == 0) {
        if (!is_valid_version(sif, SPICE_INTERFACE_KEYBOARD_MAJOR, SPICE_INTERFACE_KEYBOARD_MINOR)) {
            return -1;
        }
        reds->keyboard = SPICE_CONTAINEROF(sin, SpiceKbdInstance, base);
        reds->keyboard->st = (SpiceKbdState *)reds;
        return 0;
    }
    if (strcmp(sif->type, SPICE_INTERFACE_MOUSE) == 0) {
        if (!is_valid_version(sif, SPICE_INTERFACE_MOUSE_MAJOR, SPICE_INTERFACE_MOUSE_MINOR)) {
            return -1;
        }
        reds->mouse = SPICE_CONTAINEROF(sin, SpiceMouseInstance, base);
        reds->mouse->st = (SpiceMouseState *)reds;
        return 0;
    }
    if (strcmp(sif->type, SPICE_INTERFACE_TABLET) == 0) {
        if (!is_valid_version(sif, SPICE_INTERFACE_TABLET_MAJOR, SPICE_INTERFACE_TABLET_MINOR)) {
            return -1;
        }
        reds->tablet = SPICE_CONTAINEROF(sin, SpiceTabletInstance, base);
        reds->tablet->st = (SpiceTabletState *)reds;
        reds_main_send_mouse_mode(reds);
        return 0;
    }
    if (strcmp(sif->type, SPICE_INTERFACE_QXL) == 0) {
        if (!is_valid_version(sif, SPICE_INTERFACE_QXL_MAJOR, SPICE_INTERFACE_QXL_MINOR)) {
            return -1;
        }
        return add_qxl(reds, SPICE_CONTAINEROF(sin, QXLInstance, base));
    }
    if (strcmp(sif->type, SPICE_INTERFACE_MIGRATION) == 0 ||
        strcmp(sif->type, SPICE_INTERFACE_PLAYBACK) == 0 ||
        strcmp(sif->type, SPICE_INTERFACE_RECORD) == 0 ||
        strcmp(sif->type, SPICE_INTERFACE_CHAR_DEVICE) == 0) {
        /* Accepted so hosts start, but no channel is advertised for them:
         * audio, char devices and migration are not implemented. */
        red_log_info("interface %s accepted; not served (unsupported)", sif->type);
        return 0;
    }
    red_log_warn("add_interface: unknown interface %s", sif->type);
    return -1;
}

RED_EXPORT int spice_server_remove_interface(SpiceBaseInstance *sin)
{
    const SpiceBaseInterface *sif = sin ? sin->sif : NULL;
    if (sif == NULL || sif->type == NULL) {
        return -1;
    }
    if (strcmp(sif->type, SPICE_INTERFACE_TABLET) == 0) {
        SpiceTabletInstance *t = SPICE_CONTAINEROF(sin, SpiceTabletInstance, base);
        RedsState *reds = (RedsState *)t->st;
        if (reds && reds->tablet == t) {
            reds->tablet = NULL;
            t->st = NULL;
            reds_main_send_mouse_mode(reds);
        }
        return 0;
    }
    if (strcmp(sif->type, SPICE_INTERFACE_QXL) == 0) {
        QXLInstance *qxl = SPICE_CONTAINEROF(sin, QXLInstance, base);
        RedWorker *w = (RedWorker *)qxl->st;
        if (w == NULL) {
            return -1;
        }
        /* The reds pointer is not reachable from a QXLInstance; the worker
         * knows it. */
        red_worker_remove_from_server(w);
        return 0;
    }
    /* Keyboard and mouse are never removed by QEMU; char devices etc. were
     * never really added. */
    return 0;
}
