# SPDX-License-Identifier: GPL-2.0-or-later
# tests/regress: one program per bug class, named after the bug
# (README.md lists bug -> program -> what it asserts).  Each feeds the bad
# input to our code and asserts the defined outcome.

# Server parsers with no VM: guest memory behind our memslot gate.
REGRESS_SERVER_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server \
	-I$(top_srcdir)/server/display -I$(srcdir)/regress \
	$(SPICE_SERVER_CFLAGS) $(GLIB_CFLAGS) $(PIXMAN_CFLAGS)
REGRESS_SERVER_LIBS = $(SPICE_TEST_LIBS) $(top_builddir)/server/libserver-core.la \
	$(GLIB_LIBS) $(PIXMAN_LIBS)
REGRESS_MEM = regress/regress-guest-mem.c regress/regress-guest-mem.h
REGRESS_CURSOR = $(REGRESS_MEM) regress/regress-cursor-util.c regress/regress-cursor-util.h

test_programs += regress/regress-cve-2019-3813-memslot-off-by-one
regress_regress_cve_2019_3813_memslot_off_by_one_SOURCES = \
	regress/regress-cve-2019-3813-memslot-off-by-one.c $(REGRESS_MEM)
regress_regress_cve_2019_3813_memslot_off_by_one_CPPFLAGS = $(REGRESS_SERVER_CPPFLAGS)
regress_regress_cve_2019_3813_memslot_off_by_one_LDADD = $(REGRESS_SERVER_LIBS)

test_programs += regress/regress-cve-2021-4206-cursor-size-overflow
regress_regress_cve_2021_4206_cursor_size_overflow_SOURCES = \
	regress/regress-cve-2021-4206-cursor-size-overflow.c $(REGRESS_CURSOR)
regress_regress_cve_2021_4206_cursor_size_overflow_CPPFLAGS = $(REGRESS_SERVER_CPPFLAGS)
regress_regress_cve_2021_4206_cursor_size_overflow_LDADD = $(REGRESS_SERVER_LIBS)

test_programs += regress/regress-cve-2021-4207-cursor-double-fetch
regress_regress_cve_2021_4207_cursor_double_fetch_SOURCES = \
	regress/regress-cve-2021-4207-cursor-double-fetch.c $(REGRESS_CURSOR)
regress_regress_cve_2021_4207_cursor_double_fetch_CPPFLAGS = $(REGRESS_SERVER_CPPFLAGS)
regress_regress_cve_2021_4207_cursor_double_fetch_LDADD = $(REGRESS_SERVER_LIBS)


test_programs += regress/regress-rhbz-568699-guest-pointers
regress_regress_rhbz_568699_guest_pointers_SOURCES = \
	regress/regress-rhbz-568699-guest-pointers.c $(REGRESS_CURSOR)
regress_regress_rhbz_568699_guest_pointers_CPPFLAGS = $(REGRESS_SERVER_CPPFLAGS)
regress_regress_rhbz_568699_guest_pointers_LDADD = $(REGRESS_SERVER_LIBS)

test_programs += regress/regress-fd44259-chunk-list-terabytes
regress_regress_fd44259_chunk_list_terabytes_SOURCES = \
	regress/regress-fd44259-chunk-list-terabytes.c $(REGRESS_MEM)
regress_regress_fd44259_chunk_list_terabytes_CPPFLAGS = $(REGRESS_SERVER_CPPFLAGS)
regress_regress_fd44259_chunk_list_terabytes_LDADD = $(REGRESS_SERVER_LIBS)

test_programs += regress/regress-fuzz-copy-src-area-terabyte
regress_regress_fuzz_copy_src_area_terabyte_SOURCES = \
	regress/regress-fuzz-copy-src-area-terabyte.c $(REGRESS_MEM)
regress_regress_fuzz_copy_src_area_terabyte_CPPFLAGS = $(REGRESS_SERVER_CPPFLAGS)
regress_regress_fuzz_copy_src_area_terabyte_LDADD = $(REGRESS_SERVER_LIBS)

test_programs += regress/regress-cve-2018-10893-lz-image
regress_regress_cve_2018_10893_lz_image_SOURCES = \
	regress/regress-cve-2018-10893-lz-image.c $(REGRESS_MEM)
