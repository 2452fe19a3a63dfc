/*
 * value.c - the native format's value: stores under the writers' robust
 * mutex into the slot not published, published with one atomic store;
 * fetches that take no lock, validated by the slot's sequence number
 * (sharelite(7), "Native format").
 */
#define _GNU_SOURCE		/* pthread_mutex_clocklock() */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>

#include "native.h"
#include "deadline.h"

/* Lock-free tries before a fetch takes the writers' mutex to finish. */
#define READ_TRIES 64

/*
 * Take the writers' mutex, waiting until deadline, or when there is none
 * for timeout_ms (-1: no limit; 0: only if it is free).
 */
int sl_native_writer_lock(struct native *st, const struct timespec *deadline, int timeout_ms)
{
	pthread_mutex_t *m = &st->head->writer.mutex;
	struct timespec buf;
	int rc = pthread_mutex_trylock(m);

	if (rc == EBUSY) {
		if (!deadline && timeout_ms == 0)
			rc = ETIMEDOUT;
		else if (!deadline && timeout_ms < 0)
			rc = pthread_mutex_lock(m);
		else
			rc = pthread_mutex_clocklock(m, CLOCK_MONOTONIC,
						     deadline ? deadline : deadline_in(timeout_ms, &buf));
	}
	if (rc == EOWNERDEAD) {
		/* A writer died holding it. The slot it was filling was never
		 * published: the next store writes it again from the start. */
		pthread_mutex_consistent(m);
		rc = 0;
	}
	if (rc == 0)
		return 0;
	/* Anything else means a mutex another program wrote over. */
	errno = rc == ETIMEDOUT ? ETIMEDOUT : EBADMSG;
	return -1;
}

void sl_native_writer_unlock(struct native *st)
{
	pthread_mutex_unlock(&st->head->writer.mutex);
}

int sl_native_removed(const struct native *st)
{
	/* Acquire: pairs with the remover's release store; nothing later in
	 * this call is used before the flag says the share is there. */
	if (__atomic_load_n(&st->head->removed, __ATOMIC_ACQUIRE)) {
		errno = EIDRM;
		return 1;
	}
	return 0;
}

/*
 * Under the writers' mutex: write the value into the slot not published,
 * then publish it. Until the release store of current, no reader looks at
 * that slot (but one that lost a race, which its sequence check sends
 * back), so a writer killed anywhere here leaves the published value whole.
 */
int sl_native_write(struct native *st, const void *data, size_t length)
{
	struct native_head *h = st->head;
	/* Relaxed: only holders of the mutex write current, and the mutex
	 * orders this load after the last holder's store. */
	uint64_t cur = __atomic_load_n(&h->current, __ATOMIC_RELAXED);
	unsigned int j = 1 - native_current_index(cur);
	unsigned int version = sl_version_after(native_current_version(cur));
	struct native_slot *s = &h->slot[j];
	uint32_t seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
	/* Odd while writing; odd already if a writer died here. */
	uint32_t odd = (seq & 1) ? seq + 2 : seq + 1;

	if (length > st->slot_size) {
		errno = EFBIG;
		return -1;
	}
	__atomic_store_n(&s->seq, odd, __ATOMIC_RELAXED);
	/* A reader that sees any store below also sees seq odd (or later):
	 * this fence pairs with the acquire fence before its second load of
	 * seq, so its check fails and it tries again. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&s->version, version, __ATOMIC_RELAXED);
	__atomic_store_n(&s->length, (uint64_t)length, __ATOMIC_RELAXED);
	memcpy(st->data[j], data, length);
	/* Release: a reader whose acquire load sees this even seq sees the
	 * slot's descriptor and data written above. */
	__atomic_store_n(&s->seq, odd + 1, __ATOMIC_RELEASE);
	/* The commit, one atomic store. Release: a reader whose acquire load
	 * of current names this slot and version sees it whole. */
	__atomic_store_n(&h->current, native_current(version, j), __ATOMIC_RELEASE);
	/* After the commit, so that a woken waiter finds the new value. */
	sl_native_wake(st, version);
	return 0;
}

/*
 * One try at copying the published value out: 1 done, 0 lost a race with
 * a writer (try again), -1 with errno.
 *
 * The copy is a plain memcpy() from memory a writer may be writing at the
 * same moment: the seqlock's known data race. What a racing copy read is
 * never used: the second load of seq tells, and the buffer is written
 * again or the call fails.
 */
