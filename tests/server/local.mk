# SPDX-License-Identifier: GPL-2.0-or-later
# tests/server: tests of server/ (unit, hostile input, ABI, real client).

SERVER_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server \
	-I$(top_srcdir)/server/core -I$(top_srcdir)/server/display -I$(top_srcdir)/server/net \
	-I$(top_srcdir)/server/channels \
	$(SPICE_SERVER_CFLAGS) $(GLIB_CFLAGS) $(PIXMAN_CFLAGS) $(OPENSSL_CFLAGS)
SERVER_TEST_LIBS = $(SPICE_TEST_LIBS) $(top_builddir)/server/libserver-core.la \
	$(GLIB_LIBS) $(PIXMAN_LIBS) $(OPENSSL_LIBS)

# Our server on its own thread (server-fixture) and our minimal client:
# the programs that play clients against libserver-core.
FIXTURE_SOURCES = server/server-fixture.c server/server-fixture.h \
	server/test-client.c server/test-client.h \
	$(NULL)
# The same with OpenSSL clients (TLS, SASL over TLS).
TLS_FIXTURE_SOURCES = $(FIXTURE_SOURCES) \
	server/test-tls-client.c server/test-tls-client.h \
	$(NULL)
# A scripted char device and our minimal client on a TestCore thread (the
# agent and spicevmc tests).
CHARDEV_TEST_SOURCES = server/scripted-chardev.c server/scripted-chardev.h \
	server/test-client.c server/test-client.h \
	server/test-core.c server/test-core.h \
	$(NULL)

# Hostile clients against our server (links libserver-core directly).
test_programs += server/test-hostile-clients
server_test_hostile_clients_SOURCES = server/test-hostile-clients.c $(FIXTURE_SOURCES)
server_test_hostile_clients_CPPFLAGS = $(SERVER_TEST_CPPFLAGS)
server_test_hostile_clients_LDADD = $(SERVER_TEST_LIBS)

# server/core on its own: the channel registry, the session, the main queue.
test_programs += server/test-server-core
server_test_server_core_SOURCES = server/test-server-core.c
server_test_server_core_CPPFLAGS = $(SERVER_TEST_CPPFLAGS)
server_test_server_core_LDADD = $(SERVER_TEST_LIBS)

# Corked sends: a stream's and a channel client's batch is one write.
test_programs += server/test-channel-cork
server_test_channel_cork_SOURCES = server/test-channel-cork.c
server_test_channel_cork_CPPFLAGS = $(SERVER_TEST_CPPFLAGS)
server_test_channel_cork_LDADD = $(SERVER_TEST_LIBS)

# A shadowed surface's full-width scroll, on its own.
test_programs += server/test-surface-scroll
server_test_surface_scroll_SOURCES = server/test-surface-scroll.c
server_test_surface_scroll_CPPFLAGS = $(SERVER_TEST_CPPFLAGS)
server_test_surface_scroll_LDADD = $(SERVER_TEST_LIBS)

# A scroll's strip left to the next drawable, in the renderer.
test_programs += server/test-render-strip
server_test_render_strip_SOURCES = server/test-render-strip.c \
	regress/regress-guest-mem.c regress/regress-guest-mem.h
server_test_render_strip_CPPFLAGS = $(SERVER_TEST_CPPFLAGS) -I$(srcdir)/regress
server_test_render_strip_LDADD = $(SERVER_TEST_LIBS)

# The display worker's own loop sources.
test_programs += server/test-worker-loop
server_test_worker_loop_SOURCES = server/test-worker-loop.c
server_test_worker_loop_CPPFLAGS = $(SERVER_TEST_CPPFLAGS)
server_test_worker_loop_LDADD = $(SERVER_TEST_LIBS)

# The pixmap cache's digest of an image, a view or a copy.
test_programs += server/test-image-digest
server_test_image_digest_SOURCES = server/test-image-digest.c
server_test_image_digest_CPPFLAGS = $(SERVER_TEST_CPPFLAGS)
server_test_image_digest_LDADD = $(SERVER_TEST_LIBS)

# Entry points of features we do not support: documented errors and no-ops.
test_programs += server/test-unsupported-api
server_test_unsupported_api_SOURCES = server/test-unsupported-api.c
server_test_unsupported_api_CPPFLAGS = $(SERVER_TEST_CPPFLAGS)
server_test_unsupported_api_LDADD = $(SERVER_TEST_LIBS)

