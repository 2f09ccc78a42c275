/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gdemo-font.c: PSF console fonts (and a built-in fallback) as an a8
 * atlas of the 128 ASCII cells, drawn with pixman. */
#include "config.h"

#include "gdemo-font.h"

#include <stdbool.h>
#include <string.h>

#include <gio/gio.h>

#include "gkms-log.h"

/* Console fonts are a few KiB; anything larger is not one. */
#define GDEMO_FONT_MAX_FILE (1u << 20)
/* Cells larger than this would make the demo's layout meaningless. */
#define GDEMO_FONT_MAX_CELL 64
/* PSF2 fonts have at most 64 Ki glyphs in practice (Unicode BMP). */
#define GDEMO_FONT_MAX_GLYPHS 65536u
#define GDEMO_FONT_CHARS 128

#define PSF1_MAGIC0 0x36
#define PSF1_MAGIC1 0x04
#define PSF1_MODE512 0x01
#define PSF1_MODEHASTAB 0x02
#define PSF1_MODEHASSEQ 0x04
#define PSF1_SEPARATOR 0xffff
#define PSF1_STARTSEQ 0xfffe
#define PSF2_HEADER_SIZE 32
#define PSF2_HAS_UNICODE_TABLE 0x01
#define PSF2_SEPARATOR 0xff
#define PSF2_STARTSEQ 0xfe

struct GdemoFont {
    unsigned width, height;
    int builtin;
    pixman_image_t *atlas;      /* a8, GDEMO_FONT_CHARS cells in one row */
    int has[GDEMO_FONT_CHARS];  /* the cell holds a glyph */
};

/* ---- the built-in 5x7 font: digits, capitals, a little punctuation ---- */

#define BUILTIN_W 6             /* 5 columns and a gap */
#define BUILTIN_H 9             /* 7 rows, a line above and below */

static const struct {
    char c;
    uint8_t rows[7];            /* bit 4 is the leftmost column */
} builtin_glyphs[] = {
    { '0', { 0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e } },
    { '1', { 0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e } },
    { '2', { 0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f } },
    { '3', { 0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e } },
    { '4', { 0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02 } },
    { '5', { 0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e } },
    { '6', { 0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e } },
    { '7', { 0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 } },
    { '8', { 0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e } },
    { '9', { 0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c } },
    { 'A', { 0x0e, 0x11, 0x11, 0x11, 0x1f, 0x11, 0x11 } },
    { 'B', { 0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e } },
    { 'C', { 0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e } },
    { 'D', { 0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c } },
    { 'E', { 0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f } },
    { 'F', { 0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10 } },
    { 'G', { 0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f } },
    { 'H', { 0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11 } },
    { 'I', { 0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e } },
    { 'J', { 0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c } },
    { 'K', { 0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11 } },
    { 'L', { 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f } },
    { 'M', { 0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11 } },
    { 'N', { 0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11 } },
    { 'O', { 0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e } },
    { 'P', { 0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10 } },
    { 'Q', { 0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d } },
    { 'R', { 0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11 } },
    { 'S', { 0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e } },
    { 'T', { 0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04 } },
    { 'U', { 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e } },
    { 'V', { 0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04 } },
    { 'W', { 0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a } },
    { 'X', { 0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11 } },
    { 'Y', { 0x11, 0x11, 0x11, 0x0a, 0x04, 0x04, 0x04 } },
    { 'Z', { 0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f } },
    { '-', { 0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00 } },
    { '.', { 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c } },
    { ':', { 0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00 } },
    { '%', { 0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03 } },
    { '/', { 0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00 } },
    { '$', { 0x04, 0x0f, 0x14, 0x0e, 0x05, 0x1e, 0x04 } },
    { '?', { 0x0e, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04 } },
    { '(', { 0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02 } },
    { ')', { 0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08 } },
    { '=', { 0x00, 0x00, 0x1f, 0x00, 0x1f, 0x00, 0x00 } },
    { '_', { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f } },
    { '@', { 0x0e, 0x11, 0x17, 0x15, 0x17, 0x10, 0x0e } },
    { '~', { 0x00, 0x00, 0x08, 0x15, 0x02, 0x00, 0x00 } },
    { '>', { 0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08 } },
    { ',', { 0x00, 0x00, 0x00, 0x00, 0x0c, 0x04, 0x08 } },
    { '[', { 0x0e, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0e } },
    { ']', { 0x0e, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0e } },
};

