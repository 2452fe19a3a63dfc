/*
 * edit.h - the keyed changes to a value. Each takes *value (an owned
 * reference) and either changes it completely, maybe replacing it, or leaves
 * it as it was and fails: -1 with errno. Each steals member, even on error.
 */
#ifndef SHARELITE_JSON_EDIT_H
#define SHARELITE_JSON_EDIT_H

#include <jansson.h>

typedef int sl_json_edit(json_t **value, const char *key, json_t *member);

/* Set member `key` of an object: ENOMSG if *value is not an object or null,
 * EINVAL if key is not UTF-8. */
sl_json_edit sl_json_object_set;
/* Delete member `key`: ENOENT if there is none, ENOMSG as above. */
sl_json_edit sl_json_object_del;
/* Append member to an array: ENOMSG if *value is not an array or null. */
sl_json_edit sl_json_array_append;

#endif /* SHARELITE_JSON_EDIT_H */