# Same exported symbols and version nodes as Debian's libspice-server1.
TESTS += server/test-abi-symbols.sh
EXTRA_DIST += server/test-abi-symbols.sh

# A scene drawn through <spice.h> by a fake QXL device, checked in device
# memory after a flush and through the real client (spicy-screenshot); built
# twice from the same sources: against our library and against Debian's.
# test-core.c runs the machine's GLib core (qemu-hw-qxl/machine/vm-core)
# without a machine: the one SpiceCoreInterface of the project.
CORE_TEST_CPPFLAGS = -I$(top_srcdir)/guest-bus -I$(top_srcdir)/qemu-hw-qxl/machine
CORE_TEST_LIBS = $(top_builddir)/qemu-hw-qxl/libqemu-hw-qxl.la
SCENE_SOURCES = server/test-display-scene.c server/fake-qxl.c server/fake-qxl.h \
	server/fake-qxl-draw.c server/fake-qxl-private.h \
	server/test-core.c server/test-core.h codecs/lz-cases.c codecs/lz-cases.h
SCENE_CPPFLAGS = $(AM_CPPFLAGS) $(CORE_TEST_CPPFLAGS) $(SPICE_SERVER_CFLAGS) $(GLIB_CFLAGS) $(PIXMAN_CFLAGS) \
	-I$(srcdir)/codecs
helper_programs += server/test-display-scene server/test-display-scene-debian
server_test_display_scene_SOURCES = $(SCENE_SOURCES)
server_test_display_scene_CPPFLAGS = $(SCENE_CPPFLAGS)
server_test_display_scene_LDADD = libtestutil.la $(top_builddir)/server/libspice-server.la \
	$(CORE_TEST_LIBS) $(GLIB_LIBS) $(PIXMAN_LIBS)
server_test_display_scene_debian_SOURCES = $(SCENE_SOURCES)
server_test_display_scene_debian_CPPFLAGS = $(SCENE_CPPFLAGS)
server_test_display_scene_debian_LDADD = libtestutil.la $(SPICE_SERVER_LIBS) $(CORE_TEST_LIBS) \
	$(GLIB_LIBS) $(PIXMAN_LIBS)
TESTS += server/test-display-scene-ours.sh server/test-display-scene-debian.sh
EXTRA_DIST += server/test-display-scene.sh server/test-display-scene-ours.sh \
	server/test-display-scene-debian.sh

# Shared by the programs that drive a libspice-server through <spice.h> with
# a fake QXL device and our minimal client (test-slow-client, bench/).
QXL_CLIENT_SOURCES = server/fake-qxl.c server/fake-qxl.h server/fake-qxl-draw.c \
	server/fake-qxl-private.h \
	server/test-core.c server/test-core.h \
	server/test-qxl-server.c server/test-qxl-server.h \
	server/test-client.c server/test-client.h \
	$(NULL)
QXL_CLIENT_CPPFLAGS = $(AM_CPPFLAGS) $(CORE_TEST_CPPFLAGS) $(SPICE_SERVER_CFLAGS) $(GLIB_CFLAGS) $(OPENSSL_CFLAGS)
QXL_CLIENT_LIBS = $(top_builddir)/spice/libspice-wire.la $(CORE_TEST_LIBS) $(GLIB_LIBS) \
	$(OPENSSL_LIBS) $(PIXMAN_LIBS)

# A display client that stops reading: the worker keeps serving a normal
# client and what is held for the stuck one stays bounded (our library).
test_programs += server/test-slow-client
server_test_slow_client_SOURCES = server/test-slow-client.c $(QXL_CLIENT_SOURCES)
server_test_slow_client_CPPFLAGS = $(QXL_CLIENT_CPPFLAGS)
server_test_slow_client_LDADD = libtestutil.la $(top_builddir)/server/libspice-server.la \
	$(QXL_CLIENT_LIBS)

# Video streams (server/display/red-video.c): a client that renders what it
# gets, JPEG frames decoded with libjpeg.
test_programs += server/test-video-stream
server_test_video_stream_SOURCES = server/test-video-stream.c codecs/jpeg-decode.c \
	codecs/jpeg-decode.h $(QXL_CLIENT_SOURCES)
server_test_video_stream_CPPFLAGS = $(QXL_CLIENT_CPPFLAGS) $(JPEG_CFLAGS) -I$(srcdir)/codecs
server_test_video_stream_LDADD = libtestutil.la $(top_builddir)/server/libspice-server.la \
	$(QXL_CLIENT_LIBS) $(JPEG_LIBS)
