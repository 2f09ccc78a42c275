# SPDX-License-Identifier: GPL-2.0-or-later
# guest-kms/image: s3d-guest-demo.so, the guest image the stack runner's
# machine loads (dlopen) and starts on its bus, as a real machine boots a
# kernel it was not linked with: the guest KMS driver and the demo desktop
# behind the one entry table of guest-bus/gbus-image.h.
pkglib_LTLIBRARIES = s3d-guest-demo.la
s3d_guest_demo_la_SOURCES = image/gimage-demo.c $(NULL)
s3d_guest_demo_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/demo
s3d_guest_demo_la_LIBADD = libgdemo.la libguest-kms.la $(GIO_LIBS) $(GLIB_LIBS) $(PIXMAN_LIBS)
# A plugin: no version, no lib prefix; the entry table is its only export.
s3d_guest_demo_la_LDFLAGS = -module -avoid-version -shared -no-undefined \
	-export-symbols-regex '^gbus_image_entry$$' $(SANITIZER_LDFLAGS)
