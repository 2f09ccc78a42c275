// SPDX-License-Identifier: LGPL-2.1-or-later
/* red-channel-registry.c: channel classes and the instances they offer. */
#include "config.h"

#include "red-channel-registry.h"

#include <glib.h>

#include "red-log.h"

typedef struct RegisteredClass {
    const RedChannelClass *cls;
    void *opaque;
} RegisteredClass;

typedef struct Instance {
    uint8_t type, id;
    void *instance;
} Instance;

struct RedChannelRegistry {
    GArray *classes;            /* RegisteredClass, in the order added */
    GArray *instances;          /* Instance, in the order added */
};

RedChannelRegistry *red_channel_registry_new(void)
{
    RedChannelRegistry *r = g_new0(RedChannelRegistry, 1);
    r->classes = g_array_new(FALSE, FALSE, sizeof(RegisteredClass));
    r->instances = g_array_new(FALSE, FALSE, sizeof(Instance));
    return r;
}

void red_channel_registry_free(RedChannelRegistry *r)
{
    if (r == NULL) {
        return;
    }
    g_array_free(r->classes, TRUE);
    g_array_free(r->instances, TRUE);
    g_free(r);
}

static const RegisteredClass *find_class(const RedChannelRegistry *r, uint8_t type)
{
    for (guint i = 0; i < r->classes->len; i++) {
        const RegisteredClass *c = &g_array_index(r->classes, RegisteredClass, i);
        if (c->cls->type == type) {
            return c;
        }
    }
    return NULL;
}

static int find_instance(const RedChannelRegistry *r, uint8_t type, uint8_t id)
{
    for (guint i = 0; i < r->instances->len; i++) {
        const Instance *in = &g_array_index(r->instances, Instance, i);
        if (in->type == type && in->id == id) {
            return (int)i;
        }
    }
    return -1;
}

int red_channel_registry_add_class(RedChannelRegistry *r, const RedChannelClass *cls,
                                   void *opaque)
{
    if (find_class(r, cls->type)) {
        return -1;
    }
    RegisteredClass c = { cls, opaque };
    g_array_append_val(r->classes, c);
    return 0;
}

int red_channel_registry_add(RedChannelRegistry *r, uint8_t type, uint8_t id, void *instance)
{
    const RegisteredClass *c = find_class(r, type);
    if (c == NULL || c->cls->opens_session || find_instance(r, type, id) >= 0) {
        return -1;
    }
    Instance in = { type, id, instance };
    g_array_append_val(r->instances, in);
    return 0;
}

void red_channel_registry_remove(RedChannelRegistry *r, uint8_t type, uint8_t id)
{
    int i = find_instance(r, type, id);
    if (i >= 0) {
        g_array_remove_index(r->instances, (guint)i); /* keeps the list order */
    }
}

bool red_channel_registry_offers(const RedChannelRegistry *r, uint8_t type, uint8_t id)
{
    return find_instance(r, type, id) >= 0;
}

unsigned red_channel_registry_count(const RedChannelRegistry *r, uint8_t type)
{
    unsigned n = 0;
    for (guint i = 0; i < r->instances->len; i++) {
        n += g_array_index(r->instances, Instance, i).type == type;
    }
    return n;
}

size_t red_channel_registry_size(const RedChannelRegistry *r)
{
    return r->instances->len;
}

size_t red_channel_registry_list(const RedChannelRegistry *r, uint8_t *pairs, size_t max)
{
    size_t n = 0;
    for (guint i = 0; i < r->instances->len && n < max; i++, n++) {
        const Instance *in = &g_array_index(r->instances, Instance, i);
        pairs[2 * n] = in->type;
        pairs[2 * n + 1] = in->id;
    }
    return n;
}

void red_channel_registry_caps(const RedChannelRegistry *r, uint8_t type, SpiceLinkCaps *caps)
{
    const RegisteredClass *c = find_class(r, type);
    if (c && c->cls->caps) {
        c->cls->caps(c->opaque, caps);
    }
}

bool red_channel_registry_opens_session(const RedChannelRegistry *r, uint8_t type)
{
    const RegisteredClass *c = find_class(r, type);
    return c && c->cls->opens_session;
}

void red_channel_registry_link(RedChannelRegistry *r, RedStream *stream,
                               const SpiceLinkRequest *req)
{
    const RegisteredClass *c = find_class(r, req->channel_type);
    void *instance = NULL;
    if (c && !c->cls->opens_session) {
        int i = find_instance(r, req->channel_type, req->channel_id);
        c = i >= 0 ? c : NULL;
        instance = i >= 0 ? g_array_index(r->instances, Instance, i).instance : NULL;
    }
    if (c == NULL || c->cls->link == NULL) {
        /* check_channel said yes a moment ago on this thread: a bug of ours. */
        red_log_warn("link: no channel %u:%u to serve it", req->channel_type, req->channel_id);
        red_stream_free(stream);
        return;
    }
    c->cls->link(c->opaque, instance, stream, req);
}

void red_channel_registry_session_ended(RedChannelRegistry *r, uint32_t session_id,
                                        const char *why)
{
    for (guint i = 0; i < r->classes->len; i++) {
        const RegisteredClass *c = &g_array_index(r->classes, RegisteredClass, i);
        if (c->cls->session_ended) {
            c->cls->session_ended(c->opaque, session_id, why);
        }
    }
}

void red_channel_registry_close_all(RedChannelRegistry *r, const char *why)
{
    for (guint i = r->classes->len; i-- > 0;) {
        const RegisteredClass *c = &g_array_index(r->classes, RegisteredClass, i);
        if (c->cls->close_all) {
            c->cls->close_all(c->opaque, why);
        }
    }
}