# Plays a video into a fake QXL primary for spice-gtk
# (tests/client/test-video-client.sh).
helper_programs += server/video-server
server_video_server_SOURCES = server/video-server.c $(QXL_CLIENT_SOURCES)
server_video_server_CPPFLAGS = $(QXL_CLIENT_CPPFLAGS)
server_video_server_LDADD = libtestutil.la $(top_builddir)/server/libspice-server.la \
	$(QXL_CLIENT_LIBS)

# When the primary's pixels reach the guest's memory (update area, flush,
# VM stop; never a destroy), on our library and on Debian's.
test_programs += server/test-primary-sync server/test-primary-sync-debian
server_test_primary_sync_SOURCES = server/test-primary-sync.c $(QXL_CLIENT_SOURCES)
server_test_primary_sync_CPPFLAGS = $(QXL_CLIENT_CPPFLAGS)
server_test_primary_sync_LDADD = libtestutil.la $(top_builddir)/server/libspice-server.la \
	$(QXL_CLIENT_LIBS)
server_test_primary_sync_debian_SOURCES = $(server_test_primary_sync_SOURCES)
server_test_primary_sync_debian_CPPFLAGS = $(QXL_CLIENT_CPPFLAGS)
server_test_primary_sync_debian_LDADD = libtestutil.la $(SPICE_SERVER_LIBS) $(QXL_CLIENT_LIBS)

# Not a test (the picture varies with GTK and the viewer's scaling): shows the
# scene in remote-viewer on a private Xvfb and saves a PNG to look at.
EXTRA_DIST += server/viewer-screenshot.sh server/xwd-to-png.py

# The vdagent char device and the main channel's agent messages: a scripted
# agent (SpiceCharDeviceInterface) and our minimal client against
# libserver-core, on a TestCore thread.
test_programs += server/test-agent
AGENT_FIXTURE_SOURCES = server/agent-fixture.c server/agent-fixture.h $(CHARDEV_TEST_SOURCES)
server_test_agent_SOURCES = server/test-agent.c $(AGENT_FIXTURE_SOURCES)
server_test_agent_CPPFLAGS = $(SERVER_TEST_CPPFLAGS) $(CORE_TEST_CPPFLAGS)
server_test_agent_LDADD = $(SERVER_TEST_LIBS) $(CORE_TEST_LIBS)

# Where a client's monitors config goes: the display devices (when they
# take client layouts) or the agent; lying configs close the client.
test_programs += server/test-agent-monitors
server_test_agent_monitors_SOURCES = server/test-agent-monitors.c $(AGENT_FIXTURE_SOURCES) \
	server/fake-qxl.c server/fake-qxl.h server/fake-qxl-draw.c server/fake-qxl-private.h
server_test_agent_monitors_CPPFLAGS = $(SERVER_TEST_CPPFLAGS) $(CORE_TEST_CPPFLAGS) $(PIXMAN_CFLAGS)
server_test_agent_monitors_LDADD = $(SERVER_TEST_LIBS) $(CORE_TEST_LIBS) $(PIXMAN_LIBS)

# Our server with a scripted vdagent, driven by the real-client test
# tests/client/test-agent-clipboard.sh (spice-gtk).
helper_programs += server/agent-server
server_agent_server_SOURCES = server/agent-server.c server/test-core.c server/test-core.h
server_agent_server_CPPFLAGS = $(SERVER_TEST_CPPFLAGS) $(CORE_TEST_CPPFLAGS)
server_agent_server_LDADD = $(SERVER_TEST_LIBS) $(CORE_TEST_LIBS)

# The agent with several main-channel clients at once (its per-client state,
# driven through RedChannelClients on socketpairs).
test_programs += server/test-agent-clients
server_test_agent_clients_SOURCES = server/test-agent-clients.c $(CHARDEV_TEST_SOURCES)
server_test_agent_clients_CPPFLAGS = $(SERVER_TEST_CPPFLAGS) $(CORE_TEST_CPPFLAGS) \
	-I$(top_srcdir)/server/chardev
server_test_agent_clients_LDADD = $(SERVER_TEST_LIBS) $(CORE_TEST_LIBS)

