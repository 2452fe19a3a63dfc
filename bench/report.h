/*
 * report.h - the benchmark's table on stdout: each figure, its floors
 * measured in the same run, the ratios, and the targets of sharelite-bench(1).
 */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <stddef.h>

#include "options.h"
#include "readers.h"
#include "timing.h"
#include "wake.h"

/* The calls measured on a value; the last two under a LOCK_EX the handle
 * holds around the whole loop, so that their floor is the copy alone. */
enum value_op {
	OP_STORE, OP_FETCH, OP_FETCH_INTO, OP_STORE_HELD, OP_FETCH_INTO_HELD, OP_COUNT
};

/* The floors of each operation on one value size, in operations per second. */
struct value_floors {
	double lock[OP_COUNT];	/* a bare semop pair of the lock it takes, or 0 */
	double copy[OP_COUNT];	/* its copy: memcpy, or malloc+memcpy+free */
	double both[OP_COUNT];	/* the copy between the bare lock and unlock */
	double solo[OP_COUNT];	/* the call itself, one process alone, default segments */
};

/* A native share's store and fetch by one process alone (the peers table). */
struct native_solo {
	double store, fetch;
	/* The native floor's alone: its store, its malloc'd fetch. */
	double floor_store, floor_fetch;
};

/* pinned_cpu: the CPU the one-process rows run on, or -1 if not pinned. */
void report_header(const struct bench_options *options, int pinned_cpu);

void report_locks_header(void);
/* floor 0: the row is a floor itself. */
void report_lock_row(const struct bench_case *c, double floor);

void report_values_header(void);
/* segment: that of the bare chain the floor copies through, or 0. */
void report_floor_row(size_t size, size_t segment, const struct bench_case *c);
void report_value_row(size_t size, size_t segment, enum value_op op,
		      const struct bench_result *r, const struct value_floors *floors);

/* Which a row of the peers table is, for its ratio cells: a floor, the
 * peer, or a row held against both. */
enum peer_kind { PEER_NATIVE_FLOOR, PEER_LMDB, PEER_COMPARED };

/* lmdb_note: the line of lmdb_peer_open(), where LMDB is or why it is not;
 * lmdb_measured: it is, and the header says how. */
void report_peers_header(const char *lmdb_note, int lmdb_measured);
/* lmdb, native: the rates of LMDB's and the native floor's same operation,
 * lmdb 0 when LMDB is not measured. */
void report_peer_row(size_t size, const struct bench_case *c, enum peer_kind kind,
		     double lmdb, double native);
/* A native share's row, with its targets; lmdb_absent: why lmdb is 0. */
void report_native_row(size_t size, const struct bench_case *c, enum value_op op,
		       double lmdb, const char *lmdb_absent, double native);

void report_readers_header(void);
void report_readers_row(size_t size, int readers, const struct readers_result *r,
			const struct value_floors *floors);

/* one_reader: fetches/s of the row of one reader and no writer, or 0;
 * floor_writer: for the row of one reader beside the writer, the share
 * of its solo rate the native floor's writer kept beside the floor's
 * reader (report_native_floor_row()), else -1. */
void report_native_readers_header(void);
void report_native_readers_row(size_t size, int readers, int writer,
			       const struct readers_result *r, const struct native_solo *solo,
			       double one_reader, double floor_writer);
/* The native floor's writer beside one floor reader: vs solo = to the
 * floor's rows of the peers table. */
void report_native_floor_row(size_t size, const struct readers_result *r,
			     const struct native_solo *solo);

void report_wake_header(void);
void report_wake_row(const struct wake_result *r);

/* The Redis table: without url, only a line that says why it is empty
 * (note); with it, the header for the server of that URL. */
void report_redis_header(const char *note, const char *url);
/* A row held against the floor floor_name's rate floor with the target
 * want; floor 0: the row is a floor itself. */
void report_redis_row(size_t size, const struct bench_case *c, const char *floor_name,
		      double floor, double want);
void report_redis_wake_header(void);
/* judged: held to the wake-up target; else a floor. */
void report_redis_wake_row(const char *name, const struct wake_result *r, int judged);

#endif /* BENCH_REPORT_H */
