/*
 * value.c - the native format's value: stores under the writers' robust
 * mutex into the slot not published, published with one atomic store;
 * fetches that take no lock, validated by the slot's sequence number
 * (sharelite(7), "Native format").
 */
#define _GNU_SOURCE		/* pthread_mutex_clocklock() */
#include <errno.h>
#include <string.h>

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
	/* For waiters on the version (futex word); after the commit, so a
	 * woken waiter finds the new value. */
	__atomic_store_n(&h->wake, version, __ATOMIC_RELEASE);
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
