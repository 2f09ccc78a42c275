/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lz-upstream-check: our LZ_RGB encoder's output decoded by spice-common's
 * own decoder (lz.c of the spice-gtk source package, the code the real
 * client runs).  Not built by make: test-red-lz-upstream.sh compiles it with
 * the fetched lz.c and log.c, our red-lz.c and lz-cases.c, sanitized.
 *
 * Per image: lz_decode_begin must report RGB32, the image's size,
 * width * height pixels and top-down; lz_decode into RGB32 must give the
 * input's colours with a zero fourth byte.  spice-common reports a bad
 * stream through the error callback (longjmp here: a failure) or aborts on
 * its assertions (a crash: a failure, as it would crash the client).
 *
 * Usage: lz-upstream-check [SEED [CASES]] */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include "lz.h"             /* spice-common's */
#include "lz-cases.h"
#include "red-lz.h"

#define DEFAULT_CASES 300u
#define DESKTOP_W 1024u
#define DESKTOP_H 768u

typedef struct CheckUsr {
    LzUsrContext base;      /* first: spice-common passes &base back */
    jmp_buf fail;
    char message[256];
} CheckUsr;

G_GNUC_NORETURN static void usr_error(LzUsrContext *usr, const char *fmt, ...)
{
    CheckUsr *u = (CheckUsr *)usr;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(u->message, sizeof(u->message), fmt, ap);
    va_end(ap);
    longjmp(u->fail, 1);
}

static void usr_ignore(LzUsrContext *usr, const char *fmt, ...)
{
    (void)usr;
    (void)fmt;
}

static void *usr_malloc(LzUsrContext *usr, int size)
{
    (void)usr;
    return malloc((size_t)size);
}

static void usr_free(LzUsrContext *usr, void *ptr)
{
    (void)usr;
    free(ptr);
}

/* The whole payload is one chunk, as spice-gtk gives it. */
static int usr_no_more(LzUsrContext *usr, uint8_t **p)
{
    (void)usr;
    (void)p;
    return 0;
}

static int check_image(LzContext *lz, CheckUsr *usr, const uint32_t *px, uint32_t w, uint32_t h,
                       const char *what)
{
    uint8_t *out = NULL;
    size_t size = 0;
    if (red_lz_encode((const uint8_t *)px, w, h, w * 4, &out, &size) != 0) {
        printf("%s %ux%u: encode failed\n", what, w, h);
        return -1;
    }
    size_t n = (size_t)w * h;
    uint32_t *volatile dec = malloc(n * 4);
    int ret = -1;
    if (setjmp(usr->fail) != 0) {
        printf("%s %ux%u: spice-common: %s", what, w, h, usr->message);
        goto done;
    }
    LzImageType type;
    int dw, dh, n_pixels, top_down;
    lz_decode_begin(lz, out, (unsigned)size, &type, &dw, &dh, &n_pixels, &top_down, NULL);
    if (type != LZ_IMAGE_TYPE_RGB32 || (uint32_t)dw != w || (uint32_t)dh != h ||
        (size_t)n_pixels != n || top_down != 1) {
        printf("%s %ux%u: header says type %d %dx%d %d pixels top_down %d\n", what, w, h, type,
               dw, dh, n_pixels, top_down);
        goto done;
    }
    lz_decode(lz, LZ_IMAGE_TYPE_RGB32, (uint8_t *)dec);
    for (size_t i = 0; i < n; i++) {
        if (dec[i] != (px[i] & 0x00ffffffu)) {
            printf("%s %ux%u: pixel %zu is %08x, want %06x\n", what, w, h, i, dec[i],
                   px[i] & 0x00ffffffu);
            goto done;
        }
    }
    ret = 0;
done:
    free(dec);
    free(out);
    return ret;
}

int main(int argc, char **argv)
{
    uint32_t seed = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1;
    unsigned cases = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : DEFAULT_CASES;
    CheckUsr usr = { .base = { .error = usr_error, .warn = usr_ignore, .info = usr_ignore,
                               .malloc = usr_malloc, .free = usr_free,
                               .more_space = usr_no_more, .more_lines = usr_no_more } };
    LzContext *lz = lz_create(&usr.base);
    if (lz == NULL) {
        printf("FAIL: lz_create\n");
        return 1;
    }
    int failed = 0;
    uint32_t *desk = malloc((size_t)DESKTOP_W * DESKTOP_H * 4);
    for (uint32_t s = 0; s < 3; s++) {
        lz_case_desktop(desk, DESKTOP_W, DESKTOP_H, seed + s);
        failed += check_image(lz, &usr, desk, DESKTOP_W, DESKTOP_H, "desktop") != 0;
    }
    free(desk);
    for (unsigned i = 0; i < cases; i++) {
        LzCase c;
        lz_case_make(&c, i, seed);
        char what[64];
        snprintf(what, sizeof(what), "case %u (%s)", i, c.kind);
        failed += check_image(lz, &usr, c.pixels, c.width, c.height, what) != 0;
        lz_case_free(&c);
    }
    lz_destroy(lz);
    printf("%s: %u cases + 3 desktops through spice-common's lz_decode, seed %u, %d failed\n",
           failed ? "FAIL" : "PASS", cases, seed, failed);
    return failed ? 1 : 0;
}
