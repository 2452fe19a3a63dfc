/*
 * native.c - the native format's floors: a robust process-shared mutex for
 * writers and a sequence counter (a seqlock) for readers, with the value,
 * in one SysV segment.
 *
 * The count is even while the value is whole and odd while a writer copies
 * it. A reader loads the count, copies, loads the count again, and keeps
 * its copy only if both loads gave the same even number. The orderings are
 * those of the Linux kernel's seqcount (write_seqcount_begin/end,
 * read_seqcount_begin/retry), written as C11 atomics and fences:
 *
 *   writer: count = odd (relaxed); release fence; the value (relaxed
 *           stores); count = even (release store).
 *   reader: load the count (acquire); copy (relaxed loads); acquire fence;
 *           load the count again (relaxed).
 *
 * Why a reader never keeps a torn copy. If one of its copy's loads read a
 * byte that a writer stored after its release fence, that fence
 * synchronizes with the reader's acquire fence: the writer's odd count then
 * happens before the reader's second load, which by coherence reads that
 * count or a later one, never the reader's first, so the reader retries.
 * And if the reader's first load read the even count that ended a write,
 * that release store synchronizes with the acquire load: the copy reads
 * every byte of that write, or a later writer's (caught as above).
 *
 * Both sides copy with relaxed atomic loads and stores, a word at a time: a
 * plain memcpy racing with a writer is a data race, undefined behaviour in
 * C11 even though the retry throws its result away. On x86-64 and ARM a
 * relaxed load or store is a plain move; what it costs is that the compiler
 * may not merge the moves into the wider ones of memcpy.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "native.h"

struct native_area {
	pthread_mutex_t writer;		/* robust, process-shared */
	unsigned int seq;		/* odd while a writer copies */
	unsigned int version;		/* one more at each store */
	size_t length;
};

/* The value starts on a cache line of its own, word-aligned. */
#define DATA_OFFSET 128
_Static_assert(sizeof(struct native_area) <= DATA_OFFSET, "the header fits before the value");

typedef unsigned long word;

static unsigned char *area_data(const struct native_area *a)
{
	return (unsigned char *)a + DATA_OFFSET;
}

/* One word into the area, from a private source of any alignment. */
static inline void word_in(word *to, const unsigned char *from)
{
	word w;

	memcpy(&w, from, sizeof(w));
	__atomic_store_n(to, w, __ATOMIC_RELAXED);
}

/*
 * Into the area: relaxed stores; the private source is read plainly. Four
 * words a turn: the compiler does not merge atomic moves, so the loop's own
 * count and branch would otherwise weigh on every word.
 */
static void copy_in(unsigned char *to, const unsigned char *from, size_t n)
{
	word *words = (word *)(void *)to;
	size_t i = 0, nwords = n / sizeof(word);

	for (; i + 4 <= nwords; i += 4) {
		word_in(&words[i], from + i * sizeof(word));
		word_in(&words[i + 1], from + (i + 1) * sizeof(word));
		word_in(&words[i + 2], from + (i + 2) * sizeof(word));
		word_in(&words[i + 3], from + (i + 3) * sizeof(word));
	}
	for (; i < nwords; i++)
		word_in(&words[i], from + i * sizeof(word));
	for (i *= sizeof(word); i < n; i++)
		__atomic_store_n(&to[i], from[i], __ATOMIC_RELAXED);
}

/* One word out of the area, into a private destination of any alignment. */
static inline void word_out(unsigned char *to, const word *from)
{
	word w = __atomic_load_n(from, __ATOMIC_RELAXED);

	memcpy(to, &w, sizeof(w));
}

/* Out of the area: relaxed loads, four words a turn (as copy_in); the
 * private destination is written plainly. */
static void copy_out(unsigned char *to, const unsigned char *from, size_t n)
{
	const word *words = (const word *)(const void *)from;
	size_t i = 0, nwords = n / sizeof(word);

	for (; i + 4 <= nwords; i += 4) {
		word_out(to + i * sizeof(word), &words[i]);
		word_out(to + (i + 1) * sizeof(word), &words[i + 1]);
		word_out(to + (i + 2) * sizeof(word), &words[i + 2]);
		word_out(to + (i + 3) * sizeof(word), &words[i + 3]);
	}
	for (; i < nwords; i++)
		word_out(to + i * sizeof(word), &words[i]);
	for (i *= sizeof(word); i < n; i++)
		to[i] = __atomic_load_n(&from[i], __ATOMIC_RELAXED);
}

/*
 * The copy most seqlocks make: a plain memcpy. It races with a writer,
 * undefined in C11, and works in practice because the retry discards what
 * it read; measured beside copy_out() to show what the correct copy costs.
 */
