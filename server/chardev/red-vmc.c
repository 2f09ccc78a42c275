/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-vmc.c: spicevmc pass-through channels (contracts in red-vmc.h). */
#include "config.h"

#include "red-vmc.h"

#include <glib.h>

#include "red-channel-client.h"
#include "red-log.h"
#include "reds-connection.h"

/* Bytes read from the device per SPICEVMC_DATA sent. */
#define VMC_READ_PIECE (64u * 1024)

typedef struct RedVmc {
    RedVmcChannels *owner;
    uint8_t id;
    SpiceCharDeviceInstance *sin;
    RedCharDevice *dev;
    RedChannelClient *rcc;      /* the one client; NULL none */
    RedsConnection *connection; /* its channel-event record */
    uint32_t session_id;        /* the connection id its link quoted */
} RedVmc;

struct RedVmcChannels {
    RedsState *reds;
    RedVmc *channels[RED_VMC_MAX_CHANNELS];
};

/* ---- the device ---------------------------------------------------------- */

static size_t vmc_read_room(void *opaque)
{
    RedVmc *vmc = opaque;
    /* No client: the bytes wait in the host (the device was told state 0). */
    return vmc->rcc && red_channel_client_can_send(vmc->rcc) ? VMC_READ_PIECE : 0;
}

static void vmc_on_read(void *opaque, const uint8_t *data, size_t len)
{
    RedVmc *vmc = opaque;
    SpiceMsg m = { .type = SPICE_MSG_SPICEVMC_DATA, .u.raw = { data, (uint32_t)len } };
    (void)red_channel_client_send(vmc->rcc, &m); /* a failure closes it */
}

static void vmc_update_reading(RedVmc *vmc)
{
    if (vmc->rcc) {
        red_channel_client_pause_read(vmc->rcc, red_char_device_write_room(vmc->dev) <
                                                    RED_VMC_MAX_MESSAGE);
    }
}

static void vmc_on_written(void *opaque, uint64_t tag)
{
    (void)tag;
    vmc_update_reading(opaque);
}

static const RedCharDeviceOps vmc_device_ops = {
    .read_room = vmc_read_room,
    .on_read = vmc_on_read,
    .on_written = vmc_on_written,
};

/* ---- the client ---------------------------------------------------------- */

static bool vmc_handle_message(RedChannelClient *rcc, const SpiceMsgc *msg, void *opaque)
{
    RedVmc *vmc = opaque;
    (void)rcc;
    if (msg->type != SPICE_MSGC_SPICEVMC_DATA) {
        return false;
    }
    uint32_t n = msg->u.raw.count;
    if (n > RED_VMC_MAX_MESSAGE) {
        red_log_warn("usbredir %u: SPICEVMC_DATA of %u bytes (at most %u)", vmc->id, n,
                     RED_VMC_MAX_MESSAGE);
        return false;
    }
    /* Room for n is certain: reading pauses below the largest message. */
    if (n > 0 && red_char_device_write(vmc->dev, msg->u.raw.data, n, 0) != 0) {
        red_log_warn("usbredir %u: device queue full", vmc->id);
        return false;
    }
    vmc_update_reading(vmc);
    return true;
}

static void vmc_on_writable(RedChannelClient *rcc, void *opaque)
{
    RedVmc *vmc = opaque;
    (void)rcc;
    red_char_device_wakeup(vmc->dev);
}

static void vmc_on_closed(RedChannelClient *rcc, void *opaque)
{
    RedVmc *vmc = opaque;
    red_channel_client_free(rcc);
    if (vmc->rcc != rcc) {
        return;
    }
    vmc->rcc = NULL;
    reds_connection_closed(vmc->owner->reds, vmc->connection);
    vmc->connection = NULL;
    red_char_device_set_state(vmc->dev, false);
}

static const RedChannelClientOps vmc_client_ops = {
    .handle_message = vmc_handle_message,
    .on_writable = vmc_on_writable,
    .on_closed = vmc_on_closed,
};

