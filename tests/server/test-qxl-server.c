/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-qxl-server.c: see test-qxl-server.h. */
#include "config.h"

#include "test-qxl-server.h"

#include <stdio.h>

#include <glib.h>

#include "test-util.h"

/* Start-up and teardown calls on the core thread; generous for ASan. */
#define TEST_QXL_SERVER_CALL_TIMEOUT_MS 20000
/* Ports another process grabbed between our probe and the server's bind. */
#define TEST_QXL_SERVER_PORT_ATTEMPTS 10

typedef struct TestQxlServerStart {
    TestQxlServer *ts;
    TestQxlServerCompression compression;
    int result;
} TestQxlServerStart;


static void test_qxl_server_start_on_core(void *data)
{
    TestQxlServerStart *st = data;
    TestQxlServer *ts = st->ts;
    st->result = -1;
    for (int attempt = 0; attempt < TEST_QXL_SERVER_PORT_ATTEMPTS; attempt++) {
        ts->port = test_free_port();
        if (ts->port <= 0) {
            continue;
        }
        ts->server = spice_server_new();
        spice_server_set_addr(ts->server, "127.0.0.1", SPICE_ADDR_FLAG_IPV4_ONLY);
        spice_server_set_port(ts->server, ts->port);
        spice_server_set_ticket(ts->server, TEST_QXL_SERVER_PASSWORD, 0, 0, 0);
        bool jpeg = st->compression == TEST_QXL_SERVER_AUTO_JPEG;
        static const SpiceImageCompression setting[] = {
            [TEST_QXL_SERVER_RAW] = SPICE_IMAGE_COMPRESSION_OFF,
            [TEST_QXL_SERVER_LZ4] = SPICE_IMAGE_COMPRESSION_LZ4,
            [TEST_QXL_SERVER_AUTO_JPEG] = SPICE_IMAGE_COMPRESSION_AUTO_GLZ,
            [TEST_QXL_SERVER_GLZ] = SPICE_IMAGE_COMPRESSION_GLZ,
            [TEST_QXL_SERVER_ZLIB_GLZ] = SPICE_IMAGE_COMPRESSION_GLZ,
            [TEST_QXL_SERVER_WAN] = SPICE_IMAGE_COMPRESSION_GLZ,
        };
        bool wan = st->compression == TEST_QXL_SERVER_WAN;
        spice_server_set_image_compression(ts->server, setting[st->compression]);
        spice_server_set_jpeg_compression(ts->server, jpeg ? SPICE_WAN_COMPRESSION_ALWAYS
                                                      : wan ? SPICE_WAN_COMPRESSION_AUTO
                                                            : SPICE_WAN_COMPRESSION_NEVER);
        spice_server_set_zlib_glz_compression(
            ts->server, st->compression == TEST_QXL_SERVER_ZLIB_GLZ ? SPICE_WAN_COMPRESSION_ALWAYS
                        : wan                                     ? SPICE_WAN_COMPRESSION_AUTO
                                                                  : SPICE_WAN_COMPRESSION_NEVER);
        spice_server_set_streaming_video(ts->server, SPICE_STREAM_VIDEO_OFF);
        if (spice_server_init(ts->server, test_core_get_interface(ts->core)) == 0) {
            break;
        }
        spice_server_destroy(ts->server);
        ts->server = NULL;
    }
    if (ts->server == NULL) {
        return;
    }
    QXLInstance *qin = fake_qxl_get_instance(ts->qxl);
    if (spice_server_add_interface(ts->server, &qin->base) != 0) {
        return;
    }
    spice_server_vm_start(ts->server);
    st->result = 0;
}

TestQxlServer *test_qxl_server_create(uint32_t width, uint32_t height,
                                      TestQxlServerCompression compression)
{
    TestQxlServer *ts = g_new0(TestQxlServer, 1);
    ts->width = width;
    ts->height = height;
    ts->core = test_core_create();
    ts->qxl = fake_qxl_create(0);
    if (ts->core == NULL || ts->qxl == NULL) {
        fprintf(stderr, "test_qxl_server_create: no core or device\n");
        test_core_destroy(ts->core);
        fake_qxl_destroy(ts->qxl);
        g_free(ts);
        return NULL;
    }
    TestQxlServerStart st = { .ts = ts, .compression = compression };
    if (test_core_call(ts->core, test_qxl_server_start_on_core, &st,
                       TEST_QXL_SERVER_CALL_TIMEOUT_MS) != 0) {
        fprintf(stderr, "test_qxl_server_create: server start-up hung\n");
        exit(1); /* the core thread may still use ts */
    }
    if (st.result != 0) {
        fprintf(stderr, "test_qxl_server_create: server did not start\n");
        test_qxl_server_destroy(ts, 0);
        return NULL;
    }
    fake_qxl_add_memslot(ts->qxl);
    if (fake_qxl_create_primary(ts->qxl, width, height, FAKE_QXL_STRIDE_POSITIVE) != 0) {
        fprintf(stderr, "test_qxl_server_create: no primary surface\n");
        test_qxl_server_destroy(ts, 0);
        return NULL;
    }
    return ts;
}

static void test_qxl_server_stop_on_core(void *data)
{
    TestQxlServer *ts = data;
    if (ts->server == NULL) {
        return;
    }
    spice_server_vm_stop(ts->server);
    spice_server_remove_interface(&fake_qxl_get_instance(ts->qxl)->base);
    spice_server_destroy(ts->server);
    ts->server = NULL;
}

bool test_qxl_server_destroy(TestQxlServer *ts, unsigned timeout_ms)
{
    if (ts == NULL) {
        return true;
    }
    bool released = true;
    if (ts->server != NULL) {
        QXLInstance *qin = fake_qxl_get_instance(ts->qxl);
        fake_qxl_destroy_primary(ts->qxl);
        spice_qxl_destroy_surfaces(qin);
        released = fake_qxl_wait_all_released(ts->qxl, timeout_ms);
        if (test_core_call(ts->core, test_qxl_server_stop_on_core, ts,
                           TEST_QXL_SERVER_CALL_TIMEOUT_MS) != 0) {
            fprintf(stderr, "test_qxl_server_destroy: server teardown hung\n");
            exit(1);
        }
    }
    test_core_destroy(ts->core);
    fake_qxl_destroy(ts->qxl);
    g_free(ts);
    return released;
}
