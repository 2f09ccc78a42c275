/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-audio: the playback and record channels (server/audio/) driven
 * through <spice.h> as QEMU drives them, against our minimal client:
 * channels offered once the interfaces are added; PLAYBACK_MODE, START,
 * DATA (raw PCM byte for byte, Opus decoding to the sine that was fed),
 * VOLUME, MUTE, STOP; a client that stops reading loses old frames instead
 * of making the server queue them (and is not cut off); RECORD_START,
 * RECORD_DATA in raw and Opus back through spice_server_record_get_samples;
 * hostile record data closes that client and its session; two clients
 * both hear playback, and the newest record client feeds the guest.
 * The server runs on its own thread (server-fixture.h); every API call
 * runs there. */
#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <opus.h>
#include <spice.h>

#include "red-playback.h"
#include "server-fixture.h"
#include "test-client.h"
#include "test-util.h"

#define IO_TIMEOUT_MS 5000
#define FRAMES 480u             /* the server's packet: 10 ms at 48 kHz */
#define MAX_BODY (64u * 1024)

static const SpicePlaybackInterface playback_sif = {
    .base = { .type = SPICE_INTERFACE_PLAYBACK, .description = "test playback",
              .major_version = SPICE_INTERFACE_PLAYBACK_MAJOR,
              .minor_version = SPICE_INTERFACE_PLAYBACK_MINOR },
};
static const SpiceRecordInterface record_sif = {
    .base = { .type = SPICE_INTERFACE_RECORD, .description = "test record",
              .major_version = SPICE_INTERFACE_RECORD_MAJOR,
              .minor_version = SPICE_INTERFACE_RECORD_MINOR },
};

static struct {
    ServerFixture fx;
    SpicePlaybackInstance playback;
    SpiceRecordInstance record;
} T;

typedef struct ServerCall {
    void (*func)(void *data);
    void *data;
} ServerCall;

static int run_call(SpiceServer *server, void *data)
{
    ServerCall *c = data;
    (void)server;
    c->func(c->data);
    return 0;
}

/* Runs func(data) on the server thread and waits for it. */
static void on_server(void (*func)(void *data), void *data)
{
    ServerCall c = { .func = func, .data = data };
    server_fixture_call(&T.fx, run_call, &c);
}

static int set_noauth(SpiceServer *server, int port, int tls_port, void *opaque)
{
    (void)port;
    (void)tls_port;
    (void)opaque;
    return spice_server_set_noauth(server);
}

static int add_audio(SpiceServer *server, void *data)
{
    (void)data;
    T.playback.base.sif = &playback_sif.base;
    T.record.base.sif = &record_sif.base;
    if (spice_server_add_interface(server, &T.playback.base) != 0 ||
        spice_server_add_interface(server, &T.record.base) != 0) {
        return -1;
    }
    return 0;
}

static void do_nothing(void *data)
{
    (void)data;
}

/* ---- the host's side (on the server thread) ------------------------------ */

static void do_playback_start(void *data)
{
    (void)data;
    spice_server_playback_start(&T.playback);
}

static void do_playback_stop(void *data)
{
    (void)data;
    spice_server_playback_stop(&T.playback);
}

/* A packet of the host: frames value(i) for i in [first, first + FRAMES). */
typedef struct Feed {
    uint32_t first;             /* index of the first frame */
    unsigned packets;           /* how many packets, one after the other */
    bool sine;                  /* a 1 kHz sine; else a counting pattern */
    uint32_t got_frames;        /* what get_buffer said (last packet) */
    bool got_buffer;
} Feed;

static uint32_t pattern_frame(uint32_t i)
{
    return (i * 2654435761u) ^ 0x5a5a1234u;
}

static uint32_t sine_frame(uint32_t i)
{
    int16_t v = (int16_t)(12000.0 * sin(2.0 * M_PI * 1000.0 * i / 48000.0));
    return (uint32_t)(uint16_t)v | (uint32_t)(uint16_t)v << 16;
}

static void do_feed(void *data)
{
    Feed *f = data;
    f->got_buffer = true;
    for (unsigned p = 0; p < f->packets; p++) {
        uint32_t *buf = NULL;
        uint32_t n = 0;
        spice_server_playback_get_buffer(&T.playback, &buf, &n);
        f->got_frames = n;
        if (buf == NULL) {
            f->got_buffer = false;
            return;
        }
        for (uint32_t i = 0; i < n; i++) {
            uint32_t k = f->first + p * n + i;
            buf[i] = f->sine ? sine_frame(k) : pattern_frame(k);
        }
        spice_server_playback_put_samples(&T.playback, buf);
    }
}

