/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-public-api: public entry points that must behave as the real
 * library's, because hosts and upstream's own tests rely on them:
 *
 *  - spice_qxl_* calls made from the attached_worker callback reach the
 *    worker (QEMU and upstream's demos add their memslot and primary there);
 *  - SPICE_ADDR_FLAG_UNIX_ONLY listens on a unix socket path, replacing a
 *    stale socket file;
 *  - spice_server_set_listen_socket_fd: clients are accepted on the
 *    caller's socket, which the server leaves open;
 *  - a peer whose first 4 bytes are not the SPICE magic gets the link error
 *    reply (INVALID_MAGIC) at once, without sending a whole header;
 *  - spice_server_set_video_codecs validates its string as the real
 *    library does (rules in server/api/reds-video-codecs.c);
 *  - the guest's keyboard LEDs are sent back to the client after it pressed
 *    a lock key, even when the guest never changed them;
 *  - spice_server_init creates its timers (that LED echo), and a
 *    core interface of the wrong version is refused with -1;
 *  - the device hears QXLInterface.set_client_capabilities when a display
 *    client comes (present, with the caps the guest may draw for) and goes
 *    (not present), as upstream's demos wait for before they draw.
 *
 * Every wait is bounded; a deadline reached is a failure, not a timing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>

#include "test-client.h"
#include "test-core.h"
#include "test-qxl-server.h"
#include "fake-qxl.h"
#include "test-util.h"

/* spice_server_set_listen_socket_fd is deprecated in the header; that it
 * still works is part of what is tested. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

#define CALL_TIMEOUT_MS 20000
#define IO_TIMEOUT_MS 10000
#define PASSWORD "secret"

/* ---- a server on a TestCore, configured by a callback ------------------- */

typedef struct Server {
    TestCore *core;
    SpiceServer *server;
    void (*configure)(SpiceServer *server, void *data);
    void *data;
    int init_result;
} Server;

static void server_start_on_core(void *opaque)
{
    Server *s = opaque;
    s->server = spice_server_new();
    spice_server_set_ticket(s->server, PASSWORD, 0, 0, 0);
    if (s->configure) {
        s->configure(s->server, s->data);
    }
    s->init_result = spice_server_init(s->server, test_core_get_interface(s->core));
}

static void server_destroy_on_core(void *opaque)
{
    Server *s = opaque;
    spice_server_destroy(s->server);
    s->server = NULL;
}

static bool server_start(Server *s, void (*configure)(SpiceServer *, void *), void *data)
{
    s->core = test_core_create();
    s->configure = configure;
    s->data = data;
    if (s->core == NULL || test_core_call(s->core, server_start_on_core, s, CALL_TIMEOUT_MS) != 0) {
        fprintf(stderr, "server start-up failed or hung\n");
        exit(1);
    }
    return s->init_result == 0;
}

static void server_stop(Server *s)
{
    if (test_core_call(s->core, server_destroy_on_core, s, CALL_TIMEOUT_MS) != 0) {
        fprintf(stderr, "server teardown hung\n");
        exit(1);
    }
    test_core_destroy(s->core);
}

/* ---- attached_worker ------------------------------------------------------ */

typedef struct AttachData {
    FakeQxl *qxl;
    int add_result;
} AttachData;

static void add_qxl_on_core(void *opaque)
{
    void **args = opaque;
    Server *s = args[0];
    AttachData *a = args[1];
    a->add_result = spice_server_add_interface(s->server, &fake_qxl_get_instance(a->qxl)->base);
    spice_server_vm_start(s->server);
}

static void remove_qxl_on_core(void *opaque)
{
    AttachData *a = opaque;
    spice_server_remove_interface(&fake_qxl_get_instance(a->qxl)->base);
}

static void test_qxl_calls_from_attached_worker(void)
{
    Server s = { 0 };
    CHECK(server_start(&s, NULL, NULL));
    AttachData a = { .qxl = fake_qxl_create(0) };
    /* The device sets itself up inside attached_worker: memslot, primary. */
    fake_qxl_set_up_on_attach(a.qxl, 64, 32);
    void *args[2] = { &s, &a };
    CHECK(test_core_call(s.core, add_qxl_on_core, args, CALL_TIMEOUT_MS) == 0);
    CHECK(a.add_result == 0);
    /* A fill drawn after that lands in the primary only if both reached the
     * worker. */
    QXLRect box = { .top = 4, .left = 8, .bottom = 20, .right = 40 };
    CHECK(fake_qxl_submit_fill(a.qxl, &box, 0x123456) == 0);
    spice_qxl_flush_surfaces_async(fake_qxl_get_instance(a.qxl), 77);
    CHECK(fake_qxl_wait_async(a.qxl, 77, IO_TIMEOUT_MS) == 1);
    CHECK_EQ_U64(fake_qxl_primary_pixel(a.qxl, 10, 10) & 0xffffff, 0x123456);
    CHECK_EQ_U64(fake_qxl_primary_pixel(a.qxl, 2, 2) & 0xffffff, 0);
    fake_qxl_destroy_primary(a.qxl);
    spice_qxl_destroy_surfaces(fake_qxl_get_instance(a.qxl));
    CHECK(fake_qxl_wait_all_released(a.qxl, IO_TIMEOUT_MS));
    CHECK(test_core_call(s.core, remove_qxl_on_core, &a, CALL_TIMEOUT_MS) == 0);
    server_stop(&s);
    fake_qxl_destroy(a.qxl);
}

/* ---- listening -------------------------------------------------------------- */

/* A full main-channel link over fd: the peer is a SPICE server. */
static void check_links(int fd)
{
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK_EQ_U64(test_client_link(fd, SPICE_CHANNEL_MAIN, 0, PASSWORD, IO_TIMEOUT_MS),
                     SPICE_LINK_ERR_OK);
        close(fd);
    }
}

