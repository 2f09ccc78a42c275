/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* reds-video-codecs.c: spice_server_set/get/free_video_codecs.
 *
 * The preference list is validated and kept as the real library keeps it,
 * so a host gets the same answers: "encoder:codec" entries separated by
 * ';', empty entries skipped; an entry that is not two names of
 * [A-Za-z0-9_] around one ':' is skipped with a warning, as is an unknown
 * encoder or codec name, or the gstreamer encoder (the real library built
 * without GStreamer refuses it the same way); when no entry is left the
 * call fails with -1 and the previous list stays.  The accepted entries
 * are what spice_server_get_video_codecs returns, in order, duplicates
 * kept.
 *
 * We never encode video streams (frames go out as images), so the list
 * changes nothing on the wire; it is kept for the host to read back.
 *
 * Threads: the host's main thread, as every configuration setter.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "red-log.h"
#include "reds-private.h"
#include "reds-video-codecs.h"

/* The names the real library 0.15.1 knows; "spice" is its built-in
 * encoder, "gstreamer" the one it has only when built with GStreamer. */
static const char *const known_encoders[] = { "spice", "gstreamer" };
static const char *const known_codecs[] = { "mjpeg", "vp8", "h264", "vp9" };
static const char *const available_encoders[] = { "spice" };

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

static bool is_name(const char *s, size_t len)
{
    if (len == 0) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!is_name_char(s[i])) {
            return false;
        }
    }
    return true;
}

static bool is_known(const char *const *names, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0) {
            return true;
        }
    }
    return false;
}

/* Appends entry [s, s+len) to out if it is valid and usable; logs why not. */
static void add_entry(GString *out, const char *s, size_t len)
{
    const char *colon = memchr(s, ':', len);
    size_t enc_len = colon ? (size_t)(colon - s) : len;
    const char *codec = colon ? colon + 1 : s + len;
    size_t codec_len = (size_t)(s + len - codec);
    if (colon == NULL || !is_name(s, enc_len) || !is_name(codec, codec_len)) {
        red_log_warn("video codecs: entry \"%.*s\" is not encoder:codec, skipped", (int)len, s);
        return;
    }
    if (!is_known(known_encoders, G_N_ELEMENTS(known_encoders), s, enc_len)) {
        red_log_warn("video codecs: unknown encoder \"%.*s\", skipped", (int)enc_len, s);
        return;
    }
    if (!is_known(known_codecs, G_N_ELEMENTS(known_codecs), codec, codec_len)) {
        red_log_warn("video codecs: unknown codec \"%.*s\", skipped", (int)codec_len, codec);
        return;
    }
    if (!is_known(available_encoders, G_N_ELEMENTS(available_encoders), s, enc_len)) {
        red_log_warn("video codecs: encoder \"%.*s\" is not available, skipped", (int)enc_len, s);
        return;
    }
    g_string_append_printf(out, "%s%.*s", out->len ? ";" : "", (int)len, s);
}

RED_EXPORT int spice_server_set_video_codecs(SpiceServer *reds, const char *video_codecs)
{
    if (reds == NULL || video_codecs == NULL) {
        red_log_warn("set_video_codecs: %s is NULL", reds ? "the string" : "the server");
        errno = EINVAL;
        return -1;
    }
    GString *accepted = g_string_new(NULL);
    const char *p = video_codecs;
    while (*p) {
        size_t len = strcspn(p, ";");
        if (len > 0) {
            add_entry(accepted, p, len);
        }
        p += len;
        if (*p == ';') {
            p++;
        }
    }
    if (accepted->len == 0) {
        red_log_warn("set_video_codecs: no usable entry in \"%s\", list unchanged", video_codecs);
        g_string_free(accepted, TRUE);
        errno = EINVAL;
        return -1;
    }
    g_free(reds->video_codecs);
    reds->video_codecs = g_string_free(accepted, FALSE);
    return 0;
}

bool reds_video_codecs_allow_mjpeg(const RedsState *reds)
{
    /* before any set: the real library's default list starts with it */
    if (reds->video_codecs == NULL) {
        return true;
    }
    for (const char *p = reds->video_codecs; (p = strstr(p, "spice:mjpeg")) != NULL; p++) {
        char end = p[strlen("spice:mjpeg")];
        if ((p == reds->video_codecs || p[-1] == ';') && (end == '\0' || end == ';')) {
            return true;
        }
    }
    return false;
}

/* The accepted list ("" before any set), newly allocated: released with
 * spice_server_free_video_codecs. */
RED_EXPORT const char *spice_server_get_video_codecs(SpiceServer *reds)
{
    return g_strdup(reds && reds->video_codecs ? reds->video_codecs : "");
}

/* Releases a string from spice_server_get_video_codecs; NULL is fine. */
RED_EXPORT void spice_server_free_video_codecs(SpiceServer *reds, const char *video_codecs)
{
    (void)reds;
    g_free((char *)video_codecs);
}
