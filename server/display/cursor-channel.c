/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cursor-channel.c: the cursor channel's clients, served by the worker:
 * every cursor client of every session gets every cursor message.
 * The worker keeps the current shape, position and visibility, so a client
 * that connects later gets them in CURSOR_INIT. */
#include "config.h"

#include "red-worker-private.h"

#include <string.h>

#include "red-log.h"

static SpiceMsgCursor shape_msg(const RedCursorShape *shape)
{
    SpiceMsgCursor c = { .flags = SPICE_CURSOR_FLAGS_NONE };
    if (shape) {
        c.flags = 0;
        c.unique = shape->unique;
        c.type = (uint8_t)shape->type;
        c.width = shape->width;
        c.height = shape->height;
        c.hot_spot_x = shape->hot_x;
        c.hot_spot_y = shape->hot_y;
        c.data = (SpiceWireArray){ shape->data, shape->data_size };
    }
    return c;
}

static void cursor_client_remove(CursorClient *cc)
{
    RedWorker *w = cc->worker;
    w->cursor_clients = g_list_remove(w->cursor_clients, cc);
    w->stats.cursor_clients = g_list_length(w->cursor_clients);
    if (!red_channel_client_peer_closed(cc->rcc) && !w->closing_all) {
        w->events.client_failed(w->events.opaque, cc->session_id);
    }
    red_channel_client_free(cc->rcc);
    if (cc->connection) {
        w->events.client_closed(w->events.opaque, cc->connection);
    }
    g_free(cc);
}

/* CURSOR_INIT with the current state: what a client needs to start (or
 * to start again after a CURSOR_RESET). */
static void init_message(RedWorker *w, SpiceMsg *init)
{
    memset(init, 0, sizeof(*init));
    init->type = SPICE_MSG_CURSOR_INIT;
    init->u.cursor_init.position = (SpiceMsgPoint16){ w->cursor_x, w->cursor_y };
    init->u.cursor_init.trail_length = w->trail_length;
    init->u.cursor_init.trail_frequency = w->trail_frequency;
    init->u.cursor_init.visible = w->cursor_visible;
    init->u.cursor_init.cursor = shape_msg(w->cursor_shape);
}

static void broadcast(RedWorker *w, const SpiceMsg *m)
{
    for (GList *l = w->cursor_clients, *next; l; l = next) {
        next = l->next;
        CursorClient *cc = l->data;
        /* Cursor updates are small and superseded by the next one: a client
         * whose window is full misses this one rather than queueing. */
        if (!red_channel_client_can_send(cc->rcc)) {
            continue;
        }
        if (cc->needs_init) {
            SpiceMsg init; /* the current state includes m's change */
            init_message(w, &init);
            if (red_channel_client_send(cc->rcc, &init) == 0) {
                cc->needs_init = false;
            }
            continue;
        }
        red_channel_client_send(cc->rcc, m);
    }
}

static bool cursor_handle_message(RedChannelClient *rcc, const SpiceMsgc *msg, void *opaque)
{
    (void)rcc;
    (void)msg;
    (void)opaque;
    return false; /* the cursor channel has no client messages beyond the base ones */
}

static void cursor_on_closed(RedChannelClient *rcc, void *opaque)
{
    (void)rcc;
    cursor_client_remove(opaque);
}

static const RedChannelClientOps cursor_ops = {
    .handle_message = cursor_handle_message,
    .on_closed = cursor_on_closed,
};

void cursor_channel_attach(RedWorker *w, RedStream *stream, const SpiceLinkRequest *req,
                           RedsConnection *conn)
{
    CursorClient *cc = g_new0(CursorClient, 1);
    cc->worker = w;
    cc->connection = conn;
    cc->session_id = req->connection_id;
    cc->rcc = red_channel_client_new(red_worker_loop_core(w->loop), stream, req, true,
                                     &cursor_ops, cc);
    if (cc->rcc == NULL) {
        if (conn) {
            w->events.client_closed(w->events.opaque, conn);
        }
        g_free(cc);
        return;
    }
    w->cursor_clients = g_list_append(w->cursor_clients, cc);
    w->stats.cursor_clients = g_list_length(w->cursor_clients);
    SpiceMsg init;
    init_message(w, &init);
    red_channel_client_send(cc->rcc, &init);
}

void cursor_channel_handle(RedWorker *w, const RedCursorCommand *cmd)
{
    SpiceMsg m;
    memset(&m, 0, sizeof(m));
    switch (cmd->type) {
    case QXL_CURSOR_SET:
        red_cursor_shape_free(w->cursor_shape);
        w->cursor_shape = cmd->shape;
        w->cursor_x = cmd->x;
        w->cursor_y = cmd->y;
        w->cursor_visible = cmd->visible;
        m.type = SPICE_MSG_CURSOR_SET;
        m.u.cursor_set.position = (SpiceMsgPoint16){ cmd->x, cmd->y };
        m.u.cursor_set.visible = cmd->visible;
        m.u.cursor_set.cursor = shape_msg(w->cursor_shape);
        break;
    case QXL_CURSOR_MOVE:
        red_cursor_shape_free(cmd->shape);
        w->cursor_x = cmd->x;
        w->cursor_y = cmd->y;
        w->cursor_visible = true;
        m.type = SPICE_MSG_CURSOR_MOVE;
        m.u.cursor_move.position = (SpiceMsgPoint16){ cmd->x, cmd->y };
        break;
    case QXL_CURSOR_HIDE:
        red_cursor_shape_free(cmd->shape);
        w->cursor_visible = false;
        m.type = SPICE_MSG_CURSOR_HIDE;
        break;
    case QXL_CURSOR_TRAIL:
        red_cursor_shape_free(cmd->shape);
        w->trail_length = cmd->trail_length;
        w->trail_frequency = cmd->trail_frequency;
        m.type = SPICE_MSG_CURSOR_TRAIL;
        m.u.cursor_trail = (SpiceMsgCursorTrail){ cmd->trail_length, cmd->trail_frequency };
        break;
    default:
        red_cursor_shape_free(cmd->shape);
        red_log_guest_error("cursor command type", cmd->type, "unknown");
        return;
    }
    broadcast(w, &m);
}

void cursor_channel_reset(RedWorker *w)
{
    red_cursor_shape_free(w->cursor_shape);
    w->cursor_shape = NULL;
    w->cursor_x = w->cursor_y = 0;
    w->cursor_visible = false;
    w->trail_length = w->trail_frequency = 0;
    /* Never skipped like updates: a client must not miss the reset, or the
     * INIT that follows would find it still initialised. */
    SpiceMsg m = { .type = SPICE_MSG_CURSOR_RESET };
    for (GList *l = w->cursor_clients, *next; l; l = next) {
        next = l->next;
        CursorClient *cc = l->data;
        if (red_channel_client_send(cc->rcc, &m) == 0) {
            cc->needs_init = true;
        }
    }
}

void cursor_channel_close_all(RedWorker *w)
{
    while (w->cursor_clients) {
        CursorClient *cc = w->cursor_clients->data;
        red_channel_client_close(cc->rcc, "server shutting down");
    }
}