static void feed(uint32_t first, unsigned packets, bool sine)
{
    Feed f = { .first = first, .packets = packets, .sine = sine };
    on_server(do_feed, &f);
    CHECK(f.got_buffer);
    CHECK_EQ_U64(f.got_frames, FRAMES);
}

static void do_set_volume(void *data)
{
    (void)data;
    uint16_t vol[2] = { 1000, 40000 };
    spice_server_playback_set_volume(&T.playback, 2, vol);
    spice_server_playback_set_mute(&T.playback, 1);
}

static void do_set_opus_rate(void *data)
{
    (void)data;
    spice_server_set_playback_rate(&T.playback, spice_server_get_best_playback_rate(&T.playback));
    spice_server_set_record_rate(&T.record, spice_server_get_best_record_rate(&T.record));
}

static void do_record_start(void *data)
{
    (void)data;
    spice_server_record_start(&T.record);
}

static void do_record_stop(void *data)
{
    (void)data;
    spice_server_record_stop(&T.record);
}

typedef struct Samples {
    uint32_t want;
    uint32_t have;
    uint32_t *buf;
} Samples;

static void do_get_samples(void *data)
{
    Samples *s = data;
    s->have += spice_server_record_get_samples(&T.record, s->buf + s->have, s->want - s->have);
}

/* Reads want frames through record_get_samples, waiting (bounded) for the
 * client's packets to reach the server. */
static uint32_t *get_samples(uint32_t want)
{
    Samples s = { .want = want, .buf = g_new0(uint32_t, want) };
    gint64 deadline = g_get_monotonic_time() + IO_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    on_server(do_get_samples, &s);
    while (s.have < want && g_get_monotonic_time() < deadline) {
        g_usleep(2000); /* bounded poll of the server thread's ring */
        on_server(do_get_samples, &s);
    }
    CHECK_EQ_U64(s.have, want);
    return s.buf;
}

typedef struct Dropped {
    uint64_t frames;
} Dropped;

static void do_dropped(void *data)
{
    ((Dropped *)data)->frames = red_playback_frames_dropped((RedPlayback *)T.playback.st);
}

/* ---- the client's side --------------------------------------------------- */

/* Links (type, 0) on session with the given channel caps; gives the
 * server's caps.  Returns the fd. */
static int link_audio(uint32_t session, uint8_t type, const uint32_t *caps, uint32_t n,
                      SpiceLinkCaps *server_caps)
{
    int fd = test_client_connect(T.fx.port, 0);
    CHECK(fd >= 0);
    uint8_t key[SPICE_TICKET_PUBKEY_BYTES];
    CHECK(test_client_send_link(fd, type, 0, session, caps, n) == 0);
    CHECK_EQ_U64(test_client_read_reply_caps(fd, key, server_caps, IO_TIMEOUT_MS),
                 SPICE_LINK_ERR_OK);
    CHECK(test_client_send_ticket(fd, key, "") == 0);
    uint8_t result[4];
    CHECK(test_client_read_all(fd, result, sizeof(result), IO_TIMEOUT_MS) == 0);
    CHECK_EQ_U64(result[0] | result[1] << 8 | result[2] << 16 | (uint32_t)result[3] << 24,
                 SPICE_LINK_ERR_OK);
    return fd;
}

/* Reads the next message of an audio channel, which must be of type want;
 * parses it into *m (which points into *body: g_free it). */
static uint8_t *expect(int fd, uint8_t channel, uint16_t want, SpiceMsg *m)
{
    uint8_t *body = test_client_expect(fd, channel, want, m, MAX_BODY, IO_TIMEOUT_MS);
    CHECK(body != NULL);
    return body;
}

static void expect_empty(int fd, uint8_t channel, uint16_t want)
{
    SpiceMsg m;
    g_free(expect(fd, channel, want, &m));
}

static void expect_start(int fd, uint8_t channel, uint16_t want)
{
    SpiceMsg m;
    uint8_t *body = expect(fd, channel, want, &m);
    CHECK_EQ_U64(m.u.audio_start.channels, 2);
    CHECK_EQ_U64(m.u.audio_start.format, SPICE_AUDIO_FMT_S16);
    CHECK_EQ_U64(m.u.audio_start.frequency, 48000);
    g_free(body);
}

