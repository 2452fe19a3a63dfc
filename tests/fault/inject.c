/*
 * inject.c - the wrapped calls of inject.h. Each fails the way the system
 * fails when it runs out: no segment left (SHMMNI, SHMALL), no address
 * space, no memory for a semaphore undo record, no permission. Calls that
 * only give back (IPC_RMID, shmdt, semop releases) do not fail: the kernel
 * does not fail them either, save for a removed id. Nor does shmctl's
 * IPC_STAT, which fails only for an id that is gone or another's: the
 * library rightly takes that for a corrupt link (test_corrupt covers it).
 */
#define _GNU_SOURCE		/* semtimedop(2) */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "inject.h"

int __real_shmget(key_t key, size_t size, int flags);
void *__real_shmat(int shmid, const void *addr, int flags);
int __real_semget(key_t key, int nsems, int flags);
int __real_semctl(int semid, int num, int cmd, ...);
int __real_semop(int semid, struct sembuf *ops, size_t nops);
int __real_semtimedop(int semid, struct sembuf *ops, size_t nops,
		      const struct timespec *timeout);
void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);

int __wrap_shmget(key_t key, size_t size, int flags);
void *__wrap_shmat(int shmid, const void *addr, int flags);
int __wrap_semget(key_t key, int nsems, int flags);
int __wrap_semctl(int semid, int num, int cmd, ...);
int __wrap_semop(int semid, struct sembuf *ops, size_t nops);
int __wrap_semtimedop(int semid, struct sembuf *ops, size_t nops,
		      const struct timespec *timeout);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static long countdown;
static int fired, eintr;

#define MAX_CREATED 4096
static int created_shm[MAX_CREATED], created_sem[MAX_CREATED];
static int n_created_shm, n_created_sem;

void inject_arm(long n)
{
	countdown = n;
	fired = 0;
}

void inject_disarm(void)
{
	countdown = 0;
}

int inject_fired(void)
{
	return fired;
}

void inject_eintr(int on)
{
	eintr = on;
}

/* Whether this call is the one to fail; if so errno is err. */
static int failing(int err)
{
	if (eintr && err != EINTR)
		return 0;	/* only signals, which only semop sees */
	if (countdown <= 0 || --countdown > 0)
		return 0;
	fired = 1;
	errno = err;
	return 1;
}

/* Note an id that a call with these flags made; returns the id. */
static int remember(int *ids, int *n, int id, int flags)
{
	if (id < 0 || !(flags & IPC_CREAT))
		return id;
	for (int i = 0; i < *n; i++)
		if (ids[i] == id)
			return id;
	if (*n < MAX_CREATED)
		ids[(*n)++] = id;
	return id;
}

int inject_live_objects(void)
{
	int live = 0;

	for (int i = 0; i < n_created_shm; i++) {
		struct shmid_ds ds;

		live += shmctl(created_shm[i], IPC_STAT, &ds) == 0;
	}
	for (int i = 0; i < n_created_sem; i++) {
		struct semid_ds ds;
		union semun arg = { .buf = &ds };

		live += __real_semctl(created_sem[i], 0, IPC_STAT, arg) == 0;
	}
	return live;
}

int __wrap_shmget(key_t key, size_t size, int flags)
{
	if ((flags & IPC_CREAT) && failing(ENOSPC))
		return -1;
	return remember(created_shm, &n_created_shm, __real_shmget(key, size, flags), flags);
}

void *__wrap_shmat(int shmid, const void *addr, int flags)
{
	if (failing(ENOMEM))
		return (void *)-1;
	return __real_shmat(shmid, addr, flags);
}

int __wrap_semget(key_t key, int nsems, int flags)
{
	if ((flags & IPC_CREAT) && failing(ENOSPC))
		return -1;
	return remember(created_sem, &n_created_sem, __real_semget(key, nsems, flags), flags);
}

int __wrap_semctl(int semid, int num, int cmd, ...)
{
	union semun arg = { .val = 0 };
	va_list ap;

	switch (cmd) {
	case IPC_RMID:
		return __real_semctl(semid, num, cmd);
	case GETVAL:
		if (failing(EACCES))
			return -1;
		return __real_semctl(semid, num, cmd);
	default:
		va_start(ap, cmd);
		arg = va_arg(ap, union semun);
		va_end(ap);
		if (failing(EACCES))
			return -1;
		return __real_semctl(semid, num, cmd, arg);
	}
}

static long semop_calls;

long inject_semop_calls(void)
{
	return semop_calls;
}

/* Whether a semop or semtimedop with these operations is to fail. */
static int semop_failing(const struct sembuf *ops, size_t nops)
{
	semop_calls++;
	for (size_t i = 0; i < nops; i++)
		if (ops[i].sem_op < 0)
			return 0;	/* gives back */
	return failing(eintr ? EINTR : ENOMEM);
}

int __wrap_semop(int semid, struct sembuf *ops, size_t nops)
{
	return semop_failing(ops, nops) ? -1 : __real_semop(semid, ops, nops);
}

int __wrap_semtimedop(int semid, struct sembuf *ops, size_t nops,
		      const struct timespec *timeout)
{
	return semop_failing(ops, nops) ? -1 : __real_semtimedop(semid, ops, nops, timeout);
}

void *__wrap_malloc(size_t size)
{
	return failing(ENOMEM) ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return failing(ENOMEM) ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	return failing(ENOMEM) ? NULL : __real_realloc(p, size);
}
