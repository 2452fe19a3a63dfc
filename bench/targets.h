/*
 * targets.h - the native format's targets of sharelite-bench(1): each a
 * rate held against another measured in the same run, printed beside its
 * row as PASS or MISS with the ratio, or why it could not be judged.
 */
#ifndef BENCH_TARGETS_H
#define BENCH_TARGETS_H

#include <stddef.h>

#include "report.h"

/* At least `want` times the rate of what `against` names. */
struct target {
	const char *against;	/* "LMDB", "floor", "1 reader", "solo" */
	double want;
	double reference;	/* its rate; 0 when absent says why there is none */
	const char *absent;	/* "no LMDB", "2 CPUs for 3 processes" */
};

/* The most targets a row has. */
#define TARGETS_MAX 2

/*
 * The targets of a native store, fetch or fetch_into of `size` bytes:
 * against LMDB's same operation (lmdb; 0 with lmdb_absent saying why) and
 * against the native floor's (floor). Returns how many it filled in.
 */
int native_op_targets(size_t size, enum value_op op, double lmdb, const char *lmdb_absent,
		      double floor, struct target t[TARGETS_MAX]);

/* "; "-separated cells, ">=5 LMDB: PASS 7.31", after a space. */
void targets_print(const struct target *t, int n, double rate);

/* Wake-up latency: a median below this many seconds passes. */
#define WAKE_TARGET_SECONDS 20e-6
/* Readers without a writer: two together at least this many times one. */
#define TWO_READERS_TARGET 1.8
/* A writer beside readers: at least this share of its solo rate. */
#define WRITER_TARGET 0.5

/* A Redis share against bare hiredis commands on the same server. */
#define REDIS_STORE_TARGET 0.7		/* share_store: of a bare SET */
#define REDIS_FETCH_TARGET 0.9		/* share_fetch, share_fetch_into: of a bare GET */
#define REDIS_WAKE_TARGET_SECONDS 1e-3	/* share_wait_change: median below */

#endif /* BENCH_TARGETS_H */