static int try_read(const struct native *st, struct sl_fetch *f, ssize_t *length)
{
	const struct native_head *h = st->head;
	uint64_t cur, len;
	unsigned int i, v, version;
	const struct native_slot *s;
	uint32_t s1, s2;

	if (sl_native_removed(st))
		return -1;
	/* Acquire: pairs with the writer's release store of current. */
	cur = __atomic_load_n(&h->current, __ATOMIC_ACQUIRE);
	i = native_current_index(cur);
	v = native_current_version(cur);
	s = &h->slot[i];
	/* Acquire: pairs with the release store that ended the slot's last
	 * write, whose descriptor and data the loads below then see. */
	s1 = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
	if (s1 & 1)
		return 0;	/* current was two stores old: the slot is rewritten */
	version = __atomic_load_n(&s->version, __ATOMIC_RELAXED);
	len = __atomic_load_n(&s->length, __ATOMIC_RELAXED);
	if (len <= st->slot_size) {
		if (sl_fetch_room(f, (size_t)len) < 0)
			return -1;
		size_t n = len < f->size ? (size_t)len : f->size;

		if (n)
			memcpy(f->buf, st->data[i], n);
	}
	/* Orders the loads above before the reload of seq: pairs with the
	 * writer's release fence after it made seq odd. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	s2 = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
	if (s2 != s1 || version != v)
		return 0;	/* rewritten meanwhile, or current is stale */
	if (len > st->slot_size) {
		errno = EBADMSG;	/* stable, and wrong: written over */
		return -1;
	}
	f->version = v;
	*length = (ssize_t)len;
	return 1;
}

/*
 * Copy the published value out. Lock-free: no lock, no system call. A
 * reader that loses READ_TRIES races in a row to writers takes the
 * writers' mutex, which no writer holds for longer than one copy.
 */
ssize_t sl_native_read(struct native *st, int timeout_ms, struct sl_fetch *f)
{
	ssize_t length = -1;
	int i, rc;

	for (i = 0; i < READ_TRIES; i++) {
		rc = try_read(st, f, &length);
		if (rc > 0)
			return length;
		if (rc < 0)
			return -1;
	}
	if (sl_native_writer_lock(st, NULL, timeout_ms) < 0)
		return -1;
	rc = try_read(st, f, &length);
	sl_native_writer_unlock(st);
	if (rc > 0)
		return length;
	if (rc == 0)
		errno = EBADMSG;	/* no writer runs: a head written over */
	return -1;
}

/*
 * The published version and length, for share_stat(): as try_read()
 * without the copy. 0, or -1 with EBADMSG or EIDRM.
 */
int sl_native_published(const struct native *st, unsigned int *version, size_t *length)
{
	struct sl_fetch none = { .allocate = 0, .buf = NULL, .size = 0 };
	ssize_t n = -1;
	int i, rc;

	for (i = 0; i < READ_TRIES; i++) {
		rc = try_read(st, &none, &n);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			*version = none.version;
			*length = (size_t)n;
			return 0;
		}
	}
	errno = EBADMSG;
	return -1;
}

/*
 * Wake the processes in sl_native_wait(), if any, after a commit. Seq_cst,
 * as the waiter's increment of waiters and load of wake: of the writer's
 * store of wake and a waiter's increment, whichever comes first in their
 * single total order, the other side sees it, so either the writer sees
 * the waiter and wakes it or the waiter sees the new wake and does not
 * sleep (futex(2) compares wake atomically with going to sleep).
 */
void sl_native_wake(struct native *st, unsigned int version)
{
	struct native_head *h = st->head;

	__atomic_store_n(&h->wake, version, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&h->waiters, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &h->wake, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/*
 * Sleep on the futex word wake, in the head (a shared futex, not a
 * private one: the head is mapped by other processes), until current's
 * version differs from `version` or deadline passes: 1, 0, or -1 with
 * EINTR or EIDRM. A waiter killed here leaves waiters counting it: the
 * stores after it make one needless system call each.
 */
int sl_native_wait(struct native *st, unsigned int version, const struct timespec *deadline)
{
	struct native_head *h = st->head;
	int rc = 0;

	__atomic_add_fetch(&h->waiters, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		/* wake first: a wake seen new means current is new too (the
		 * writer stored it before, with release). */
		uint32_t w = __atomic_load_n(&h->wake, __ATOMIC_SEQ_CST);
		uint64_t cur = __atomic_load_n(&h->current, __ATOMIC_ACQUIRE);

		if (sl_native_removed(st)) {
			rc = -1;
			break;
		}
		if (native_current_version(cur) != version) {
			rc = 1;
			break;
		}
		/* Sleeps while wake is still w; a store changes it and wakes
		 * us. A wake left behind by a writer that died before storing
		 * it is simply older: the next store changes it. */
		if (syscall(SYS_futex, &h->wake, FUTEX_WAIT_BITSET, w, deadline, NULL,
			    FUTEX_BITSET_MATCH_ANY) == 0)
			continue;
		if (errno == EAGAIN)
			continue;	/* changed before we slept */
		if (errno == ETIMEDOUT) {
			rc = 0;
			break;
		}
		if (errno == EINTR) {
			rc = -1;
			break;
		}
		/* No futex(2) here (ENOSYS): look again in a millisecond. */
		{
			struct timespec nap = { 0, 1000000 }, now;

			if (deadline) {
				clock_gettime(CLOCK_MONOTONIC, &now);
				if (deadline_ns_left(deadline, &now, 1) == 0) {
					rc = 0;
					break;
				}
			}
			if (nanosleep(&nap, NULL) < 0) {
				rc = -1;
				break;
			}
		}
	}
	{
		int err = errno;

		__atomic_sub_fetch(&h->waiters, 1, __ATOMIC_SEQ_CST);
		errno = err;
	}
	return rc;
}
