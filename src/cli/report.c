/*
 * report.c - one-line messages on standard error. For a key that failed,
 * a look at the kernel's objects tells "no such share" from "something that
 * is not a share uses this key", which errno alone cannot.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "cli.h"

void report(const char *fmt, ...)
{
	va_list ap;

	fputs("sharelite: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int semaphores_in_set(int semid)
{
	struct semid_ds ds;

	if (semctl(semid, 0, IPC_STAT, &ds) < 0)
		return -1;
	return (int)ds.sem_nsems;
}

/* Why the objects under key make no share, or NULL if they might. */
static const char *foreign_reason(key_t key, char *buf, size_t size)
{
	int semid = semget(key, 0, 0), sem_err = errno;
	int shmid = shmget(key, 0, 0), shm_err = errno;
	int nsems;

	if ((semid < 0 && sem_err != ENOENT) || (shmid < 0 && shm_err != ENOENT))
		return NULL;	/* cannot tell: the error itself is the news */
	if (semid >= 0) {
		nsems = semaphores_in_set(semid);
		if (nsems >= 0 && !SHARE_NSEMS_OK(nsems)) {
			snprintf(buf, size, "not a share: the key's semaphore set has %d "
				 "semaphores, a share's has %d, %d or %d", nsems,
				 SHARE_NSEMS_NATIVE, SHARE_NSEMS_PERL, SHARE_NSEMS_OURS);
			return buf;
		}
		if (shmid < 0)
			return "not a share: a semaphore set has this key but no segment does";
	} else if (shmid >= 0) {
		return "not a share: a segment has this key but no semaphore set does";
	}
	return NULL;
}

static const char *explain(key_t key, int err, char *buf, size_t size)
{
	const char *foreign, *refusal;

	switch (err) {
	case EACCES:
	case EPERM:
		refusal = permission_reason(key, err, buf, size);
		if (refusal)
			return refusal;
		if (err == EACCES)
			return "permission denied";
		/* also share_new(): a set and a head of two owners */
		return "not permitted: not the owner, or the share's semaphore set "
		       "and head segment have different owners";
	case EIDRM:
		return "the share was removed meanwhile";
	case EBADMSG:	/* a chain or a native head that does not hold together */
		return "the share's memory does not hold together in its format "
		       "(written over by another program)";
	case ETIMEDOUT:
		return "another process held the share's lock for longer than --timeout";
	case ENOENT:
	case EEXIST:
	case EINVAL:
		foreign = foreign_reason(key, buf, size);
		if (foreign)
			return foreign;
		if (err == ENOENT)
			return "no such share";
		if (err == EEXIST)	/* the library's word for "not a share's" */
			return "not a share: the objects under this key are in neither "
			       "IPC::ShareLite's format nor the native one";
		break;
	}
	return strerror(err);
}

void report_key_error(const struct keyarg *k, const char *what)
{
	int err = errno;
	char buf[256];
	const char *why;

	if (k->name) {
		report("%s: %s: %s", what, k->text, explain_named(k->name, err, buf, sizeof(buf)));
		errno = err;
		return;
	}
	why = explain(k->key, err, buf, sizeof(buf));
	if (key_typed_in_hex(k->text))	/* not repeated in hexadecimal */
		report("%s: key %s: %s", what, k->text, why);
	else
		report("%s: key %s (0x%08x): %s", what, k->text, (unsigned)k->key, why);
	errno = err;
}
