/*
 * fault.h - what the fault tests share: reaching into a share's segments and
 * semaphores from outside the library, to corrupt them or to check them.
 */
#ifndef SHARELITE_FAULT_H
#define SHARELITE_FAULT_H

#include <linux/sched.h>	/* CLONE_NEWIPC, without _GNU_SOURCE */
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "../testutil.h"
#include "ipcsl/chain.h"	/* struct segment_header: the format itself */

/* fork(), with a child that dies with the test, even one that failed. */
#define FAULT_MAX_CHILDREN 256
static pid_t fault_children[FAULT_MAX_CHILDREN];
static int fault_nchildren;

static inline pid_t fault_fork(void)
{
	pid_t parent = getpid(), pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		fault_nchildren = 0;
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
			_exit(99);
	} else if (fault_nchildren < FAULT_MAX_CHILDREN) {
		fault_children[fault_nchildren++] = pid;
	}
	return pid;
}

/* The shares fault_share() made: what a failed test leaves, teardown removes. */
#define FAULT_MAX_SHARES 64
static struct { int semid, shmid; } fault_made[FAULT_MAX_SHARES];
static int fault_nmade;

/* A share of this segment size that is removed when closed. */
static inline share_t *fault_share(size_t segment_size)
{
	share_t *s = share_new(IPC_PRIVATE, segment_size, IPC_CREAT);
	struct share_info info;

	assert_non_null(s);
	share_set_destroy(s, 1);
	assert_int_equal(share_stat(s, &info), 0);
	if (fault_nmade < FAULT_MAX_SHARES) {
		fault_made[fault_nmade].semid = info.semid;
		fault_made[fault_nmade++].shmid = info.shmid;
	}
	return s;
}

/*
 * cmocka teardown, for a test that failed half-way as much as for one
 * that passed: kill the children it left, remove the chains and sets of the
 * shares it made that are still there, what is under its keys, and every
 * segment this process created.
 */
static inline int fault_teardown(void **unused)
{
	struct shm_info shm;
	int highest;

	(void)unused;
	for (int i = 0; i < fault_nchildren; i++) {
		if (waitpid(fault_children[i], NULL, WNOHANG) == 0) {
			kill(fault_children[i], SIGKILL);
			waitpid(fault_children[i], NULL, 0);
		}
	}
	fault_nchildren = 0;
	for (int i = 0; i < fault_nmade; i++) {
		for (int id = fault_made[i].shmid; id >= 0;) {
			int32_t *h = shmat(id, NULL, SHM_RDONLY);

			if (h == (void *)-1)
				break;
			shmctl(id, IPC_RMID, NULL);
			id = h[0];
			shmdt(h);
		}
		semctl(fault_made[i].semid, 0, IPC_RMID);
	}
	fault_nmade = 0;
	for (unsigned n = 0; n < 16; n++)
		test_remove_key(test_key(n));
	highest = shmctl(0, SHM_INFO, (struct shmid_ds *)&shm);
	for (int i = 0; i <= highest; i++) {
		struct shmid_ds ds;
		int id = shmctl(i, SHM_STAT, &ds);

		if (id >= 0 && ds.shm_cpid == getpid())
			shmctl(id, IPC_RMID, NULL);
	}
	return 0;
}

static inline struct share_info fault_info(share_t *s)
{
	struct share_info info;

	assert_int_equal(share_stat(s, &info), 0);
	return info;
}

/* Map a segment read-write, as another process could; shmdt() it after. */
static inline struct segment_header *fault_map(int shmid)
{
	void *p = shmat(shmid, NULL, 0);

	assert_true(p != (void *)-1);
	return p;
}

/* The id of the i-th segment of a share's chain (0 is the head). */
static inline int fault_segment_id(share_t *s, int i)
{
	int id = fault_info(s).shmid;

	while (i-- > 0) {
		struct segment_header *h = fault_map(id);

		id = h->next_shmid;
		shmdt(h);
		assert_true(id >= 0);
	}
	return id;
}

/* Overwrite one header field of a segment, as a scribbling process would. */
#define fault_poke(shmid, field, value) do {				\
		struct segment_header *h_ = fault_map(shmid);		\
		h_->field = (value);					\
		shmdt(h_);						\
	} while (0)

static inline int fault_sem(share_t *s, int num)
{
	return semctl(fault_info(s).semid, num, GETVAL);
}

/* No lock is held on the share: no reader, no writer. */
static inline void fault_assert_unlocked(share_t *s)
{
	assert_int_equal(fault_sem(s, 1), 0);
	assert_int_equal(fault_sem(s, 2), 0);
}

