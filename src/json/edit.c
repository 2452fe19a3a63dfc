/*
 * edit.c - keyed changes. A share that is empty or holds null takes the
 * object or array the change needs; any other value of the wrong type is
 * left alone (ENOMSG: JSON, but not the type asked for).
 */
#include <errno.h>

#include "codec.h"
#include "edit.h"

/* A new reference to the container to change: *value, or a new empty one
 * where *value is null, so that a failed change leaves *value as it was. */
static json_t *target(json_t *value, json_type type)
{
	json_t *t;

	if (!json_is_null(value)) {
		if (json_typeof(value) != type) {
			errno = ENOMSG;
			return NULL;
		}
		return json_incref(value);
	}
	t = type == JSON_OBJECT ? json_object() : json_array();
	if (!t)
		errno = ENOMEM;
	return t;
}

/* After the change to t: t takes the place of *value if the change worked. */
static int settle(json_t **value, json_t *t, int failed, int err)
{
	if (failed) {
		json_decref(t);
		errno = err;
		return -1;
	}
	json_decref(*value);
	*value = t;
	return 0;
}

int sl_json_object_set(json_t **value, const char *key, json_t *member)
{
	json_t *t = target(*value, JSON_OBJECT);
	int failed;

	if (!t) {
		json_decref(member);
		return -1;
	}
	errno = 0;
	/* Fails for a key that is not UTF-8, or for want of memory. */
	failed = json_object_set_new(t, key, member) < 0;
	return settle(value, t, failed, sl_json_cause(EINVAL));
}

int sl_json_object_del(json_t **value, const char *key, json_t *member)
{
	json_t *t = target(*value, JSON_OBJECT);

	(void)member;
	if (!t)
		return -1;
	return settle(value, t, json_object_del(t, key) < 0, ENOENT);
}

int sl_json_array_append(json_t **value, const char *key, json_t *member)
{
	json_t *t = target(*value, JSON_ARRAY);

	(void)key;
	if (!t) {
		json_decref(member);
		return -1;
	}
	return settle(value, t, json_array_append_new(t, member) < 0, ENOMEM);
}
