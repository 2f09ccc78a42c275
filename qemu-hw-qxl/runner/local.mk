# SPDX-License-Identifier: GPL-2.0-or-later
# qemu-hw-qxl/runner: s3d-stack, the stack runner (the README's main job):
# the stack (stack/vm-stack.h) on our SPICE server, booting the demo guest
# image (guest-kms/image, loaded at run time, never linked), with a
# JSON-lines control socket.
# The control socket is its own convenience library, which
# tests/s3/test-runner-control links too.
noinst_LTLIBRARIES += librunner-control.la
librunner_control_la_SOURCES = \
	runner/runner-control.c runner/runner-control.h \
	runner/runner-json.c runner/runner-json.h \
	$(NULL)
librunner_control_la_LIBADD = $(GLIB_LIBS)
RUNNER_SOURCES = runner/s3d-stack.c
# Where the guest image is: beside a program run from the build tree, or
# installed (guest-kms/image/local.mk installs it in pkglibdir).
RUNNER_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/runner \
	-DS3D_ABS_BUILDDIR='"$(abs_top_builddir)"' \
	-DS3D_BUILD_GUEST_IMAGE='"$(abs_top_builddir)/guest-kms/.libs/s3d-guest-demo.so"' \
	-DS3D_GUEST_IMAGE='"$(pkglibdir)/s3d-guest-demo.so"'
# The SPICE server after the archive that calls it: with --as-needed (the
# default of Debian's gcc when not sanitizing) a shared library is kept
# only for references that come before it on the link line.
RUNNER_LIBS = $(GLIB_LIBS) $(PIXMAN_LIBS) -lpthread

bin_PROGRAMS = s3d-stack
s3d_stack_SOURCES = $(RUNNER_SOURCES)
s3d_stack_CPPFLAGS = $(RUNNER_CPPFLAGS)
s3d_stack_LDADD = librunner-control.la libqemu-hw-qxl.la $(top_builddir)/server/libspice-server.la $(RUNNER_LIBS)

# The same runner on Debian's libspice-server1, for the S3 suite's
# cross-server cycle (not installed).
noinst_PROGRAMS = s3d-stack-debian
s3d_stack_debian_SOURCES = $(RUNNER_SOURCES)
s3d_stack_debian_CPPFLAGS = $(RUNNER_CPPFLAGS)
s3d_stack_debian_LDADD = librunner-control.la libqemu-hw-qxl.la $(SPICE_SERVER_LIBS) $(RUNNER_LIBS)
