# SPDX-License-Identifier: GPL-2.0-or-later
# tests/dist: the project as people package it.  test-spdx.sh: every source
# file names its licence (SPDX line, README "Licences"); test-install-qemu.sh:
# `make install` of the server library and its spice-server.pc, and Debian's
# QEMU running on the installed library.
TESTS += dist/test-spdx.sh dist/test-install-qemu.sh
EXTRA_DIST += dist/test-spdx.sh dist/test-install-qemu.sh $(NULL)
