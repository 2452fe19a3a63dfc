/*
 * ops.h - the measured operations, each a loop for bench_measure(): the
 * library's calls, and the floors that IPC::ShareLite's memory format allows
 * (a bare semop(2) lock+unlock pair, memcpy, malloc+memcpy+free, and a copy
 * between a bare lock and unlock).
 */
#ifndef BENCH_OPS_H
#define BENCH_OPS_H

#include <stddef.h>
#include <stdlib.h>

#include "sharelite.h"

/* Tell the compiler the buffer is used, so no copy is optimised away. */
#define USED(p) __asm__ __volatile__("" : : "r"(p) : "memory")

/* The end of a measured copy of `size` bytes: kept from the optimiser, then,
 * if it was allocated as share_fetch() allocates (size + 1), terminated and
 * freed. Inline, as the copy it ends. */
static inline void copy_done(unsigned char *to, size_t size, int allocated)
{
	USED(to);
	if (allocated) {
		to[size] = '\0';
		free(to);
	}
}

/* A private SysV segment of `size` bytes, removed at once: it goes when the
 * process detaches it or exits. NULL with errno. */
void *map_private_segment(size_t size);
void unmap_private_segment(void *addr);

/* A value and where it goes: a share, or a buffer of the same size under
 * a bare set of three semaphores. */
struct value_ctx {
	share_t *share;
	int semid;
	const void *value;
	void *buf;
	size_t size;
};

/* A value of `size` bytes and a buffer as large, both touched so that no
 * page fault is timed; share NULL. -1 with ENOMEM. */
int value_ctx_new(struct value_ctx *v, size_t size, int semid);
void value_ctx_free(struct value_ctx *v);

int loop_store(void *ctx, long iterations);
int loop_fetch(void *ctx, long iterations);
int loop_fetch_into(void *ctx, long iterations);
/* The same while the handle holds LOCK_EX, taken once around the loop. */
int loop_store_held(void *ctx, long iterations);
int loop_fetch_into_held(void *ctx, long iterations);

/* Floor of store and fetch_into: the value into a preallocated buffer. */
int loop_memcpy(void *ctx, long iterations);
/* Floor of fetch: what share_fetch() hands back is malloc'd, size + 1. */
int loop_malloc_copy_free(void *ctx, long iterations);
/* The same between the bare semops of a lock and its unlock: the least
 * work a store, a fetch_into and a fetch can do in this format. */
int loop_lock_ex_memcpy(void *ctx, long iterations);
int loop_lock_sh_memcpy(void *ctx, long iterations);
int loop_lock_sh_malloc_copy_free(void *ctx, long iterations);

/*
 * A value spread over a chain of bare segments of one size, a 16-byte header
 * then a chunk of the value in each, as the format lays it out: the floors
 * of a value that does not fit one segment. Reads go in the order of the
 * segments' addresses, writes in chain order: each the quicker way here.
 */
struct chain_ctx {
	struct value_ctx *v;
	size_t n;		/* segments */
	size_t chunk;		/* bytes of the value each holds */
	unsigned char **data;	/* data[i]: where chunk i goes */
	size_t *order;		/* chunk indexes by ascending address */
};

/* Map a chain for v in segments of segment_size bytes; -1 with errno. The
 * segments are removed at once and go with the process. */
int chain_ctx_new(struct chain_ctx *c, struct value_ctx *v, size_t segment_size);
void chain_ctx_free(struct chain_ctx *c);
/* The floors of store, fetch_into and fetch for such a value. */
int loop_lock_ex_chain_write(void *ctx, long iterations);
int loop_lock_sh_chain_read(void *ctx, long iterations);
int loop_lock_sh_malloc_chain_read_free(void *ctx, long iterations);

/* A share to lock and unlock; or, with share NULL, a bare set of three
 * semaphores to do the same semops on: the floor of the share's locks. */
struct lock_ctx {
	share_t *share;
	int semid;
};

int loop_lock_ex(void *ctx, long iterations);
int loop_lock_sh(void *ctx, long iterations);

#endif /* BENCH_OPS_H */
