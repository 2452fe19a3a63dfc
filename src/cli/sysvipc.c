/*
 * sysvipc.c - the kernel's lists of segments and semaphore sets, read from
 * /proc/sysvipc: the only place that shows every object, whoever made it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "sysvipc.h"

#define LINE_MAX_LEN 512

/* The owner and creator columns, "uid gid cuid cgid" in both lists. */
static void set_owner(struct sysv_object *o, unsigned perms, unsigned long uid,
		      unsigned long gid, unsigned long cuid, unsigned long cgid)
{
	o->mode = (mode_t)(perms & 0777);
	o->uid = (uid_t)uid;
	o->gid = (gid_t)gid;
	o->cuid = (uid_t)cuid;
	o->cgid = (gid_t)cgid;
}

/*
 * One line of /proc/sysvipc/shm:
 * key shmid perms size cpid lpid nattch uid gid cuid cgid ...
 */
static int parse_shm(const char *line, struct sysv_object *o)
{
	int key;
	unsigned perms;
	unsigned long size, nattch, uid, gid, cuid, cgid;
	long cpid, lpid;

	if (sscanf(line, "%d %d %o %lu %ld %ld %lu %lu %lu %lu %lu", &key, &o->id, &perms,
		   &size, &cpid, &lpid, &nattch, &uid, &gid, &cuid, &cgid) != 11)
		return -1;
	o->key = (key_t)key;
	o->count = size;
	set_owner(o, perms, uid, gid, cuid, cgid);
	return 0;
}

/* One line of /proc/sysvipc/sem: key semid perms nsems uid gid cuid cgid ... */
static int parse_sem(const char *line, struct sysv_object *o)
{
	int key;
	unsigned perms;
	unsigned long nsems, uid, gid, cuid, cgid;

	if (sscanf(line, "%d %d %o %lu %lu %lu %lu %lu", &key, &o->id, &perms, &nsems,
		   &uid, &gid, &cuid, &cgid) != 8)
		return -1;
	o->key = (key_t)key;
	o->count = nsems;
	set_owner(o, perms, uid, gid, cuid, cgid);
	return 0;
}

static int append(struct sysv_list *list, const struct sysv_object *o)
{
	if (list->n == list->capacity) {
		size_t cap = list->capacity ? list->capacity * 2 : 16;
		struct sysv_object *p = realloc(list->objects, cap * sizeof(*p));

		if (!p)
			return -1;
		list->objects = p;
		list->capacity = cap;
	}
	list->objects[list->n++] = *o;
	return 0;
}

int sysv_read(enum sysv_kind kind, struct sysv_list *list)
{
	const char *path = kind == SYSV_SHM ? "/proc/sysvipc/shm" : "/proc/sysvipc/sem";
	FILE *f = fopen(path, "r");
	char line[LINE_MAX_LEN];
	int header = 1, rc = 0;

	list->objects = NULL;
	list->n = list->capacity = 0;
	if (!f)
		return -1;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		struct sysv_object o;
		int parsed;

		if (header) {	/* the column names */
			header = 0;
			continue;
		}
		parsed = kind == SYSV_SHM ? parse_shm(line, &o) : parse_sem(line, &o);
		if (parsed < 0) {
			errno = EBADMSG;
			rc = -1;
		} else {
			rc = append(list, &o);
		}
	}
	if (ferror(f))
		rc = -1;
	fclose(f);
	if (rc < 0)
		sysv_free(list);
	return rc;
}

const struct sysv_object *sysv_find(const struct sysv_list *list, key_t key)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (list->objects[i].key == key)
			return &list->objects[i];
	return NULL;
}

const struct sysv_object *sysv_find_id(const struct sysv_list *list, int id)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (list->objects[i].id == id)
			return &list->objects[i];
	return NULL;
}

void sysv_free(struct sysv_list *list)
{
	free(list->objects);
	list->objects = NULL;
	list->n = list->capacity = 0;
}
