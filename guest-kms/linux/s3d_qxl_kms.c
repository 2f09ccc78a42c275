// SPDX-License-Identifier: GPL-2.0-only
/*
 * s3d_qxl_kms.c: one CRTC with a primary and a cursor plane, a virtual
 * encoder and a connector with the ROM's modes.
 *
 * The primary plane scans out shmem GEM buffers through a shadow mapping;
 * its damage clips become QXL_DRAW_COPY drawables onto the device's primary
 * surface.  The cursor plane becomes QXL cursor commands.  While the driver
 * is suspended the hooks leave the device alone: the suspend sequence owns
 * it, and the resume replays the committed state (a full redraw).
 */
#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_damage_helper.h>
#include <drm/drm_edid.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_modeset_helper_vtables.h>
#include <drm/drm_print.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_simple_kms_helper.h>

#include "s3d_qxl.h"

static const u32 s3d_qxl_primary_formats[] = { DRM_FORMAT_XRGB8888 };
static const u32 s3d_qxl_cursor_formats[] = { DRM_FORMAT_ARGB8888 };

static bool device_owned(struct s3d_qxl_device *q)
{
	return q->pm == S3D_QXL_PM_RUNNING;
}

/* ---- primary plane ---- */

static int s3d_qxl_primary_check(struct drm_plane *plane, struct drm_atomic_state *state)
{
	struct drm_plane_state *new = drm_atomic_get_new_plane_state(state, plane);
	struct drm_crtc_state *crtc_state = NULL;

	if (new->crtc)
		crtc_state = drm_atomic_get_new_crtc_state(state, new->crtc);
	return drm_atomic_helper_check_plane_state(new, crtc_state, DRM_PLANE_NO_SCALING,
						   DRM_PLANE_NO_SCALING, false, true);
}

static void s3d_qxl_primary_update(struct drm_plane *plane, struct drm_atomic_state *state)
{
	struct s3d_qxl_device *q = to_s3d_qxl(plane->dev);
	struct drm_plane_state *new = drm_atomic_get_new_plane_state(state, plane);
	struct drm_plane_state *old = drm_atomic_get_old_plane_state(state, plane);
	struct drm_shadow_plane_state *shadow = to_drm_shadow_plane_state(new);
	struct drm_framebuffer *fb = new->fb;
	struct drm_atomic_helper_damage_iter iter;
	struct drm_rect damage, screen;
	int ret = 0;

	if (!device_owned(q) || !q->primary_live || !fb || !new->visible ||
	    shadow->data[0].is_iomem || !shadow->data[0].vaddr)
		return;
	screen = DRM_RECT_INIT(0, 0, q->primary_w, q->primary_h);
	if (drm_gem_fb_begin_cpu_access(fb, DMA_FROM_DEVICE))
		return;
	drm_atomic_helper_damage_iter_init(&iter, old, new);
	drm_atomic_for_each_plane_damage(&iter, &damage) {
		/* damage is in framebuffer coordinates; the device wants CRTC ones */
		struct drm_rect dst = damage;
		const u8 *src;

		drm_rect_translate(&dst, new->dst.x1 - (new->src.x1 >> 16),
				   new->dst.y1 - (new->src.y1 >> 16));
		if (!drm_rect_intersect(&dst, &screen))
			continue;
		src = (const u8 *)shadow->data[0].vaddr +
		      (size_t)(dst.y1 - new->dst.y1 + (new->src.y1 >> 16)) * fb->pitches[0] +
		      (size_t)(dst.x1 - new->dst.x1 + (new->src.x1 >> 16)) * 4;
		ret = s3d_qxl_cmd_draw_copy(q, src, fb->pitches[0], &dst);
		if (ret)
			break;
	}
	drm_gem_fb_end_cpu_access(fb, DMA_FROM_DEVICE);
	if (ret)
		drm_err_ratelimited(&q->drm, "primary update failed: %d\n", ret);
}

static const struct drm_plane_helper_funcs s3d_qxl_primary_helper_funcs = {
	DRM_GEM_SHADOW_PLANE_HELPER_FUNCS,
	.atomic_check = s3d_qxl_primary_check,
	.atomic_update = s3d_qxl_primary_update,
};

static const struct drm_plane_funcs s3d_qxl_plane_funcs = {
	.update_plane = drm_atomic_helper_update_plane,
	.disable_plane = drm_atomic_helper_disable_plane,
	.destroy = drm_plane_cleanup,
	DRM_GEM_SHADOW_PLANE_FUNCS,
};

/* ---- cursor plane ---- */

static int s3d_qxl_cursor_check(struct drm_plane *plane, struct drm_atomic_state *state)
{
	struct drm_plane_state *new = drm_atomic_get_new_plane_state(state, plane);
	struct drm_crtc_state *crtc_state = NULL;
	int ret;

	if (new->crtc)
		crtc_state = drm_atomic_get_new_crtc_state(state, new->crtc);
	ret = drm_atomic_helper_check_plane_state(new, crtc_state, DRM_PLANE_NO_SCALING,
						  DRM_PLANE_NO_SCALING, true, true);
	if (ret || !new->fb)
		return ret;
	if (new->fb->width > S3D_QXL_CURSOR_MAX || new->fb->height > S3D_QXL_CURSOR_MAX ||
	    new->fb->hot_x >= new->fb->width || new->fb->hot_y >= new->fb->height)
		return -EINVAL;
	return 0;
}

