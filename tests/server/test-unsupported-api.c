/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-unsupported-api: the public entry points of features we do not
 * support (server/api/reds-unsupported.c, reds-audio.c, the char-device
 * subtypes other than vdagent in reds-char-devices.c) give their
 * documented answers, accept NULL everywhere, and take ownership of what
 * the header says they own (the GL scanout fd). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <spice.h>

#include "test-util.h"

/* Some of the entry points under test are deprecated in the header; calling
 * them is the point of this test. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

/* A recognisable non-NULL value, never dereferenced by the code under test. */
static uint32_t sentinel_samples[4];

static void test_playback_without_client(void)
{
    SpicePlaybackInstance sin;
    memset(&sin, 0, sizeof(sin));
    uint32_t *frame = sentinel_samples;
    uint32_t n = 1234;

    spice_server_playback_start(&sin);
    spice_server_playback_get_buffer(&sin, &frame, &n);
    CHECK(frame == NULL);
    CHECK_EQ_U64(n, 0);
    /* NULL out-parameters and instance are tolerated. */
    spice_server_playback_get_buffer(NULL, NULL, NULL);
    spice_server_playback_put_samples(&sin, sentinel_samples);
    spice_server_playback_put_samples(NULL, NULL);
    uint16_t vol[2] = { 100, 200 };
    spice_server_playback_set_volume(&sin, 2, vol);
    spice_server_playback_set_volume(NULL, 2, NULL);
    spice_server_playback_set_mute(&sin, 1);
    spice_server_playback_stop(&sin);
    spice_server_playback_stop(NULL);
    CHECK_EQ_U64(spice_server_get_best_playback_rate(&sin), 48000);
    CHECK_EQ_U64(spice_server_get_best_playback_rate(NULL), 48000);
    spice_server_set_playback_rate(&sin, 44100);
    CHECK_EQ_U64(spice_server_get_best_playback_rate(&sin), 48000);
    CHECK(spice_server_set_playback_compression(NULL, 1) == 0);
    CHECK(spice_server_set_playback_compression(NULL, 0) == 0);
}

static void test_record_without_client(void)
{
    SpiceRecordInstance sin;
    memset(&sin, 0, sizeof(sin));
    uint32_t buf[16];
    memset(buf, 0xa5, sizeof(buf));
    uint32_t before[16];
    memcpy(before, buf, sizeof(buf));

    spice_server_record_start(&sin);
    CHECK_EQ_U64(spice_server_record_get_samples(&sin, buf, 16), 0);
    CHECK_MEM(buf, before, sizeof(buf));          /* buffer left untouched */
    CHECK_EQ_U64(spice_server_record_get_samples(NULL, NULL, 0), 0);
    uint16_t vol[2] = { 1, 2 };
    spice_server_record_set_volume(&sin, 2, vol);
    spice_server_record_set_volume(NULL, 0, NULL);
    spice_server_record_set_mute(&sin, 0);
    spice_server_record_stop(&sin);
    CHECK_EQ_U64(spice_server_get_best_record_rate(&sin), 48000);
    CHECK_EQ_U64(spice_server_get_best_record_rate(NULL), 48000);
    spice_server_set_record_rate(&sin, 48000);
}

/* The list must equal Debian's libspice-server 0.15.1 so that QEMU accepts
 * the same -chardev spicevmc,name=... values. */
static void test_char_device_subtypes(void)
{
    static const char *const want[] = { "vdagent", "smartcard", "usbredir" };
    const char **got = spice_server_char_device_recognized_subtypes();
    CHECK(got != NULL);
    if (!got) {
        return;
    }
    size_t n = 0;
    while (got[n] && n < 16) {
        n++;
    }
    CHECK_EQ_U64(n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < n && i < sizeof(want) / sizeof(want[0]); i++) {
        if (strcmp(got[i], want[i]) != 0) {
            fprintf(stderr, "subtype %zu: got \"%s\", want \"%s\"\n", i, got[i], want[i]);
            CHECK(false);
        }
    }
    /* "port" is not listed: QEMU's spiceport chardev never checks the list. */
    for (size_t i = 0; i < n; i++) {
        CHECK(strcmp(got[i], "port") != 0);
    }
    /* Same static list on every call. */
    CHECK(spice_server_char_device_recognized_subtypes() == got);
}

