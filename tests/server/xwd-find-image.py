#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xwd-find-image: is a P6 PPM image shown, pixel for pixel, somewhere on an
X screen dump (xwd -root)?  A viewer that shows the guest at 100 % puts the
guest's picture on the screen unchanged, at an offset the window manager
and the viewer's chrome decide: this looks for it at every offset.

Usage: xwd-find-image.py SCREEN.xwd IMAGE.ppm
Prints "found at X,Y" and exits 0, or prints "not found" and exits 1; exit 2
on an unreadable file.  Standard library only (reads the dump with
xwd-to-png.py's reader).
"""
import importlib.util
import os
import sys


def load_xwd_reader():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "xwd-to-png.py")
    spec = importlib.util.spec_from_file_location("xwd_to_png", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.read_xwd


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    fields = []
    pos = 0
    while len(fields) < 4:  # magic, width, height, maxval; no comments in ours
        while data[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError("not an 8-bit P6 PPM")
    width, height = int(fields[1]), int(fields[2])
    pos += 1  # the one whitespace byte after maxval
    pixels = data[pos:pos + width * height * 3]
    if len(pixels) != width * height * 3:
        raise ValueError("truncated PPM")
    return width, height, [pixels[y * width * 3:(y + 1) * width * 3] for y in range(height)]


def find(screen_rows, image_rows):
    first = image_rows[0]
    for y in range(len(screen_rows) - len(image_rows) + 1):
        start = screen_rows[y].find(first)
        while start >= 0:
            if start % 3 == 0 and all(
                    screen_rows[y + i][start:start + len(r)] == r
                    for i, r in enumerate(image_rows)):
                return start // 3, y
            start = screen_rows[y].find(first, start + 1)
    return None


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        with open(argv[1], "rb") as f:
            _w, _h, screen = load_xwd_reader()(f.read())
        _iw, _ih, image = read_ppm(argv[2])
    except (OSError, ValueError) as e:
        print("xwd-find-image: %s" % e, file=sys.stderr)
        return 2
    at = find(screen, image)
    if at is None:
        print("not found")
        return 1
    print("found at %d,%d" % at)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