static int connect_unix(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void configure_unix(SpiceServer *server, void *path)
{
    spice_server_set_addr(server, path, SPICE_ADDR_FLAG_UNIX_ONLY);
}

static void test_unix_socket(void)
{
    char *dir = g_dir_make_tmp("test-public-api.XXXXXX", NULL);
    CHECK(dir != NULL);
    char *path = g_build_filename(dir, "spice.sock", NULL);
    /* A socket file left by an earlier run is replaced, as upstream does. */
    int stale = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
    CHECK(bind(stale, (struct sockaddr *)&sun, sizeof(sun)) == 0);
    close(stale);

    Server s = { 0 };
    CHECK(server_start(&s, configure_unix, path));
    struct stat st;
    CHECK(stat(path, &st) == 0 && S_ISSOCK(st.st_mode));
    check_links(connect_unix(path));
    server_stop(&s);
    unlink(path);
    rmdir(dir);
    g_free(path);
    g_free(dir);
}

static void configure_listen_fd(SpiceServer *server, void *fd)
{
    spice_server_set_listen_socket_fd(server, *(int *)fd);
}

static void test_listen_socket_fd(void)
{
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(sin);
    CHECK(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == 0 && listen(lfd, 4) == 0);
    CHECK(getsockname(lfd, (struct sockaddr *)&sin, &len) == 0);
    Server s = { 0 };
    CHECK(server_start(&s, configure_listen_fd, &lfd));
    check_links(test_client_connect(ntohs(sin.sin_port), 0));
    server_stop(&s);
    /* The caller's socket is the caller's: still open after destroy. */
    CHECK(fcntl(lfd, F_GETFD) >= 0);
    close(lfd);
}

/* ---- the link error reply to a bad magic --------------------------------- */

static void configure_port(SpiceServer *server, void *port)
{
    spice_server_set_addr(server, "127.0.0.1", SPICE_ADDR_FLAG_IPV4_ONLY);
    spice_server_set_port(server, *(int *)port);
}

static void test_bad_magic_reply(void)
{
    int port = test_free_port();
    Server s = { 0 };
    CHECK(server_start(&s, configure_port, &port));
    int fd = test_client_connect(port, 0);
    CHECK(fd >= 0);
    /* Only 4 bytes, as upstream's test-listen sends: the reply must come
     * without the rest of a header. */
    const uint8_t junk[4] = { 0xa5, 0xa5, 0xa5, 0xa5 };
    CHECK(test_client_write_all(fd, junk, sizeof(junk)) == 0);
    uint8_t reply[16 + 4];
    CHECK(test_client_read_all(fd, reply, sizeof(reply), IO_TIMEOUT_MS) == 0);
    CHECK_MEM(reply, "REDQ", 4);
    uint32_t err = (uint32_t)reply[16] | (uint32_t)reply[17] << 8 | (uint32_t)reply[18] << 16 |
                   (uint32_t)reply[19] << 24;
    CHECK_EQ_U64(err, SPICE_LINK_ERR_INVALID_MAGIC);
    CHECK(test_client_wait_closed(fd, IO_TIMEOUT_MS));
    close(fd);
    server_stop(&s);
}

/* ---- the keyboard LEDs sent back after a lock key ------------------------ */

/* The guest's keyboard: caps lock on, whatever keys arrive (a guest that
 * does not act on the key, so no LED change ever reaches the server). */
static void kbd_push_scan(SpiceKbdInstance *sin, uint8_t frag)
{
    (void)sin;
    (void)frag;
}

static uint8_t kbd_get_leds(SpiceKbdInstance *sin)
{
    (void)sin;
    return SPICE_KEYBOARD_MODIFIER_FLAGS_CAPS_LOCK;
}

static const SpiceKbdInterface kbd_iface = {
    .base = { .type = SPICE_INTERFACE_KEYBOARD, .description = "test keyboard",
              .major_version = SPICE_INTERFACE_KEYBOARD_MAJOR,
              .minor_version = SPICE_INTERFACE_KEYBOARD_MINOR },
    .push_scan_freg = kbd_push_scan,
    .get_leds = kbd_get_leds,
};

static void configure_port_and_keyboard(SpiceServer *server, void *data)
{
    void **args = data;
    configure_port(server, args[0]);
    CHECK(spice_server_add_interface(server, &((SpiceKbdInstance *)args[1])->base) == 0);
}

/* Reads inputs messages until one of type `want`; its modifiers, or -1. */
static int read_modifiers(TestChannel *ch, uint16_t want)
{
    for (;;) {
        uint8_t *body = NULL;
        uint32_t size = 0;
        int type = test_channel_read(ch, &body, &size, 4096, IO_TIMEOUT_MS);
        if (type < 0) {
            return -1;
        }
        int mods = size >= 2 ? (int)(body[0] | body[1] << 8) : -1;
        g_free(body);
        if (type == want) {
            return mods;
        }
    }
}

static void test_leds_sent_after_lock_key(void)
{
    int port = test_free_port();
    SpiceKbdInstance kbd = { .base.sif = &kbd_iface.base };
    void *args[2] = { &port, &kbd };
    Server s = { 0 };
    CHECK(server_start(&s, configure_port_and_keyboard, args));
    uint32_t session = 0;
    int main_fd = test_client_open_session(port, PASSWORD, &session, IO_TIMEOUT_MS);
    CHECK(main_fd >= 0);
    int fd = test_client_connect(port, 0);
    CHECK_EQ_U64(test_client_link(fd, SPICE_CHANNEL_INPUTS, session, PASSWORD, IO_TIMEOUT_MS),
                 SPICE_LINK_ERR_OK);
    TestChannel ch;
    test_channel_init(&ch, fd, SPICE_CHANNEL_INPUTS, true);
    CHECK(read_modifiers(&ch, SPICE_MSG_INPUTS_INIT) == SPICE_KEYBOARD_MODIFIER_FLAGS_CAPS_LOCK);
    /* The client presses caps lock (and toggles its own LED off); the
     * guest's LEDs come back although they never changed. */
    SpiceMsgc down = { .type = SPICE_MSGC_INPUTS_KEY_DOWN, .u.key_down.code = 0x3a };
    SpiceMsgc up = { .type = SPICE_MSGC_INPUTS_KEY_UP, .u.key_up.code = 0xba };
    CHECK(test_client_send_msgc(fd, SPICE_CHANNEL_INPUTS, &down) == 0);
    CHECK(test_client_send_msgc(fd, SPICE_CHANNEL_INPUTS, &up) == 0);
    CHECK(read_modifiers(&ch, SPICE_MSG_INPUTS_KEY_MODIFIERS) ==
          SPICE_KEYBOARD_MODIFIER_FLAGS_CAPS_LOCK);
    close(fd);
    close(main_fd);
    server_stop(&s);
}

/* ---- video codecs ------------------------------------------------------------ */

static void check_codecs(SpiceServer *server, const char *set, int want_result, const char *want_get)
{
    int r = spice_server_set_video_codecs(server, set);
    const char *got = spice_server_get_video_codecs(server);
    if (r != want_result || strcmp(got, want_get) != 0) {
        fprintf(stderr, "set_video_codecs(\"%s\") = %d, get \"%s\"; want %d, \"%s\"\n",
                set ? set : "(null)", r, got, want_result, want_get);
        test_failures_in_current++;
    }
    spice_server_free_video_codecs(server, got);
}

static void test_video_codecs(void)
{
    SpiceServer *server = spice_server_new();
    check_codecs(server, "spice:mjpeg", 0, "spice:mjpeg");
    check_codecs(server, ";;spice:mjpeg;;spice:mjpeg;;;", 0, "spice:mjpeg;spice:mjpeg");
    /* Bad entries are skipped, the rest kept. */
    check_codecs(server, "spice:vp8;a&b;spice:h264", 0, "spice:vp8;spice:h264");
    check_codecs(server, "bogus:mjpeg;spice:vp9;spice:h265", 0, "spice:vp9");
    check_codecs(server, "gstreamer:h264;spice:mjpeg", 0, "spice:mjpeg");
    /* Nothing usable: -1, and the last list stays. */
    static const char *const bad[] = {
        "", ";", ";;;;", ";:;", "::::", "missingcolon", ":missing_encoder", "missing_value:;",
        "unknown_encoder:mjpeg", "spice:unknown_codec", "spice&:mjpeg", "spice:mjpeg&",
        "gstreamer:mjpeg", "spice:mjpeg ", " spice:mjpeg", "spice::mjpeg", "SPICE:mjpeg",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        check_codecs(server, bad[i], -1, "spice:mjpeg");
    }
    errno = 0;
    check_codecs(server, NULL, -1, "spice:mjpeg");
    CHECK(errno == EINVAL);
    spice_server_destroy(server);
    /* Before any set the list is empty. */
    server = spice_server_new();
    const char *got = spice_server_get_video_codecs(server);
    CHECK(strcmp(got, "") == 0);
    spice_server_free_video_codecs(server, got);
    spice_server_destroy(server);
}

/* ---- init: timers, and the core interface version ------------------------ */

/* Never-dereferenced handles, as upstream's test-empty-success uses: the
 * server must treat them as opaque. */
static SpiceTimer *const dummy_timer = (SpiceTimer *)(uintptr_t)0xbeefdead;
static SpiceWatch *const dummy_watch = (SpiceWatch *)(uintptr_t)0xdeadbeef;
static unsigned timers_added, timers_removed, watches_added, watches_removed;

static SpiceTimer *count_timer_add(SpiceTimerFunc func, void *opaque)
{
    (void)func;
    (void)opaque;
    timers_added++;
    return dummy_timer;
}

static void count_timer_start(SpiceTimer *timer, uint32_t ms)
{
    (void)ms;
    CHECK(timer == dummy_timer);
}

static void count_timer_cancel(SpiceTimer *timer)
{
    CHECK(timer == dummy_timer);
}

static void count_timer_remove(SpiceTimer *timer)
{
    CHECK(timer == dummy_timer);
    timers_removed++;
}

static SpiceWatch *count_watch_add(int fd, int mask, SpiceWatchFunc func, void *opaque)
{
    (void)fd;
    (void)mask;
    (void)func;
    (void)opaque;
    watches_added++;
    return dummy_watch;
}

static void count_watch_update_mask(SpiceWatch *watch, int mask)
{
    (void)mask;
    CHECK(watch == dummy_watch);
}

static void count_watch_remove(SpiceWatch *watch)
{
    CHECK(watch == dummy_watch);
    watches_removed++;
}

static void count_channel_event(int event, SpiceChannelEventInfo *info)
{
    (void)event;
    (void)info;
}

static void test_timers_created_at_init(void)
{
    SpiceCoreInterface core;
    memset(&core, 0, sizeof(core));
    core.base.major_version = SPICE_INTERFACE_CORE_MAJOR;
    core.timer_add = count_timer_add;
    core.timer_start = count_timer_start;
    core.timer_cancel = count_timer_cancel;
    core.timer_remove = count_timer_remove;
    core.watch_add = count_watch_add;
    core.watch_update_mask = count_watch_update_mask;
    core.watch_remove = count_watch_remove;
    core.channel_event = count_channel_event;
    SpiceServer *server = spice_server_new();
    spice_server_set_port(server, 0); /* no socket: only what init itself creates */
    CHECK(spice_server_init(server, &core) == 0);
    CHECK(timers_added > 0);
    CHECK(watches_added > 0);
    spice_server_destroy(server);
    /* Everything init created is handed back. */
    CHECK_EQ_U64(timers_removed, timers_added);
    CHECK_EQ_U64(watches_removed, watches_added);
}

static void test_null_core(void)
{
    SpiceCoreInterface core;
    memset(&core, 0, sizeof(core)); /* major version 0: not an interface we know */
    SpiceServer *server = spice_server_new();
    CHECK(spice_server_init(server, &core) == -1);
    spice_server_set_port(server, 5911);
    spice_server_destroy(server);
}

/* ---- set_client_capabilities as display clients come and go ------------- */

static void test_client_capabilities(void)
{
    TestQxlServer *ts = test_qxl_server_create(64, 64, TEST_QXL_SERVER_RAW);
    CHECK(ts != NULL);
    if (ts == NULL) {
        return;
    }
    /* The VM started with no client: the device heard "none" (or will). */
    CHECK(fake_qxl_wait_client_present(ts->qxl, false, CALL_TIMEOUT_MS));
    uint32_t session = 0;
    int main_fd = test_client_open_session(ts->port, TEST_QXL_SERVER_PASSWORD, &session,
                                           IO_TIMEOUT_MS);
    int fd = test_client_connect(ts->port, 0);
    CHECK(main_fd >= 0 && fd >= 0);
    CHECK_EQ_U64(test_client_link_display(fd, 0, session, TEST_QXL_SERVER_PASSWORD,
                                          TEST_CLIENT_DISPLAY_PLAIN, IO_TIMEOUT_MS),
                 SPICE_LINK_ERR_OK);
    CHECK(fake_qxl_wait_client_present(ts->qxl, true, CALL_TIMEOUT_MS));
    FakeQxlStats st;
    fake_qxl_get_stats(ts->qxl, &st);
    /* We render composite drawings and A8 surfaces for any client. */
    CHECK_EQ_U64(st.client_caps0, (1u << SPICE_DISPLAY_CAP_COMPOSITE) |
                                  (1u << SPICE_DISPLAY_CAP_A8_SURFACE));
    close(fd);
    CHECK(fake_qxl_wait_client_present(ts->qxl, false, CALL_TIMEOUT_MS));
    fake_qxl_get_stats(ts->qxl, &st);
    CHECK_EQ_U64(st.client_caps0, 0);
    close(main_fd);
    CHECK(test_qxl_server_destroy(ts, CALL_TIMEOUT_MS));
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_qxl_calls_from_attached_worker),
        TEST_CASE(test_unix_socket),
        TEST_CASE(test_listen_socket_fd),
        TEST_CASE(test_bad_magic_reply),
        TEST_CASE(test_leds_sent_after_lock_key),
        TEST_CASE(test_video_codecs),
        TEST_CASE(test_timers_created_at_init),
        TEST_CASE(test_null_core),
        TEST_CASE(test_client_capabilities),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