static void expect_mode(int fd, uint16_t mode)
{
    SpiceMsg m;
    uint8_t *body = expect(fd, SPICE_CHANNEL_PLAYBACK, SPICE_MSG_PLAYBACK_MODE, &m);
    CHECK_EQ_U64(m.u.audio_mode.mode, mode);
    g_free(body);
}

/* Reads a raw DATA packet and checks it holds frames [first, first+FRAMES). */
static void expect_pcm(int fd, uint32_t first)
{
    SpiceMsg m;
    uint8_t *body = expect(fd, SPICE_CHANNEL_PLAYBACK, SPICE_MSG_PLAYBACK_DATA, &m);
    CHECK_EQ_U64(m.u.audio_data.data.count, FRAMES * 4);
    uint32_t want[FRAMES];
    for (uint32_t i = 0; i < FRAMES; i++) {
        want[i] = pattern_frame(first + i);
    }
    CHECK_MEM(m.u.audio_data.data.data, (const uint8_t *)want, sizeof(want));
    g_free(body);
}

static uint32_t open_session(int *main_fd)
{
    uint32_t session = 0;
    *main_fd = test_client_open_session(T.fx.port, "", &session, IO_TIMEOUT_MS);
    CHECK(*main_fd >= 0);
    return session;
}

static void send_record(int fd, const SpiceMsgc *m)
{
    CHECK(test_client_send_msgc(fd, SPICE_CHANNEL_RECORD, m) == 0);
}

static void send_record_data(int fd, const void *p, uint32_t n)
{
    SpiceMsgc m = { .type = SPICE_MSGC_RECORD_DATA,
                    .u.record_data = { .time = 1, .data = { p, n } } };
    send_record(fd, &m);
}

static void send_record_mode(int fd, uint16_t mode)
{
    SpiceMsgc m = { .type = SPICE_MSGC_RECORD_MODE,
                    .u.record_mode = { .time = 1, .mode = mode } };
    send_record(fd, &m);
}

static double rms(const int16_t *s, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += (double)s[i] * s[i];
    }
    return n ? sqrt(sum / (double)n) : 0;
}

/* ---- cases --------------------------------------------------------------- */

static void test_channels_listed(void)
{
    int main_fd;
    (void)open_session(&main_fd);
    SpiceMsgc attach = { .type = SPICE_MSGC_MAIN_ATTACH_CHANNELS };
    CHECK(test_client_send_msgc(main_fd, SPICE_CHANNEL_MAIN, &attach) == 0);
    bool playback = false, record = false;
    for (int i = 0; i < 10; i++) {
        uint8_t *body;
        uint32_t size;
        int type = test_client_read_message(main_fd, &body, &size, 4096, IO_TIMEOUT_MS);
        CHECK(type >= 0);
        SpiceMsg m;
        if (type == SPICE_MSG_MAIN_CHANNELS_LIST &&
            spice_msg_parse(SPICE_CHANNEL_MAIN, (uint16_t)type, body, size, &m) == 0) {
            for (uint32_t k = 0; k < m.u.channels_list.channels.count; k++) {
                const uint8_t *pair = m.u.channels_list.channels.data + 2 * k;
                playback = playback || (pair[0] == SPICE_CHANNEL_PLAYBACK && pair[1] == 0);
                record = record || (pair[0] == SPICE_CHANNEL_RECORD && pair[1] == 0);
            }
            g_free(body);
            break;
        }
        g_free(body);
    }
    CHECK(playback);
    CHECK(record);
    close(main_fd);
}

