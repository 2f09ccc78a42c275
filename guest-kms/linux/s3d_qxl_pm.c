// SPDX-License-Identifier: GPL-2.0-only
/*
 * s3d_qxl_pm.c: suspend and resume (the seed-004 sequence).
 *
 * Suspend: stop new commits, let the device empty both rings,
 * QXL_IO_FLUSH_SURFACES_ASYNC (the device memory holds the final pixels),
 * keep the contents (the primary's live in the shadow framebuffer, which the
 * saved atomic state holds), QXL_IO_DESTROY_ALL_SURFACES_ASYNC,
 * QXL_IO_FLUSH_RELEASE and take back every command.  Every wait is bounded;
 * a failing step aborts the suspend with one line naming it, and the display
 * is restored before the error goes back to the PM core.
 *
 * Resume (after the wake's device reset, or a thaw): QXL_IO_RESET, the mask,
 * the memslots, then the committed state is replayed: the primary (KEEP_DATA),
 * a full redraw, the cursor.
 */
#include <linux/moduleparam.h>
#include <linux/pm.h>

#include <drm/drm_atomic_helper.h>
#include <drm/drm_fb_helper.h>
#include <drm/drm_print.h>

#include "s3d_qxl.h"

static char *fault = "none";
module_param(fault, charp, 0644);
MODULE_PARM_DESC(fault, "break the suspend on purpose, for tests: none, skip-flush-release, "
		 "destroy-before-flush, stall-io");

static enum s3d_qxl_fault parse_fault(struct s3d_qxl_device *q)
{
	if (!fault || !strcmp(fault, "none") || !*fault)
		return S3D_QXL_FAULT_NONE;
	if (sysfs_streq(fault, "skip-flush-release"))
		return S3D_QXL_FAULT_SKIP_FLUSH_RELEASE;
	if (sysfs_streq(fault, "destroy-before-flush"))
		return S3D_QXL_FAULT_DESTROY_BEFORE_FLUSH;
	if (sysfs_streq(fault, "stall-io"))
		return S3D_QXL_FAULT_STALL_IO;
	drm_warn(&q->drm, "unknown fault '%s' ignored\n", fault);
	return S3D_QXL_FAULT_NONE;
}

/* Step 6: the release flush until every command is back, bounded. */
static int take_back_everything(struct s3d_qxl_device *q, bool flush_release)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(S3D_QXL_RELEASE_TIMEOUT_MS);
	int ret;

	for (;;) {
		if (flush_release)
			s3d_qxl_hw_out(q, QXL_IO_FLUSH_RELEASE, 0);
		ret = s3d_qxl_cmd_collect_releases(q);
		if (ret < 0)
			return ret;
		if (s3d_qxl_cmd_outstanding(q) == 0)
			return 0;
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
		s3d_qxl_hw_wait(q, QXL_INTERRUPT_DISPLAY, msecs_to_jiffies(10));
	}
}

/* The skip-flush-release fault bites only while a command waits in the
 * device's unfinished release batch.  With nothing outstanding there is
 * none (the server may have had the device push its batch, as it does on
 * OOM), the skip is harmless and the suspend would go through: the fault
 * would break the sequence only some of the time.  One cursor command puts
 * one there, so the fault always does what the tests expect of it. */
static int keep_one_in_flight(struct s3d_qxl_device *q)
{
	int ret = s3d_qxl_cmd_collect_releases(q);

	if (ret < 0)
		return ret;
	if (s3d_qxl_cmd_outstanding(q))
		return 0;
	return s3d_qxl_cmd_cursor_hide(q);
}

