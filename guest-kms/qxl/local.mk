# SPDX-License-Identifier: GPL-2.0-or-later
# guest-kms/qxl: the QXL hardware layer of the guest driver.
libguest_kms_la_SOURCES += \
	qxl/gqxl-alloc.c qxl/gqxl-alloc.h \
	qxl/gqxl-hw.c qxl/gqxl-hw.h \
	qxl/gqxl-cmd.c qxl/gqxl-cmd.h \
	$(NULL)
libguest_kms_la_SOURCES += qxl/gqxl-kms.c $(NULL)
