/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runner-control.c: Unix socket, line framing, replies and events. */
#include "config.h"

#include "runner-control.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>

#include "runner-json.h"
#include "vm-log.h"

typedef struct ControlClient {
    RunnerControl *ctl;
    int fd;
    GSource *source;
    GString *in;
} ControlClient;

struct RunnerControl {
    GMainContext *ctx;
    char *path;
    int listen_fd;
    GSource *listen_source;
    GPtrArray *clients;
    RunnerControlHandler handler;
    void *opaque;
};

static void client_free(ControlClient *c)
{
    g_source_destroy(c->source);
    g_source_unref(c->source);
    close(c->fd);
    g_string_free(c->in, TRUE);
    g_free(c);
}

/* Replies are small; a client that does not read them is dropped rather
 * than letting the loop block (the socket is non-blocking). */
static bool client_send(ControlClient *c, const char *line)
{
    size_t len = strlen(line);
    char *buf = g_strdup_printf("%s\n", line);
    size_t off = 0;
    bool ok = true;
    while (off <= len) {
        ssize_t n = send(c->fd, buf + off, len + 1 - off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            ok = false;
            break;
        }
        off += (size_t)n;
    }
    g_free(buf);
    return ok;
}

static char *error_reply(const char *desc)
{
    GString *s = g_string_new("{\"error\":{\"desc\":");
    runner_json_append_str(s, desc);
    g_string_append(s, "}}");
    return g_string_free(s, FALSE);
}

static void handle_line(ControlClient *c, const char *line, size_t len)
{
    if (len == 0) {
        return;
    }
    GHashTable *cmd = runner_json_parse_flat(line, len);
    char *reply;
    if (cmd == NULL) {
        reply = error_reply("malformed command: one flat JSON object per line expected");
    } else if (runner_json_str(cmd, "execute") == NULL) {
        reply = error_reply("missing \"execute\"");
    } else {
        reply = c->ctl->handler(c->ctl->opaque, cmd);
    }
    if (cmd) {
        g_hash_table_unref(cmd);
    }
    client_send(c, reply);
    g_free(reply);
}

static gboolean client_readable(gint fd, GIOCondition cond, gpointer data)
{
    ControlClient *c = data;
    (void)cond;
    char buf[1024];
    ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {
        g_ptr_array_remove(c->ctl->clients, c); /* frees it */
        return G_SOURCE_REMOVE;
    }
    g_string_append_len(c->in, buf, n);
    char *nl;
    while ((nl = memchr(c->in->str, '\n', c->in->len)) != NULL) {
        size_t len = (size_t)(nl - c->in->str);
        if (len > RUNNER_CONTROL_MAX_LINE) {
            char *r = error_reply("line too long");
            client_send(c, r);
            g_free(r);
        } else {
            handle_line(c, c->in->str, len);
        }
        g_string_erase(c->in, 0, (gssize)len + 1);
    }
    if (c->in->len > RUNNER_CONTROL_MAX_LINE) {
        vm_log_warn("control: dropping a client that sent %zu bytes without a newline",
                    c->in->len);
        g_ptr_array_remove(c->ctl->clients, c);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static gboolean accept_ready(gint fd, GIOCondition cond, gpointer data)
{
    RunnerControl *ctl = data;
    (void)cond;
    int cfd = accept(fd, NULL, NULL);
    if (cfd < 0) {
        return G_SOURCE_CONTINUE;
    }
    if (ctl->clients->len >= RUNNER_CONTROL_MAX_CLIENTS) {
        close(cfd);
        return G_SOURCE_CONTINUE;
    }
    ControlClient *c = g_new0(ControlClient, 1);
    c->ctl = ctl;
    c->fd = cfd;
    c->in = g_string_new(NULL);
    c->source = g_unix_fd_source_new(cfd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(c->source, G_SOURCE_FUNC(client_readable), c, NULL);
    g_source_attach(c->source, ctl->ctx);
    g_ptr_array_add(ctl->clients, c);
    client_send(c, "{\"greeting\":{\"name\":\"s3d-stack\"}}");
    return G_SOURCE_CONTINUE;
}

RunnerControl *runner_control_new(GMainContext *ctx, const char *path,
                                  RunnerControlHandler handler, void *opaque)
{
    /* The socket is bound and listening under a temporary name and only
     * then renamed to path, so a client that sees path can connect: between
     * bind() and listen() a connect is refused, and a test that waits for
     * the file to appear lost that race on a loaded machine. */
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_autofree char *tmp = g_strdup_printf("%s.%d.tmp", path, (int)getpid());
    if (strlen(tmp) >= sizeof(addr.sun_path)) {
        vm_log_warn("control: socket path too long: %s", path);
        return NULL;
    }
    strcpy(addr.sun_path, tmp);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return NULL;
    }
    /* A stale file at path (a runner killed earlier) goes first, so a
     * client waits for ours rather than being refused by it. */
    unlink(path);
    unlink(tmp);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 4) != 0 ||
        rename(tmp, path) != 0) {
        vm_log_warn("control: cannot listen on %s: %s", path, g_strerror(errno));
        unlink(tmp);
        close(fd);
        return NULL;
    }
    RunnerControl *ctl = g_new0(RunnerControl, 1);
    ctl->ctx = ctx;
    ctl->path = g_strdup(path);
    ctl->listen_fd = fd;
    ctl->handler = handler;
    ctl->opaque = opaque;
    ctl->clients = g_ptr_array_new_with_free_func((GDestroyNotify)client_free);
    ctl->listen_source = g_unix_fd_source_new(fd, G_IO_IN);
    g_source_set_callback(ctl->listen_source, G_SOURCE_FUNC(accept_ready), ctl, NULL);
    g_source_attach(ctl->listen_source, ctx);
    return ctl;
}

void runner_control_free(RunnerControl *ctl)
{
    if (ctl == NULL) {
        return;
    }
    g_ptr_array_free(ctl->clients, TRUE);
    g_source_destroy(ctl->listen_source);
    g_source_unref(ctl->listen_source);
    close(ctl->listen_fd);
    unlink(ctl->path);
    g_free(ctl->path);
    g_free(ctl);
}

void runner_control_broadcast(RunnerControl *ctl, const char *name, const char *data_json)
{
    GString *s = g_string_new("{\"event\":");
    runner_json_append_str(s, name);
    g_string_append_printf(s, ",\"data\":%s}", data_json);
    for (guint i = ctl->clients->len; i-- > 0;) {
        ControlClient *c = g_ptr_array_index(ctl->clients, i);
        if (!client_send(c, s->str)) {
            g_ptr_array_remove_index(ctl->clients, i);
        }
    }
    g_string_free(s, TRUE);
}
