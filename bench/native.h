/*
 * native.h - the floors of the native memory format, which does not exist
 * yet: one mapping holding a robust process-shared mutex that writers take,
 * a sequence counter that readers validate their copy against instead of
 * locking, a version and the value. The least work a store, a fetch and a
 * fetch_into of that format can do.
 */
#ifndef BENCH_NATIVE_H
#define BENCH_NATIVE_H

#include "ops.h"

struct native_area;

struct native_ctx {
	struct value_ctx *v;
	struct native_area *area;	/* in a SysV segment of its own */
};

/* Map an area for v's value and write it there once; -1 with errno. The
 * segment is removed at once and goes with the process. */
int native_ctx_new(struct native_ctx *n, struct value_ctx *v);
void native_ctx_free(struct native_ctx *n);

/* Lock the mutex, write the value under the sequence counter, bump the
 * version, unlock: the floor of store. */
int loop_native_store(void *ctx, long iterations);
/* The value copied out under the sequence counter, retried on a change:
 * into malloc'd size + 1 bytes, freed (fetch), or into the buffer
 * (fetch_into). No lock, no system call. */
int loop_seqlock_fetch(void *ctx, long iterations);
int loop_seqlock_fetch_into(void *ctx, long iterations);
/* fetch_into's floor copied the usual way, by memcpy, racing in C11 terms
 * with a writer (see native.c): what the correct copy costs beside it. */
int loop_seqlock_memcpy_into(void *ctx, long iterations);

#endif /* BENCH_NATIVE_H */
