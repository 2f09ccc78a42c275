# SPDX-License-Identifier: GPL-2.0-or-later
# qemu-hw-qxl/runner: s3d-stack, the stack runner (the README's main job):
# machine + QXL device + our SPICE server + the demo guest (guest-kms),
# with a JSON-lines control socket.  guest-kms is built before this folder.
RUNNER_SOURCES = \
	runner/s3d-stack.c \
	runner/runner-guest.c runner/runner-guest.h \
	runner/runner-control.c runner/runner-control.h \
	runner/runner-json.c runner/runner-json.h \
	$(NULL)
RUNNER_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/runner -I$(top_srcdir)/guest-kms \
	-I$(top_srcdir)/guest-kms/kms -I$(top_srcdir)/guest-kms/demo -I$(srcdir)/virtio-gpu \
	$(PIXMAN_CFLAGS)
RUNNER_LIBS = libqemu-hw-qxl.la $(top_builddir)/guest-kms/libgdemo.la \
	$(top_builddir)/guest-kms/libguest-kms.la \
	$(GLIB_LIBS) $(PIXMAN_LIBS) -lpthread

bin_PROGRAMS = s3d-stack
s3d_stack_SOURCES = $(RUNNER_SOURCES)
s3d_stack_CPPFLAGS = $(RUNNER_CPPFLAGS)
s3d_stack_LDADD = $(top_builddir)/server/libspice-server.la $(RUNNER_LIBS)

# The same runner on Debian's libspice-server1, for the S3 suite's
# cross-server cycle (not installed).
noinst_PROGRAMS = s3d-stack-debian
s3d_stack_debian_SOURCES = $(RUNNER_SOURCES)
s3d_stack_debian_CPPFLAGS = $(RUNNER_CPPFLAGS)
s3d_stack_debian_LDADD = $(SPICE_SERVER_LIBS) $(RUNNER_LIBS)
