/*
 * ipcsl.h - white-box helpers for the Perl format (sharelite(7), "Memory
 * format"): a chain of SysV segments, each headed by struct segment_header,
 * and a set of three semaphores (Perl's) or four (libsharelite's). For
 * tests that read or scribble on that format's objects; format-neutral
 * tests use harness.h alone.
 */
#ifndef SHARELITE_TEST_IPCSL_H
#define SHARELITE_TEST_IPCSL_H

#include <sys/sem.h>
#include <sys/shm.h>

#include "harness.h"
#include "ipcsl/chain.h"	/* struct segment_header: the format itself */

/* Semaphores of a share's set: three in Perl's sets, a fourth, writers
 * waiting, in those libsharelite makes. */
enum { TEST_SEM_INIT, TEST_SEM_READERS, TEST_SEM_WRITER, TEST_SEM_WRITERS_WAITING, TEST_NSEMS };

/* A share's semaphore set and head segment, through share_stat(). */
int test_semid(share_t *s);
int test_shmid(share_t *s);
/* The value of semaphore num of the share's set. */
int test_sem(share_t *s, int num);
/* Processes the kernel has asleep on any semaphore of the set. */
int test_sem_waiters(int semid);

/* Whether a SysV object with this id is gone from the system. */
int test_shm_gone(int shmid);
int test_sem_gone(int semid);
/* Whether a SysV id still names a segment (one we may not read counts). */
int test_shm_exists(int shmid);
/* The permission bits of a segment, from the kernel. */
int test_shm_mode(int shmid);

/* Ids of the chain from the head segment on, read from the headers. */
int test_chain_ids(share_t *s, int *ids, int max);
/* The id of the i-th segment of a share's chain (0 is the head). */
int test_segment_id(share_t *s, int i);
/* Whether shmid is one of the segments of s's chain. */
int test_in_chain(share_t *s, int shmid);
/*
 * Remove the segments linked from shmid on: ids read from a segment's
 * header, stopping at one whose size is not the first's (not ours).
 */
void test_remove_chain(int shmid);
/* Remove the set and the head segment on key, or named by ids, directly:
 * the head through remove_head, which removes what it leads to as well
 * (test_remove_chain for the Perl format). */
void test_remove_key_with(key_t key, void (*remove_head)(int shmid));
void test_remove_ids_with(const struct test_ids *ids, void (*remove_head)(int shmid));
/*
 * Remove the segments of s's size that a process created and that s's
 * chain does not hold (a writer killed between creating a segment and
 * linking it, or between unlinking and removing it); return how many.
 * With s NULL, every segment the process created that is left.
 */
int test_remove_leaked(pid_t creator, share_t *s);

/* Map a segment read-write, as another process could; shmdt() it after. */
struct segment_header *test_map(int shmid);

/* Overwrite one header field of a segment, as a scribbling process would. */
#define test_poke(shmid, field, value) do {				\
		struct segment_header *h_ = test_map(shmid);		\
		h_->field = (value);					\
		shmdt(h_);						\
	} while (0)

/* The system's counts of shared memory segments and semaphore sets. */
struct test_ipc_counts {
	int segments, sets;
};

struct test_ipc_counts test_ipc_counts(void);

#endif /* SHARELITE_TEST_IPCSL_H */
