/*
 * readers.h - N reader processes fetching while one writer process stores,
 * or with no writer, all on one share, counted over windows of the
 * timing's length.
 */
#ifndef BENCH_READERS_H
#define BENCH_READERS_H

#include <stddef.h>

#include "timing.h"

#define READERS_MAX 64

struct readers_result {
	struct bench_result fetches;	/* per second, all readers together */
	struct bench_result stores;	/* per second, the writer; 0 if none */
	/* Median processor time per operation, in seconds (0: none done):
	 * the readers' together per fetch, the writer's per store. What a
	 * lock that spins burns shows here. */
	double cpu_per_fetch, cpu_per_store;
};

/* What the processes do, each step one call of a loop of ops.h's kind
 * for one iteration on ctx: the writer stores, the readers fetch. Each
 * process has ctx as it was at the fork. */
struct readers_steps {
	int (*store)(void *ctx, long iterations);
	int (*fetch)(void *ctx, long iterations);
	void *ctx;
};

int bench_readers(const struct readers_steps *steps, int readers, int writer,
		  const struct bench_timing *timing, struct readers_result *result);

#endif /* BENCH_READERS_H */
