/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-qxl-server.h: a libspice-server (whichever one the program links)
 * listening on 127.0.0.1 with a fake QXL device and a primary surface, for
 * programs that use <spice.h> only (test-slow-client, the benchmark).
 *
 * The server lives on a TestCore thread; the fake device is driven from the
 * caller's thread, as QEMU's vCPU threads drive a real QXL device.
 */
#ifndef TEST_QXL_SERVER_H
#define TEST_QXL_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <spice.h>

#include "fake-qxl.h"
#include "test-core.h"

/* The password every test client links with. */
#define TEST_QXL_SERVER_PASSWORD "secret"

/* Lossless image settings the server is asked to use. */
typedef enum TestQxlServerCompression {
    TEST_QXL_SERVER_RAW,      /* SPICE_IMAGE_COMPRESSION_OFF */
    TEST_QXL_SERVER_LZ4,      /* SPICE_IMAGE_COMPRESSION_LZ4 (for clients with the cap) */
    /* auto_glz (LZ_RGB for clients without the LZ4 cap) and JPEG always:
     * photographic areas lossy */
    TEST_QXL_SERVER_AUTO_JPEG,
    /* SPICE_IMAGE_COMPRESSION_GLZ: GLZ for clients that announce a window
     * (our test clients do), LZ_RGB where it is smaller */
    TEST_QXL_SERVER_GLZ,
    /* GLZ, and zlib over it always (zlib-glz-wan-compression=always) */
    TEST_QXL_SERVER_ZLIB_GLZ,
    /* GLZ, with JPEG and zlib over GLZ on `auto` (QEMU's defaults): zlib
     * for clients whose link the server measured slow */
    TEST_QXL_SERVER_WAN,
} TestQxlServerCompression;

typedef struct TestQxlServer {
    TestCore *core;
    SpiceServer *server;
    FakeQxl *qxl;
    int port;
    uint32_t width, height;
} TestQxlServer;

/* Starts the core thread and the server (ticket TEST_QXL_SERVER_PASSWORD,
 * JPEG, GLZ and video streaming off), adds the device, starts the VM and
 * creates a width x height primary.  Returns NULL (after a message on
 * stderr) on failure. */
TestQxlServer *test_qxl_server_create(uint32_t width, uint32_t height,
                                      TestQxlServerCompression compression);

/* Tears down in QEMU's order (primary, surfaces, vm_stop, remove_interface,
 * server destroy), then frees the device and the core.  Returns true if
 * every submitted command was released within timeout_ms.  NULL gives
 * true. */
bool test_qxl_server_destroy(TestQxlServer *ts, unsigned timeout_ms);

#endif /* TEST_QXL_SERVER_H */