/* Whether a SysV id still names an object. */
static inline int fault_shm_exists(int shmid)
{
	struct shmid_ds ds;

	return shmctl(shmid, IPC_STAT, &ds) == 0;
}

/* A self-checking value: its bytes follow from its first four, its seed. */
static inline size_t fault_value_length(uint32_t seed, size_t max)
{
	return 4 + (seed * 2654435761u) % (max - 3);
}

static inline void fault_value_fill(unsigned char *buf, uint32_t seed, size_t length)
{
	uint32_t x = seed | 1;

	memcpy(buf, &seed, 4);
	for (size_t i = 4; i < length; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (unsigned char)x;
	}
}

/* Whether buf holds a whole value that fault_value_fill() wrote. */
static inline int fault_value_ok(const unsigned char *buf, size_t length, size_t max)
{
	uint32_t seed, x;

	if (length < 4)
		return 0;
	memcpy(&seed, buf, 4);
	if (length != fault_value_length(seed, max))
		return 0;
	x = seed | 1;
	for (size_t i = 4; i < length; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		if (buf[i] != (unsigned char)x)
			return 0;
	}
	return 1;
}

/* Whether shmid is one of the segments of s's chain. */
static inline int fault_in_chain(share_t *s, int shmid)
{
	int id = fault_info(s).shmid;

	while (id >= 0) {
		struct segment_header *h;

		if (id == shmid)
			return 1;
		h = fault_map(id);
		id = h->next_shmid;
		shmdt(h);
	}
	return 0;
}

/*
 * Remove the segments of s's size that a process created and that s's
 * chain does not hold (a writer killed between creating a segment and linking it, or
 * between unlinking and removing it); return how many. With s NULL, every
 * segment the process created that is left.
 */
static inline int fault_remove_leaked(pid_t creator, share_t *s)
{
	struct shm_info info;
	int highest = shmctl(0, SHM_INFO, (struct shmid_ds *)&info), n = 0;
	size_t size = s ? share_segment_size(s) : 0;

	for (int i = 0; i <= highest; i++) {
		struct shmid_ds ds;
		int id = shmctl(i, SHM_STAT, &ds);

		if (id >= 0 && ds.shm_cpid == creator &&
		    (!s || (ds.shm_segsz == size && !fault_in_chain(s, id)))) {
			shmctl(id, IPC_RMID, NULL);
			n++;
		}
	}
	return n;
}

/*
 * Put this process in an IPC namespace of its own, so that the system's
 * counts of segments and sets are this test's alone, whatever else runs.
 * Root gets one directly; another user through a user namespace of its
 * own, where the kernel allows that. -1 (with errno) where neither works.
 */
static inline int fault_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return -1;
	rc = fputs(text, f) < 0 ? -1 : 0;
	return fclose(f) == 0 ? rc : -1;
}

static inline int fault_private_ipc(void)
{
	char uid_map[64], gid_map[64];

	if (syscall(SYS_unshare, CLONE_NEWIPC) == 0)
		return 0;
	/* Our own ids mapped to themselves: without a mapping IPC_SET fails,
	 * as the ids it would write back mean nothing in the namespace. */
	snprintf(uid_map, sizeof(uid_map), "%u %u 1\n", (unsigned)geteuid(), (unsigned)geteuid());
	snprintf(gid_map, sizeof(gid_map), "%u %u 1\n", (unsigned)getegid(), (unsigned)getegid());
	if (syscall(SYS_unshare, CLONE_NEWUSER | CLONE_NEWIPC) < 0)
		return -1;
	if (fault_write_file("/proc/self/setgroups", "deny") < 0 ||
	    fault_write_file("/proc/self/uid_map", uid_map) < 0 ||
	    fault_write_file("/proc/self/gid_map", gid_map) < 0)
		return -1;
	return 0;
}

/* The system's counts of shared memory segments and semaphore sets. */
struct fault_ipc_counts {
	int segments, sets;
};

static inline struct fault_ipc_counts fault_ipc_counts(void)
{
	struct fault_ipc_counts n;
	struct shm_info shm;
	struct seminfo sem;

	assert_true(shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&shm) >= 0);
	assert_true(semctl(0, 0, SEM_INFO, &sem) >= 0);
	n.segments = (int)shm.used_ids;
	n.sets = sem.semusz;
	return n;
}

/* A test whose leftovers fault_teardown() removes. */
#define fault_test(f) cmocka_unit_test_teardown(f, fault_teardown)

#endif /* SHARELITE_FAULT_H */