/* A device that was never added (st NULL) is ignored by wakeup and
 * port_event; the vdagent itself is served (test-agent). */
static void test_char_device_calls_are_noops(void)
{
    SpiceCharDeviceInstance sin;
    memset(&sin, 0, sizeof(sin));      /* st == NULL: must not be dereferenced */
    sin.subtype = "vdagent";
    spice_server_char_device_wakeup(&sin);
    spice_server_char_device_wakeup(NULL);
    spice_server_port_event(&sin, 0);
    spice_server_port_event(NULL, 1);
}

static int never_called_io(SpiceCharDeviceInstance *sin, const uint8_t *buf, int len)
{
    (void)sin;
    (void)buf;
    (void)len;
    CHECK(false);
    return 0;
}

static int never_called_read(SpiceCharDeviceInstance *sin, uint8_t *buf, int len)
{
    (void)sin;
    (void)buf;
    (void)len;
    CHECK(false);
    return 0;
}

/* Subtypes other than vdagent and usbredir are refused (-1, ENOTSUP), so
 * no channel is offered for them; removing them is harmless.  The served
 * ones before spice_server_init are refused too (EINVAL). */
static void test_char_device_subtypes_refused(void)
{
    static const SpiceCharDeviceInterface sif = {
        .base = { .type = SPICE_INTERFACE_CHAR_DEVICE, .description = "test",
                  .major_version = SPICE_INTERFACE_CHAR_DEVICE_MAJOR,
                  .minor_version = SPICE_INTERFACE_CHAR_DEVICE_MINOR },
        .write = never_called_io,
        .read = never_called_read,
    };
    static const char *const refused[] = { "smartcard", "port" };
    SpiceServer *server = spice_server_new();
    CHECK(server != NULL);
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        SpiceCharDeviceInstance sin;
        memset(&sin, 0, sizeof(sin));
        sin.base.sif = &sif.base;
        sin.subtype = refused[i];
        sin.portname = strcmp(refused[i], "port") == 0 ? "org.spice-space.webdav.0" : NULL;
        errno = 0;
        CHECK(spice_server_add_interface(server, &sin.base) == -1);
        CHECK(errno == ENOTSUP);
        CHECK(sin.st == NULL);
        CHECK(spice_server_remove_interface(&sin.base) == 0);
    }
    static const char *const early[] = { "vdagent", "usbredir" };
    for (size_t i = 0; i < sizeof(early) / sizeof(early[0]); i++) {
        SpiceCharDeviceInstance sin;
        memset(&sin, 0, sizeof(sin));
        sin.base.sif = &sif.base;
        sin.subtype = early[i];
        errno = 0;
        CHECK(spice_server_add_interface(server, &sin.base) == -1);
        CHECK(errno == EINVAL);
        CHECK(sin.st == NULL);
    }
    spice_server_destroy(server);
}

static void test_migration_refused(void)
{
    errno = 0;
    CHECK(spice_server_migrate_connect(NULL, "dest.example", 5900, 5901, NULL) == -1);
    CHECK(errno == ENOTSUP);
    CHECK(spice_server_migrate_connect(NULL, NULL, 0, 0, NULL) == -1);
    errno = 0;
    CHECK(spice_server_migrate_info(NULL, "dest.example", 5900, -1, "C=XX") == -1);
    CHECK(errno == ENOTSUP);
    CHECK(spice_server_migrate_start(NULL) == 0);
    CHECK(spice_server_migrate_end(NULL, 1) == 0);
    CHECK(spice_server_migrate_end(NULL, 0) == 0);
    CHECK(spice_server_migrate_switch(NULL) == 0);
    spice_server_set_seamless_migration(NULL, 1);
    spice_server_set_seamless_migration(NULL, 0);
}

