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
EXTRA_DIST += client/test-agent-clipboard.sh client/test-agent-clipboard.py client/spice_agent_client.py

# spice-gtk plays an MJPEG video stream from our server (server/video-server)
# and ends with the exact picture.
TESTS += client/test-video-client.sh
EXTRA_DIST += client/test-video-client.sh client/test-video-client.py

# spice-gtk's canvas equals our server's surface after fills and scrolls that
# reach it as DRAW_FILL and COPY_BITS (server/test-draw-commands --serve).
TESTS += client/test-draw-commands-client.sh
EXTRA_DIST += client/test-draw-commands-client.sh

# spice-gtk shows a photograph our server sent as JPEG within bounds, the
# text beside it exactly (test-lossy-images --serve).
TESTS += client/test-lossy-images-client.sh
EXTRA_DIST += client/test-lossy-images-client.sh

# spice-gtk decodes our GLZ images, copies from earlier ones included, with
# its own window: its canvas equals the surface (test-glz-images --serve).
TESTS += client/test-glz-images-client.sh
EXTRA_DIST += client/test-glz-images-client.sh

# spice-gtk shows the desktop scene exactly under each lossless image
# setting (lz, auto_glz, lz4, off), and the bytes it read rank as the
# encoders do (LZ_RGB below LZ4 below raw).
TESTS += client/test-spice-watch-codecs.sh
EXTRA_DIST += client/test-spice-watch-codecs.sh

# spice-gtk hears the playback channel: PLAYBACK_START and non-silent
# packets from server/audio-sine-server (our library, a sine fed through
# spice_server_playback_*).
TESTS += client/test-audio-spice-gtk.sh
EXTRA_DIST += client/test-audio-spice-gtk.sh client/spice-audio-watch.py

# spice-gtk on a 1 Mbit/s link (bench/link-shaper) is slow, not stalled: our
# server, blocked on it longer than its stall limit, sees the socket's
# unsent bytes go down and keeps it.
TESTS += client/test-slow-link-client.sh
EXTRA_DIST += client/test-slow-link-client.sh client/test-slow-link-client.py