static void test_playback_pcm_volume_mute(void)
{
    int main_fd;
    uint32_t session = open_session(&main_fd);
    static const uint32_t caps[] = { SPICE_PLAYBACK_CAP_VOLUME };
    SpiceLinkCaps server_caps;
    int fd = link_audio(session, SPICE_CHANNEL_PLAYBACK, caps, 1, &server_caps);
    CHECK(spice_link_caps_has(server_caps.channel, server_caps.num_channel,
                              SPICE_PLAYBACK_CAP_VOLUME));
    expect_mode(fd, SPICE_AUDIO_DATA_MODE_RAW); /* no Opus cap: raw */

    on_server(do_playback_start, NULL);
    expect_start(fd, SPICE_CHANNEL_PLAYBACK, SPICE_MSG_PLAYBACK_START);
    feed(0, 3, false);
    expect_pcm(fd, 0);
    expect_pcm(fd, FRAMES);
    expect_pcm(fd, 2 * FRAMES);

    on_server(do_set_volume, NULL);
    SpiceMsg m;
    uint8_t *body = expect(fd, SPICE_CHANNEL_PLAYBACK, SPICE_MSG_PLAYBACK_VOLUME, &m);
    CHECK_EQ_U64(m.u.audio_volume.volume.count, 2);
    const uint8_t *v = m.u.audio_volume.volume.data;
    CHECK_EQ_U64(v[0] | v[1] << 8, 1000);
    CHECK_EQ_U64(v[2] | v[3] << 8, 40000);
    g_free(body);
    body = expect(fd, SPICE_CHANNEL_PLAYBACK, SPICE_MSG_PLAYBACK_MUTE, &m);
    CHECK_EQ_U64(m.u.audio_mute.mute, 1);
    g_free(body);

    on_server(do_playback_stop, NULL);
    expect_empty(fd, SPICE_CHANNEL_PLAYBACK, SPICE_MSG_PLAYBACK_STOP);
    Feed f = { .packets = 1 };
    on_server(do_feed, &f);
    CHECK(!f.got_buffer); /* stopped: no buffer, as upstream */

    /* A client that links now hears the volume the host set, and START
     * once playback runs again. */
    int fd2 = link_audio(session, SPICE_CHANNEL_PLAYBACK, caps, 1, &server_caps);
    expect_mode(fd2, SPICE_AUDIO_DATA_MODE_RAW);
    body = expect(fd2, SPICE_CHANNEL_PLAYBACK, SPICE_MSG_PLAYBACK_VOLUME, &m);
    CHECK_EQ_U64(m.u.audio_volume.volume.count, 2);
    g_free(body);
    body = expect(fd2, SPICE_CHANNEL_PLAYBACK, SPICE_MSG_PLAYBACK_MUTE, &m);
    CHECK_EQ_U64(m.u.audio_mute.mute, 1);
    g_free(body);
    close(fd2);
    close(fd);
    close(main_fd);
    on_server(do_nothing, NULL);
}

static void test_playback_opus(void)
{
    on_server(do_set_opus_rate, NULL);
    int main_fd;
    uint32_t session = open_session(&main_fd);
    /* No VOLUME cap: the volume an earlier case set is not sent. */
    static const uint32_t caps[] = { SPICE_PLAYBACK_CAP_OPUS };
    SpiceLinkCaps server_caps;
    int fd = link_audio(session, SPICE_CHANNEL_PLAYBACK, caps, 1, &server_caps);
    CHECK(spice_link_caps_has(server_caps.channel, server_caps.num_channel,
                              SPICE_PLAYBACK_CAP_OPUS));
    expect_mode(fd, SPICE_AUDIO_DATA_MODE_OPUS);
    on_server(do_playback_start, NULL);
    expect_start(fd, SPICE_CHANNEL_PLAYBACK, SPICE_MSG_PLAYBACK_START);

    int err = 0;
    OpusDecoder *dec = opus_decoder_create(48000, 2, &err);
    CHECK(dec != NULL);
    enum { PACKETS = 10 };
    feed(0, PACKETS, true);
    int16_t pcm[FRAMES * 2];
    double loudest = 0;
    for (int p = 0; p < PACKETS; p++) {
        SpiceMsg m;
        uint8_t *body = expect(fd, SPICE_CHANNEL_PLAYBACK, SPICE_MSG_PLAYBACK_DATA, &m);
        CHECK(m.u.audio_data.data.count > 0);
        CHECK(m.u.audio_data.data.count < FRAMES * 4); /* compressed */
        int n = opus_decode(dec, m.u.audio_data.data.data, (opus_int32)m.u.audio_data.data.count,
                            pcm, FRAMES, 0);
        CHECK_EQ_U64(n, FRAMES);
        loudest = MAX(loudest, rms(pcm, FRAMES * 2));
        g_free(body);
    }
    /* The sine's RMS is 12000/sqrt(2), about 8500; silence decodes to ~0. */
    CHECK(loudest > 4000);
    opus_decoder_destroy(dec);
    on_server(do_playback_stop, NULL);
    expect_empty(fd, SPICE_CHANNEL_PLAYBACK, SPICE_MSG_PLAYBACK_STOP);
    close(fd);
    close(main_fd);
    on_server(do_nothing, NULL);
}

