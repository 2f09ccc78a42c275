# SPDX-License-Identifier: GPL-2.0-or-later
# tests/dist: the project as people package it.  test-spdx.sh: every source
# file names its licence (SPDX line, README "Licences").
TESTS += dist/test-spdx.sh
EXTRA_DIST += dist/test-spdx.sh $(NULL)