# A usbredir char device as a pass-through usbredir channel.
test_programs += server/test-usbredir
server_test_usbredir_SOURCES = server/test-usbredir.c $(CHARDEV_TEST_SOURCES)
server_test_usbredir_CPPFLAGS = $(SERVER_TEST_CPPFLAGS) $(CORE_TEST_CPPFLAGS)
server_test_usbredir_LDADD = $(SERVER_TEST_LIBS) $(CORE_TEST_LIBS)
# TLS port and channel security against OpenSSL clients, with hostile TLS
# peers (certificates made at run time by tls-certs.sh).
test_programs += server/test-tls
server_test_tls_SOURCES = server/test-tls.c $(TLS_FIXTURE_SOURCES)
server_test_tls_CPPFLAGS = $(SERVER_TEST_CPPFLAGS)
server_test_tls_LDADD = $(SERVER_TEST_LIBS) $(OPENSSL_LIBS)
EXTRA_DIST += server/tls-certs.sh

# spice_server_set_ticket: lifetime, fail_if_connected, disconnect_if_connected.
test_programs += server/test-tickets
server_test_tickets_SOURCES = server/test-tickets.c $(FIXTURE_SOURCES)
server_test_tickets_CPPFLAGS = $(SERVER_TEST_CPPFLAGS)
server_test_tickets_LDADD = $(SERVER_TEST_LIBS)

# The main channel's link test (server/channels/red-net-test.h) on made-up
# clocks: the bitrate, the slow-link line, clients that answer wrong.
test_programs += server/test-net-test
server_test_net_test_SOURCES = server/test-net-test.c
server_test_net_test_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server/channels $(GLIB_CFLAGS)
server_test_net_test_LDADD = libtestutil.la $(top_builddir)/server/libserver-core.la $(GLIB_LIBS)

# SASL (Cyrus) over the TLS port and, with a security layer, the plain
# one, with a sasldb in a temporary folder; and a configuration whose
# mechanisms have no layer (plain links then get NEED_SECURED).
TESTS += server/test-sasl.sh server/test-sasl-tls-only.sh
EXTRA_DIST += server/test-sasl.sh server/test-sasl-tls-only.sh server/test-sasl.supp
helper_programs += server/test-sasl
server_test_sasl_SOURCES = server/test-sasl.c $(TLS_FIXTURE_SOURCES) \
	server/scripted-chardev.c server/scripted-chardev.h
server_test_sasl_CPPFLAGS = $(SERVER_TEST_CPPFLAGS) $(SASL_CFLAGS)
server_test_sasl_LDADD = $(SERVER_TEST_LIBS) $(OPENSSL_LIBS) $(SASL_LIBS)
# Public entry points that must behave as the real library's (spice_qxl_*
# from attached_worker, unix and caller-given listening sockets, the bad
# magic reply, video codec strings, timers at init): our library.
test_programs += server/test-public-api
server_test_public_api_SOURCES = server/test-public-api.c $(QXL_CLIENT_SOURCES)
server_test_public_api_CPPFLAGS = $(QXL_CLIENT_CPPFLAGS)
server_test_public_api_LDADD = libtestutil.la $(top_builddir)/server/libspice-server.la \
	$(QXL_CLIENT_LIBS)
# Several clients at once (issue 14): each display gets every picture, a
# client goes with all its channels and only those, the client past
# RED_SESSION_MAX_CLIENTS gets its link error, foreign connection ids are
# refused.  Links libserver-core for the limit's constant.
test_programs += server/test-multi-client
server_test_multi_client_SOURCES = server/test-multi-client.c $(QXL_CLIENT_SOURCES)
server_test_multi_client_CPPFLAGS = $(QXL_CLIENT_CPPFLAGS) -I$(top_srcdir)/server/core \
	-I$(top_srcdir)/server/net -I$(top_srcdir)/spice
server_test_multi_client_LDADD = libtestutil.la $(top_builddir)/server/libserver-core.la \
	$(QXL_CLIENT_LIBS)

# Real clients at once on our server: remote-viewer (Xvfb), spice-gtk's
# watcher and spicy-screenshot coming and going; no one is disconnected and
# every picture equals the server's.
TESTS += server/test-multi-viewer.sh
EXTRA_DIST += server/test-multi-viewer.sh server/xwd-find-image.py

# The display-client tests' fixture: a fake QXL device and a client that
# replays its display channel into a canvas model (LZ_RGB and JPEG too).
DISPLAY_FIXTURE_SOURCES = server/display-fixture.c server/display-fixture.h \
	server/test-canvas.c server/test-canvas.h codecs/lz-decode.c codecs/lz-decode.h \
	codecs/jpeg-decode.c codecs/jpeg-decode.h codecs/glz-decode.c codecs/glz-decode.h \
	$(QXL_CLIENT_SOURCES)