static GdemoFont *font_alloc(unsigned w, unsigned h, int builtin)
{
    GdemoFont *f = g_new0(GdemoFont, 1);
    f->width = w;
    f->height = h;
    f->builtin = builtin;
    f->atlas = pixman_image_create_bits(PIXMAN_a8, (int)(w * GDEMO_FONT_CHARS), (int)h, NULL, 0);
    if (f->atlas == NULL) {
        g_free(f);
        return NULL;
    }
    return f;
}

/* The glyph's 1-bit rows (MSB first, `pitch` bytes a row) into cell c of
 * the atlas at (dx, dy). */
static void atlas_put(GdemoFont *f, unsigned c, const uint8_t *bits, unsigned pitch, unsigned w,
                      unsigned h, unsigned shift, unsigned dx, unsigned dy)
{
    uint8_t *data = (uint8_t *)pixman_image_get_data(f->atlas);
    int stride = pixman_image_get_stride(f->atlas);
    for (unsigned y = 0; y < h; y++) {
        uint8_t *row = data + (size_t)(y + dy) * (size_t)stride + (size_t)c * f->width + dx;
        for (unsigned x = 0; x < w; x++) {
            unsigned bit = x + shift;
            row[x] = (bits[(size_t)y * pitch + bit / 8] & (0x80 >> (bit % 8))) ? 0xff : 0;
        }
    }
    f->has[c] = 1;
}

GdemoFont *gdemo_font_create_builtin(void)
{
    GdemoFont *f = font_alloc(BUILTIN_W, BUILTIN_H, 1);
    if (f == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(builtin_glyphs); i++) {
        unsigned c = (unsigned char)builtin_glyphs[i].c;
        /* Rows hold 5 bits at bits 4..0: skip the top 3 of the byte. */
        atlas_put(f, c, builtin_glyphs[i].rows, 1, 5, 7, 3, 0, 1);
        if (c >= 'A' && c <= 'Z') {
            atlas_put(f, c - 'A' + 'a', builtin_glyphs[i].rows, 1, 5, 7, 3, 0, 1);
        }
    }
    f->has[' '] = 1;
    return f;
}

/* ---- PSF ---- */

typedef struct PsfInfo {
    unsigned width, height, pitch;
    uint64_t glyphs, glyph_size, data_offset;
    uint64_t table_offset;      /* 0: no Unicode table */
    int psf2;
} PsfInfo;

