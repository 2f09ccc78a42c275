# SPDX-License-Identifier: GPL-2.0-or-later
"""fuzzseeds.py: writes a seeds-*.py script's seeds into the folder named on
its command line, each under the SHA-1 of its bytes (libFuzzer's naming)."""
import hashlib
import os
import sys


def write_all(seeds):
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)
    for s in seeds:
        with open(os.path.join(folder, hashlib.sha1(s).hexdigest()), "wb") as f:
            f.write(s)