static void racy_copy_out(unsigned char *to, const unsigned char *from, size_t n)
{
	memcpy(to, from, n);
}

typedef void copy_fn(unsigned char *to, const unsigned char *from, size_t n);

static int writer_lock(struct native_area *a)
{
	int rc = pthread_mutex_lock(&a->writer);

	/* Its holder died, maybe mid-copy: the count it left odd keeps readers
	 * off until this writer's even count. */
	if (rc == EOWNERDEAD)
		rc = pthread_mutex_consistent(&a->writer);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return 0;
}

/*
 * With the mutex held: the previous writer's stores happen before ours (its
 * unlock, our lock), so relaxed loads of the count and the version see its
 * last values, and no other writer stores them meanwhile.
 */
static void write_value(struct native_area *a, const void *value, size_t size)
{
	/* Odd; already so if a writer died mid-copy. */
	unsigned int seq = __atomic_load_n(&a->seq, __ATOMIC_RELAXED) | 1;

	__atomic_store_n(&a->seq, seq, __ATOMIC_RELAXED);
	/* The odd count before any store of the value: see the top. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	copy_in(area_data(a), value, size);
	__atomic_store_n(&a->length, size, __ATOMIC_RELAXED);
	__atomic_store_n(&a->version, __atomic_load_n(&a->version, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELAXED);
	/* Every store of the value before the even count: see the top. */
	__atomic_store_n(&a->seq, seq + 1, __ATOMIC_RELEASE);
}

/*
 * A copy of `size` bytes, made by `copy`, that no writer changed while it
 * was made; -1 with EBADMSG if the value has another length. It waits while
 * the count is odd: here one process stores and fetches in turn, so it
 * never is; the format itself must bound that wait, for a writer that died
 * mid-copy.
 */
static int read_value(const struct native_area *a, unsigned char *to, size_t size,
		      copy_fn *copy)
{
	for (;;) {
		unsigned int begin = __atomic_load_n(&a->seq, __ATOMIC_ACQUIRE);
		size_t length;

		if (begin & 1)
			continue;
		length = __atomic_load_n(&a->length, __ATOMIC_RELAXED);
		copy(to, area_data(a), size);
		/* The copy's loads before the second load of the count. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&a->seq, __ATOMIC_RELAXED) != begin)
			continue;
		if (length != size) {
			errno = EBADMSG;
			return -1;
		}
		return 0;
	}
}

int native_ctx_new(struct native_ctx *n, struct value_ctx *v)
{
	pthread_mutexattr_t attr;
	int rc;

	n->v = v;
	n->area = map_private_segment(DATA_OFFSET + v->size);
	if (!n->area)
		return -1;
	memset(n->area, 0, sizeof(*n->area));
	rc = pthread_mutexattr_init(&attr);
	if (rc == 0) {
		rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
		if (rc == 0)
			rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
		if (rc == 0)
			rc = pthread_mutex_init(&n->area->writer, &attr);
		pthread_mutexattr_destroy(&attr);
	}
	if (rc != 0) {
		unmap_private_segment(n->area);
		n->area = NULL;
		errno = rc;
		return -1;
	}
	write_value(n->area, v->value, v->size);
	return 0;
}

void native_ctx_free(struct native_ctx *n)
{
	if (!n->area)
		return;
	pthread_mutex_destroy(&n->area->writer);
	unmap_private_segment(n->area);
	n->area = NULL;
}

int loop_native_store(void *ctx, long iterations)
{
	struct native_ctx *n = ctx;
	int rc;

	while (iterations-- > 0) {
		if (writer_lock(n->area) < 0)
			return -1;
		write_value(n->area, n->v->value, n->v->size);
		rc = pthread_mutex_unlock(&n->area->writer);
		if (rc != 0) {
			errno = rc;
			return -1;
		}
	}
	return 0;
}

static int seqlock_loop(struct native_ctx *n, int allocate, copy_fn *copy, long iterations)
{
	size_t size = n->v->size;

	while (iterations-- > 0) {
		unsigned char *to = allocate ? malloc(size + 1) : n->v->buf;

		if (!to)
			return -1;
		if (read_value(n->area, to, size, copy) < 0) {
			if (allocate)
				free(to);
			return -1;
		}
		copy_done(to, size, allocate);
	}
	return 0;
}

int loop_seqlock_fetch(void *ctx, long iterations)
{
	return seqlock_loop(ctx, 1, copy_out, iterations);
}

int loop_seqlock_fetch_into(void *ctx, long iterations)
{
	return seqlock_loop(ctx, 0, copy_out, iterations);
}

int loop_seqlock_memcpy_into(void *ctx, long iterations)
{
	return seqlock_loop(ctx, 0, racy_copy_out, iterations);
}
