#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-linux-agent.sh: the make check test of linux-agent.py: spice-vdagent in
# the Debian guest shares the clipboard both ways with spice-gtk, and the
# viewer's window size reaches the guest's qxl driver, through our plain
# library (run-guest-test.sh says how it runs and skips).
exec "$(dirname "$0")/run-guest-test.sh" linux-agent.py agent