/* A client that stops reading: the server drops its old frames instead of
 * queueing them (without that it queues past RED_SEND_HIGH_WATER and cuts
 * the client off), and the newest frame still arrives once it reads. */
static void test_playback_slow_client_drops(void)
{
    int main_fd;
    uint32_t session = open_session(&main_fd);
    SpiceLinkCaps server_caps;
    int fd = link_audio(session, SPICE_CHANNEL_PLAYBACK, NULL, 0, &server_caps);
    expect_mode(fd, SPICE_AUDIO_DATA_MODE_RAW);
    on_server(do_playback_start, NULL);
    expect_start(fd, SPICE_CHANNEL_PLAYBACK, SPICE_MSG_PLAYBACK_START);
    Dropped before;
    on_server(do_dropped, &before);

    /* 40 MB of sound, far more than the socket buffers and the server's
     * high water mark (4 MiB) hold, fed while the client reads nothing. */
    enum { BURST = 20000 };
    for (unsigned i = 0; i < BURST; i += 1000) {
        feed(i * FRAMES, 1000, false);
    }
    Dropped after;
    on_server(do_dropped, &after);
    CHECK(after.frames > before.frames);
    /* The last frame of the burst is the newest: it is never the one
     * dropped, so reading until it comes is bounded. */
    uint32_t last = (BURST - 1) * FRAMES;
    unsigned received = 0;
    for (;;) {
        SpiceMsg m;
        uint8_t *body = expect(fd, SPICE_CHANNEL_PLAYBACK, SPICE_MSG_PLAYBACK_DATA, &m);
        CHECK_EQ_U64(m.u.audio_data.data.count, FRAMES * 4);
        received++;
        uint32_t first;
        memcpy(&first, m.u.audio_data.data.data, 4);
        g_free(body);
        if (first == pattern_frame(last)) {
            break;
        }
        CHECK(received < BURST);
    }
    fprintf(stderr, "slow client: %u of %u packets received, %" G_GUINT64_FORMAT " dropped\n",
            received, (unsigned)BURST, after.frames - before.frames);
    CHECK(received < BURST);
    /* Still connected and in time: the next packet comes right after. */
    feed(BURST * FRAMES, 1, false);
    expect_pcm(fd, BURST * FRAMES);
    on_server(do_playback_stop, NULL);
    expect_empty(fd, SPICE_CHANNEL_PLAYBACK, SPICE_MSG_PLAYBACK_STOP);
    close(fd);
    close(main_fd);
    on_server(do_nothing, NULL);
}

static void test_two_playback_clients(void)
{
    int main1, main2;
    uint32_t s1 = open_session(&main1), s2 = open_session(&main2);
    SpiceLinkCaps server_caps;
    int fd1 = link_audio(s1, SPICE_CHANNEL_PLAYBACK, NULL, 0, &server_caps);
    int fd2 = link_audio(s2, SPICE_CHANNEL_PLAYBACK, NULL, 0, &server_caps);
    expect_mode(fd1, SPICE_AUDIO_DATA_MODE_RAW);
    expect_mode(fd2, SPICE_AUDIO_DATA_MODE_RAW);
    on_server(do_playback_start, NULL);
    expect_start(fd1, SPICE_CHANNEL_PLAYBACK, SPICE_MSG_PLAYBACK_START);
    expect_start(fd2, SPICE_CHANNEL_PLAYBACK, SPICE_MSG_PLAYBACK_START);
    feed(7 * FRAMES, 1, false);
    expect_pcm(fd1, 7 * FRAMES);
    expect_pcm(fd2, 7 * FRAMES);
    /* One leaves: the other keeps hearing. */
    close(fd1);
    close(main1);
    on_server(do_nothing, NULL);
    feed(8 * FRAMES, 1, false);
    expect_pcm(fd2, 8 * FRAMES);
    on_server(do_playback_stop, NULL);
    expect_empty(fd2, SPICE_CHANNEL_PLAYBACK, SPICE_MSG_PLAYBACK_STOP);
    close(fd2);
    close(main2);
    on_server(do_nothing, NULL);
}