static void vmc_link(void *opaque, void *instance, RedStream *stream,
                     const SpiceLinkRequest *req)
{
    RedVmcChannels *vmcs = opaque;
    RedVmc *vmc = instance;
    if (vmc->rcc) {
        red_log_warn("usbredir %u: a client is linked already; second link closed", vmc->id);
        red_stream_free(stream);
        return;
    }
    RedsConnection *conn = reds_connection_new(vmcs->reds, red_stream_fd(stream),
                                               SPICE_CHANNEL_USBREDIR, vmc->id,
                                               req->connection_id);
    vmc->rcc = red_channel_client_new(reds_get_core(vmcs->reds), stream, req, false,
                                      &vmc_client_ops, vmc);
    if (vmc->rcc == NULL) {
        reds_connection_closed(vmcs->reds, conn);
        return;
    }
    vmc->connection = conn;
    vmc->session_id = req->connection_id;
    reds_connection_opened(vmcs->reds, conn);
    red_char_device_set_state(vmc->dev, true);
    red_char_device_wakeup(vmc->dev);
}

static void vmc_close_all(void *opaque, const char *why)
{
    RedVmcChannels *vmcs = opaque;
    for (unsigned i = 0; i < RED_VMC_MAX_CHANNELS; i++) {
        if (vmcs->channels[i] && vmcs->channels[i]->rcc) {
            red_channel_client_close(vmcs->channels[i]->rcc, why);
        }
    }
}

/* A usbredir client belongs to its session and goes with it.  Unlike the
 * other channels, its own failure closes only itself: the channel also
 * closes when QEMU removes the device, which must not end the viewer's
 * session. */
static void vmc_session_ended(void *opaque, uint32_t session_id, const char *why)
{
    RedVmcChannels *vmcs = opaque;
    for (unsigned i = 0; i < RED_VMC_MAX_CHANNELS; i++) {
        RedVmc *vmc = vmcs->channels[i];
        if (vmc && vmc->rcc && vmc->session_id == session_id) {
            red_channel_client_close(vmc->rcc, why);
        }
    }
}

static const RedChannelClass vmc_class = {
    .type = SPICE_CHANNEL_USBREDIR,
    .link = vmc_link,
    .session_ended = vmc_session_ended,
    .close_all = vmc_close_all,
};

/* ---- devices come and go ------------------------------------------------- */

RedVmcChannels *red_vmc_channels_create(RedsState *reds)
{
    RedVmcChannels *vmcs = g_new0(RedVmcChannels, 1);
    vmcs->reds = reds;
    if (red_channel_registry_add_class(reds_get_registry(reds), &vmc_class, vmcs) != 0) {
        g_free(vmcs);
        return NULL;
    }
    return vmcs;
}

void red_vmc_channels_destroy(RedVmcChannels *vmcs)
{
    g_free(vmcs);
}

RedCharDevice *red_vmc_add(RedVmcChannels *vmcs, SpiceCharDeviceInstance *sin)
{
    unsigned id = 0;
    while (id < RED_VMC_MAX_CHANNELS && vmcs->channels[id]) {
        id++;
    }
    if (id == RED_VMC_MAX_CHANNELS) {
        red_log_warn("usbredir: all %u channels taken; device refused", RED_VMC_MAX_CHANNELS);
        return NULL;
    }
    if (!red_char_device_is_valid_instance(sin)) {
        return NULL;
    }
    RedVmc *vmc = g_new0(RedVmc, 1);
    vmc->owner = vmcs;
    vmc->id = (uint8_t)id;
    vmc->sin = sin;
    vmc->dev = red_char_device_create(reds_get_core(vmcs->reds), sin, RED_VMC_QUEUE,
                                      &vmc_device_ops, vmc);
    if (vmc->dev == NULL ||
        red_channel_registry_add(reds_get_registry(vmcs->reds), SPICE_CHANNEL_USBREDIR,
                                 vmc->id, vmc) != 0) {
        red_char_device_destroy(vmc->dev);
        g_free(vmc);
        return NULL;
    }
    vmcs->channels[id] = vmc;
    red_log_info("usbredir %u offered", vmc->id);
    return vmc->dev;
}

void red_vmc_remove(RedVmcChannels *vmcs, SpiceCharDeviceInstance *sin)
{
    for (unsigned i = 0; i < RED_VMC_MAX_CHANNELS; i++) {
        RedVmc *vmc = vmcs->channels[i];
        if (vmc == NULL || vmc->sin != sin) {
            continue;
        }
        red_channel_registry_remove(reds_get_registry(vmcs->reds), SPICE_CHANNEL_USBREDIR,
                                    vmc->id);
        if (vmc->rcc) {
            red_channel_client_close(vmc->rcc, "device removed");
            /* closed outside any handler of its own: on_closed has run */
        }
        red_char_device_destroy(vmc->dev);
        vmcs->channels[i] = NULL;
        g_free(vmc);
        return;
    }
}
