/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-util.h: the assertions and the runner every test program uses.
 *
 * A test program is a list of TEST() functions run by test_main(); each
 * CHECK that fails prints file:line and the expression and marks the current
 * test failed, and the program exits 1 if any test failed, 77 if it asked to
 * be skipped (automake's SKIP), 0 otherwise.  One line per test goes to
 * stdout so the log says what ran.
 */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_EXIT_SKIP 77

extern int test_failures_in_current;

#define CHECK(expr)                                                              \
    do {                                                                         \
        if (!(expr)) {                                                           \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr); \
            test_failures_in_current++;                                          \
        }                                                                        \
    } while (0)

#define CHECK_EQ_U64(a, b)                                                       \
    do {                                                                         \
        uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                         \
        if (a_ != b_) {                                                          \
            fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%" PRIu64 " != %" PRIu64 ")\n", \
                    __FILE__, __LINE__, #a, #b, a_, b_);                         \
            test_failures_in_current++;                                          \
        }                                                                        \
    } while (0)

#define CHECK_MEM(a, b, n)                                                       \
    do {                                                                         \
        if (memcmp((a), (b), (n)) != 0) {                                        \
            fprintf(stderr, "%s:%d: CHECK failed: %s and %s differ\n", __FILE__, __LINE__, #a, #b); \
            test_failures_in_current++;                                          \
        }                                                                        \
    } while (0)

typedef void (*TestFunc)(void);
typedef struct TestCase {
    const char *name;
    TestFunc func;
} TestCase;

#define TEST_CASE(fn) { #fn, fn }

/* Runs the cases (all, or the ones named on the command line). */
int test_main(int argc, char **argv, const TestCase *cases, size_t n);

/* Prints a hex dump of two buffers where they differ (for golden tests). */
void test_dump_diff(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len);

/* The path of the mapped shared object whose file name starts with
 * `prefix` (from /proc/self/maps), or NULL. Freed by the caller. */
char *test_mapped_library(const char *prefix);

/* A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks
 * it): racy by nature, callers that bind later retry or accept a rare
 * failure.  -1 on error. */
int test_free_port(void);

/* For programs built against both servers: checks that the mapped
 * libspice-server.so.1 is ours (want_ours) or Debian's, prints it, and
 * returns 0, or 1 with a message. */
int test_check_spice_server(bool want_ours);

#endif /* TEST_UTIL_H */
