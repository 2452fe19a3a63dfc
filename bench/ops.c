/*
 * ops.c - the loops that bench_measure() times. The floors do the library's
 * work and nothing else, so a ratio to them is what the library adds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "ops.h"
#include "ipcsl/semlock.h"

#define READERS SEMLOCK_READERS
#define WRITER SEMLOCK_WRITER

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

/* The single semop(2) calls of src/ipcsl/semlock.c, for LOCK_EX and LOCK_SH. */
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

/*
 * The value copied as the format would: into the buffer or a new allocation,
 * or, given a chain, chunk by chunk into it (LOCK_EX) or out of it.
 */
static void floor_copy(const struct value_ctx *v, const struct chain_ctx *c, int operation,
		       unsigned char *to)
{
	if (!c) {
		memcpy(to, v->value, v->size);
		return;
	}
	for (size_t k = 0; k < c->n; k++) {
		size_t i = operation == LOCK_EX ? k : c->order[k], offset = i * c->chunk;
		size_t len = v->size - offset < c->chunk ? v->size - offset : c->chunk;

		if (operation == LOCK_EX)
			memcpy(c->data[i], (const unsigned char *)v->value + offset, len);
		else
			memcpy(to + offset, c->data[i], len);
	}
}

/* floor_copy() in a loop, under a bare lock unless `operation` is 0. */
static int floor_loop(struct value_ctx *v, const struct chain_ctx *chain, int operation,
		      int allocate, long iterations)
{
	while (iterations-- > 0) {
		unsigned char *to = allocate ? malloc(v->size + 1) : v->buf;

		if (!to)
			return -1;
		if (operation && bare_lock(v->semid, operation) < 0) {
			if (allocate)
				free(to);
			return -1;
		}
		floor_copy(v, chain, operation, to);
		if (operation && bare_unlock(v->semid, operation) < 0)
			return -1;
		if (chain)
			USED(chain->data[0]);
		copy_done(to, v->size, allocate);
	}
	return 0;
}

int loop_memcpy(void *ctx, long iterations)
{
	return floor_loop(ctx, NULL, 0, 0, iterations);
}

int loop_malloc_copy_free(void *ctx, long iterations)
{
	return floor_loop(ctx, NULL, 0, 1, iterations);
}

int loop_lock_ex_memcpy(void *ctx, long iterations)
{
	return floor_loop(ctx, NULL, LOCK_EX, 0, iterations);
}

int loop_lock_sh_memcpy(void *ctx, long iterations)
{
	return floor_loop(ctx, NULL, LOCK_SH, 0, iterations);
}

int loop_lock_sh_malloc_copy_free(void *ctx, long iterations)
{
	return floor_loop(ctx, NULL, LOCK_SH, 1, iterations);
}

void *map_private_segment(size_t size)
{
	int shmid = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
	void *addr = shmid < 0 ? (void *)-1 : shmat(shmid, NULL, 0);

	if (shmid >= 0)
		shmctl(shmid, IPC_RMID, NULL);
	return addr == (void *)-1 ? NULL : addr;
}

void unmap_private_segment(void *addr)
{
	shmdt(addr);
}

static const struct chain_ctx *sort_ctx;

static int by_address(const void *a, const void *b)
{
	const unsigned char *x = sort_ctx->data[*(const size_t *)a];
	const unsigned char *y = sort_ctx->data[*(const size_t *)b];

	return (x > y) - (x < y);
}

int chain_ctx_new(struct chain_ctx *c, struct value_ctx *v, size_t segment_size)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	c->v = v;
	c->chunk = segment_size - SHARELITE_HEADER_SIZE;
	c->n = (v->size + c->chunk - 1) / c->chunk;
	c->data = calloc(c->n, sizeof(*c->data));
	c->order = calloc(c->n, sizeof(*c->order));
	if (!c->data || !c->order) {
		chain_ctx_free(c);
		return -1;
	}
	for (i = 0; i < c->n; i++) {
		void *addr = map_private_segment(segment_size);

		if (!addr) {
			chain_ctx_free(c);
			return -1;
		}
		c->data[i] = (unsigned char *)addr + SHARELITE_HEADER_SIZE;
		c->order[i] = i;
	}
	sort_ctx = c;
	qsort(c->order, c->n, sizeof(*c->order), by_address);
	return 0;
}

void chain_ctx_free(struct chain_ctx *c)
{
	for (size_t i = 0; c->data && i < c->n; i++)
		if (c->data[i])
			unmap_private_segment(c->data[i] - SHARELITE_HEADER_SIZE);
	free(c->data);
	free(c->order);
	memset(c, 0, sizeof(*c));
}

int loop_lock_ex_chain_write(void *ctx, long iterations)
{
	struct chain_ctx *c = ctx;

	return floor_loop(c->v, c, LOCK_EX, 0, iterations);
}

int loop_lock_sh_chain_read(void *ctx, long iterations)
{
	struct chain_ctx *c = ctx;

	return floor_loop(c->v, c, LOCK_SH, 0, iterations);
}

int loop_lock_sh_malloc_chain_read_free(void *ctx, long iterations)
{
	struct chain_ctx *c = ctx;

	return floor_loop(c->v, c, LOCK_SH, 1, iterations);
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

int value_ctx_new(struct value_ctx *v, size_t size, int semid)
{
	unsigned char *value = malloc(size);
	size_t i;

	memset(v, 0, sizeof(*v));
	v->buf = malloc(size);
	if (!value || !v->buf) {
		free(value);
		free(v->buf);
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < size; i++)
		value[i] = (unsigned char)(i * 131 + 7);
	memset(v->buf, 0, size);
	v->value = value;
	v->size = size;
	v->semid = semid;
	return 0;
}

void value_ctx_free(struct value_ctx *v)
{
	free((void *)v->value);
	free(v->buf);
}
