/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scripted-chardev.h: a SpiceCharDeviceInstance whose guest side is two
 * byte arrays, for the char-device tests (test-agent, test-agent-clients,
 * test-usbredir).
 *
 * read() hands out to_server from the front; write() appends to
 * from_server, at most write_budget bytes in total (SIZE_MAX: no limit; 0:
 * a guest that reads nothing); state() is recorded.  Like the server, a
 * ScriptedCharDev belongs to the server's thread: the test thread reaches
 * it through test_core_call only.
 */
#ifndef SCRIPTED_CHARDEV_H
#define SCRIPTED_CHARDEV_H

#include <stddef.h>

#include <glib.h>
#include <spice.h>

typedef struct ScriptedCharDev {
    SpiceCharDeviceInstance sin;
    GByteArray *to_server;
    size_t read_total;          /* bytes the server read */
    GByteArray *from_server;
    size_t write_budget;
    unsigned write_calls;       /* write() calls, refused ones too */
    int state;                  /* last state() call; -1 none */
} ScriptedCharDev;

/* Sets dev up afresh (buffers empty, budget SIZE_MAX, state -1) as a char
 * device of subtype (a static string).  Not added to any server. */
void scripted_chardev_init(ScriptedCharDev *dev, const char *subtype);
/* Frees the buffers (remove the device from its server first). */
void scripted_chardev_finish(ScriptedCharDev *dev);

#endif /* SCRIPTED_CHARDEV_H */
