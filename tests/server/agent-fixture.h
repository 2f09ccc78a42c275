/* SPDX-License-Identifier: GPL-2.0-or-later */
/* agent-fixture.h: our server on a TestCore thread with a scripted vdagent
 * (ScriptedCharDev) and our minimal main-channel client, for the agent
 * tests (test-agent, test-agent-monitors).
 *
 * Every spice_server_* call and every look at the device's books is made
 * on the server thread (on_core), which also serves as the "the server has
 * finished what it was doing" barrier.  Failures are CHECKs (test-util.h).
 */
#ifndef AGENT_FIXTURE_H
#define AGENT_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <spice.h>

#include "scripted-chardev.h"
#include "spice-messages.h"
#include "test-core.h"

#define IO_TIMEOUT_MS 5000
#define CALL_TIMEOUT_MS 5000
#define PASSWORD "secret"
#define WINDOW 10   /* RED_AGENT_CLIENT_WINDOW: what MAIN_INIT must offer */

typedef struct Fixture {
    TestCore *core;
    SpiceServer *server;
    int port;
    int init_result;
    ScriptedCharDev agent;      /* the vdagent */
    GMutex log_lock;
    GString *log;               /* the server's warnings */
} Fixture;

/* What the server wrote to the agent, reassembled per port: takes the
 * client port's bytes out (chunk headers checked) into *client. */
typedef struct Written {
    GByteArray *client;
    unsigned client_chunks, server_messages;
    uint32_t last_server_type;
    uint8_t last_server_body[32];   /* its payload (a mouse state), cut at 32 */
    uint32_t last_server_size;
    bool bad;
} Written;

typedef struct Books {
    size_t read_total, pending_read, written, write_budget;
    int state;
} Books;

typedef struct Client {
    int fd;
    SpiceMsgMainInit init;
    uint32_t tokens;            /* ours for AGENT_DATA */
    uint32_t sent_unreturned;   /* AGENT_DATA not yet answered by a token */
} Client;

/* The one fixture of the process (fixture_start fills it). */
extern Fixture fx;

/* True once the server logged a line containing what. */
bool logged(const char *what);
/* Runs func on the server thread and waits (a stuck server exits 1). */
void on_core(void (*func)(void *data), void *data);
/* The server on a free port with PASSWORD as its ticket; 0 or -1. */
int fixture_start(Fixture *f);
void fixture_stop(Fixture *f);
/* on_core helpers: wake the agent device (data: its ScriptedCharDev); nothing. */
void do_wakeup(void *data);
void do_nothing(void *data);
/* ---- the agent: chunks it writes, what the server wrote it ---- */
void agent_send_chunk(uint32_t port, const uint8_t *data, uint32_t size, bool wake);
GByteArray *agent_message(uint32_t type, const uint8_t *payload, uint32_t size);
void agent_send_whole(const GByteArray *m);
unsigned agent_send_message(const GByteArray *m);
void do_take_written(void *data);
Books books(void);
void set_write_budget(size_t n);
/* ---- the client: main channel, agent messages with tokens ---- */
void client_open(Client *c);
void client_close(Client *c);
void client_send(Client *c, const SpiceMsgc *m);
void client_send_tokens(Client *c, uint16_t type, uint32_t n);
void client_send_chunk_raw(Client *c, const uint8_t *data, uint32_t n);
int client_read(Client *c, SpiceMsg *out, uint8_t **body);
int client_expect(Client *c, int want, SpiceMsg *out);
void client_send_message(Client *c, const GByteArray *m);
GByteArray *client_receive_bytes(Client *c, size_t want, unsigned *chunks);
GByteArray *agent_receive_bytes(size_t want, Written *w);
/* The scripted vdagent plugged in / out of the server. */
void add_agent(void);
void remove_agent(void);
bool socket_quiet(int fd);
void client_start(Client *c, uint32_t grant);
void client_with_agent(Client *c, uint32_t grant);

#endif /* AGENT_FIXTURE_H */
