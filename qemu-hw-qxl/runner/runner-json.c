/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runner-json.c: a bounded parser for flat JSON objects. */
#include "config.h"

#include "runner-json.h"

#include <stdlib.h>
#include <string.h>

#define RUNNER_JSON_MAX_KEYS 32

typedef struct Cursor {
    const char *p, *end;
} Cursor;

static void skip_ws(Cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n')) {
        c->p++;
    }
}

static int hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    if (ch >= 'A' && ch <= 'F') {
        return ch - 'A' + 10;
    }
    return -1;
}

/* A string literal; \uXXXX is kept for ASCII only (enough for commands and
 * paths, and it never produces invalid UTF-8). */
static char *parse_string(Cursor *c)
{
    if (c->p >= c->end || *c->p != '"') {
        return NULL;
    }
    c->p++;
    GString *s = g_string_new(NULL);
    while (c->p < c->end && *c->p != '"') {
        char ch = *c->p++;
        if ((unsigned char)ch < 0x20) {
            goto bad;
        }
        if (ch != '\\') {
            g_string_append_c(s, ch);
            continue;
        }
        if (c->p >= c->end) {
            goto bad;
        }
        ch = *c->p++;
        switch (ch) {
        case '"': case '\\': case '/': g_string_append_c(s, ch); break;
        case 'n': g_string_append_c(s, '\n'); break;
        case 't': g_string_append_c(s, '\t'); break;
        case 'r': g_string_append_c(s, '\r'); break;
        case 'b': g_string_append_c(s, '\b'); break;
        case 'f': g_string_append_c(s, '\f'); break;
        case 'u': {
            if (c->end - c->p < 4) {
                goto bad;
            }
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int d = hex_digit(c->p[i]);
                if (d < 0) {
                    goto bad;
                }
                v = v * 16 + d;
            }
            c->p += 4;
            if (v == 0 || v > 0x7f) {
                goto bad;
            }
            g_string_append_c(s, (char)v);
            break;
        }
        default:
            goto bad;
        }
    }
    if (c->p >= c->end) {
        goto bad;
    }
    c->p++; /* closing quote */
    return g_string_free(s, FALSE);
bad:
    g_string_free(s, TRUE);
    return NULL;
}

/* A number or true/false/null, returned as its text. */
static char *parse_scalar(Cursor *c)
{
    const char *start = c->p;
    while (c->p < c->end && (g_ascii_isalnum(*c->p) || *c->p == '-' || *c->p == '+' ||
                             *c->p == '.')) {
        c->p++;
    }
    if (c->p == start) {
        return NULL;
    }
    char *text = g_strndup(start, (gsize)(c->p - start));
    if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0 || strcmp(text, "null") == 0) {
        return text;
    }
    char *endp;
    g_ascii_strtod(text, &endp);
    if (*endp != '\0') {
        g_free(text);
        return NULL;
    }
    return text;
}

GHashTable *runner_json_parse_flat(const char *line, size_t len)
{
    Cursor c = { line, line + len };
    GHashTable *obj = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    skip_ws(&c);
    if (c.p >= c.end || *c.p++ != '{') {
        goto bad;
    }
    skip_ws(&c);
    if (c.p < c.end && *c.p == '}') {
        c.p++;
        goto done;
    }
    for (;;) {
        skip_ws(&c);
        char *key = parse_string(&c);
        if (key == NULL) {
            goto bad;
        }
        skip_ws(&c);
        if (c.p >= c.end || *c.p++ != ':') {
            g_free(key);
            goto bad;
        }
        skip_ws(&c);
        char *value = c.p < c.end && *c.p == '"' ? parse_string(&c) : parse_scalar(&c);
        if (value == NULL || g_hash_table_size(obj) >= RUNNER_JSON_MAX_KEYS) {
            g_free(key);
            g_free(value);
            goto bad;
        }
        g_hash_table_replace(obj, key, value);
        skip_ws(&c);
        if (c.p >= c.end) {
            goto bad;
        }
        char sep = *c.p++;
        if (sep == '}') {
            break;
        }
        if (sep != ',') {
            goto bad;
        }
    }
done:
    skip_ws(&c);
    if (c.p != c.end) {
        goto bad;
    }
    return obj;
bad:
    g_hash_table_unref(obj);
    return NULL;
}

const char *runner_json_str(GHashTable *obj, const char *key)
{
    return g_hash_table_lookup(obj, key);
}

int64_t runner_json_int(GHashTable *obj, const char *key, int64_t def)
{
    const char *v = g_hash_table_lookup(obj, key);
    if (v == NULL) {
        return def;
    }
    char *endp;
    gint64 n = g_ascii_strtoll(v, &endp, 10);
    return *v != '\0' && *endp == '\0' ? n : def;
}

void runner_json_append_str(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': g_string_append(out, "\\\""); break;
        case '\\': g_string_append(out, "\\\\"); break;
        case '\n': g_string_append(out, "\\n"); break;
        case '\t': g_string_append(out, "\\t"); break;
        case '\r': g_string_append(out, "\\r"); break;
        default:
            if (*p < 0x20) {
                g_string_append_printf(out, "\\u%04x", *p);
            } else {
                g_string_append_c(out, (char)*p);
            }
        }
    }
    g_string_append_c(out, '"');
}
