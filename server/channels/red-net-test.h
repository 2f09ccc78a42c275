/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-net-test.h: how fast a client's link is, measured once at connect.
 *
 * Why: the host's `auto` settings for JPEG and zlib over GLZ
 * (spice_server_set_jpeg_compression, spice_server_set_zlib_glz_compression,
 * QEMU's `-spice jpeg-wan-compression=` and `zlib-glz-wan-compression=`)
 * mean "on a slow link".  Clients cannot tell us their link, so the main
 * channel measures it, as the real library does, with three PINGs sent
 * right after MAIN_INIT:
 *
 *   ping 1, empty     warms the path up; its round trip is a first latency;
 *   ping 2, empty     latency = the smaller of the two round trips;
 *   ping 3, RED_NET_TEST_BYTES of payload
 *                     bitrate = its bits / (its round trip - latency).
 *
 * A link under RED_NET_TEST_LOW_BPS is low bandwidth.  Round trips are
 * timed from our own clock at sending: the timestamp a client echoes in
 * its PONG is never used.  PONGs must come back in order; one that breaks
 * the order, or a third round trip not longer than the latency (a loaded
 * machine), ends the test without a verdict, and the link counts as fast
 * (what a test that never finishes also means: nothing changes then).
 *
 * Thread safety: none; one test per main channel client. */
#ifndef RED_NET_TEST_H
#define RED_NET_TEST_H

#include <stdbool.h>
#include <stdint.h>

#define RED_NET_TEST_PINGS 3
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
/* The network fuzzer opens a session per input: 250 KiB each would be most
 * of its time, and the bytes test nothing (tests/fuzz/fuzz-stack-flags.sh). */
#define RED_NET_TEST_BYTES 1024u
#else
#define RED_NET_TEST_BYTES (250u * 1024)        /* the third ping's payload */
#endif
#define RED_NET_TEST_LOW_BPS (10ull * 1024 * 1024)

typedef enum RedNetTestStage {
    RED_NET_TEST_IDLE,          /* not started */
    RED_NET_TEST_RUNNING,
    RED_NET_TEST_DONE,          /* bitrate measured */
    RED_NET_TEST_FAILED,        /* ended without a verdict */
} RedNetTestStage;

typedef struct RedNetTest {
    RedNetTestStage stage;
    uint32_t first_id;          /* the pings' ids: first_id .. first_id + 2 */
    unsigned answered;          /* pongs received in order */
    int64_t sent_us;            /* when the three pings were queued */
    uint64_t latency_us;
    uint64_t bits_per_sec;      /* when DONE */
} RedNetTest;

/* Starts the test: the caller sends RED_NET_TEST_PINGS pings, i-th with id
 * first_id + i and red_net_test_payload(i) bytes of payload, now_us being
 * the time they are queued (microseconds, any monotonic clock). */
void red_net_test_start(RedNetTest *t, uint32_t first_id, int64_t now_us);
uint32_t red_net_test_payload(unsigned i);

/* What one PONG meant. */
typedef enum RedNetPong {
    RED_NET_PONG_NOT_OURS,      /* an id the test never sent */
    RED_NET_PONG_TAKEN,         /* ours; the test goes on, or had ended already */
    RED_NET_PONG_ENDED,         /* ours, and it ended the test (DONE or FAILED):
                                 * once per test, so a client repeating PONGs
                                 * cannot make the caller act again */
} RedNetPong;

/* A PONG with id arrived at now_us. */
RedNetPong red_net_test_pong(RedNetTest *t, uint32_t id, int64_t now_us);

/* The measured bitrate; 0 while running, after a failure, or never run. */
uint64_t red_net_test_bits_per_sec(const RedNetTest *t);
/* A bitrate from red_net_test_bits_per_sec is a slow link: measured, and
 * under RED_NET_TEST_LOW_BPS. */
bool red_net_bps_low(uint64_t bits_per_sec);
/* red_net_bps_low(red_net_test_bits_per_sec(t)). */
bool red_net_test_low_bandwidth(const RedNetTest *t);

#endif /* RED_NET_TEST_H */
