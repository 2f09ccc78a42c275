# SPDX-License-Identifier: GPL-2.0-or-later
# tests/qxl: the QXL device model driven at the port level by a scripted
# guest, on our server and on Debian's libspice-server1 (same sources).

# The stack (qemu-hw-qxl/stack) and its parts; the guest side (guest-kms).
STACK_TEST_CPPFLAGS = -I$(top_srcdir)/guest-bus -I$(top_srcdir)/qemu-hw-qxl/stack \
	-I$(top_srcdir)/qemu-hw-qxl/machine -I$(top_srcdir)/qemu-hw-qxl/qxl \
	-I$(top_srcdir)/qemu-hw-qxl/virtio-gpu
QXL_TEST_CPPFLAGS = $(AM_CPPFLAGS) $(STACK_TEST_CPPFLAGS) -I$(top_srcdir)/guest-kms -I$(top_srcdir)/guest-kms/qxl \
	-I$(srcdir)/qxl $(SPICE_SERVER_CFLAGS) $(GLIB_CFLAGS) $(PIXMAN_CFLAGS)
QXL_TEST_COMMON = libtestutil.la $(top_builddir)/guest-kms/libguest-kms.la \
	$(top_builddir)/qemu-hw-qxl/libqemu-hw-qxl.la $(GLIB_LIBS) $(PIXMAN_LIBS)
QXL_OURS_LIBS = $(QXL_TEST_COMMON) $(top_builddir)/server/libspice-server.la
QXL_DEBIAN_LIBS = $(QXL_TEST_COMMON) $(SPICE_SERVER_LIBS)

test_programs += qxl/test-qxl-device qxl/test-qxl-device-debian
qxl_test_qxl_device_SOURCES = qxl/test-qxl-device.c qxl/qxl-fixture.c qxl/qxl-fixture.h
qxl_test_qxl_device_CPPFLAGS = $(QXL_TEST_CPPFLAGS) -DS3D_WANT_OUR_SERVER=1
qxl_test_qxl_device_LDADD = $(QXL_OURS_LIBS)
qxl_test_qxl_device_debian_SOURCES = $(qxl_test_qxl_device_SOURCES)
qxl_test_qxl_device_debian_CPPFLAGS = $(QXL_TEST_CPPFLAGS) -DS3D_WANT_OUR_SERVER=0
qxl_test_qxl_device_debian_LDADD = $(QXL_DEBIAN_LIBS)

# A hostile guest at the port/BAR level: what each server reports, and that
# QXL_IO_RESET + setup always brings the device back.
test_programs += qxl/test-qxl-hostile qxl/test-qxl-hostile-debian
qxl_test_qxl_hostile_SOURCES = qxl/test-qxl-hostile.c qxl/qxl-fixture.c qxl/qxl-fixture.h
qxl_test_qxl_hostile_CPPFLAGS = $(QXL_TEST_CPPFLAGS) -DS3D_WANT_OUR_SERVER=1
qxl_test_qxl_hostile_LDADD = $(QXL_OURS_LIBS)
qxl_test_qxl_hostile_debian_SOURCES = $(qxl_test_qxl_hostile_SOURCES)
qxl_test_qxl_hostile_debian_CPPFLAGS = $(QXL_TEST_CPPFLAGS) -DS3D_WANT_OUR_SERVER=0
qxl_test_qxl_hostile_debian_LDADD = $(QXL_DEBIAN_LIBS)