DISPLAY_FIXTURE_CPPFLAGS = $(QXL_CLIENT_CPPFLAGS) $(PIXMAN_CFLAGS) $(JPEG_CFLAGS) \
	$(ZLIB_CFLAGS) -I$(srcdir)/codecs
DISPLAY_FIXTURE_LIBS = libtestutil.la $(top_builddir)/server/libspice-server.la \
	$(QXL_CLIENT_LIBS) $(JPEG_LIBS) $(ZLIB_LIBS)

# Fills and copy-bits reach a client as DRAW_FILL/COPY_BITS commands, its
# replayed canvas equals the server's surface, a slow client stays bounded.
test_programs += server/test-draw-commands
server_test_draw_commands_SOURCES = server/test-draw-commands.c $(DISPLAY_FIXTURE_SOURCES)
server_test_draw_commands_CPPFLAGS = $(DISPLAY_FIXTURE_CPPFLAGS)
server_test_draw_commands_LDADD = $(DISPLAY_FIXTURE_LIBS)

# On a link measured slow, a display client is sent little ahead of it:
# it catches up with the latest picture, not a queue of stale ones.
test_programs += server/test-send-ahead
server_test_send_ahead_SOURCES = server/test-send-ahead.c $(DISPLAY_FIXTURE_SOURCES)
server_test_send_ahead_CPPFLAGS = $(DISPLAY_FIXTURE_CPPFLAGS)
server_test_send_ahead_LDADD = $(DISPLAY_FIXTURE_LIBS)

# Repeated images come from the client's pixmap cache, evictions are
# announced, a client lying about its cache is closed.
test_programs += server/test-image-cache
server_test_image_cache_SOURCES = server/test-image-cache.c $(DISPLAY_FIXTURE_SOURCES)
server_test_image_cache_CPPFLAGS = $(DISPLAY_FIXTURE_CPPFLAGS)
server_test_image_cache_LDADD = $(DISPLAY_FIXTURE_LIBS)

# Photographs go as JPEG with a bounded error where allowed, text never.
test_programs += server/test-lossy-images
server_test_lossy_images_SOURCES = server/test-lossy-images.c $(DISPLAY_FIXTURE_SOURCES)
server_test_lossy_images_CPPFLAGS = $(DISPLAY_FIXTURE_CPPFLAGS)
server_test_lossy_images_LDADD = $(DISPLAY_FIXTURE_LIBS)

# spice_server_set_exit_on_disconnect: the process exits (0) when a client's
# session ends, as upstream's does; the server runs in a forked child.
test_programs += server/test-exit-on-disconnect
server_test_exit_on_disconnect_SOURCES = server/test-exit-on-disconnect.c $(FIXTURE_SOURCES)
server_test_exit_on_disconnect_CPPFLAGS = $(SERVER_TEST_CPPFLAGS)
server_test_exit_on_disconnect_LDADD = $(SERVER_TEST_LIBS)

# The playback and record channels (server/audio) through <spice.h>: raw and
# Opus both ways, volume and mute, a slow client's frames dropped, two
# clients, hostile record data.
test_programs += server/test-audio
server_test_audio_SOURCES = server/test-audio.c $(FIXTURE_SOURCES)
server_test_audio_CPPFLAGS = $(SERVER_TEST_CPPFLAGS) -I$(top_srcdir)/server/audio $(OPUS_CFLAGS)
server_test_audio_LDADD = $(SERVER_TEST_LIBS) $(OPUS_LIBS) -lm

# A sine through the playback API of our exported library, for real clients
# (client/test-audio-spice-gtk.sh).
helper_programs += server/audio-sine-server
server_audio_sine_server_SOURCES = server/audio-sine-server.c server/test-core.c server/test-core.h
server_audio_sine_server_CPPFLAGS = $(SCENE_CPPFLAGS)
server_audio_sine_server_LDADD = $(top_builddir)/server/libspice-server.la \
	$(CORE_TEST_LIBS) $(GLIB_LIBS) -lm

# image-compression=glz: GLZ images a model client with a window decodes
# exactly; pictures sent before cost a fraction of their first time.
test_programs += server/test-glz-images
server_test_glz_images_SOURCES = server/test-glz-images.c $(DISPLAY_FIXTURE_SOURCES)
server_test_glz_images_CPPFLAGS = $(DISPLAY_FIXTURE_CPPFLAGS)
server_test_glz_images_LDADD = $(DISPLAY_FIXTURE_LIBS)
