/*
 * permission.c - which of a share's objects refused this user, and whose it
 * is. The kernel says only EACCES (may not use) or EPERM (may not remove).
 * A share is a semaphore set and a chain of segments, and each overflow
 * segment belongs to the user whose store made it, so even the owner of a
 * 0666 share may find a segment in its chain that only another user, or
 * root, may remove.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "cli.h"
#include "sysvipc.h"

#define NAME_BUF 32
#define MAX_GROUPS 256

enum need { NEED_USE, NEED_REMOVE };

static int in_my_groups(gid_t gid)
{
	gid_t groups[MAX_GROUPS];
	int n = getgroups(MAX_GROUPS, groups), i;

	if (gid == getegid())
		return 1;
	for (i = 0; i < n; i++)
		if (groups[i] == gid)
			return 1;
	return 0;
}

/* The kernel's rule (ipcperms, and IPC_RMID's): root may do anything;
 * using takes read and write; removing takes being owner or creator. */
static int may(const struct sysv_object *o, enum need need)
{
	uid_t me = geteuid();
	int mine = o->uid == me || o->cuid == me;
	mode_t bits;

	if (me == 0)
		return 1;
	if (need == NEED_REMOVE)
		return mine;
	if (mine)
		bits = o->mode >> 6;
	else if (in_my_groups(o->gid) || in_my_groups(o->cgid))
		bits = o->mode >> 3;
	else
		bits = o->mode;
	return (bits & 06) == 06;
}

/*
 * The first overflow segment of the chain from head that refuses need, or
 * NULL. The links are read from shared memory that anyone who may write
 * the share may scribble on: each must name a segment in the kernel's list
 * with no key and the head's size, and the walk takes at most as many
 * steps as there are segments, so a loop or a foreign id ends it.
 */
static const struct sysv_object *refusing_overflow(const struct sysv_list *shm,
						   const struct sysv_object *head,
						   enum need need)
{
	const struct sysv_object *seg = head;
	size_t steps;

	for (steps = 0; steps < shm->n; steps++) {
		int32_t *link = shmat(seg->id, NULL, SHM_RDONLY);
		int32_t next;

		if (link == (void *)-1)
			return NULL;
		/* One relaxed load: only a hint, checked against the kernel's list. */
		next = __atomic_load_n(link, __ATOMIC_RELAXED);
		shmdt(link);
		seg = sysv_find_id(shm, next);
		if (!seg || seg->key != IPC_PRIVATE || seg->count != head->count)
			return NULL;
		if (!may(seg, need))
			return seg;
	}
	return NULL;
}

/* "permission denied: WHAT (shmid 12) belongs to NAME (uid 1000), mode 0600, ..." */
static void describe(const struct sysv_object *o, const char *what, const char *id_name,
		     enum need need, char *buf, size_t size)
{
	char name[NAME_BUF];

	snprintf(buf, size, "permission denied: %s (%s %d) belongs to %s (uid %lu), mode %04o, %s",
		 what, id_name, o->id, user_name(o->uid, name, sizeof(name)), (unsigned long)o->uid,
		 (unsigned)o->mode,
		 need == NEED_REMOVE ? "and only its owner, its creator or root may remove it" :
		 "which does not let this user read and write it");
}

const char *permission_reason(key_t key, int err, char *buf, size_t size)
{
	enum need need = err == EPERM ? NEED_REMOVE : NEED_USE;
	struct sysv_list shm, sem;
	const struct sysv_object *head, *set, *overflow = NULL;
	const char *reason = NULL;
	int native;

	if (sysv_read(SYSV_SHM, &shm) < 0)
		return NULL;
	if (sysv_read(SYSV_SEM, &sem) < 0) {
		sysv_free(&shm);
		return NULL;
	}
	head = sysv_find(&shm, key);
	set = sysv_find(&sem, key);
	/* Only Perl's format chains segments from the head's first bytes; a
	 * native head starts with its magic number. */
	native = set && set->count == SHARE_NSEMS_NATIVE;
	if (head && !may(head, need)) {
		describe(head, "the share's head segment", "shmid", need, buf, size);
		reason = buf;
	} else if (set && !may(set, need)) {
		describe(set, "the share's semaphore set", "semid", need, buf, size);
		reason = buf;
	} else if (head && !native && (overflow = refusing_overflow(&shm, head, need)) != NULL) {
		describe(overflow, "an overflow segment of the share", "shmid", need, buf, size);
		reason = buf;
	}
	sysv_free(&shm);
	sysv_free(&sem);
	return reason;
}
