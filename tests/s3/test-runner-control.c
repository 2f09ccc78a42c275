/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-runner-control: the runner's control socket (qemu-hw-qxl/runner).
 *
 * The S3 suite waits for the socket file to appear and then connects.  A
 * file that appears at bind(), before listen(), refused that connect on a
 * loaded CI machine; so the file must appear only by a rename of a socket
 * already listening.  An inotify watch of the folder sees which. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "runner-control.h"
#include "runner-json.h"
#include "test-util.h"

static char *echo_handler(void *opaque, GHashTable *cmd)
{
    (void)opaque;
    const char *what = runner_json_str(cmd, "execute");
    return g_strdup_printf("{\"return\":{\"seen\":\"%s\"}}", what ? what : "");
}

/* Reads one line from fd, running ctx while waiting; bounded. */
static gboolean read_line(GMainContext *ctx, int fd, char *buf, size_t size)
{
    size_t n = 0;
    for (int i = 0; i < 2000 && n + 1 < size; i++) {
        while (g_main_context_iteration(ctx, FALSE)) {
        }
        ssize_t r = recv(fd, buf + n, size - 1 - n, MSG_DONTWAIT);
        if (r > 0) {
            n += (size_t)r;
            buf[n] = '\0';
            if (memchr(buf, '\n', n) != NULL) {
                return TRUE;
            }
        } else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
            return FALSE;
        } else {
            g_usleep(1000);
        }
    }
    return FALSE;
}

static void test_socket_appears_listening(void)
{
    g_autofree char *dir = g_dir_make_tmp("s3d-control-XXXXXX", NULL);
    CHECK(dir != NULL);
    g_autofree char *path = g_build_filename(dir, "control.sock", NULL);
    GMainContext *ctx = g_main_context_new();

    int ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    CHECK(ino >= 0);
    CHECK(inotify_add_watch(ino, dir, IN_CREATE | IN_MOVED_TO) >= 0);

    RunnerControl *ctl = runner_control_new(ctx, path, echo_handler, NULL);
    CHECK(ctl != NULL);

    /* How control.sock came to be: moved in, never created in place. */
    char ev[sizeof(struct inotify_event) + NAME_MAX + 1]
        __attribute__((aligned(__alignof__(struct inotify_event))));
    gboolean moved_in = FALSE, created_in_place = FALSE;
    ssize_t len;
    while ((len = read(ino, ev, sizeof(ev))) > 0) {
        for (char *p = ev; p < ev + len;) {
            struct inotify_event *e = (struct inotify_event *)p;
            if (e->len > 0 && strcmp(e->name, "control.sock") == 0) {
                moved_in |= (e->mask & IN_MOVED_TO) != 0;
                created_in_place |= (e->mask & IN_CREATE) != 0;
            }
            p += sizeof(*e) + e->len;
        }
    }
    close(ino);
    CHECK(moved_in);
    CHECK(!created_in_place);

    /* Nothing but the socket is left in the folder. */
    GDir *d = g_dir_open(dir, 0, NULL);
    CHECK(d != NULL);
    int entries = 0;
    for (const char *name; (name = g_dir_read_name(d)) != NULL;) {
        CHECK(strcmp(name, "control.sock") == 0);
        entries++;
    }
    g_dir_close(d);
    CHECK(entries == 1);

    /* It answers: greeting, then a command. */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    CHECK(strlen(path) < sizeof(sun.sun_path));
    strcpy(sun.sun_path, path);
    CHECK(connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0);
    char line[512];
    CHECK(read_line(ctx, fd, line, sizeof(line)));
    CHECK(strstr(line, "\"greeting\"") != NULL);
    const char cmd[] = "{\"execute\":\"status\"}\n";
    CHECK(send(fd, cmd, sizeof(cmd) - 1, MSG_NOSIGNAL) == (ssize_t)(sizeof(cmd) - 1));
    CHECK(read_line(ctx, fd, line, sizeof(line)));
    CHECK(strstr(line, "\"return\"") != NULL);
    close(fd);

    runner_control_free(ctl);
    CHECK(access(path, F_OK) != 0);
    CHECK(rmdir(dir) == 0);
    g_main_context_unref(ctx);
}

/* A stale socket file (a runner killed earlier) is replaced. */
static void test_stale_file_replaced(void)
{
    g_autofree char *dir = g_dir_make_tmp("s3d-control-XXXXXX", NULL);
    CHECK(dir != NULL);
    g_autofree char *path = g_build_filename(dir, "control.sock", NULL);
    CHECK(g_file_set_contents(path, "stale", -1, NULL));
    GMainContext *ctx = g_main_context_new();
    RunnerControl *ctl = runner_control_new(ctx, path, echo_handler, NULL);
    CHECK(ctl != NULL);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    strcpy(sun.sun_path, path);
    CHECK(connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0);
    close(fd);
    runner_control_free(ctl);
    CHECK(rmdir(dir) == 0);
    g_main_context_unref(ctx);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_socket_appears_listening),
        TEST_CASE(test_stale_file_replaced),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
