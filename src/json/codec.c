/*
 * codec.c - JSON text through jansson: compact, so values stay small, and
 * any value at the top, so a share can hold a bare number or string too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

#define ENCODE_FLAGS (JSON_COMPACT | JSON_ENCODE_ANY)
/* JSON_ALLOW_NUL: jansson writes a string holding NUL bytes as \u0000. */
#define DECODE_FLAGS (JSON_DECODE_ANY | JSON_ALLOW_NUL)

int sl_json_cause(int err)
{
	return errno == ENOMEM ? ENOMEM : err;
}

static char *encode(const json_t *value, int err)
{
	char *text;

	errno = 0;
	text = json_dumps(value, ENCODE_FLAGS);
	if (!text)
		errno = sl_json_cause(err);
	return text;
}

static json_t *decode(const char *text, size_t length)
{
	json_error_t error;
	json_t *value;

	errno = 0;
	value = json_loadb(text, length, DECODE_FLAGS, &error);
	if (!value)
		errno = sl_json_cause(EILSEQ);
	return value;
}

json_t *sl_json_read(share_t *share)
{
	void *data;
	ssize_t length = share_fetch(share, &data);
	json_t *value;

	if (length < 0)
		return NULL;
	value = length ? decode(data, (size_t)length) : json_null();
	free(data);
	return value;
}

int sl_json_write(share_t *share, const json_t *value)
{
	char *text = encode(value, EINVAL);
	int rc;

	if (!text)
		return -1;
	rc = share_store(share, text, strlen(text));
	free(text);
	return rc;
}

json_t *sl_json_copy(const json_t *value)
{
	char *text = encode(value, EINVAL);
	json_t *copy;

	if (!text)
		return NULL;
	copy = decode(text, strlen(text));
	free(text);
	return copy;
}
