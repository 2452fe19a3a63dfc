/*
 * codec.h - a share's bytes as a JSON value and back. The text is compact
 * JSON; an empty share reads as null.
 */
#ifndef SHARELITE_JSON_CODEC_H
#define SHARELITE_JSON_CODEC_H

#include <jansson.h>
#include "sharelite.h"

/* The share's value, a new reference; NULL with errno EILSEQ when its
 * bytes are not JSON, or share_fetch()'s errno. */
json_t *sl_json_read(share_t *share);

/* Store value as compact JSON; -1 with share_store()'s errno, or EINVAL as
 * for sl_json_copy(). */
int sl_json_write(share_t *share, const json_t *value);

/*
 * A copy of value that shares nothing with it and is exactly what reading
 * it back from a share gives; NULL with errno EINVAL when value cannot be
 * written as JSON (it contains itself, or a string that is not UTF-8).
 */
json_t *sl_json_copy(const json_t *value);

/*
 * The errno for a jansson call that failed with errno cleared before it:
 * jansson gives no cause (json_error_code() is newer than the 2.10 we
 * need), so malloc's ENOMEM, or else `err`, the data's fault.
 */
int sl_json_cause(int err);

#endif /* SHARELITE_JSON_CODEC_H */