static void s3d_qxl_cursor_update(struct drm_plane *plane, struct drm_atomic_state *state)
{
	struct s3d_qxl_device *q = to_s3d_qxl(plane->dev);
	struct drm_plane_state *new = drm_atomic_get_new_plane_state(state, plane);
	struct drm_plane_state *old = drm_atomic_get_old_plane_state(state, plane);
	struct drm_shadow_plane_state *shadow = to_drm_shadow_plane_state(new);
	struct drm_framebuffer *fb = new->fb;
	int x, y, ret;

	if (!device_owned(q) || !q->primary_live)
		return;
	if (!fb || !new->visible || shadow->data[0].is_iomem || !shadow->data[0].vaddr) {
		if (q->cursor_visible)
			s3d_qxl_cmd_cursor_hide(q);
		q->cursor_visible = false;
		return;
	}
	/* QXL places the cursor by its hot spot. */
	x = new->crtc_x + fb->hot_x;
	y = new->crtc_y + fb->hot_y;
	if (fb != old->fb || !q->cursor_visible) {
		if (drm_gem_fb_begin_cpu_access(fb, DMA_FROM_DEVICE))
			return;
		ret = s3d_qxl_cmd_cursor_set(q, shadow->data[0].vaddr, fb->pitches[0], fb->width,
					     fb->height, fb->hot_x, fb->hot_y, x, y);
		drm_gem_fb_end_cpu_access(fb, DMA_FROM_DEVICE);
	} else {
		ret = s3d_qxl_cmd_cursor_move(q, x, y);
	}
	q->cursor_visible = ret == 0;
	if (ret)
		drm_err_ratelimited(&q->drm, "cursor update failed: %d\n", ret);
}

static void s3d_qxl_cursor_disable(struct drm_plane *plane, struct drm_atomic_state *state)
{
	struct s3d_qxl_device *q = to_s3d_qxl(plane->dev);

	if (device_owned(q) && q->primary_live && q->cursor_visible)
		s3d_qxl_cmd_cursor_hide(q);
	q->cursor_visible = false;
}

static const struct drm_plane_helper_funcs s3d_qxl_cursor_helper_funcs = {
	DRM_GEM_SHADOW_PLANE_HELPER_FUNCS,
	.atomic_check = s3d_qxl_cursor_check,
	.atomic_update = s3d_qxl_cursor_update,
	.atomic_disable = s3d_qxl_cursor_disable,
};

/* ---- CRTC ---- */

static enum drm_mode_status s3d_qxl_crtc_mode_valid(struct drm_crtc *crtc,
						    const struct drm_display_mode *mode)
{
	struct s3d_qxl_device *q = to_s3d_qxl(crtc->dev);

	if (mode->hdisplay < S3D_QXL_MIN_DIM || mode->vdisplay < S3D_QXL_MIN_DIM ||
	    mode->hdisplay > S3D_QXL_MAX_DIM || mode->vdisplay > S3D_QXL_MAX_DIM)
		return MODE_BAD;
	if ((u64)mode->hdisplay * mode->vdisplay * 4 > q->rom.surface0_area_size)
		return MODE_MEM;
	return MODE_OK;
}

static void s3d_qxl_crtc_enable(struct drm_crtc *crtc, struct drm_atomic_state *state)
{
	struct s3d_qxl_device *q = to_s3d_qxl(crtc->dev);
	const struct drm_display_mode *mode = &crtc->state->mode;
	int ret;

	if (!device_owned(q))
		return;
	ret = s3d_qxl_hw_destroy_primary(q);
	if (!ret)
		ret = s3d_qxl_hw_create_primary(q, mode->hdisplay, mode->vdisplay, q->resuming);
	if (ret)
		drm_err(&q->drm, "cannot create the %ux%u primary surface: %d\n",
			mode->hdisplay, mode->vdisplay, ret);
}

static void s3d_qxl_crtc_disable(struct drm_crtc *crtc, struct drm_atomic_state *state)
{
	struct s3d_qxl_device *q = to_s3d_qxl(crtc->dev);

	if (device_owned(q) && s3d_qxl_hw_destroy_primary(q))
		drm_err(&q->drm, "cannot destroy the primary surface\n");
	if (device_owned(q))
		q->cursor_visible = false;
}

static const struct drm_crtc_helper_funcs s3d_qxl_crtc_helper_funcs = {
	.mode_valid = s3d_qxl_crtc_mode_valid,
	.atomic_enable = s3d_qxl_crtc_enable,
	.atomic_disable = s3d_qxl_crtc_disable,
};

