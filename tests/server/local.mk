# tests/server: tests of server/ (unit, hostile input, ABI, real client).

SERVER_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server \
	-I$(top_srcdir)/server/display -I$(top_srcdir)/server/net -I$(top_srcdir)/server/channels \
	$(SPICE_SERVER_CFLAGS) $(GLIB_CFLAGS) $(PIXMAN_CFLAGS) $(OPENSSL_CFLAGS)
SERVER_TEST_LIBS = $(SPICE_TEST_LIBS) $(top_builddir)/server/libserver-core.la \
	$(GLIB_LIBS) $(PIXMAN_LIBS) $(OPENSSL_LIBS)

# Hostile clients against our server (links libserver-core directly).
check_PROGRAMS += server/test-hostile-clients
server_test_hostile_clients_SOURCES = server/test-hostile-clients.c
server_test_hostile_clients_CPPFLAGS = $(SERVER_TEST_CPPFLAGS)
server_test_hostile_clients_LDADD = $(SERVER_TEST_LIBS)

# Entry points of features we do not support: documented errors and no-ops.
check_PROGRAMS += server/test-unsupported-api
server_test_unsupported_api_SOURCES = server/test-unsupported-api.c
server_test_unsupported_api_CPPFLAGS = $(SERVER_TEST_CPPFLAGS)
server_test_unsupported_api_LDADD = $(SERVER_TEST_LIBS)

# Same exported symbols and version nodes as Debian's libspice-server1.
TESTS += server/test-abi-symbols.sh
EXTRA_DIST += server/test-abi-symbols.sh
