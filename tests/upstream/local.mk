# SPDX-License-Identifier: GPL-2.0-or-later
# tests/upstream: upstream spice-server 0.15.1's own tests (from Debian's
# `spice` source package, fetched with apt-get source and built once into
# upstream/cache) linked against our libspice-server.so.1 (README.md;
# tests.txt lists which run and why the others do not).
TESTS += upstream/test-upstream.sh
EXTRA_DIST += upstream/test-upstream.sh upstream/tests.txt upstream/README.md

clean-local: clean-local-upstream
clean-local-upstream:
	rm -rf upstream/work
# The fetched source and its build go only with distclean (a refetch).
distclean-local: distclean-local-upstream
distclean-local-upstream:
	rm -rf upstream/cache
.PHONY: clean-local-upstream distclean-local-upstream
