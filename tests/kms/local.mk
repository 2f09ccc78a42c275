# SPDX-License-Identifier: GPL-2.0-or-later
# tests/kms: the guest KMS driver (guest-kms) on the QXL device, its
# suspend/resume and the faults a broken driver makes, on our server and on
# Debian's libspice-server1 (same sources).

test_programs += kms/test-gkms kms/test-gkms-debian
kms_test_gkms_SOURCES = kms/test-gkms.c qxl/qxl-fixture.c qxl/qxl-fixture.h
kms_test_gkms_CPPFLAGS = $(QXL_TEST_CPPFLAGS) -I$(top_srcdir)/guest-kms/kms -DS3D_WANT_OUR_SERVER=1
kms_test_gkms_LDADD = $(QXL_OURS_LIBS)
kms_test_gkms_debian_SOURCES = $(kms_test_gkms_SOURCES)
kms_test_gkms_debian_CPPFLAGS = $(QXL_TEST_CPPFLAGS) -I$(top_srcdir)/guest-kms/kms -DS3D_WANT_OUR_SERVER=0
kms_test_gkms_debian_LDADD = $(QXL_DEBIAN_LIBS)
