/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-net-test.c: the link measurement of red-net-test.h. */
#include "config.h"

#include "red-net-test.h"

void red_net_test_start(RedNetTest *t, uint32_t first_id, int64_t now_us)
{
    *t = (RedNetTest){ .stage = RED_NET_TEST_RUNNING, .first_id = first_id, .sent_us = now_us };
}

uint32_t red_net_test_payload(unsigned i)
{
    return i == RED_NET_TEST_PINGS - 1 ? RED_NET_TEST_BYTES : 0;
}

RedNetPong red_net_test_pong(RedNetTest *t, uint32_t id, int64_t now_us)
{
    /* Unsigned distance: ids wrap like the client's counter would. */
    uint32_t i = id - t->first_id;
    if (t->stage == RED_NET_TEST_IDLE || i >= RED_NET_TEST_PINGS) {
        return RED_NET_PONG_NOT_OURS;
    }
    if (t->stage != RED_NET_TEST_RUNNING) {
        return RED_NET_PONG_TAKEN; /* a late or repeated answer to a test that ended */
    }
    if (i != t->answered || now_us < t->sent_us) {
        t->stage = RED_NET_TEST_FAILED;
        return RED_NET_PONG_ENDED;
    }
    uint64_t rtt = (uint64_t)(now_us - t->sent_us);
    t->answered++;
    if (i == 0 || rtt < t->latency_us) {
        t->latency_us = rtt;
    }
    if (i + 1 < RED_NET_TEST_PINGS) {
        return RED_NET_PONG_TAKEN;
    }
    /* The third ping's round trip holds the latency once and the payload's
     * time on the link. */
    if (rtt <= t->latency_us) {
        t->stage = RED_NET_TEST_FAILED;
        return RED_NET_PONG_ENDED;
    }
    t->bits_per_sec = (uint64_t)RED_NET_TEST_BYTES * 8 * 1000000 / (rtt - t->latency_us);
    t->stage = RED_NET_TEST_DONE;
    return RED_NET_PONG_ENDED;
}

uint64_t red_net_test_bits_per_sec(const RedNetTest *t)
{
    return t->stage == RED_NET_TEST_DONE ? t->bits_per_sec : 0;
}

bool red_net_bps_low(uint64_t bits_per_sec)
{
    return bits_per_sec > 0 && bits_per_sec < RED_NET_TEST_LOW_BPS;
}

bool red_net_test_low_bandwidth(const RedNetTest *t)
{
    return red_net_bps_low(red_net_test_bits_per_sec(t));
}
