# SPDX-License-Identifier: GPL-2.0-or-later
# S3D_CHECK_CFLAG(FLAG, [ACTION-IF-OK], [ACTION-IF-NOT])
# Probes whether the C compiler accepts FLAG (with -Werror, so a flag that is
# only warned about counts as unsupported).
AC_DEFUN([S3D_CHECK_CFLAG], [
    AC_MSG_CHECKING([whether $CC accepts $1])
    s3d_saved_cflags=$CFLAGS
    CFLAGS="$CFLAGS -Werror $1"
    AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
        [AC_MSG_RESULT([yes]); $2],
        [AC_MSG_RESULT([no]); $3])
    CFLAGS=$s3d_saved_cflags
])
