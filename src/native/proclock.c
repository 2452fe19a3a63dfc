/*
 * proclock.c - explicit locks of a private native share, kept in a table
 * of holders in its head (head.h), as LMDB keeps its readers: an entry
 * names a handle of a process (pid, and the process's start time, so that
 * a reused pid is not taken for a holder that died), and what it holds.
 *
 * A process killed while it holds a lock leaves its entry behind: the
 * kernel gives nothing back. Whoever finds such an entry in its way asks
 * whether the process still lives, and clears the entry if not. A waiter
 * sleeps on a futex word that every release changes, and wakes by itself
 * now and then (1 ms growing to 50 ms) to look again, since a holder that
 * dies wakes nobody.
 *
 * A writer that has to wait does so in an entry of its own, marked
 * NATIVE_WAITING_EX, which new shared takers wait behind (conflicts()):
 * readers that take turns cannot keep it out. Its entry goes when it
 * takes the lock, gives up, or dies (cleared as a dead holder's).
 *
 * The table's mutex is robust: a process killed while it edits the table
 * leaves it consistent enough (each entry is written field by field, and a
 * half-written entry names a live process, or a dead one that is cleared).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>

#include "sharelite_const.h"
#include "mutex.h"
#include "proclock.h"
#include "rwsem.h"		/* RWSEM_NONBLOCK, RWSEM_RESTART */
#include "deadline.h"

/* The first and the longest of a waiter's sleeps between two looks. */
#define FIRST_NAP_NS 1000000L
#define LONGEST_NAP_NS 50000000L

int sl_proclock_init(struct native_proclock *t)
{
	memset(t, 0, sizeof(*t));
	return sl_native_mutex_init(&t->table.mutex);
}

/*
 * The state and start time (field 22, clock ticks after boot) of process
 * pid from /proc/PID/stat: 1 if read, 0 if the process does not exist, -1
 * if it cannot tell (no /proc).
 */
static int read_stat(pid_t pid, char *state, uint64_t *start)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH ? 0 : -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n == 0 || errno == ESRCH ? 0 : -1;
	buf[n] = '\0';
	/* The command name is in parentheses and may hold any byte: the
	 * fields start after the last ')'. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -1;
	*state = p[2];
	p += 2;
	/* From field 3 (the state) on to field 22. */
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
	}
	*start = strtoull(p, NULL, 10);
	return 1;
}

/*
 * This process's pid and start time, asked once per process: a child
 * finds the pid changed and asks again. Threads that race here write the
 * same values; the start time is stored before the pid that vouches for it.
 */
static pid_t cached_pid;
static uint64_t cached_start;

static pid_t self(uint64_t *start)
{
	pid_t pid = getpid();
	char state;

	if (__atomic_load_n(&cached_pid, __ATOMIC_ACQUIRE) == pid) {
		*start = __atomic_load_n(&cached_start, __ATOMIC_RELAXED);
		return pid;
	}
	if (read_stat(pid, &state, start) <= 0)
		*start = 0;	/* no /proc: liveness asks kill(2) alone */
	__atomic_store_n(&cached_start, *start, __ATOMIC_RELAXED);
	__atomic_store_n(&cached_pid, pid, __ATOMIC_RELEASE);
	return pid;
}

/*
 * Whether the process a head names (a lock holder, a writer making a
 * segment) is gone: no such pid, a zombie (killed but not yet reaped: its
 * parent may be the very waiter), or a pid that a
 * later process was given. Only kill(2) says a pid is free: /proc may hide
 * other users' processes (hidepid), so a /proc/PID missing while kill(2)
 * finds the pid means "cannot tell", and the holder is taken as alive.
 * Nothing in the entry is trusted: a pid that is not positive would make
 * kill(2) signal a group, and is taken as dead.
 */
int sl_native_process_gone(pid_t pid, uint64_t start)
{
	uint64_t now = 0;
	char state = 0;

	if (pid <= 0)
		return 1;
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return 1;
	if (read_stat(pid, &state, &now) <= 0)
		return 0;
	return state == 'Z' || state == 'X' || (start != 0 && now != start);
}

/* The table's mutex, by deadline (NULL: none): -1 with ETIMEDOUT, or
 * EBADMSG for a mutex written over (mutex.h). A process that died editing
 * the table left it fit for use: see the top of the file. */
static int table_lock(struct native_proclock *t, const struct timespec *deadline)
{
	return sl_native_mutex_lock(&t->table.mutex, deadline, -1);
}

