/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-client.h: a minimal blocking SPICE client for tests and benchmarks.
 *
 * Enough of the client side to link channels with a password (RSA-OAEP
 * ticket, mini headers), read and send data messages, and keep a display
 * channel flowing: a TestChannel answers SET_ACK with ACK_SYNC, sends one
 * ACK per window of received messages and answers PING with PONG, as
 * spice-gtk does.  It speaks to any libspice-server (Debian's or ours): the
 * wire code is our protocol layer (spice/), nothing of the server.
 *
 * Every read waits at most the timeout it is given; nothing here blocks
 * without a deadline.  Functions return 0 (or a documented value) on
 * success and -1 on failure (EOF, timeout, socket error, malformed reply);
 * they never abort, so a hostile-server test can report what went wrong.
 *
 * Threads: a TestChannel belongs to one thread at a time.
 */
#ifndef TEST_CLIENT_H
#define TEST_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spice-link.h"
#include "spice-messages.h"

/* Returned by the link functions when the link did not get as far as a
 * server result (EOF, timeout, malformed reply). */
#define TEST_CLIENT_LINK_FAILED 0xffffffffu

/* The GLZ window our display links announce in DISPLAY_INIT, in pixels, as
 * large as spice-gtk's (the model client, test-canvas.h, decodes GLZ). */
#define TEST_CLIENT_GLZ_WINDOW_SIZE (8 * 1024 * 1024)

/* What a client advertises on a display link. */
typedef enum TestClientDisplayCaps {
    TEST_CLIENT_DISPLAY_PLAIN,  /* no channel caps: raw bitmaps only */
    TEST_CLIENT_DISPLAY_LZ4,    /* SPICE_DISPLAY_CAP_LZ4_COMPRESSION */
    /* MULTI_CODEC + CODEC_MJPEG + STREAM_REPORT: video streams, as spice-gtk */
    TEST_CLIENT_DISPLAY_VIDEO,
    /* MULTI_CODEC without any codec: a client that takes no video stream */
    TEST_CLIENT_DISPLAY_NO_VIDEO,
} TestClientDisplayCaps;

/* Connects a blocking TCP socket (TCP_NODELAY) to 127.0.0.1:port.  rcvbuf > 0 sets
 * SO_RCVBUF before connecting (so the TCP window is small from the start);
 * 0 keeps the kernel default.  Returns the fd, or -1. */
int test_client_connect(int port, int rcvbuf);

/* Sends all n bytes (MSG_NOSIGNAL).  Returns 0 or -1. */
int test_client_write_all(int fd, const void *p, size_t n);

/* Reads exactly n bytes, waiting at most timeout_ms for each piece.
 * Returns 0, or -1 on EOF, timeout or error. */
int test_client_read_all(int fd, void *p, size_t n, unsigned timeout_ms);

/* Reads and discards until EOF.  Returns true if the peer closed the socket
 * before timeout_ms passed without any data arriving. */
bool test_client_wait_closed(int fd, unsigned timeout_ms);

/* Writes a link message for (type, id) with the common caps our server and
 * spice-gtk use (auth selection, SPICE auth, mini header) plus `channel_caps`
 * channel capability words. */
int test_client_send_link(int fd, uint8_t type, uint8_t id, uint32_t connection_id,
                          const uint32_t *channel_caps, uint32_t n_channel_caps);

/* The same with the common caps given (e.g. AUTH_SASL). */
int test_client_send_link_caps(int fd, uint8_t type, uint8_t id, uint32_t connection_id,
                               const uint32_t *common_caps, uint32_t n_common_caps,
                               const uint32_t *channel_caps, uint32_t n_channel_caps);

/* Reads a link reply.  Returns its error field, or TEST_CLIENT_LINK_FAILED;
 * fills key with the server's public key. */
uint32_t test_client_read_reply(int fd, uint8_t key[SPICE_TICKET_PUBKEY_BYTES],
                                unsigned timeout_ms);
/* The same, also giving the server's caps. */
uint32_t test_client_read_reply_caps(int fd, uint8_t key[SPICE_TICKET_PUBKEY_BYTES],
                                     SpiceLinkCaps *caps, unsigned timeout_ms);

/* Sends the SPICE auth mechanism and `password` encrypted with key. */
int test_client_send_ticket(int fd, const uint8_t key[SPICE_TICKET_PUBKEY_BYTES],
                            const char *password);

/* Links a channel with no channel caps: link, reply, ticket, result.
 * Returns the server's SpiceLinkErr (0 = OK) or TEST_CLIENT_LINK_FAILED. */
uint32_t test_client_link(int fd, uint8_t type, uint32_t connection_id, const char *password,
                          unsigned timeout_ms);
/* The same with channel caps (bit numbers, e.g. SPICE_PLAYBACK_CAP_LATENCY). */
uint32_t test_client_link_with_caps(int fd, uint8_t type, uint32_t connection_id,
                                    const char *password, const uint32_t *channel_caps,
                                    uint32_t n_channel_caps, unsigned timeout_ms);

/* Same for display channel `id` with the given caps; on success also sends
 * SPICE_MSGC_DISPLAY_INIT, without which neither server sends anything.  It
 * announces no pixmap cache: the server sends no cached images. */
uint32_t test_client_link_display(int fd, uint8_t id, uint32_t connection_id,
                                  const char *password, TestClientDisplayCaps caps,
                                  unsigned timeout_ms);
/* The same, announcing a pixmap cache of `pixmap_cache_size` pixels (the
 * caller then keeps one: CACHE_ME, FROM_CACHE, INVAL_LIST). */
uint32_t test_client_link_display_cache(int fd, uint8_t id, uint32_t connection_id,
                                        const char *password, TestClientDisplayCaps caps,
                                        int64_t pixmap_cache_size, unsigned timeout_ms);
/* SPICE_MSGC_DISPLAY_INIT as the link functions above send it (a pixmap
 * cache of pixmap_cache_size pixels, TEST_CLIENT_GLZ_WINDOW_SIZE): for a
 * display channel linked without it.  0, or -1. */
int test_client_send_display_init(int fd, int64_t pixmap_cache_size);

/* Reads one data message (mini header).  Returns its type and gives the
 * body in *body (g_free it) and its size; -1 on EOF/timeout/error.  Bodies
 * over max_size are refused (-1).  PINGs are answered (PONG) and skipped,
 * as a real client's would be: the server tests every main channel's link
 * with three of them (server/channels/red-net-test.h). */
int test_client_read_message(int fd, uint8_t **body, uint32_t *size, uint32_t max_size,
                             unsigned timeout_ms);

/* Marshals and sends one client message. */
int test_client_send_msgc(int fd, uint8_t channel_type, const SpiceMsgc *m);

/* Reads the next message of channel_type on fd, which must be of type
 * want, and parses it into *m (whose arrays point into the returned body:
 * g_free it after).  NULL, after a line on stderr, when another type, no
 * message within timeout_ms, or a body that does not parse came. */
uint8_t *test_client_expect(int fd, uint8_t channel_type, uint16_t want, SpiceMsg *m,
                            uint32_t max_size, unsigned timeout_ms);

/* Links main on a connected fd (plain, or a TLS tunnel's) and reads up to
 * MAIN_INIT.  Returns the session id, 0 on failure. */
uint32_t test_client_start_session(int fd, const char *password, unsigned timeout_ms);

/* Does the main channel on fd still answer?  Sends ATTACH_CHANNELS and
 * waits for CHANNELS_LIST (skipping what the server sends unasked). */
bool test_client_session_alive(int fd, unsigned timeout_ms);

/* Opens a main channel session: links, reads messages up to MAIN_INIT (others
 * are skipped) and returns the fd with the session id, or -1. */
int test_client_open_session(int port, const char *password, uint32_t *session_id,
                             unsigned timeout_ms);

/* Answers the server's link test on a main channel just opened (the three
 * PINGs after MAIN_INIT, server/channels/red-net-test.h): the empty ones at
 * once, the one with the payload after delay_ms, so that the server
 * measures a link at most that slow (250 KiB in 300 ms: 6.8 Mbit/s).
 * Other messages are skipped.  Returns 0 once the third PONG is sent. */
int test_client_answer_link_test(int fd, unsigned delay_ms, unsigned timeout_ms);

/* ---- a data-phase channel with acks ------------------------------------ */

typedef struct TestChannel {
    int fd;
    uint8_t type;
    uint32_t ack_window;        /* from the last SET_ACK; 0 before one */
    uint32_t ack_generation;
    uint32_t since_ack;         /* messages received since the last ACK */
    bool send_acks;             /* false: a client that never acknowledges */
    uint64_t messages;          /* data messages received, SET_ACK included */
    uint64_t bytes;             /* header + body bytes received */
} TestChannel;

/* Wraps a linked fd (ownership stays with the caller). */
void test_channel_init(TestChannel *ch, int fd, uint8_t channel_type, bool send_acks);

/* Reads the next message, doing the base-channel duties first (ACK_SYNC on
 * SET_ACK, PONG on PING, ACK per window when send_acks).  Returns the type,
 * body in *body (g_free) and *size; -1 on EOF/timeout/error or when an
 * answer could not be sent. */
int test_channel_read(TestChannel *ch, uint8_t **body, uint32_t *size, uint32_t max_size,
                      unsigned timeout_ms);

#endif /* TEST_CLIENT_H */