static void test_record_pcm(void)
{
    int main_fd;
    uint32_t session = open_session(&main_fd);
    static const uint32_t caps[] = { SPICE_RECORD_CAP_VOLUME };
    SpiceLinkCaps server_caps;
    int fd = link_audio(session, SPICE_CHANNEL_RECORD, caps, 1, &server_caps);
    CHECK(spice_link_caps_has(server_caps.channel, server_caps.num_channel,
                              SPICE_RECORD_CAP_VOLUME));
    on_server(do_record_start, NULL);
    expect_start(fd, SPICE_CHANNEL_RECORD, SPICE_MSG_RECORD_START);
    send_record_mode(fd, SPICE_AUDIO_DATA_MODE_RAW);
    SpiceMsgc mark = { .type = SPICE_MSGC_RECORD_START_MARK, .u.record_start_mark.time = 1 };
    send_record(fd, &mark);

    /* More than the server's pre-buffer (half its ring, 4096 frames). */
    enum { TOTAL = 12 * FRAMES };
    uint32_t *sent = g_new(uint32_t, TOTAL);
    for (uint32_t i = 0; i < TOTAL; i++) {
        sent[i] = pattern_frame(100000 + i);
    }
    for (uint32_t i = 0; i < TOTAL; i += FRAMES) {
        send_record_data(fd, sent + i, FRAMES * 4);
    }
    uint32_t *got = get_samples(TOTAL);
    CHECK_MEM((const uint8_t *)got, (const uint8_t *)sent, TOTAL * 4);
    g_free(got);
    g_free(sent);
    on_server(do_record_stop, NULL);
    expect_empty(fd, SPICE_CHANNEL_RECORD, SPICE_MSG_RECORD_STOP);
    close(fd);
    close(main_fd);
    on_server(do_nothing, NULL);
}

static void test_record_opus(void)
{
    on_server(do_set_opus_rate, NULL);
    int main_fd;
    uint32_t session = open_session(&main_fd);
    static const uint32_t caps[] = { SPICE_RECORD_CAP_VOLUME, SPICE_RECORD_CAP_OPUS };
    SpiceLinkCaps server_caps;
    int fd = link_audio(session, SPICE_CHANNEL_RECORD, caps, 2, &server_caps);
    CHECK(spice_link_caps_has(server_caps.channel, server_caps.num_channel,
                              SPICE_RECORD_CAP_OPUS));
    on_server(do_record_start, NULL);
    expect_start(fd, SPICE_CHANNEL_RECORD, SPICE_MSG_RECORD_START);
    send_record_mode(fd, SPICE_AUDIO_DATA_MODE_OPUS);
    int err = 0;
    OpusEncoder *enc = opus_encoder_create(48000, 2, OPUS_APPLICATION_AUDIO, &err);
    CHECK(enc != NULL);
    enum { PACKETS = 12 };
    for (uint32_t p = 0; p < PACKETS; p++) {
        uint32_t frames[FRAMES];
        for (uint32_t i = 0; i < FRAMES; i++) {
            frames[i] = sine_frame(p * FRAMES + i);
        }
        uint8_t packet[1500];
        int n = opus_encode(enc, (const opus_int16 *)frames, FRAMES, packet, sizeof(packet));
        CHECK(n > 0);
        send_record_data(fd, packet, (uint32_t)n);
    }
    opus_encoder_destroy(enc);
    uint32_t *got = get_samples(PACKETS * FRAMES);
    /* The codec's delay makes the start quiet; the rest is the sine. */
    CHECK(rms((const int16_t *)(got + PACKETS * FRAMES / 2), PACKETS * FRAMES) > 4000);
    g_free(got);
    on_server(do_record_stop, NULL);
    expect_empty(fd, SPICE_CHANNEL_RECORD, SPICE_MSG_RECORD_STOP);
    close(fd);
    close(main_fd);
    on_server(do_nothing, NULL);
}

/* The newest record client feeds the guest; the older one is stopped, and
 * takes over again when the newer one leaves. */
