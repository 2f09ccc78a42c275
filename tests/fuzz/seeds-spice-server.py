#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the hand-made seeds of fuzz-spice-server into a folder.

Byte 0 picks the stream (see fuzz-spice-server.c): 0 a raw link, 1-4 the
data phase of main, display, cursor, inputs (mini headers: type u16, size
u32).  Seeds: a correct link message for each channel (its ticket is
garbage), then per channel the messages spice-gtk sends first: ACK_SYNC,
ACK, PONG, DISCONNECTING; main's ATTACH_CHANNELS, MOUSE_MODE_REQUEST,
AGENT_START; display's INIT; inputs' keys and mouse.

    seeds-spice-server.py DIR
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzzseeds  # noqa: E402

MAIN, DISPLAY, CURSOR, INPUTS = 1, 2, 3, 4


def link(channel, caps=(0x0b,)):
    # SpiceLinkMess: connection_id, type, id, common caps, channel caps, caps offset
    mess = struct.pack("<IBBIII", 0, channel, 0, len(caps), 0, 18) + b"".join(
        struct.pack("<I", c) for c in caps)
    head = struct.pack("<IIII", 0x51444552, 2, 2, len(mess))
    return head + mess + bytes(128)


def msg(t, body=b""):
    return struct.pack("<HI", t, len(body)) + body


BASE = msg(1, struct.pack("<I", 1)) + msg(2) + msg(3, struct.pack("<IQ", 1, 0))


def seeds():
    out = [bytes([0]) + link(c) for c in (1, 2, 4, 3)]
    out.append(bytes([MAIN]) + BASE + msg(104) + msg(105, struct.pack("<H", 2)) +
               msg(106, struct.pack("<I", 10)) + msg(6))
    out.append(bytes([DISPLAY]) + BASE + msg(101, struct.pack("<BqBi", 1, 1 << 20, 0, 0)) + msg(6))
    out.append(bytes([CURSOR]) + BASE + msg(6))
    out.append(bytes([INPUTS]) + BASE + msg(101, struct.pack("<I", 0x1e)) +
               msg(102, struct.pack("<I", 0x1e)) + msg(104, struct.pack("<I", 0x9e)) +
               msg(111, struct.pack("<iiH", 5, -3, 1)) +
               msg(112, struct.pack("<IIHB", 10, 10, 0, 0)) + msg(6))
    return out


if __name__ == "__main__":
    fuzzseeds.write_all(seeds())