static int device_sequence(struct s3d_qxl_device *q, enum s3d_qxl_fault f, const char **step)
{
	int ret;

	/* 1, 2: the device empties both rings before it answers the flush. */
	s3d_qxl_hw_out(q, QXL_IO_NOTIFY_CMD, 0);
	s3d_qxl_hw_out(q, QXL_IO_NOTIFY_CURSOR, 0);
	if (f == S3D_QXL_FAULT_DESTROY_BEFORE_FLUSH) {
		*step = "destroy surfaces before the flush";
		ret = s3d_qxl_hw_async_io(q, QXL_IO_DESTROY_ALL_SURFACES_ASYNC, 0);
		if (ret)
			return ret;
		q->primary_live = false;
	}
	/* 3: every surface's device memory holds its final pixels. */
	*step = "flush surfaces";
	if (f == S3D_QXL_FAULT_STALL_IO)
		/* a completion that never comes: wait for one we never asked for */
		ret = s3d_qxl_hw_wait(q, QXL_INTERRUPT_IO_CMD,
				      msecs_to_jiffies(S3D_QXL_IO_TIMEOUT_MS)) ? 0 : -ETIMEDOUT;
	else
		ret = s3d_qxl_hw_async_io(q, QXL_IO_FLUSH_SURFACES_ASYNC, 0);
	if (ret)
		return ret;
	*step = "drain rings";
	if (!s3d_qxl_cmd_rings_idle(q))
		return -EBUSY;
	/* 4: the primary's contents are the shadow framebuffer's; there are no
	 * off-screen surfaces to copy out. */
	/* 5: the device drops the surfaces and gives back their commands. */
	*step = "destroy surfaces";
	ret = s3d_qxl_hw_async_io(q, QXL_IO_DESTROY_ALL_SURFACES_ASYNC, 0);
	if (ret)
		return ret;
	q->primary_live = false;
	q->cursor_visible = false;
	/* 6: the partly filled release element too; then all is back. */
	*step = "flush release";
	if (f == S3D_QXL_FAULT_SKIP_FLUSH_RELEASE) {
		*step = "flush release (skipped by the fault parameter)";
		ret = keep_one_in_flight(q);
		if (ret)
			return ret;
	}
	return take_back_everything(q, f != S3D_QXL_FAULT_SKIP_FLUSH_RELEASE);
}

static int s3d_qxl_pm_resume(struct device *dev)
{
	struct drm_device *drm = dev_get_drvdata(dev);
	struct s3d_qxl_device *q = to_s3d_qxl(drm);
	ktime_t t0 = ktime_get();
	unsigned int lost;
	int ret;

	if (q->pm == S3D_QXL_PM_RUNNING)
		return 0;
	ret = s3d_qxl_hw_setup(q);
	if (ret)
		drm_err(drm, "resume: reset and memslots failed: %d\n", ret);
	/* The reset is what returns commands a failed suspend left out. */
	lost = s3d_qxl_cmd_reclaim_all(q);
	if (lost)
		drm_warn(drm, "resume: %u commands reclaimed by the device reset\n", lost);
	q->pm = S3D_QXL_PM_RUNNING;
	if (q->pm_saved) {
		q->resuming = true;
		ret = drm_atomic_helper_resume(drm, q->pm_saved);
		q->resuming = false;
		q->pm_saved = NULL;
		if (ret)
			drm_err(drm, "resume: replaying the display state failed: %d\n", ret);
	}
	drm_fb_helper_set_suspend_unlocked(drm->fb_helper, false);
	drm_dbg(drm, "resumed in %lld us\n", ktime_us_delta(ktime_get(), t0));
	return ret;
}

static int s3d_qxl_pm_suspend(struct device *dev)
{
	struct drm_device *drm = dev_get_drvdata(dev);
	struct s3d_qxl_device *q = to_s3d_qxl(drm);
	enum s3d_qxl_fault f = parse_fault(q);
	const char *step = "stop commits";
	struct drm_atomic_state *state;
	ktime_t t0 = ktime_get();
	int ret;

	if (q->pm != S3D_QXL_PM_RUNNING)
		return 0;
	/* 0: no new commits.  The console stops; the state is saved and every
	 * CRTC switched off in it, while the hooks leave the device alone. */
	drm_fb_helper_set_suspend_unlocked(drm->fb_helper, true);
	q->pm = S3D_QXL_PM_SUSPENDED;
	state = drm_atomic_helper_suspend(drm);
	if (IS_ERR(state)) {
		ret = PTR_ERR(state);
		goto fail;
	}
	q->pm_saved = state;
	ret = device_sequence(q, f, &step);
	if (ret)
		goto fail;
	drm_dbg(drm, "suspended in %lld us\n", ktime_us_delta(ktime_get(), t0));
	return 0;

fail:
	drm_err(drm, "suspend aborted at step '%s' (%d) after %lld ms\n", step, ret,
		ktime_ms_delta(ktime_get(), t0));
	/* Leave the display working: the resume path resets and replays. */
	s3d_qxl_pm_resume(dev);
	return ret;
}

const struct dev_pm_ops s3d_qxl_pm_ops = {
	.suspend = s3d_qxl_pm_suspend,
	.resume = s3d_qxl_pm_resume,
	.freeze = s3d_qxl_pm_suspend,
	.thaw = s3d_qxl_pm_resume,
	.poweroff = s3d_qxl_pm_suspend,
	.restore = s3d_qxl_pm_resume,
};