static void test_record_newest_client_feeds(void)
{
    int main1, main2;
    uint32_t s1 = open_session(&main1), s2 = open_session(&main2);
    SpiceLinkCaps server_caps;
    on_server(do_record_start, NULL);
    int fd1 = link_audio(s1, SPICE_CHANNEL_RECORD, NULL, 0, &server_caps);
    expect_start(fd1, SPICE_CHANNEL_RECORD, SPICE_MSG_RECORD_START);
    int fd2 = link_audio(s2, SPICE_CHANNEL_RECORD, NULL, 0, &server_caps);
    expect_empty(fd1, SPICE_CHANNEL_RECORD, SPICE_MSG_RECORD_STOP);
    expect_start(fd2, SPICE_CHANNEL_RECORD, SPICE_MSG_RECORD_START);
    close(fd2);
    close(main2);
    expect_start(fd1, SPICE_CHANNEL_RECORD, SPICE_MSG_RECORD_START);
    on_server(do_record_stop, NULL);
    expect_empty(fd1, SPICE_CHANNEL_RECORD, SPICE_MSG_RECORD_STOP);
    close(fd1);
    close(main1);
    on_server(do_nothing, NULL);
}

/* Hostile record data: each case closes the record channel and, as for any
 * client the server closes for an error, the client's whole session. */
typedef enum Hostile {
    HOSTILE_PARTIAL_FRAME,      /* raw data not a multiple of 4 bytes */
    HOSTILE_OVERSIZED,          /* a packet bigger than the ring */
    HOSTILE_BAD_MODE,           /* RECORD_MODE neither raw nor Opus */
    HOSTILE_CELT_MODE,          /* the deprecated CELT mode we never offer */
    HOSTILE_BAD_OPUS,           /* Opus mode, then bytes that are not Opus */
    HOSTILE_TRUNCATED,          /* RECORD_DATA shorter than its time field */
} Hostile;

static void hostile_case(Hostile what)
{
    int main_fd;
    uint32_t session = open_session(&main_fd);
    SpiceLinkCaps server_caps;
    int fd = link_audio(session, SPICE_CHANNEL_RECORD, NULL, 0, &server_caps);
    on_server(do_record_start, NULL);
    expect_start(fd, SPICE_CHANNEL_RECORD, SPICE_MSG_RECORD_START);
    static uint8_t big[40 * 1024];
    static const uint8_t not_opus[] = { 0x03, 0x00 }; /* code 3 with no frames */
    switch (what) {
    case HOSTILE_PARTIAL_FRAME:
        send_record_data(fd, big, 6);
        break;
    case HOSTILE_OVERSIZED:
        send_record_data(fd, big, sizeof(big));
        break;
    case HOSTILE_BAD_MODE:
        send_record_mode(fd, 99);
        break;
    case HOSTILE_CELT_MODE:
        send_record_mode(fd, 2 /* SPICE_AUDIO_DATA_MODE_CELT_0_5_1 */);
        break;
    case HOSTILE_BAD_OPUS:
        send_record_mode(fd, SPICE_AUDIO_DATA_MODE_OPUS);
        send_record_data(fd, not_opus, sizeof(not_opus));
        break;
    case HOSTILE_TRUNCATED: {
        uint8_t raw[6 + 2] = { SPICE_MSGC_RECORD_DATA, 0, 2, 0, 0, 0, 1, 2 };
        CHECK(test_client_write_all(fd, raw, sizeof(raw)) == 0);
        break;
    }
    }
    CHECK(test_client_wait_closed(fd, IO_TIMEOUT_MS));
    CHECK(test_client_wait_closed(main_fd, IO_TIMEOUT_MS));
    close(fd);
    close(main_fd);
    on_server(do_record_stop, NULL);
}

static void test_record_hostile(void)
{
    for (Hostile h = HOSTILE_PARTIAL_FRAME; h <= HOSTILE_TRUNCATED; h++) {
        hostile_case(h);
    }
    /* The server still serves a good client afterwards. */
    test_record_pcm();
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_channels_listed),
        TEST_CASE(test_playback_pcm_volume_mute),
        TEST_CASE(test_playback_opus),
        TEST_CASE(test_playback_slow_client_drops),
        TEST_CASE(test_two_playback_clients),
        TEST_CASE(test_record_pcm),
        TEST_CASE(test_record_opus),
        TEST_CASE(test_record_newest_client_feeds),
        TEST_CASE(test_record_hostile),
    };
    if (server_fixture_start(&T.fx, set_noauth, NULL) != 0) {
        return 1;
    }
    int rc = 1;
    if (server_fixture_call(&T.fx, add_audio, NULL) == 0) {
        rc = test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
    }
    server_fixture_stop(&T.fx);
    return rc;
}
