/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runner-json.h: the little JSON the control socket speaks.
 *
 * Commands are one flat object per line, in the spirit of QMP:
 *   {"execute": "suspend", "frames_before": 20}
 * Values are strings, integers or booleans; nested objects and arrays are
 * refused.  The parser checks every byte against the line's length and
 * returns NULL on anything malformed, so a bad client gets an error reply.
 */
#ifndef RUNNER_JSON_H
#define RUNNER_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/* Parses a line into a table of key -> string value (numbers and booleans
 * as their text). NULL if malformed, deeper than flat, or over 32 keys. */
GHashTable *runner_json_parse_flat(const char *line, size_t len);

/* Lookups with defaults; an int that does not parse gives def. */
const char *runner_json_str(GHashTable *obj, const char *key);
int64_t runner_json_int(GHashTable *obj, const char *key, int64_t def);

/* Appends s as a JSON string literal (quotes and escapes). */
void runner_json_append_str(GString *out, const char *s);

#endif /* RUNNER_JSON_H */
