# SPDX-License-Identifier: GPL-2.0-or-later
# tests/virtio: the virtio-gpu device, its guest driver and the freeze
# bridge, on our server and on Debian's libspice-server1 (same sources).

VGPU_TEST_CPPFLAGS = $(AM_CPPFLAGS) $(STACK_TEST_CPPFLAGS) -I$(top_srcdir)/guest-kms \
	-I$(top_srcdir)/guest-kms/kms -I$(top_srcdir)/guest-kms/qxl -I$(top_srcdir)/guest-kms/virtio \
	-I$(srcdir)/virtio $(SPICE_SERVER_CFLAGS) $(GLIB_CFLAGS) $(PIXMAN_CFLAGS)
VGPU_TEST_COMMON = libtestutil.la $(top_builddir)/guest-kms/libguest-kms.la \
	$(top_builddir)/qemu-hw-qxl/libqemu-hw-qxl.la $(GLIB_LIBS) $(PIXMAN_LIBS)
VGPU_OURS_LIBS = $(VGPU_TEST_COMMON) $(top_builddir)/server/libspice-server.la
VGPU_DEBIAN_LIBS = $(VGPU_TEST_COMMON) $(SPICE_SERVER_LIBS)
VGPU_FIXTURE = virtio/vgpu-fixture.c virtio/vgpu-fixture.h

test_programs += virtio/test-vgpu-device virtio/test-vgpu-device-debian
virtio_test_vgpu_device_SOURCES = virtio/test-vgpu-device.c $(VGPU_FIXTURE)
virtio_test_vgpu_device_CPPFLAGS = $(VGPU_TEST_CPPFLAGS) -DS3D_WANT_OUR_SERVER=1
virtio_test_vgpu_device_LDADD = $(VGPU_OURS_LIBS)
virtio_test_vgpu_device_debian_SOURCES = $(virtio_test_vgpu_device_SOURCES)
virtio_test_vgpu_device_debian_CPPFLAGS = $(VGPU_TEST_CPPFLAGS) -DS3D_WANT_OUR_SERVER=0
virtio_test_vgpu_device_debian_LDADD = $(VGPU_DEBIAN_LIBS)

test_programs += virtio/test-vgpu-s3 virtio/test-vgpu-s3-debian
virtio_test_vgpu_s3_SOURCES = virtio/test-vgpu-s3.c $(VGPU_FIXTURE)
virtio_test_vgpu_s3_CPPFLAGS = $(VGPU_TEST_CPPFLAGS) -DS3D_WANT_OUR_SERVER=1
virtio_test_vgpu_s3_LDADD = $(VGPU_OURS_LIBS)
virtio_test_vgpu_s3_debian_SOURCES = $(virtio_test_vgpu_s3_SOURCES)
virtio_test_vgpu_s3_debian_CPPFLAGS = $(VGPU_TEST_CPPFLAGS) -DS3D_WANT_OUR_SERVER=0
virtio_test_vgpu_s3_debian_LDADD = $(VGPU_DEBIAN_LIBS)

test_programs += virtio/test-vgpu-hostile virtio/test-vgpu-hostile-debian
virtio_test_vgpu_hostile_SOURCES = virtio/test-vgpu-hostile.c $(VGPU_FIXTURE)
virtio_test_vgpu_hostile_CPPFLAGS = $(VGPU_TEST_CPPFLAGS) -DS3D_WANT_OUR_SERVER=1
virtio_test_vgpu_hostile_LDADD = $(VGPU_OURS_LIBS)
virtio_test_vgpu_hostile_debian_SOURCES = $(virtio_test_vgpu_hostile_SOURCES)
virtio_test_vgpu_hostile_debian_CPPFLAGS = $(VGPU_TEST_CPPFLAGS) -DS3D_WANT_OUR_SERVER=0
virtio_test_vgpu_hostile_debian_LDADD = $(VGPU_DEBIAN_LIBS)
