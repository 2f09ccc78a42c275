/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-net-test: the main channel's link measurement (server/channels/
 * red-net-test.h) on made-up clocks: the bitrate it computes, the 10 Mi
 * bit/s line, and the answers a client may get wrong (out of order, late,
 * repeated, unknown ids, a third round trip no longer than the latency);
 * only one PONG per test ends it, however many a client repeats. */
#include "config.h"

#include <glib.h>

#include "red-net-test.h"
#include "test-util.h"

#define T0 1000000          /* any start; microseconds */

/* Answers the three pings at t0 + rtt[i]. */
static RedNetTest measure(const int64_t rtt[RED_NET_TEST_PINGS])
{
    RedNetTest t;
    red_net_test_start(&t, 7, T0);
    for (unsigned i = 0; i < RED_NET_TEST_PINGS; i++) {
        RedNetPong want = i + 1 < RED_NET_TEST_PINGS ? RED_NET_PONG_TAKEN : RED_NET_PONG_ENDED;
        CHECK(red_net_test_pong(&t, 7 + i, T0 + rtt[i]) == want);
    }
    return t;
}

static void test_payloads(void)
{
    CHECK_EQ_U64(red_net_test_payload(0), 0);
    CHECK_EQ_U64(red_net_test_payload(1), 0);
    CHECK_EQ_U64(red_net_test_payload(2), RED_NET_TEST_BYTES);
}

/* 250 KiB over 10 Mbit/s: 204.8 ms on the link; with 40 ms latency the
 * third pong comes 244.8 ms after sending.  10,000,000 bit/s is under the
 * 10 Mi line: slow.  On loopback (a millisecond) it is not. */
static void test_bitrate_and_line(void)
{
    RedNetTest slow = measure((const int64_t[]){ 40000, 41000, 244800 });
    CHECK(slow.stage == RED_NET_TEST_DONE);
    CHECK_EQ_U64(slow.latency_us, 40000);
    CHECK_EQ_U64(slow.bits_per_sec, 10000000);
    CHECK(red_net_test_low_bandwidth(&slow));
    CHECK_EQ_U64(red_net_test_bits_per_sec(&slow), 10000000);
    /* The smaller of the first two round trips is the latency. */
    RedNetTest second = measure((const int64_t[]){ 50000, 40000, 244800 });
    CHECK_EQ_U64(second.latency_us, 40000);
    /* Just over the line: 250 KiB in 190 ms is 10.78 Mbit/s. */
    RedNetTest fast = measure((const int64_t[]){ 40000, 40000, 230000 });
    CHECK(fast.stage == RED_NET_TEST_DONE);
    CHECK(!red_net_test_low_bandwidth(&fast));
    RedNetTest loop = measure((const int64_t[]){ 80, 90, 1100 });
    CHECK(!red_net_test_low_bandwidth(&loop));
}

/* Not measured: not slow and no bitrate, whatever the stage. */
static void test_no_verdict_is_fast(void)
{
    RedNetTest idle = { 0 };
    CHECK(!red_net_test_low_bandwidth(&idle));
    CHECK_EQ_U64(red_net_test_bits_per_sec(&idle), 0);
    CHECK(red_net_test_pong(&idle, 0, T0) == RED_NET_PONG_NOT_OURS); /* nothing sent */
    RedNetTest t;
    red_net_test_start(&t, 1, T0);
    CHECK(red_net_test_pong(&t, 1, T0 + 100) == RED_NET_PONG_TAKEN);
    CHECK(t.stage == RED_NET_TEST_RUNNING);
    CHECK(!red_net_test_low_bandwidth(&t));
    CHECK_EQ_U64(red_net_test_bits_per_sec(&t), 0);
    /* A third round trip no longer than the latency (a loaded machine). */
    RedNetTest odd = measure((const int64_t[]){ 5000, 5000, 5000 });
    CHECK(odd.stage == RED_NET_TEST_FAILED);
    CHECK(!red_net_test_low_bandwidth(&odd));
    CHECK_EQ_U64(red_net_test_bits_per_sec(&odd), 0);
}

/* Pongs out of order end the test; repeated and late ones are still ours
 * (ignored), other ids are not ours; a pong "before" the ping (a clock a
 * client cannot move, but the check holds) fails it. */
static void test_wrong_answers(void)
{
    RedNetTest t;
    red_net_test_start(&t, 100, T0);
    /* The second before the first: the test ends, once. */
    CHECK(red_net_test_pong(&t, 101, T0 + 10) == RED_NET_PONG_ENDED);
    CHECK(t.stage == RED_NET_TEST_FAILED);
    CHECK(red_net_test_pong(&t, 100, T0 + 20) == RED_NET_PONG_TAKEN); /* late */
    CHECK(red_net_test_pong(&t, 101, T0 + 20) == RED_NET_PONG_TAKEN); /* again */
    CHECK(t.stage == RED_NET_TEST_FAILED);
    CHECK(red_net_test_pong(&t, 99, T0 + 20) == RED_NET_PONG_NOT_OURS);
    CHECK(red_net_test_pong(&t, 103, T0 + 20) == RED_NET_PONG_NOT_OURS);
    CHECK(red_net_test_pong(&t, UINT32_MAX, T0 + 20) == RED_NET_PONG_NOT_OURS);

    red_net_test_start(&t, 100, T0);
    CHECK(red_net_test_pong(&t, 100, T0 + 10) == RED_NET_PONG_TAKEN);
    CHECK(red_net_test_pong(&t, 100, T0 + 11) == RED_NET_PONG_ENDED); /* the first again */
    CHECK(t.stage == RED_NET_TEST_FAILED);

    red_net_test_start(&t, 100, T0);
    CHECK(red_net_test_pong(&t, 100, T0 - 1) == RED_NET_PONG_ENDED);
    CHECK(t.stage == RED_NET_TEST_FAILED);

    /* A finished test: every later PONG, in range or repeated, is taken
     * without ending it again (no second verdict for the caller). */
    RedNetTest done = measure((const int64_t[]){ 40000, 41000, 244800 });
    for (uint32_t id = 7; id < 7 + RED_NET_TEST_PINGS; id++) {
        CHECK(red_net_test_pong(&done, id, T0 + 300000) == RED_NET_PONG_TAKEN);
    }
    CHECK(done.stage == RED_NET_TEST_DONE);
    CHECK_EQ_U64(done.bits_per_sec, 10000000);

    /* Ids wrap: first id near the top. */
    red_net_test_start(&t, UINT32_MAX - 1, T0);
    CHECK(red_net_test_pong(&t, UINT32_MAX - 1, T0 + 40000) == RED_NET_PONG_TAKEN);
    CHECK(red_net_test_pong(&t, UINT32_MAX, T0 + 40000) == RED_NET_PONG_TAKEN);
    CHECK(red_net_test_pong(&t, 0, T0 + 1040000) == RED_NET_PONG_ENDED);
    CHECK(t.stage == RED_NET_TEST_DONE);
    CHECK(red_net_test_low_bandwidth(&t)); /* 2 Mbit/s */
}

int main(int argc, char **argv)
{
    static const TestCase cases[] = {
        TEST_CASE(test_payloads),
        TEST_CASE(test_bitrate_and_line),
        TEST_CASE(test_no_verdict_is_fast),
        TEST_CASE(test_wrong_answers),
    };
    return test_main(argc, argv, cases, G_N_ELEMENTS(cases));
}
