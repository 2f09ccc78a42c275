/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gdemo-font.h (internal): the demo's text: a console PSF font (PSF1 or
 * PSF2, gzip'd or not) turned into an a8 glyph atlas, or a built-in 5x7
 * font when the file is missing or malformed, so the demo always has text.
 * Only ASCII is drawn; other bytes show as '?'. */
#ifndef GDEMO_FONT_H
#define GDEMO_FONT_H

#include <stddef.h>
#include <stdint.h>

#include <pixman.h>

/* The font console-setup-linux installs on Debian. */
#define GDEMO_FONT_PATH "/usr/share/consolefonts/Lat15-Fixed16.psf.gz"

typedef struct GdemoFont GdemoFont;

/* Loads path (NULL: GDEMO_FONT_PATH); on any failure logs why and returns
 * the built-in font instead.  Never NULL. */
GdemoFont *gdemo_font_create(const char *path);
void gdemo_font_destroy(GdemoFont *f); /* NULL ok */

/* Parses a PSF font from memory (exposed for tests: hostile headers must be
 * refused, never read out of bounds).  NULL if it is not a usable font. */
GdemoFont *gdemo_font_create_from_data(const uint8_t *data, size_t size);

/* The built-in font only. */
GdemoFont *gdemo_font_create_builtin(void);

unsigned gdemo_font_width(const GdemoFont *f);   /* cell width in pixels */
unsigned gdemo_font_height(const GdemoFont *f);  /* cell height in pixels */
int gdemo_font_is_builtin(const GdemoFont *f);

/* Draws text with its cells' top-left at (x, y) in colour argb (a8r8g8b8,
 * premultiplied), OVER dst, clipped by dst's clip region. */
void gdemo_font_draw(const GdemoFont *f, pixman_image_t *dst, int x, int y, const char *text,
                     uint32_t argb);

#endif /* GDEMO_FONT_H */
