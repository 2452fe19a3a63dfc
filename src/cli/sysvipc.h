/*
 * sysvipc.h - the kernel's lists of SysV segments and semaphore sets.
 */
#ifndef SHARELITE_CLI_SYSVIPC_H
#define SHARELITE_CLI_SYSVIPC_H

#include <stddef.h>
#include <sys/types.h>

enum sysv_kind { SYSV_SHM, SYSV_SEM };

struct sysv_object {
	key_t key;
	int id;
	unsigned long count;	/* bytes of a segment, semaphores of a set */
	mode_t mode;		/* permission bits */
	uid_t uid;		/* owner */
	gid_t gid;
	uid_t cuid;		/* creator */
	gid_t cgid;
};

struct sysv_list {
	struct sysv_object *objects;
	size_t n, capacity;
};

/* Read every object of a kind; -1 with errno if the list cannot be read. */
int sysv_read(enum sysv_kind kind, struct sysv_list *list);
const struct sysv_object *sysv_find(const struct sysv_list *list, key_t key);
const struct sysv_object *sysv_find_id(const struct sysv_list *list, int id);
void sysv_free(struct sysv_list *list);

#endif /* SHARELITE_CLI_SYSVIPC_H */
