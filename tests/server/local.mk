# tests/server: tests of server/ (unit, hostile input, ABI, real client).

SERVER_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server \
	-I$(top_srcdir)/server/display -I$(top_srcdir)/server/net -I$(top_srcdir)/server/channels \
	$(SPICE_SERVER_CFLAGS) $(GLIB_CFLAGS) $(PIXMAN_CFLAGS) $(OPENSSL_CFLAGS)
SERVER_TEST_LIBS = $(SPICE_TEST_LIBS) $(top_builddir)/server/libserver-core.la \
	$(GLIB_LIBS) $(PIXMAN_LIBS) $(OPENSSL_LIBS)

# Hostile clients against our server (links libserver-core directly).
test_programs += server/test-hostile-clients
server_test_hostile_clients_SOURCES = server/test-hostile-clients.c
server_test_hostile_clients_CPPFLAGS = $(SERVER_TEST_CPPFLAGS)
server_test_hostile_clients_LDADD = $(SERVER_TEST_LIBS)

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
SCENE_SOURCES = server/test-display-scene.c server/fake-qxl.c server/fake-qxl.h
SCENE_CPPFLAGS = $(AM_CPPFLAGS) $(SPICE_SERVER_CFLAGS) $(GLIB_CFLAGS) $(PIXMAN_CFLAGS)
helper_programs += server/test-display-scene server/test-display-scene-debian
server_test_display_scene_SOURCES = $(SCENE_SOURCES)
server_test_display_scene_CPPFLAGS = $(SCENE_CPPFLAGS)
server_test_display_scene_LDADD = libtestutil.la $(top_builddir)/server/libspice-server.la \
	$(GLIB_LIBS) $(PIXMAN_LIBS)
server_test_display_scene_debian_SOURCES = $(SCENE_SOURCES)
server_test_display_scene_debian_CPPFLAGS = $(SCENE_CPPFLAGS)
server_test_display_scene_debian_LDADD = libtestutil.la $(SPICE_SERVER_LIBS) $(GLIB_LIBS) $(PIXMAN_LIBS)
TESTS += server/test-display-scene-ours.sh server/test-display-scene-debian.sh
EXTRA_DIST += server/test-display-scene.sh server/test-display-scene-ours.sh \
	server/test-display-scene-debian.sh
