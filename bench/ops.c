/*
 * ops.c - the loops that bench_measure() times. The floors do the library's
 * work and nothing else, so a ratio to them is what the library adds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>

#include "ops.h"
#include "semlock.h"

#define READERS SEMLOCK_READERS
#define WRITER SEMLOCK_WRITER

/* Tell the compiler the buffer is used, so no copy is optimised away. */
#define USED(p) __asm__ __volatile__("" : : "r"(p) : "memory")

/* A fetch that returns another length means the value was lost. */
static int check_length(ssize_t got, size_t want)
{
	if (got < 0)
		return -1;
	if ((size_t)got != want) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

int loop_store(void *ctx, long iterations)
{
	struct value_ctx *v = ctx;

	while (iterations-- > 0)
		if (share_store(v->share, v->value, v->size) < 0)
			return -1;
	return 0;
}

int loop_fetch(void *ctx, long iterations)
{
	struct value_ctx *v = ctx;

	while (iterations-- > 0) {
		void *data;

		if (check_length(share_fetch(v->share, &data), v->size) < 0)
			return -1;
		free(data);
	}
	return 0;
}

int loop_fetch_into(void *ctx, long iterations)
{
	struct value_ctx *v = ctx;

	while (iterations-- > 0)
		if (check_length(share_fetch_into(v->share, v->buf, v->size), v->size) < 0)
			return -1;
	return 0;
}

static int with_lock_held(struct value_ctx *v, int (*loop)(void *, long), long iterations)
{
	int rc;

	if (share_lock(v->share, LOCK_EX) < 0)
		return -1;
	rc = loop(v, iterations);
	if (share_unlock(v->share) < 0)
		return -1;
	return rc;
}

int loop_store_held(void *ctx, long iterations)
{
	return with_lock_held(ctx, loop_store, iterations);
}

int loop_fetch_into_held(void *ctx, long iterations)
{
	return with_lock_held(ctx, loop_fetch_into, iterations);
}

/* The single semop(2) calls of src/semlock.c, for LOCK_EX and LOCK_SH. */
static int bare_lock(int semid, int operation)
{
	struct sembuf ex[] = {
		{ READERS, 0, 0 },		/* no reader */
		{ WRITER, 0, 0 },		/* no writer */
		{ WRITER, 1, SEM_UNDO },	/* the writer is us */
	};
	struct sembuf sh[] = {
		{ WRITER, 0, 0 },		/* no writer */
		{ READERS, 1, SEM_UNDO },	/* one more reader */
	};

	return operation == LOCK_EX ? semop(semid, ex, 3) : semop(semid, sh, 2);
}

static int bare_unlock(int semid, int operation)
{
	struct sembuf op = { operation == LOCK_EX ? WRITER : READERS, -1,
			     SEM_UNDO | IPC_NOWAIT };

	return semop(semid, &op, 1);
}

/* Copy the value, into the buffer or into a new allocation; under a bare
 * lock unless `operation` is 0. */
static int floor_loop(struct value_ctx *v, int operation, int allocate, long iterations)
{
	while (iterations-- > 0) {
		char *to = allocate ? malloc(v->size + 1) : v->buf;

		if (!to)
			return -1;
		if (operation && bare_lock(v->semid, operation) < 0) {
			if (allocate)
				free(to);
			return -1;
		}
		memcpy(to, v->value, v->size);
		if (operation && bare_unlock(v->semid, operation) < 0)
			return -1;
		USED(to);
		if (allocate) {
			to[v->size] = '\0';
			free(to);
		}
	}
	return 0;
}

int loop_memcpy(void *ctx, long iterations)
{
	return floor_loop(ctx, 0, 0, iterations);
}

int loop_malloc_copy_free(void *ctx, long iterations)
{
	return floor_loop(ctx, 0, 1, iterations);
}

int loop_lock_ex_memcpy(void *ctx, long iterations)
{
	return floor_loop(ctx, LOCK_EX, 0, iterations);
}

int loop_lock_sh_memcpy(void *ctx, long iterations)
{
	return floor_loop(ctx, LOCK_SH, 0, iterations);
}

int loop_lock_sh_malloc_copy_free(void *ctx, long iterations)
{
	return floor_loop(ctx, LOCK_SH, 1, iterations);
}

/* Lock+unlock pairs through the library, or as bare semops if no share. */
static int lock_pairs(const struct lock_ctx *c, int operation, long iterations)
{
	while (iterations-- > 0) {
		if (c->share ? share_lock(c->share, operation) < 0 || share_unlock(c->share) < 0
			     : bare_lock(c->semid, operation) < 0 ||
			       bare_unlock(c->semid, operation) < 0)
			return -1;
	}
	return 0;
}

int loop_lock_ex(void *ctx, long iterations)
{
	return lock_pairs(ctx, LOCK_EX, iterations);
}

int loop_lock_sh(void *ctx, long iterations)
{
	return lock_pairs(ctx, LOCK_SH, iterations);
}
