#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the hand-made seeds of fuzz-server-parsers into a folder.

Each seed is one valid command of a kind a guest sends (fill, copy of a
direct, chunked, bottom-up or paletted bitmap, copy of a surface, copy-bits,
clipped fills, blackness, surface create and destroy, update, message,
cursor set/move/hide), laid out as the target reads it: type, flags,
command offset, then guest memory.  The fuzzer mutates from there; the
layouts are those of <spice/qxl_dev.h> (packed structures).

    seeds-server-parsers.py DIR
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzzseeds  # noqa: E402

SLOT, GEN = 1, 3          # tests/regress/regress-guest-mem.h


def addr(off):
    return (SLOT << 56) | (GEN << 48) | off


class Mem:
    def __init__(self):
        self.b = bytearray(4096)

    def put(self, off, data):
        self.b[off:off + len(data)] = data


def rect(top, left, bottom, right):
    return struct.pack("<iiii", top, left, bottom, right)


def drawable(dtype, bbox, body, clip=(0, 0), effect=1):
    # release_info, surface_id, effect, type, self_bitmap, self_bitmap_area,
    # bbox, clip (type, data), mm_time, surfaces_dest[3], surfaces_rects[3]
    head = struct.pack("<QIBBB", 0x1234, 0, effect, dtype, 0) + rect(0, 0, 0, 0) + bbox
    head += struct.pack("<IQ", clip[0], clip[1]) + struct.pack("<I", 0)
    head += struct.pack("<iii", -1, -1, -1) + rect(0, 0, 0, 0) * 3
    assert len(head) == 123
    return head + body


NO_MASK = struct.pack("<BiiQ", 0, 0, 0, 0)


def solid_fill(color):
    brush = struct.pack("<II", 1, color) + bytes(12)   # SOLID, union of 16 bytes
    return brush + struct.pack("<H", 1 << 3) + NO_MASK  # OP_PUT


def copy_body(image_off, w, h):
    return struct.pack("<Q", addr(image_off)) + rect(0, 0, h, w) + struct.pack("<HB", 1 << 3, 0) + NO_MASK


def image(w, h, fmt, flags, stride, data_off, palette_off=0, itype=0):
    desc = struct.pack("<QBBII", 7, itype, 0, w, h)
    bmp = struct.pack("<BBIIIQQ", fmt, flags, w, h, stride,
                      addr(palette_off) if palette_off else 0, addr(data_off))
    return desc + bmp


def chunk(data, next_off=0, prev_off=0):
    return struct.pack("<IQQ", len(data), addr(prev_off) if prev_off else 0,
                       addr(next_off) if next_off else 0) + data


def seed(cmd_type, flags, cmd_off, mem):
    return struct.pack("<BBH", cmd_type, flags, cmd_off) + bytes(mem.b).rstrip(b"\0")


def seeds():
    DRAW, UPDATE, CURSOR, MESSAGE, SURFACE = 1, 2, 3, 4, 5
    out = []
    # solid fill, no clip
    m = Mem()
    m.put(0x100, drawable(1, rect(4, 4, 20, 30), solid_fill(0xff336699)))
    out.append(seed(DRAW, 0, 0x100, m))
    # fill clipped by two rects
    m = Mem()
    m.put(0x100, drawable(1, rect(0, 0, 32, 32), solid_fill(0x00ff00), clip=(1, addr(0x400))))
    m.put(0x400, struct.pack("<I", 2) + chunk(rect(0, 0, 8, 8) + rect(10, 10, 20, 20)))
    out.append(seed(DRAW, 0, 0x100, m))
    # copy of a direct 8x8 32-bit top-down bitmap
    m = Mem()
    m.put(0x100, drawable(3, rect(0, 0, 8, 8), copy_body(0x300, 8, 8)))
    m.put(0x300, image(8, 8, 8, 1 | 4, 32, 0x400))
    m.put(0x400, bytes(range(256)))
    out.append(seed(DRAW, 0, 0x100, m))
    # copy of a chunked bottom-up bitmap (two chunks)
    m = Mem()
    m.put(0x100, drawable(3, rect(0, 0, 4, 4), copy_body(0x300, 4, 4)))
    m.put(0x300, image(4, 4, 8, 0, 16, 0x400))
    m.put(0x400, chunk(bytes(32), next_off=0x500))
    m.put(0x500, chunk(bytes(range(32)), prev_off=0x400))
    out.append(seed(DRAW, 0, 0x100, m))
    # copy of an 8-bit paletted bitmap
    m = Mem()
    m.put(0x100, drawable(3, rect(0, 0, 4, 4), copy_body(0x300, 4, 4)))
    m.put(0x300, image(4, 4, 5, 1 | 4, 4, 0x400, palette_off=0x480))
    m.put(0x400, bytes([0, 1, 2, 3] * 4))
    m.put(0x480, struct.pack("<QH", 9, 4) + struct.pack("<IIII", 0, 0xff0000, 0xff00, 0xff))
    out.append(seed(DRAW, 0, 0x100, m))
    # copy from surface 0 (a surface image)
    m = Mem()
    m.put(0x100, drawable(3, rect(8, 8, 16, 16), copy_body(0x300, 8, 8)))
    m.put(0x300, struct.pack("<QBBII", 8, 104, 0, 8, 8) + struct.pack("<I", 0))
    out.append(seed(DRAW, 0, 0x100, m))
    # copy-bits: scroll up by 4
    m = Mem()
    m.put(0x100, drawable(4, rect(0, 0, 60, 64), struct.pack("<ii", 0, 4)))
    out.append(seed(DRAW, 0, 0x100, m))
    # blackness
    m = Mem()
    m.put(0x100, drawable(6, rect(0, 0, 8, 8), NO_MASK))
    out.append(seed(DRAW, 0, 0x100, m))
    # surface 1 create in guest memory, then (another seed) destroy
    m = Mem()
    m.put(0x100, struct.pack("<QIBI", 0x99, 1, 0, 0) + struct.pack("<IIIiQ", 32, 16, 16, 64, addr(0x800)))
    out.append(seed(SURFACE, 0, 0x100, m))
    m = Mem()
    m.put(0x100, struct.pack("<QIBI", 0x99, 1, 1, 0))
    out.append(seed(SURFACE, 0, 0x100, m))
    # update and message
    m = Mem()
    m.put(0x100, struct.pack("<Q", 5) + rect(0, 0, 64, 64) + struct.pack("<I", 0))
    out.append(seed(UPDATE, 0, 0x100, m))
    m = Mem()
    m.put(0x100, struct.pack("<Q", 6) + b"hello\0")
    out.append(seed(MESSAGE, 0, 0x100, m))
    # cursor set with a 4x4 alpha shape, then move and hide
    m = Mem()
    m.put(0x100, struct.pack("<QBhhBQ", 0x77, 0, 10, 12, 1, addr(0x300)))
    shape = bytes(range(64))
    m.put(0x300, struct.pack("<QHHHHH", 1, 0, 4, 4, 0, 0) + struct.pack("<I", len(shape)) +
          chunk(shape))
    out.append(seed(CURSOR, 0, 0x100, m))
    m = Mem()
    m.put(0x100, struct.pack("<QBhh", 0x78, 1, 3, 4))
    out.append(seed(CURSOR, 0, 0x100, m))
    m = Mem()
    m.put(0x100, struct.pack("<QB", 0x79, 2))
    out.append(seed(CURSOR, 0, 0x100, m))
    return out


if __name__ == "__main__":
    fuzzseeds.write_all(seeds())
