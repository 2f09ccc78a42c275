# SPDX-License-Identifier: GPL-2.0-or-later
# tests/demo: the demo desktop (guest-kms/demo) on the whole stack: the
# machine, our server, the QXL device and the guest KMS driver.

test_programs += demo/test-gdemo
demo_test_gdemo_SOURCES = demo/test-gdemo.c qxl/qxl-fixture.c qxl/qxl-fixture.h
demo_test_gdemo_CPPFLAGS = $(QXL_TEST_CPPFLAGS) -I$(top_srcdir)/guest-kms/kms \
	-I$(top_srcdir)/guest-kms/demo -DS3D_WANT_OUR_SERVER=1
demo_test_gdemo_LDADD = $(top_builddir)/guest-kms/libgdemo.la $(QXL_OURS_LIBS)