static bool is_valid_psf1(const uint8_t *d, size_t size, PsfInfo *pi)
{
    if (size < 4 || d[0] != PSF1_MAGIC0 || d[1] != PSF1_MAGIC1) {
        return false;
    }
    *pi = (PsfInfo){ .width = 8, .height = d[3], .pitch = 1, .glyph_size = d[3],
                     .glyphs = (d[2] & PSF1_MODE512) ? 512 : 256, .data_offset = 4 };
    uint64_t end = pi->data_offset + pi->glyphs * pi->glyph_size;
    if (pi->height == 0 || pi->height > GDEMO_FONT_MAX_CELL || end > size) {
        return false;
    }
    pi->table_offset = (d[2] & (PSF1_MODEHASTAB | PSF1_MODEHASSEQ)) ? end : 0;
    return true;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool is_valid_psf2(const uint8_t *d, size_t size, PsfInfo *pi)
{
    static const uint8_t magic[4] = { 0x72, 0xb5, 0x4a, 0x86 };
    if (size < PSF2_HEADER_SIZE || memcmp(d, magic, 4) != 0) {
        return false;
    }
    uint32_t header = le32(d + 8), flags = le32(d + 12), n = le32(d + 16);
    uint32_t charsize = le32(d + 20), h = le32(d + 24), w = le32(d + 28);
    if (header < PSF2_HEADER_SIZE || header > size || w == 0 || w > GDEMO_FONT_MAX_CELL ||
        h == 0 || h > GDEMO_FONT_MAX_CELL || n == 0 || n > GDEMO_FONT_MAX_GLYPHS ||
        charsize != h * ((w + 7) / 8)) {
        return false;
    }
    *pi = (PsfInfo){ .width = w, .height = h, .pitch = (w + 7) / 8, .glyphs = n,
                     .glyph_size = charsize, .data_offset = header, .psf2 = 1 };
    uint64_t end = pi->data_offset + pi->glyphs * pi->glyph_size;
    if (end > size) {
        return false;
    }
    pi->table_offset = (flags & PSF2_HAS_UNICODE_TABLE) ? end : 0;
    return true;
}

/* map[c] = the glyph of ASCII c, from the Unicode table.  Sequences
 * (combining characters) are skipped: the demo draws single characters.
 * A truncated table just ends the mapping. */
static void psf_read_table(const uint8_t *d, size_t size, const PsfInfo *pi, int64_t *map)
{
    uint64_t pos = pi->table_offset;
    for (uint64_t g = 0; g < pi->glyphs && pos < size; g++) {
        bool in_seq = false;
        for (;;) {
            uint32_t v;
            if (pi->psf2) {
                if (pos >= size) {
                    return;
                }
                v = d[pos++];
                if (v == PSF2_SEPARATOR) {
                    break;
                }
                in_seq |= v == PSF2_STARTSEQ;
            } else {
                if (pos + 2 > size) {
                    return;
                }
                v = (uint32_t)d[pos] | (uint32_t)d[pos + 1] << 8;
                pos += 2;
                if (v == PSF1_SEPARATOR) {
                    break;
                }
                in_seq |= v == PSF1_STARTSEQ;
            }
            /* UTF-8 lead and continuation bytes are >= 0x80: only plain
             * ASCII code points land here. */
            if (!in_seq && v < GDEMO_FONT_CHARS && map[v] < 0) {
                map[v] = (int64_t)g;
            }
        }
    }
}

GdemoFont *gdemo_font_create_from_data(const uint8_t *d, size_t size)
{
    PsfInfo pi;
    if (d == NULL || !(is_valid_psf1(d, size, &pi) || is_valid_psf2(d, size, &pi))) {
        return NULL;
    }
    int64_t map[GDEMO_FONT_CHARS];
    for (unsigned c = 0; c < GDEMO_FONT_CHARS; c++) {
        map[c] = pi.table_offset ? -1 : (c < pi.glyphs ? (int64_t)c : -1);
    }
    if (pi.table_offset) {
        psf_read_table(d, size, &pi, map);
    }
    if (map['0'] < 0 || map['A'] < 0) {
        return NULL; /* not a font for Latin text */
    }
    GdemoFont *f = font_alloc(pi.width, pi.height, 0);
    if (f == NULL) {
        return NULL;
    }
    for (unsigned c = 0; c < GDEMO_FONT_CHARS; c++) {
        if (map[c] >= 0) {
            const uint8_t *bits = d + pi.data_offset + (uint64_t)map[c] * pi.glyph_size;
            atlas_put(f, c, bits, pi.pitch, pi.width, pi.height, 0, 0, 0);
        }
    }
    return f;
}

/* Reads the file, through a gzip decompressor if it starts with gzip's
 * magic, at most GDEMO_FONT_MAX_FILE bytes. */
static GBytes *read_font_file(const char *path, GError **err)
{
    GFile *file = g_file_new_for_path(path);
    GInputStream *raw = G_INPUT_STREAM(g_file_read(file, NULL, err));
    g_object_unref(file);
    if (raw == NULL) {
        return NULL;
    }
    GBufferedInputStream *buf = G_BUFFERED_INPUT_STREAM(g_buffered_input_stream_new(raw));
    g_object_unref(raw);
    gsize avail = 0;
    GInputStream *in = G_INPUT_STREAM(buf);
    if (g_buffered_input_stream_fill(buf, 2, NULL, err) < 0) {
        g_object_unref(buf);
        return NULL;
    }
    const uint8_t *head = g_buffered_input_stream_peek_buffer(buf, &avail);
    if (avail >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
        GZlibDecompressor *z = g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP);
        in = g_converter_input_stream_new(in, G_CONVERTER(z));
        g_object_unref(z);
        g_object_unref(buf);
    }
    GByteArray *out = g_byte_array_new();
    uint8_t chunk[4096];
    gssize n;
    while ((n = g_input_stream_read(in, chunk, sizeof(chunk), NULL, err)) > 0) {
        if (out->len + (gsize)n > GDEMO_FONT_MAX_FILE) {
            g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "larger than %u bytes",
                        GDEMO_FONT_MAX_FILE);
            n = -1;
            break;
        }
        g_byte_array_append(out, chunk, (guint)n);
    }
    g_object_unref(in);
    if (n < 0) {
        g_byte_array_unref(out);
        return NULL;
    }
    return g_byte_array_free_to_bytes(out);
}

