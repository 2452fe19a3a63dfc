/*
 * codec.c - JSON text through jansson: compact, so values stay small, and
 * any value at the top, so a share can hold a bare number or string too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

/* A new share's version: share_new() writes it with the empty value. */
#define NEW_SHARE_VERSION 1u

/* JSON_REAL_PRECISION(17): every double written with 17 significant digits,
 * enough to read back the same double, whatever jansson's default. */
#define ENCODE_FLAGS (JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17))
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

/*
 * The share's bytes and the version they were stored as, read under one
 * lock: share_fetch_if_changed() fetches whenever the version is not the
 * one guessed, and no version is both 0 and 1.
 */
static ssize_t fetch_with_version(share_t *share, void **data, unsigned int *version)
{
	size_t length;
	int rc;

	*version = 0;
	while ((rc = share_fetch_if_changed(share, version, data, &length)) == 0)
		*version = !*version;
	return rc < 0 ? -1 : (ssize_t)length;
}

json_t *sl_json_read(share_t *share)
{
	void *data;
	unsigned int version;
	ssize_t length = fetch_with_version(share, &data, &version);
	json_t *value;

	if (length < 0)
		return NULL;
	if (length > 0) {
		value = decode(data, (size_t)length);
	} else if (version == NEW_SHARE_VERSION) {
		value = json_null();	/* nothing was ever stored */
	} else {
		/* sl_json_write() never stores an empty value: this one is what
		 * a store killed while copying leaves, and the document it
		 * replaced is gone. Saying so beats starting a new one. */
		errno = ENODATA;
		value = NULL;
	}
	free(data);
	return value;
}

int sl_json_write(share_t *share, const json_t *value)
{
	char *text = encode(value, EINVAL);
	size_t length;
	int rc;

	if (!text)
		return -1;
	/* JSON text is never empty; the check keeps sl_json_read()'s promise
	 * local to this file. */
	length = strlen(text);
	if (length == 0) {
		free(text);
		errno = EINVAL;
		return -1;
	}
	rc = share_store(share, text, length);
	/*
	 * The version skips 0 when it wraps, so one store in 2^32 - 1 leaves
	 * a new share's version: a store killed after it would read as a new
	 * share, and the document be lost. Storing again moves past it; the
	 * caller's lock keeps other writers out in between. The value is
	 * stored either way, so the second store's failure is not the call's.
	 */
	if (rc == 0 && share_version(share) == NEW_SHARE_VERSION)
		share_store(share, text, length);
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