regress_regress_cve_2018_10893_lz_image_CPPFLAGS = $(REGRESS_SERVER_CPPFLAGS)
regress_regress_cve_2018_10893_lz_image_LDADD = $(REGRESS_SERVER_LIBS)

# The protocol layer alone.
test_programs += regress/regress-cve-2018-10873-demarshaller-sizes
regress_regress_cve_2018_10873_demarshaller_sizes_SOURCES = \
	regress/regress-cve-2018-10873-demarshaller-sizes.c
regress_regress_cve_2018_10873_demarshaller_sizes_CPPFLAGS = $(AM_CPPFLAGS) $(GLIB_CFLAGS)
regress_regress_cve_2018_10873_demarshaller_sizes_LDADD = $(SPICE_TEST_LIBS) $(GLIB_LIBS)

# The device models through the existing fixtures, on our server.
test_programs += regress/regress-cve-2017-7506-monitors-config
regress_regress_cve_2017_7506_monitors_config_SOURCES = \
	regress/regress-cve-2017-7506-monitors-config.c qxl/qxl-fixture.c qxl/qxl-fixture.h
regress_regress_cve_2017_7506_monitors_config_CPPFLAGS = $(QXL_TEST_CPPFLAGS)
regress_regress_cve_2017_7506_monitors_config_LDADD = $(QXL_OURS_LIBS)

test_programs += regress/regress-cve-2019-12155-null-release-info
regress_regress_cve_2019_12155_null_release_info_SOURCES = \
	regress/regress-cve-2019-12155-null-release-info.c qxl/qxl-fixture.c qxl/qxl-fixture.h
regress_regress_cve_2019_12155_null_release_info_CPPFLAGS = $(QXL_TEST_CPPFLAGS)
regress_regress_cve_2019_12155_null_release_info_LDADD = $(QXL_OURS_LIBS)

test_programs += regress/regress-cve-2016-10029-virtio-gpu-scanout-id
regress_regress_cve_2016_10029_virtio_gpu_scanout_id_SOURCES = \
	regress/regress-cve-2016-10029-virtio-gpu-scanout-id.c $(VGPU_FIXTURE)
regress_regress_cve_2016_10029_virtio_gpu_scanout_id_CPPFLAGS = $(VGPU_TEST_CPPFLAGS)
regress_regress_cve_2016_10029_virtio_gpu_scanout_id_LDADD = $(VGPU_OURS_LIBS)

# The server through <spice.h> with the fake QXL device (tests/server).
test_programs += regress/regress-fuzz-link-reply-use-after-free
regress_regress_fuzz_link_reply_use_after_free_SOURCES = \
	regress/regress-fuzz-link-reply-use-after-free.c $(QXL_CLIENT_SOURCES)
regress_regress_fuzz_link_reply_use_after_free_CPPFLAGS = $(QXL_CLIENT_CPPFLAGS) -I$(srcdir)/server
regress_regress_fuzz_link_reply_use_after_free_LDADD = libtestutil.la \
	$(top_builddir)/server/libspice-server.la $(QXL_CLIENT_LIBS)

test_programs += regress/regress-fd44259-worker-pull-retries-bounded
regress_regress_fd44259_worker_pull_retries_bounded_SOURCES = \
	regress/regress-fd44259-worker-pull-retries-bounded.c $(QXL_CLIENT_SOURCES)
regress_regress_fd44259_worker_pull_retries_bounded_CPPFLAGS = $(QXL_CLIENT_CPPFLAGS) -I$(srcdir)/server
regress_regress_fd44259_worker_pull_retries_bounded_LDADD = libtestutil.la \
	$(top_builddir)/server/libspice-server.la $(QXL_CLIENT_LIBS)

test_programs += regress/regress-5836794-invoke-after-loop-end
regress_regress_5836794_invoke_after_loop_end_SOURCES = regress/regress-5836794-invoke-after-loop-end.c
regress_regress_5836794_invoke_after_loop_end_CPPFLAGS = $(QXL_TEST_CPPFLAGS)
regress_regress_5836794_invoke_after_loop_end_LDADD = $(QXL_OURS_LIBS)

