/*
 * sharelite_json.h - share JSON data structures (jansson's json_t) between
 * processes through a libsharelite share. Link with -lsharelite-json.
 *
 * The share holds the value as compact JSON text, so `sharelite fetch KEY | jq`
 * reads it. Every function returns -1 (or NULL) and sets errno on error; the
 * errors each one can set are listed on its man page. See share_json_open(3).
 */
#ifndef SHARELITE_JSON_H
#define SHARELITE_JSON_H

#include <jansson.h>
#include <sharelite.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A JSON view of a share it borrows. One thread at a time per handle. */
typedef struct share_json share_json_t;

/* Open and close */
share_json_t *share_json_open(share_t *share);
int share_json_close(share_json_t *sj);

/* The whole value: get returns a new reference; set leaves value to the
 * caller, set_new steals it (even on error), as jansson's *_new functions do. */
json_t *share_json_get(share_json_t *sj);
int share_json_set(share_json_t *sj, const json_t *value);
int share_json_set_new(share_json_t *sj, json_t *value);

/* One member of a shared object or array, each change one atomic update. */
int share_json_object_set(share_json_t *sj, const char *key, const json_t *value);
int share_json_object_set_new(share_json_t *sj, const char *key, json_t *value);
int share_json_object_del(share_json_t *sj, const char *key);
int share_json_array_append(share_json_t *sj, const json_t *value);
int share_json_array_append_new(share_json_t *sj, json_t *value);

/* Locks: while one is held, reads use one local copy and changes made under
 * LOCK_EX are written back once, when the lock is released. */
int share_json_lock(share_json_t *sj, int operation);
int share_json_unlock(share_json_t *sj);

#ifdef __cplusplus
}
#endif

#endif /* SHARELITE_JSON_H */
