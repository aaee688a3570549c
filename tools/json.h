/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer: indented output, commas and string
 * escaping handled here so that the commands only name their fields.
 * A NULL key means "array element" (or the top-level value).
 */
#ifndef VMXLAB_JSON_H
#define VMXLAB_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json {
	FILE *out;
	int depth;
	bool has_items[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *out);
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_string(struct json *j, const char *key, const char *value);
void json_bool(struct json *j, const char *key, bool value);
void json_uint(struct json *j, const char *key, uint64_t value);
void json_null(struct json *j, const char *key);
/* A hex string, "0x" and @digits digits: JSON numbers lose 64-bit values. */
void json_hex(struct json *j, const char *key, uint64_t value, int digits);

#endif /* VMXLAB_JSON_H */