static void test_compat_and_deprecated(void)
{
    CHECK(spice_get_current_compat_version() == SPICE_COMPAT_VERSION_CURRENT);
    CHECK(spice_get_current_compat_version() == SPICE_COMPAT_VERSION_0_6);
    CHECK(spice_server_set_compat_version(NULL, SPICE_COMPAT_VERSION_CURRENT) == 0);
    errno = 0;
    CHECK(spice_server_set_compat_version(NULL, SPICE_COMPAT_VERSION_0_4) == -1);
    CHECK(errno == ENOTSUP);
    CHECK(spice_server_set_compat_version(NULL, (spice_compat_version_t)2) == -1);

    CHECK(spice_server_add_renderer(NULL, "sw") == 0);
    CHECK(spice_server_add_renderer(NULL, "oglpbuf") == -1);
    CHECK(spice_server_add_renderer(NULL, "") == -1);
    CHECK(spice_server_add_renderer(NULL, NULL) == -1);

    struct sockaddr_storage ss;
    memset(&ss, 0x5a, sizeof(ss));
    socklen_t len = sizeof(ss);
    errno = 0;
    CHECK(spice_server_get_sock_info(NULL, (struct sockaddr *)&ss, &len) == -1);
    CHECK(errno == ENOTSUP);
    CHECK(spice_server_get_peer_info(NULL, (struct sockaddr *)&ss, &len) == -1);
    CHECK_EQ_U64(len, sizeof(ss));                 /* outputs untouched */
    CHECK(((uint8_t *)&ss)[0] == 0x5a);
    CHECK(spice_server_get_sock_info(NULL, NULL, NULL) == -1);
    CHECK(spice_server_get_peer_info(NULL, NULL, NULL) == -1);
}

static void test_replay_unsupported(void)
{
    FILE *f = tmpfile();
    CHECK(f != NULL);
    errno = 0;
    SpiceReplay *r = spice_replay_new(f, 1024);
    CHECK(r == NULL);
    CHECK(errno == ENOTSUP);
    CHECK(spice_replay_new(NULL, 0) == NULL);
    CHECK(spice_replay_next_cmd(r, NULL) == NULL);
    spice_replay_free_cmd(r, NULL);
    spice_replay_free(r);
    spice_replay_free(NULL);
    if (f) {
        fclose(f);                  /* the file stays the caller's */
    }
}

/* The library owns the scanout fd: it must be closed, not leaked. */
static void test_gl_scanout_closes_fd(void)
{
    int p[2];
    CHECK(pipe(p) == 0);
    CHECK(fcntl(p[0], F_GETFD) != -1);
    spice_qxl_gl_scanout(NULL, p[0], 640, 480, 640 * 4, 0, 1);
    errno = 0;
    CHECK(fcntl(p[0], F_GETFD) == -1);
    CHECK(errno == EBADF);
    /* The other end is ours and still open. */
    CHECK(fcntl(p[1], F_GETFD) != -1);
    close(p[1]);

    QXLInstance qxl;
    memset(&qxl, 0, sizeof(qxl));
    spice_qxl_gl_scanout(&qxl, -1, 0, 0, 0, 0, 0);   /* "scanout off" */
    spice_qxl_set_max_monitors(&qxl, 4);
    spice_qxl_set_max_monitors(NULL, 0);
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_playback_without_client),
        TEST_CASE(test_record_without_client),
        TEST_CASE(test_char_device_subtypes),
        TEST_CASE(test_char_device_calls_are_noops),
        TEST_CASE(test_char_device_subtypes_refused),
        TEST_CASE(test_migration_refused),
        TEST_CASE(test_compat_and_deprecated),
        TEST_CASE(test_replay_unsupported),
        TEST_CASE(test_gl_scanout_closes_fd),
    };
    return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