static const struct drm_crtc_funcs s3d_qxl_crtc_funcs = {
	.reset = drm_atomic_helper_crtc_reset,
	.destroy = drm_crtc_cleanup,
	.set_config = drm_atomic_helper_set_config,
	.page_flip = drm_atomic_helper_page_flip,
	.atomic_duplicate_state = drm_atomic_helper_crtc_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_crtc_destroy_state,
};

/* ---- connector ---- */

static int s3d_qxl_connector_get_modes(struct drm_connector *connector)
{
	struct s3d_qxl_device *q = to_s3d_qxl(connector->dev);
	unsigned int i, n = 0;

	for (i = 0; i < q->n_modes; i++) {
		struct drm_display_mode *mode = drm_cvt_mode(connector->dev, q->modes[i].w,
							     q->modes[i].h, 60, false, false,
							     false);

		if (!mode)
			continue;
		if (q->modes[i].w == 1024 && q->modes[i].h == 768)
			mode->type |= DRM_MODE_TYPE_PREFERRED;
		drm_mode_probed_add(connector, mode);
		n++;
	}
	return n;
}

static const struct drm_connector_helper_funcs s3d_qxl_connector_helper_funcs = {
	.get_modes = s3d_qxl_connector_get_modes,
};

static const struct drm_connector_funcs s3d_qxl_connector_funcs = {
	.fill_modes = drm_helper_probe_single_connector_modes,
	.destroy = drm_connector_cleanup,
	.reset = drm_atomic_helper_connector_reset,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
};

/* ---- mode config ---- */

static const struct drm_mode_config_funcs s3d_qxl_mode_config_funcs = {
	.fb_create = drm_gem_fb_create_with_dirty,
	.atomic_check = drm_atomic_helper_check,
	.atomic_commit = drm_atomic_helper_commit,
};

/* The CRTC (the primary surface) before the planes that draw into it. */
static const struct drm_mode_config_helper_funcs s3d_qxl_mode_config_helpers = {
	.atomic_commit_tail = drm_atomic_helper_commit_tail_rpm,
};

int s3d_qxl_kms_init(struct s3d_qxl_device *q)
{
	struct drm_device *drm = &q->drm;
	int ret;

	ret = drmm_mode_config_init(drm);
	if (ret)
		return ret;
	/* Framebuffer limits: a cursor is smaller than any mode (modes are
	 * bounded in mode_valid). */
	drm->mode_config.min_width = 1;
	drm->mode_config.min_height = 1;
	drm->mode_config.max_width = S3D_QXL_MAX_DIM;
	drm->mode_config.max_height = S3D_QXL_MAX_DIM;
	drm->mode_config.preferred_depth = 24;
	drm->mode_config.cursor_width = S3D_QXL_CURSOR_MAX;
	drm->mode_config.cursor_height = S3D_QXL_CURSOR_MAX;
	drm->mode_config.funcs = &s3d_qxl_mode_config_funcs;
	drm->mode_config.helper_private = &s3d_qxl_mode_config_helpers;

	ret = drm_universal_plane_init(drm, &q->primary_plane, 1, &s3d_qxl_plane_funcs,
				       s3d_qxl_primary_formats,
				       ARRAY_SIZE(s3d_qxl_primary_formats), NULL,
				       DRM_PLANE_TYPE_PRIMARY, NULL);
	if (ret)
		return ret;
	drm_plane_helper_add(&q->primary_plane, &s3d_qxl_primary_helper_funcs);
	drm_plane_enable_fb_damage_clips(&q->primary_plane);

	ret = drm_universal_plane_init(drm, &q->cursor_plane, 1, &s3d_qxl_plane_funcs,
				       s3d_qxl_cursor_formats, ARRAY_SIZE(s3d_qxl_cursor_formats),
				       NULL, DRM_PLANE_TYPE_CURSOR, NULL);
	if (ret)
		return ret;
	drm_plane_helper_add(&q->cursor_plane, &s3d_qxl_cursor_helper_funcs);

	ret = drm_crtc_init_with_planes(drm, &q->crtc, &q->primary_plane, &q->cursor_plane,
					&s3d_qxl_crtc_funcs, NULL);
	if (ret)
		return ret;
	drm_crtc_helper_add(&q->crtc, &s3d_qxl_crtc_helper_funcs);

	ret = drm_simple_encoder_init(drm, &q->encoder, DRM_MODE_ENCODER_VIRTUAL);
	if (ret)
		return ret;
	q->encoder.possible_crtcs = drm_crtc_mask(&q->crtc);

	ret = drm_connector_init(drm, &q->connector, &s3d_qxl_connector_funcs,
				 DRM_MODE_CONNECTOR_VIRTUAL);
	if (ret)
		return ret;
	drm_connector_helper_add(&q->connector, &s3d_qxl_connector_helper_funcs);
	ret = drm_connector_attach_encoder(&q->connector, &q->encoder);
	if (ret)
		return ret;
	drm_mode_config_reset(drm);
	return 0;
}