test_programs += regress/regress-5683560-late-async-completion
regress_regress_5683560_late_async_completion_SOURCES = \
	regress/regress-5683560-late-async-completion.c qxl/qxl-fixture.c qxl/qxl-fixture.h
regress_regress_5683560_late_async_completion_CPPFLAGS = $(QXL_TEST_CPPFLAGS)
regress_regress_5683560_late_async_completion_LDADD = $(QXL_OURS_LIBS)

# The three other fixes of fd44259: a device in its guest-bug state (the
# latch, regress-qxl-latch.h) and the guest driver's interrupt wait.
REGRESS_LATCH = qxl/qxl-fixture.c qxl/qxl-fixture.h \
	regress/regress-qxl-latch.c regress/regress-qxl-latch.h
test_programs += regress/regress-fd44259-latched-device-lets-worker-sleep
regress_regress_fd44259_latched_device_lets_worker_sleep_SOURCES = \
	regress/regress-fd44259-latched-device-lets-worker-sleep.c $(REGRESS_LATCH)
regress_regress_fd44259_latched_device_lets_worker_sleep_CPPFLAGS = $(QXL_TEST_CPPFLAGS)
regress_regress_fd44259_latched_device_lets_worker_sleep_LDADD = $(QXL_OURS_LIBS)

test_programs += regress/regress-fd44259-update-irq-through-latch
regress_regress_fd44259_update_irq_through_latch_SOURCES = \
	regress/regress-fd44259-update-irq-through-latch.c $(REGRESS_LATCH)
regress_regress_fd44259_update_irq_through_latch_CPPFLAGS = $(QXL_TEST_CPPFLAGS)
regress_regress_fd44259_update_irq_through_latch_LDADD = $(QXL_OURS_LIBS)

test_programs += regress/regress-fd44259-irq-wait-deadline
regress_regress_fd44259_irq_wait_deadline_SOURCES = regress/regress-fd44259-irq-wait-deadline.c
regress_regress_fd44259_irq_wait_deadline_CPPFLAGS = $(QXL_TEST_CPPFLAGS)
regress_regress_fd44259_irq_wait_deadline_LDADD = $(QXL_OURS_LIBS)

# The guest KMS driver's thaw.
test_programs += regress/regress-3736648-commands-reclaimed-after-wake-reset
regress_regress_3736648_commands_reclaimed_after_wake_reset_SOURCES = \
	regress/regress-3736648-commands-reclaimed-after-wake-reset.c \
	qxl/qxl-fixture.c qxl/qxl-fixture.h
regress_regress_3736648_commands_reclaimed_after_wake_reset_CPPFLAGS = $(QXL_TEST_CPPFLAGS) \
	-I$(top_srcdir)/guest-kms/kms
regress_regress_3736648_commands_reclaimed_after_wake_reset_LDADD = $(QXL_OURS_LIBS)

# A cursor-channel client of our test client on our server (<spice.h> only)
# with the fake QXL device.
test_programs += regress/regress-0bd7b67-cursor-init-after-reset
regress_regress_0bd7b67_cursor_init_after_reset_SOURCES = \
	regress/regress-0bd7b67-cursor-init-after-reset.c $(QXL_CLIENT_SOURCES)
regress_regress_0bd7b67_cursor_init_after_reset_CPPFLAGS = $(QXL_CLIENT_CPPFLAGS) -I$(srcdir)/server
regress_regress_0bd7b67_cursor_init_after_reset_LDADD = libtestutil.la \
	$(top_builddir)/server/libspice-server.la $(QXL_CLIENT_LIBS)
EXTRA_DIST += regress/README.md

test_programs += regress/regress-vgpu-elem-written-uninitialized
regress_regress_vgpu_elem_written_uninitialized_SOURCES = \
	regress/regress-vgpu-elem-written-uninitialized.c
regress_regress_vgpu_elem_written_uninitialized_CPPFLAGS = $(VGPU_TEST_CPPFLAGS)
regress_regress_vgpu_elem_written_uninitialized_LDADD = $(VGPU_OURS_LIBS)
