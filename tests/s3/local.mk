# SPDX-License-Identifier: GPL-2.0-or-later
# tests/s3: the S3 suite: the stack runner (qemu-hw-qxl/s3d-stack) with its
# demo guest, a real spice-gtk client (client/spice-watch.py) connected
# throughout, suspend/wake through the control socket.  HTML report in
# tests/s3-report/.  S3D_S3_CYCLES sets the cycle count (soak: more).
TESTS += s3/test-s3-cycles-ours.sh s3/test-s3-cycles-debian.sh \
	s3/test-s3-reconnect.sh s3/test-s3-faults.sh s3/test-s3-cycles-virtio.sh \
	s3/test-cross-server.sh s3/test-s3-sleep-picture.sh
EXTRA_DIST += s3/test-s3.sh s3/test-s3-cycles-ours.sh s3/test-s3-cycles-debian.sh \
	s3/test-s3-reconnect.sh s3/test-s3-faults.sh s3/test-s3-cycles-virtio.sh \
	s3/test-cross-server.sh s3/s3-suite.py s3/s3lib.py

# The runner's control socket: it appears only once it listens.
test_programs += s3/test-runner-control
s3_test_runner_control_SOURCES = s3/test-runner-control.c
s3_test_runner_control_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/qemu-hw-qxl/runner \
	-I$(top_srcdir)/qemu-hw-qxl/machine $(GLIB_CFLAGS)
s3_test_runner_control_LDADD = libtestutil.la \
	$(top_builddir)/qemu-hw-qxl/librunner-control.la $(GLIB_LIBS)
