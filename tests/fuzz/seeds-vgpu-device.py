#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the hand-made seeds of fuzz-vgpu-device into a folder.

Each seed is a short guest session as the target reads it (byte 0 the
features, then steps; see fuzz-vgpu-device.c): the display info, a 2D
resource made the scanout and flushed, a cursor, an unref of a resource
that does not exist, a freeze and unfreeze around a flush, a suspend with
the queues busy, a ring overwritten under the device.  Layouts are those
of <linux/virtio_gpu.h>.

    seeds-vgpu-device.py DIR
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzzseeds  # noqa: E402

POST, RING, COMMON, DEVCFG, NOTIFY, POWER, WAIT = range(7)
FREEZE_MODE_OFF = 64          # spice/virtio-pci-freeze.h
STATUS_OFF = 20               # virtio_pci_common_cfg.device_status
BACKING = 0x100000            # guest RAM below the driver's own


def hdr(t):
    return struct.pack("<IIQIB3x", t, 0, 0, 0, 0)


def post(q, req, resp=24):
    return struct.pack("<BBHH", POST, q, len(req), resp) + req


def wait():
    return bytes([WAIT])


def common(off, size, value):
    sizes = {1: 0, 2: 1, 4: 2}
    return struct.pack("<BBBI", COMMON, off, sizes[size], value)


def create(rid, w, h):
    return hdr(0x0101) + struct.pack("<IIII", rid, 2, w, h)


def attach(rid, addr, length):
    return hdr(0x0106) + struct.pack("<II", rid, 1) + struct.pack("<QII", addr, length, 0)


def scanout(rid, w, h):
    return hdr(0x0103) + struct.pack("<IIIIII", 0, 0, w, h, 0, rid)


def transfer(rid, w, h):
    return hdr(0x0105) + struct.pack("<IIIIQII", 0, 0, w, h, 0, rid, 0)


def flush(rid, w, h):
    return hdr(0x0104) + struct.pack("<IIIIII", 0, 0, w, h, rid, 0)


def picture(rid=1, w=64, h=64):
    return (post(0, create(rid, w, h)) + post(0, attach(rid, BACKING, w * h * 4)) +
            post(0, scanout(rid, w, h)) + post(0, transfer(rid, w, h)) +
            post(0, flush(rid, w, h)) + wait())


def seeds():
    out = []
    out.append(bytes([0]) + post(0, hdr(0x0100), 408) + wait())
    out.append(bytes([0]) + picture())
    cursor = (post(0, create(2, 64, 64)) + post(0, attach(2, BACKING + 0x10000, 64 * 64 * 4)) +
              post(0, transfer(2, 64, 64)) + wait() +
              post(1, hdr(0x0300) + struct.pack("<IIIIIIII", 0, 10, 10, 0, 2, 1, 1, 0), 0) + wait())
    out.append(bytes([0]) + cursor)
    out.append(bytes([0]) + post(0, hdr(0x0102) + struct.pack("<II", 77, 0)) + wait())
    out.append(bytes([1]) + picture() + common(FREEZE_MODE_OFF, 2, 1) + wait() +
               common(FREEZE_MODE_OFF, 2, 0) + post(0, flush(1, 64, 64)) + wait())
    out.append(bytes([3]) + picture() + post(0, flush(1, 64, 64)) +
               common(STATUS_OFF, 1, 0x0f | 0x10) + wait() + common(STATUS_OFF, 1, 0x0f) + wait())
    out.append(bytes([0]) + picture() + struct.pack("<BBHB", RING, 0, 0, 16) +
               struct.pack("<QIHH", 0xffffffff0000, 0x1000, 1, 1) + struct.pack("<BH", NOTIFY, 0) + wait())
    out.append(bytes([1]) + picture() + struct.pack("<BB", POWER, 1) + struct.pack("<BB", POWER, 0) +
               post(0, hdr(0x0100), 408) + wait())
    return out


if __name__ == "__main__":
    fuzzseeds.write_all(seeds())
