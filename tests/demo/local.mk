# SPDX-License-Identifier: GPL-2.0-or-later
# tests/demo: the demo desktop (guest-kms/demo) on the whole stack: the
# machine, our server, the QXL device and the guest KMS driver.

test_programs += demo/test-gdemo
demo_test_gdemo_SOURCES = demo/test-gdemo.c qxl/qxl-fixture.c qxl/qxl-fixture.h
demo_test_gdemo_CPPFLAGS = $(QXL_TEST_CPPFLAGS) -I$(top_srcdir)/guest-kms/kms \
	-I$(top_srcdir)/guest-kms/demo -DS3D_WANT_OUR_SERVER=1
demo_test_gdemo_LDADD = $(top_builddir)/guest-kms/libgdemo.la $(QXL_OURS_LIBS)

# The demo guest image booted by the stack through its entry table (the
# runner's way); the program links neither the driver nor the demo.
test_programs += demo/test-gimage
demo_test_gimage_SOURCES = demo/test-gimage.c
demo_test_gimage_CPPFLAGS = $(AM_CPPFLAGS) $(STACK_TEST_CPPFLAGS) $(SPICE_SERVER_CFLAGS) \
	$(GLIB_CFLAGS) $(PIXMAN_CFLAGS)
demo_test_gimage_LDADD = libtestutil.la $(top_builddir)/qemu-hw-qxl/libqemu-hw-qxl.la \
	$(top_builddir)/server/libspice-server.la $(GLIB_LIBS) $(PIXMAN_LIBS)
