#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xwd-to-png: converts an X window dump (xwd -root) of a TrueColor screen to
PNG with the standard library only, and counts the pixels of given colours.

Usage: xwd-to-png.py IN.xwd OUT.png [RRGGBB ...]
Prints "WxH" and, for each colour, "RRGGBB=count".  Exit 0, or 1 if the dump
is not a 24/32 bits per pixel TrueColor image (the only kind Xvfb -screen
0 WxHx24 produces).
"""
import struct
import sys
import zlib

XWD_HEADER_FIELDS = 25  # CARD32 fields of XWDFileHeader, big-endian
XWD_COLOR_SIZE = 12     # one XWDColor entry
ZPIXMAP = 2


def read_xwd(data):
    if len(data) < XWD_HEADER_FIELDS * 4:
        raise ValueError("short header")
    h = struct.unpack(">%dI" % XWD_HEADER_FIELDS, data[:XWD_HEADER_FIELDS * 4])
    (header_size, version, fmt, depth, width, height, _xoff, byte_order, _unit, _bit_order,
     _pad, bpp, bytes_per_line, _visual_class, red_mask, green_mask, blue_mask, _bits_rgb,
     _cmap_entries, ncolors) = h[:20]
    if version != 7 or fmt != ZPIXMAP or bpp not in (24, 32) or depth not in (24, 32):
        raise ValueError("unsupported dump: version %d format %d depth %d bpp %d"
                         % (version, fmt, depth, bpp))
    offset = header_size + ncolors * XWD_COLOR_SIZE
    if offset + bytes_per_line * height > len(data):
        raise ValueError("truncated pixel data")
    little = byte_order == 0
    step = bpp // 8
    shifts = [(m & -m).bit_length() - 1 for m in (red_mask, green_mask, blue_mask)]
    masks = (red_mask, green_mask, blue_mask)
    rows = []
    for y in range(height):
        start = offset + y * bytes_per_line
        line = data[start:start + width * step]
        row = bytearray(width * 3)
        for x in range(width):
            v = int.from_bytes(line[x * step:(x + 1) * step], "little" if little else "big")
            row[3 * x] = (v & masks[0]) >> shifts[0]
            row[3 * x + 1] = (v & masks[1]) >> shifts[1]
            row[3 * x + 2] = (v & masks[2]) >> shifts[2]
        rows.append(bytes(row))
    return width, height, rows


def png_chunk(kind, body):
    return (struct.pack(">I", len(body)) + kind + body +
            struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))


def write_png(path, width, height, rows):
    raw = b"".join(b"\0" + r for r in rows)  # filter type 0 on every row
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        f.write(png_chunk(b"IDAT", zlib.compress(raw, 6)))
        f.write(png_chunk(b"IEND", b""))


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], "rb") as f:
        data = f.read()
    try:
        width, height, rows = read_xwd(data)
    except ValueError as e:
        print("%s: %s" % (argv[1], e), file=sys.stderr)
        return 1
    write_png(argv[2], width, height, rows)
    print("%dx%d" % (width, height))
    for colour in argv[3:]:
        needle = bytes.fromhex(colour)
        count = sum(1 for r in rows for i in range(0, len(r), 3) if r[i:i + 3] == needle)
        print("%s=%d" % (colour, count))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
