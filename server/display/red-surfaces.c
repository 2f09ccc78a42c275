/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* red-surfaces.c: surface table and pixman images over device memory. */
#include "config.h"

#include "red-surfaces.h"

#include <string.h>

#include <glib.h>
#include <spice/enums.h>

int red_surfaces_init(RedSurfaces *s, uint32_t n)
{
    memset(s, 0, sizeof(*s));
    if (n == 0 || n > RED_SURFACES_MAX) {
        return -1;
    }
    s->surfaces = g_new0(RedSurface, n);
    s->count = n;
    return 0;
}

void red_surfaces_finish(RedSurfaces *s)
{
    for (uint32_t i = 0; i < s->count; i++) {
        red_surface_destroy(s, i);
    }
    g_free(s->surfaces);
    memset(s, 0, sizeof(*s));
}

size_t red_surfaces_count_live(const RedSurfaces *s)
{
    size_t n = 0;
    for (uint32_t i = 0; i < s->count; i++) {
        n += s->surfaces[i].exists;
    }
    return n;
}

RedSurface *red_surfaces_get(RedSurfaces *s, uint32_t id)
{
    if (id >= s->count || !s->surfaces[id].exists) {
        return NULL;
    }
    return &s->surfaces[id];
}

pixman_format_code_t red_surface_pixman_format(uint32_t format)
{
    switch (format) {
    case SPICE_SURFACE_FMT_32_xRGB: return PIXMAN_x8r8g8b8;
    case SPICE_SURFACE_FMT_32_ARGB: return PIXMAN_a8r8g8b8;
    case SPICE_SURFACE_FMT_16_565: return PIXMAN_r5g6b5;
    case SPICE_SURFACE_FMT_16_555: return PIXMAN_x1r5g5b5;
    case SPICE_SURFACE_FMT_8_A: return PIXMAN_a8;
    case SPICE_SURFACE_FMT_1_A: return PIXMAN_a1;
    default: return 0;
    }
}

uint64_t red_surface_mem_size(uint32_t width, uint32_t height, int32_t stride, uint32_t format)
{
    pixman_format_code_t pf = red_surface_pixman_format(format);
    if (pf == 0 || width == 0 || height == 0 || width > RED_SURFACE_MAX_DIM ||
        height > RED_SURFACE_MAX_DIM) {
        return 0;
    }
    uint64_t abs_stride = stride < 0 ? (uint64_t)(-(int64_t)stride) : (uint64_t)stride;
    uint64_t line = ((uint64_t)width * PIXMAN_FORMAT_BPP(pf) + 7) / 8;
    if (abs_stride < line || abs_stride % 4 != 0) {
        return 0; /* pixman needs whole 32-bit words per line */
    }
    return abs_stride * height;
}

int red_surface_create(RedSurfaces *s, uint32_t id, uint32_t width, uint32_t height,
                       int32_t stride, uint32_t format, uint8_t *mem, bool keep_data)
{
    uint64_t size = red_surface_mem_size(width, height, stride, format);
    if (id >= s->count || s->surfaces[id].exists || size == 0 || mem == NULL) {
        return -1;
    }
    if (!keep_data) {
        memset(mem, 0, size);
    }
    uint8_t *top = stride < 0 ? mem + size + stride : mem;
    pixman_image_t *img = pixman_image_create_bits(red_surface_pixman_format(format), (int)width,
                                                   (int)height, (uint32_t *)(void *)top, stride);
    if (img == NULL) {
        return -1;
    }
    s->surfaces[id] = (RedSurface){ .exists = true, .width = width, .height = height,
                                    .stride = stride, .format = format, .mem = mem,
                                    .image = img };
    return 0;
}

void red_surface_destroy(RedSurfaces *s, uint32_t id)
{
    if (id >= s->count || !s->surfaces[id].exists) {
        return;
    }
    pixman_image_unref(s->surfaces[id].image);
    memset(&s->surfaces[id], 0, sizeof(RedSurface));
}
