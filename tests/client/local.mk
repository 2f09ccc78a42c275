# SPDX-License-Identifier: GPL-2.0-or-later
# tests/client: our SPICE test client (library + tools) and its tests.

# spice-watch.py: a persistent spice-gtk client taking JSON-line commands
# (status, snapshot, wait-idle, ...), used by the real-QEMU S3 tests; checked
# pixel for pixel against the scene test-display-scene serves.
TESTS += client/test-spice-watch.sh
EXTRA_DIST += client/spice-watch.py client/spice-watch-lib.sh client/test-spice-watch.sh

# spice-gtk's clipboard (both ways) and monitors config through our agent
# (server/agent-server: our server with a scripted vdagent).
TESTS += client/test-agent-clipboard.sh
EXTRA_DIST += client/test-agent-clipboard.sh client/test-agent-clipboard.py

# spice-gtk hears the playback channel: PLAYBACK_START and non-silent
# packets from server/audio-sine-server (our library, a sine fed through
# spice_server_playback_*).
TESTS += client/test-audio-spice-gtk.sh
EXTRA_DIST += client/test-audio-spice-gtk.sh client/spice-audio-watch.py