GdemoFont *gdemo_font_create(const char *path)
{
    path = path ? path : GDEMO_FONT_PATH;
    GError *err = NULL;
    GBytes *bytes = read_font_file(path, &err);
    GdemoFont *f = NULL;
    if (bytes) {
        gsize size;
        const uint8_t *d = g_bytes_get_data(bytes, &size);
        f = gdemo_font_create_from_data(d, size);
        g_bytes_unref(bytes);
        if (f == NULL) {
            gkms_log_warn("demo: %s is not a usable PSF font; using the built-in font", path);
        }
    } else {
        gkms_log_warn("demo: cannot read %s (%s); using the built-in font", path, err->message);
        g_error_free(err);
    }
    return f ? f : gdemo_font_create_builtin();
}

void gdemo_font_destroy(GdemoFont *f)
{
    if (f == NULL) {
        return;
    }
    pixman_image_unref(f->atlas);
    g_free(f);
}

unsigned gdemo_font_width(const GdemoFont *f)
{
    return f->width;
}

unsigned gdemo_font_height(const GdemoFont *f)
{
    return f->height;
}

int gdemo_font_is_builtin(const GdemoFont *f)
{
    return f->builtin;
}

void gdemo_font_draw(const GdemoFont *f, pixman_image_t *dst, int x, int y, const char *text,
                     uint32_t argb)
{
    pixman_color_t colour = {
        .red = (uint16_t)((argb >> 16 & 0xff) * 0x101),
        .green = (uint16_t)((argb >> 8 & 0xff) * 0x101),
        .blue = (uint16_t)((argb & 0xff) * 0x101),
        .alpha = (uint16_t)((argb >> 24) * 0x101),
    };
    pixman_image_t *solid = pixman_image_create_solid_fill(&colour);
    for (const char *p = text; *p; p++, x += (int)f->width) {
        unsigned c = (unsigned char)*p;
        if (c == ' ') {
            continue;
        }
        if (c >= GDEMO_FONT_CHARS || !f->has[c]) {
            c = '?';
        }
        if (f->has[c]) {
            pixman_image_composite32(PIXMAN_OP_OVER, solid, f->atlas, dst, 0, 0,
                                     (int32_t)(c * f->width), 0, x, y, (int32_t)f->width,
                                     (int32_t)f->height);
        }
    }
    pixman_image_unref(solid);
}