static void table_unlock(struct native_proclock *t)
{
	pthread_mutex_unlock(&t->table.mutex);
}

/*
 * Under the table's mutex, every entry is read and written relaxed: the
 * mutex orders them. The futex word and the waiters count are seq_cst, as
 * the two halves of the sleep handshake (sl_native_wake() in value.c).
 */
static pid_t entry_pid(const struct native_holder *e)
{
	return __atomic_load_n(&e->pid, __ATOMIC_RELAXED);
}

static void clear_entry(struct native_holder *e)
{
	__atomic_store_n(&e->pid, 0, __ATOMIC_RELAXED);
}

static void release_wake(struct native_proclock *t)
{
	__atomic_add_fetch(&t->word, 1, __ATOMIC_SEQ_CST);
}

/* After the table's mutex is given back: wake the sleepers, if any. */
static void wake_sleepers(struct native_proclock *t)
{
	if (__atomic_load_n(&t->waiters, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &t->word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

void sl_proclock_wake(struct native_proclock *t)
{
	release_wake(t);
	wake_sleepers(t);
}

/* The entry of this handle of this process, or NULL: the one it waits
 * in (waiting), or the one it holds a lock in. */
static struct native_holder *own_entry(struct native_proclock *t, pid_t pid, uint64_t handle,
				       int waiting)
{
	for (int i = 0; i < NATIVE_HOLDERS; i++) {
		struct native_holder *e = &t->holder[i];
		int is_waiting = __atomic_load_n(&e->lock, __ATOMIC_RELAXED) == NATIVE_WAITING_EX;

		if (entry_pid(e) == pid && __atomic_load_n(&e->handle, __ATOMIC_RELAXED) == handle &&
		    is_waiting == waiting)
			return e;
	}
	return NULL;
}

/*
 * Whether another entry stands in the way of lock `to`, clearing those of
 * dead processes. Every lock but a shared one by another shared holder
 * conflicts, and a lock word written over counts as exclusive. A writer
 * waiting for LOCK_EX (NATIVE_WAITING_EX) holds off new shared locks,
 * unless this process holds LOCK_SH through another handle: the writer
 * may wait for that one, and a second handle queued behind it would wait
 * for the process itself. Waiting writers never hold off a writer, so
 * they cannot wait for each other: the first that finds no holder in its
 * way takes the lock. *cleared: some entry was cleared (others may be
 * waiting for it).
 */
static int conflicts(struct native_proclock *t, const struct native_holder *mine, int to,
		     pid_t me, uint64_t my_start, int *cleared)
{
	int held_in_way = 0, writer_waits = 0, holds_shared = 0;

	for (int i = 0; i < NATIVE_HOLDERS; i++) {
		struct native_holder *e = &t->holder[i];
		pid_t pid = entry_pid(e);
		uint64_t start;
		uint32_t lock;
		int own;

		if (pid == 0 || e == mine)
			continue;
		lock = __atomic_load_n(&e->lock, __ATOMIC_RELAXED);
		start = __atomic_load_n(&e->start, __ATOMIC_RELAXED);
		/* Another handle of this very process lives, whatever it holds. */
		own = pid == me && start == my_start;
		if (own && lock == LOCK_SH)
			holds_shared = 1;
		if ((to == LOCK_SH && lock == LOCK_SH) || (to == LOCK_EX && lock == NATIVE_WAITING_EX))
			continue;
		if (!own && sl_native_process_gone(pid, start)) {
			clear_entry(e);
			*cleared = 1;
			continue;
		}
		if (lock == NATIVE_WAITING_EX)
			writer_waits = 1;
		else
			held_in_way = 1;
	}
	return held_in_way || (writer_waits && !holds_shared);
}

/*
 * A free entry for a new holder, clearing dead ones if none is free, that
 * leaves at least `spare` others free; NULL if there is none.
 */
static struct native_holder *free_entry(struct native_proclock *t, pid_t me, uint64_t my_start,
					int spare, int *cleared)
{
	for (int pass = 0; pass < 2; pass++) {
		struct native_holder *first = NULL;
		int n = 0;

		for (int i = 0; i < NATIVE_HOLDERS; i++) {
			struct native_holder *e = &t->holder[i];
			pid_t pid = entry_pid(e);

			if (pass == 1 && pid != 0 &&
			    (pid != me || __atomic_load_n(&e->start, __ATOMIC_RELAXED) != my_start) &&
			    sl_native_process_gone(pid, __atomic_load_n(&e->start, __ATOMIC_RELAXED))) {
				clear_entry(e);
				*cleared = 1;
				pid = 0;
			}
			if (pid != 0)
				continue;
			if (!first)
				first = e;
			if (++n > spare)
				return first;
		}
	}
	return NULL;
}

/* Write a new entry for this handle. */
static void fill_entry(struct native_holder *e, uint32_t lock, pid_t me, uint64_t my_start,
		       uint64_t handle)
{
	__atomic_store_n(&e->lock, lock, __ATOMIC_RELAXED);
	__atomic_store_n(&e->start, my_start, __ATOMIC_RELAXED);
	__atomic_store_n(&e->handle, handle, __ATOMIC_RELAXED);
	/* The pid last: until it is there the entry is free. */
	__atomic_store_n(&e->pid, me, __ATOMIC_RELAXED);
}

/*
 * One try, under the table's mutex (had by deadline, NULL: none), at going
 * from `from` to `to` for this handle: 1 done, 0 in the way of another
 * holder, -1 with errno. With `queue`, a writer in the way waits in an
 * entry of its own (NATIVE_WAITING_EX), which its next try finds and turns
 * into LOCK_EX. It leaves one entry free: 127 waiting writers at most, so
 * a writer that no holder is in the way of always finds room. One that
 * finds no room to wait in waits unqueued, as on a semaphore at SEMVMX.
 */
static int try_change(struct native_proclock *t, uint64_t handle, int from, int to, int queue,
		      const struct timespec *deadline)
{
	uint64_t my_start;
	pid_t me = self(&my_start);
	struct native_holder *mine;
	int cleared = 0, rc = 1;

	if (table_lock(t, deadline) < 0)
		return -1;
	/* Holding nothing, the handle has at most the entry it waits in. */
	mine = own_entry(t, me, handle, from == 0);
	if (to == 0 || (from == LOCK_EX && to == LOCK_SH)) {
		/* A release or a downgrade never waits. */
		if (mine && to == 0)
			clear_entry(mine);
		else if (mine)
			__atomic_store_n(&mine->lock, (uint32_t)to, __ATOMIC_RELAXED);
		cleared = 1;
	} else if (conflicts(t, mine, to, me, my_start, &cleared)) {
		rc = 0;
		if (queue && !mine && (mine = free_entry(t, me, my_start, 1, &cleared)))
			fill_entry(mine, NATIVE_WAITING_EX, me, my_start, handle);
	} else if (mine) {
		__atomic_store_n(&mine->lock, (uint32_t)to, __ATOMIC_RELAXED);
	} else if ((mine = free_entry(t, me, my_start, 0, &cleared))) {
		fill_entry(mine, (uint32_t)to, me, my_start, handle);
	} else {
		/* NATIVE_HOLDERS live holders, all shared (an exclusive
		 * taker finds no holder, and waiting writers leave an entry
		 * free): as a semaphore at SEMVMX. */
		errno = ERANGE;
		rc = -1;
	}
	if (cleared)
		release_wake(t);
	table_unlock(t);
	if (cleared)
		wake_sleepers(t);
	return rc;
}

/* A waiting writer that gives up takes its entry out, and wakes the
 * shared takers it held off; errno is kept. */
static void withdraw(struct native_proclock *t, uint64_t handle)
{
	uint64_t my_start;
	pid_t me = self(&my_start);
	struct native_holder *mine;
	int err = errno;

	if (table_lock(t, NULL) == 0) {
		mine = own_entry(t, me, handle, 1);
		if (mine)
			clear_entry(mine);
		release_wake(t);
		table_unlock(t);
		wake_sleepers(t);
	}
	errno = err;
}

/*
 * Sleep until the word moves from `word`, the nap passes or the deadline
 * does: 0 to look again, -1 with ETIMEDOUT or EINTR.
 */
static int nap(struct native_proclock *t, uint32_t word, long *nap_ns,
	       const struct timespec *deadline)
{
	struct timespec left = { 0, *nap_ns }, now;
	long rc;

	if (deadline) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_nsec = deadline_ns_left(deadline, &now, *nap_ns);
		if (left.tv_nsec == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
	__atomic_add_fetch(&t->waiters, 1, __ATOMIC_SEQ_CST);
	rc = syscall(SYS_futex, &t->word, FUTEX_WAIT, word, &left, NULL, 0);
	{
		int err = errno;

		__atomic_sub_fetch(&t->waiters, 1, __ATOMIC_SEQ_CST);
		errno = err;
	}
	if (rc < 0 && errno == EINTR)
		return -1;
	if (rc < 0 && errno == ENOSYS)
		nanosleep(&left, NULL);
	if (*nap_ns < LONGEST_NAP_NS)
		*nap_ns = *nap_ns * 2 < LONGEST_NAP_NS ? *nap_ns * 2 : LONGEST_NAP_NS;
	return 0;
}

/*
 * Take `to` from `from` (0, or LOCK_SH for an atomic upgrade). A writer
 * that waits does so in an entry of its own, which holds off new shared
 * takers, and takes it out if it gives up: its deadline, a signal, the
 * share removed.
 */
static int acquire(struct native_proclock *t, const uint32_t *removed, uint64_t handle,
		   int from, int to, int flags, const struct timespec *deadline)
{
	int queue = to == LOCK_EX && from == 0 && !(flags & RWSEM_NONBLOCK);
	long nap_ns = FIRST_NAP_NS;
	int rc, waiting = 0;

	for (;;) {
		/* Seq_cst, before the look: a release after the look changes
		 * it, so the futex does not sleep on a stale word. */
		uint32_t word = __atomic_load_n(&t->word, __ATOMIC_SEQ_CST);

		/* Acquire: pairs with the remover's release store. */
		if (__atomic_load_n(removed, __ATOMIC_ACQUIRE)) {
			errno = EIDRM;
			rc = -1;
			break;
		}
		rc = try_change(t, handle, from, to, queue, deadline);
		if (rc != 0)
			break;
		waiting = queue;	/* in an entry, if the table had room */
		if (flags & RWSEM_NONBLOCK) {
			errno = EWOULDBLOCK;
			rc = -1;
			break;
		}
		if (nap(t, word, &nap_ns, deadline) < 0) {
			if (errno == EINTR && (flags & RWSEM_RESTART))
				continue;
			rc = -1;
			break;
		}
	}
	if (rc > 0)
		return 0;
	/* Not through a table mutex written over: nothing is then taken out,
	 * and the look would wait for the missing owner once more. */
	if (waiting && errno != EBADMSG)
		withdraw(t, handle);
	return -1;
}

int sl_proclock_change(struct native_proclock *t, const uint32_t *removed, uint64_t handle,
		       int from, int to, int flags, const struct timespec *deadline, int *held)
{
	*held = from;
	if (from == to)
		return 0;
	if (to == 0 || (from == LOCK_EX && to == LOCK_SH)) {
		if (try_change(t, handle, from, to, 0, NULL) < 0)
			return -1;
	} else if (from == 0 || (flags & RWSEM_NONBLOCK)) {
		/* A refused LOCK_NB upgrade keeps LOCK_SH: one look, atomic. */
		if (acquire(t, removed, handle, from, to, flags, deadline) < 0)
			return -1;
	} else {
		/* Holding LOCK_SH while waiting would deadlock two upgraders. */
		if (try_change(t, handle, LOCK_SH, 0, 0, NULL) < 0)
			return -1;
		*held = 0;
		if (acquire(t, removed, handle, 0, LOCK_EX, flags, deadline) < 0)
			return -1;
	}
	*held = to;
	return 0;
}

int sl_proclock_count(struct native_proclock *t, int *readers, int *writer)
{
	uint64_t my_start;
	pid_t me = self(&my_start);
	int cleared = 0;

	*readers = *writer = 0;
	if (table_lock(t, NULL) < 0)
		return -1;
	for (int i = 0; i < NATIVE_HOLDERS; i++) {
		struct native_holder *e = &t->holder[i];
		pid_t pid = entry_pid(e);
		uint64_t start = __atomic_load_n(&e->start, __ATOMIC_RELAXED);
		uint32_t lock;

		if (pid == 0)
			continue;
		if ((pid != me || start != my_start) && sl_native_process_gone(pid, start)) {
			clear_entry(e);
			cleared = 1;
			continue;
		}
		lock = __atomic_load_n(&e->lock, __ATOMIC_RELAXED);
		if (lock == LOCK_SH)
			(*readers)++;
		else if (lock != NATIVE_WAITING_EX)	/* a writer waiting holds nothing */
			(*writer)++;
	}
	if (cleared)
		release_wake(t);
	table_unlock(t);
	if (cleared)
		wake_sleepers(t);
	return 0;
}
