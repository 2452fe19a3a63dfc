/*
 * main.c - sharelite-bench(1), the benchmark: what libsharelite costs next
 * to the floors its memory format allows, measured in one run.
 * A benchmark, never a test: it exits 0 however slow the machine is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "lmdb_peer.h"
#include "native.h"
#include "ops.h"
#include "options.h"
#include "pin.h"
#include "readers.h"
#include "redis_table.h"
#include "report.h"
#include "wake.h"

#define NCASES(cases) ((int)(sizeof(cases) / sizeof((cases)[0])))

/* What the run is doing, for an error message. */
static const char *step = "starting";

static int measure(struct bench_case *cases, int n, const struct bench_timing *t)
{
	const struct bench_case *failed;

	if (bench_measure(cases, n, t, &failed) == 0)
		return 0;
	if (failed)
		step = failed->name;
	return -1;
}

/* Lock pairs, and the semop floors that every value row is held against. */
static int run_locks(int semid, const struct bench_timing *t, struct value_floors *floors)
{
	struct lock_ctx bare = { NULL, semid }, lib = { NULL, -1 };
	struct bench_case cases[] = {
		{ "semop pair, LOCK_EX sembufs", loop_lock_ex, &bare, { 0, 0 } },
		{ "semop pair, LOCK_SH sembufs", loop_lock_sh, &bare, { 0, 0 } },
		{ "share_lock(LOCK_EX)+share_unlock", loop_lock_ex, &lib, { 0, 0 } },
		{ "share_lock(LOCK_SH)+share_unlock", loop_lock_sh, &lib, { 0, 0 } },
	};

	step = "creating a share";
	lib.share = cleanup_share_new(0, 0);
	if (!lib.share || measure(cases, NCASES(cases), t) < 0)
		return -1;
	cleanup_share_remove(lib.share);
	report_locks_header();
	report_lock_row(&cases[0], 0);
	report_lock_row(&cases[1], 0);
	report_lock_row(&cases[2], cases[0].result.rate);
	report_lock_row(&cases[3], cases[1].result.rate);
	floors->lock[OP_STORE] = cases[0].result.rate;
	floors->lock[OP_FETCH] = floors->lock[OP_FETCH_INTO] = cases[1].result.rate;
	return 0;
}

/* A share of this segment size (0: the default) and format (flags 0 or
 * SHARE_NATIVE) that holds the value. */
static share_t *share_holding(const struct value_ctx *v, size_t segment_size, int flags)
{
	share_t *share;

	step = flags & SHARE_NATIVE ? "creating a native share" : "creating a share";
	share = cleanup_share_new(segment_size, flags);
	if (share && share_store(share, v->value, v->size) < 0) {
		cleanup_share_remove(share);
		return NULL;
	}
	return share;
}

/* A segment that holds the value whole, if the format allows one so large. */
static size_t fitting_segment(size_t size)
{
	size_t max = (size_t)SHARELITE_MAX_LENGTH + 1;

	return size <= max - SHARELITE_HEADER_SIZE ? size + SHARELITE_HEADER_SIZE : max;
}

/* The floors, then the calls on a share of the default segment size and on
 * one fitted to the value, all taking turns. */
static int run_value(struct value_ctx *v, const struct bench_timing *t,
		     struct value_floors *f)
{
	struct value_ctx on[2] = { *v, *v };
	struct chain_ctx chain;
	struct bench_case cases[] = {
		{ "memcpy", loop_memcpy, v, { 0, 0 } },
		{ "malloc+memcpy+free", loop_malloc_copy_free, v, { 0, 0 } },
		{ "lock EX+memcpy", loop_lock_ex_memcpy, v, { 0, 0 } },
		{ "lock SH+memcpy", loop_lock_sh_memcpy, v, { 0, 0 } },
		{ "lock SH+malloc+memcpy+free", loop_lock_sh_malloc_copy_free, v, { 0, 0 } },
		{ "lock EX+memcpy", loop_lock_ex_chain_write, &chain, { 0, 0 } },
		{ "lock SH+memcpy", loop_lock_sh_chain_read, &chain, { 0, 0 } },
		{ "lock SH+malloc+memcpy+free", loop_lock_sh_malloc_chain_read_free, &chain, { 0, 0 } },
		{ "store", loop_store, &on[0], { 0, 0 } },
		{ "fetch", loop_fetch, &on[0], { 0, 0 } },
		{ "fetch_into", loop_fetch_into, &on[0], { 0, 0 } },
		{ "store, LOCK_EX held", loop_store_held, &on[0], { 0, 0 } },
		{ "fetch_into, LOCK_EX held", loop_fetch_into_held, &on[0], { 0, 0 } },
		{ "store", loop_store, &on[1], { 0, 0 } },
		{ "fetch", loop_fetch, &on[1], { 0, 0 } },
		{ "fetch_into", loop_fetch_into, &on[1], { 0, 0 } },
	};
	/* What the cases from the sixth on measure. */
	static const enum value_op calls[] = {
		OP_STORE, OP_FETCH, OP_FETCH_INTO, OP_STORE_HELD, OP_FETCH_INTO_HELD,
		OP_STORE, OP_FETCH, OP_FETCH_INTO,
	};
	const int first_call = NCASES(cases) - NCASES(calls);
	const int first_chain = 5;	/* the floors through the bare chain */
	struct value_floors in_chain;
	int i, rc;

	step = "mapping a chain of bare segments";
	if (chain_ctx_new(&chain, v, SHARELITE_DEFAULT_SEGMENT_SIZE) < 0)
		return -1;
	on[0].share = share_holding(v, 0, 0);
	on[1].share = on[0].share ? share_holding(v, fitting_segment(v->size), 0) : NULL;
	rc = on[1].share ? measure(cases, NCASES(cases), t) : -1;
	chain_ctx_free(&chain);
	if (rc < 0)
		return -1;
	f->copy[OP_STORE] = f->copy[OP_FETCH_INTO] = cases[0].result.rate;
	f->copy[OP_FETCH] = cases[1].result.rate;
	f->both[OP_STORE] = cases[2].result.rate;
	f->both[OP_FETCH_INTO] = cases[3].result.rate;
	f->both[OP_FETCH] = cases[4].result.rate;
	/* Under a lock held already, the copy is all the format asks. */
	f->lock[OP_STORE_HELD] = f->lock[OP_FETCH_INTO_HELD] = 0;
	f->copy[OP_STORE_HELD] = f->both[OP_STORE_HELD] = cases[0].result.rate;
	f->copy[OP_FETCH_INTO_HELD] = f->both[OP_FETCH_INTO_HELD] = cases[0].result.rate;
	/* A share of the default segment size has its value in such a chain:
	 * the least its calls can do is the copy chunk by chunk. */
	/* What the readers table compares its processes to. */
	for (i = first_call; i < first_call + 3; i++)
		f->solo[calls[i - first_call]] = cases[i].result.rate;
	in_chain = *f;
	in_chain.both[OP_STORE] = cases[first_chain].result.rate;
	in_chain.both[OP_FETCH_INTO] = cases[first_chain + 1].result.rate;
	in_chain.both[OP_FETCH] = cases[first_chain + 2].result.rate;
	for (i = 0; i < first_call; i++)
		report_floor_row(v->size, i < first_chain ? 0 : SHARELITE_DEFAULT_SEGMENT_SIZE,
				 &cases[i]);
	for (i = first_call; i < NCASES(cases); i++) {
		const struct value_ctx *c = cases[i].ctx;
		size_t segment = share_segment_size(c->share);

		report_value_row(v->size, segment, calls[i - first_call], &cases[i].result,
				 c == &on[0] ? &in_chain : f);
	}
	cleanup_share_remove(on[0].share);
	cleanup_share_remove(on[1].share);
	return 0;
}

/*
 * The native format's floors, LMDB's put and gets where it is measured, and
 * store, fetch and fetch_into on a share of the default segment size in
 * each format, all taking turns; printed operation by operation, floor,
 * peer, library. The native share's rates go to *solo, for its readers.
 */
static int run_peers(struct value_ctx *v, struct lmdb_peer *lmdb, const struct bench_timing *t,
		     struct native_solo *solo)
{
	struct value_ctx on = *v, nat = *v;
	struct native_ctx native;
	struct bench_case cases[10 + LMDB_PEER_CASES] = {
		{ "robust mutex+seqlock write", loop_native_store, &native, { 0, 0 } },
		{ "seqlock malloc+copy+free", loop_seqlock_fetch, &native, { 0, 0 } },
		{ "seqlock copy", loop_seqlock_fetch_into, &native, { 0, 0 } },
		{ "sharelite store", loop_store, &on, { 0, 0 } },
		{ "sharelite fetch", loop_fetch, &on, { 0, 0 } },
		{ "sharelite fetch_into", loop_fetch_into, &on, { 0, 0 } },
		{ "native store", loop_store, &nat, { 0, 0 } },
		{ "native fetch", loop_fetch, &nat, { 0, 0 } },
		{ "native fetch_into", loop_fetch_into, &nat, { 0, 0 } },
		{ "seqlock memcpy, C11 race", loop_seqlock_memcpy_into, &native, { 0, 0 } },
	};
	static const enum value_op ops[] = { OP_STORE, OP_FETCH, OP_FETCH_INTO };
	const struct bench_case *floors = &cases[0], *library = &cases[3], *racy = &cases[9];
	const struct bench_case *native_lib = &cases[6], *peer = &cases[10];
	int n = 10, i, rc = -1, err;

	step = "mapping the native format's floor";
	if (native_ctx_new(&native, v) < 0)
		return -1;
	on.share = share_holding(v, 0, 0);
	nat.share = on.share ? share_holding(v, 0, SHARE_NATIVE) : NULL;
	if (nat.share && lmdb) {
		step = "putting the value in LMDB";
		rc = lmdb_peer_cases(lmdb, v, &cases[n]);
		n += LMDB_PEER_CASES;
	} else if (nat.share) {
		rc = 0;
	}
	if (rc == 0)
		rc = measure(cases, n, t);
	err = errno;
	native_ctx_free(&native);
	if (on.share)
		cleanup_share_remove(on.share);
	if (nat.share)
		cleanup_share_remove(nat.share);
	if (rc < 0) {
		errno = err;
		return -1;
	}
	for (i = 0; i < 3; i++) {
		double with_lmdb = lmdb ? peer[i].result.rate : 0;

		report_peer_row(v->size, &floors[i], PEER_NATIVE_FLOOR, with_lmdb, 0);
		if (i == 2)
			report_peer_row(v->size, racy, PEER_COMPARED, with_lmdb,
					floors[i].result.rate);
		if (lmdb)
			report_peer_row(v->size, &peer[i], PEER_LMDB, with_lmdb,
					floors[i].result.rate);
		report_peer_row(v->size, &library[i], PEER_COMPARED, with_lmdb,
				floors[i].result.rate);
		report_native_row(v->size, &native_lib[i], ops[i], with_lmdb, "no LMDB",
				  floors[i].result.rate);
	}
	solo->store = native_lib[0].result.rate;
	solo->fetch = native_lib[1].result.rate;
	solo->floor_store = floors[0].result.rate;
	solo->floor_fetch = floors[1].result.rate;
	return 0;
}

static size_t largest_size(const struct bench_options *o)
{
	size_t largest = 0;
	int i;

	for (i = 0; i < o->nsizes; i++)
		if (o->sizes[i] > largest)
			largest = o->sizes[i];
	return largest;
}

static int run_readers(const struct value_ctx *v, const struct bench_options *o,
		       const struct value_floors *floors)
{
	struct readers_result r;
	struct value_ctx on = *v;
	const struct readers_steps steps = { loop_store, loop_fetch, &on };
	int i;

	on.share = share_holding(v, 0, 0);
	if (!on.share)
		return -1;
	step = "readers and a writer";
	for (i = 0; i < o->nreaders; i++) {
		if (bench_readers(&steps, o->readers[i], 1, &o->timing, &r) < 0)
			return -1;
		report_readers_row(v->size, o->readers[i], &r, floors);
	}
	cleanup_share_remove(on.share);
	return 0;
}

/* The reader counts of the native readers table: the run's, and one and
 * two alone, which the readers' target compares. */
static int native_reader_counts(const struct bench_options *o, int counts[])
{
	int n = 0, i, j, extra[2] = { 1, 2 };

	for (i = 0; i < o->nreaders; i++)
		counts[n++] = o->readers[i];
	for (j = 0; j < 2; j++) {
		for (i = 0; i < n && counts[i] != extra[j]; i++)
			;
		if (i == n)
			counts[n++] = extra[j];
	}
	return n;
}

/*
 * On a native share: N readers alone, then beside a writer, for each N.
 * Without a writer one and two readers are always measured, for the
 * target that two reach nearly twice one.
 */
static int run_native_readers(const struct value_ctx *v, const struct bench_options *o,
			      const struct native_solo *solo)
{
	struct readers_result r;
	int counts[OPTIONS_MAX_LIST + 2], ncounts = native_reader_counts(o, counts);
	double one_reader = 0, floor_writer = -1;
	struct value_ctx nat = *v, bare = *v;
	struct native_ctx floor;
	const struct readers_steps steps = { loop_store, loop_fetch, &nat };
	const struct readers_steps floor_steps = { loop_native_store, loop_seqlock_fetch, &floor };
	int i, writer, rc = 0;

	step = "the native floor's writer beside a reader";
	if (native_ctx_new(&floor, &bare) < 0)
		return -1;
	rc = bench_readers(&floor_steps, 1, 1, &o->timing, &r);
	native_ctx_free(&floor);
	if (rc < 0)
		return -1;
	if (solo->floor_store > 0)
		floor_writer = r.stores.rate / solo->floor_store;
	report_native_floor_row(v->size, &r, solo);
	nat.share = share_holding(v, 0, SHARE_NATIVE);
	if (!nat.share)
		return -1;
	step = "native readers";
	for (i = 0; i < ncounts && rc == 0; i++) {
		for (writer = 0; writer <= 1 && rc == 0; writer++) {
			/* A count the run did not ask for is only for the target. */
			if (writer && i >= o->nreaders)
				break;
			rc = bench_readers(&steps, counts[i], writer, &o->timing, &r);
			if (rc < 0)
				break;
			if (!writer && counts[i] == 1)
				one_reader = r.fetches.rate;
			report_native_readers_row(v->size, counts[i], writer, &r, solo, one_reader,
						  writer && counts[i] == 1 ? floor_writer : -1);
		}
	}
	cleanup_share_remove(nat.share);
	return rc;
}

/* How soon share_wait_change() on a native share returns after a store. */
static int run_wake(const struct bench_options *o)
{
	struct wake_result r;
	share_t *share;

	step = "creating a native share";
	share = cleanup_share_new(0, SHARE_NATIVE);
	if (!share)
		return -1;
	step = "timing share_wait_change";
	if (bench_wake(share, wake_samples(&o->timing), WAKE_SETTLE_NATIVE, &r) < 0) {
		int err = errno;

		cleanup_share_remove(share);
		errno = err;
		return -1;
	}
	cleanup_share_remove(share);
	report_wake_header();
	report_wake_row(&r);
	return 0;
}

static int new_value(struct value_ctx *v, size_t size, int semid)
{
	step = "allocating the value";
	return value_ctx_new(v, size, semid);
}

/* The readers table of each size: the Perl format's against its floors,
 * or (floors NULL) the native format's against its solo rates. */
static int run_all_readers(const struct bench_options *o, int semid,
			   const struct value_floors *floors, const struct native_solo *native)
{
	struct value_ctx v;
	int i, rc = 0;

	if (floors)
		report_readers_header();
	else
		report_native_readers_header();
	for (i = 0; i < o->nsizes && rc == 0; i++) {
		if (new_value(&v, o->sizes[i], semid) < 0)
			return -1;
		rc = floors ? run_readers(&v, o, &floors[i]) : run_native_readers(&v, o, &native[i]);
		value_ctx_free(&v);
	}
	return rc;
}

static int run(const struct bench_options *o)
{
	struct value_floors floors[OPTIONS_MAX_LIST];
	struct native_solo native[OPTIONS_MAX_LIST];
	struct value_ctx v;
	struct lmdb_peer *lmdb = NULL;
	char lmdb_note[160];
	int semid, i, err, rc = 0;

	/* One CPU for the one-process rows; the readers get them all back. */
	report_header(o, pin_here());
	step = "creating a semaphore set";
	semid = cleanup_semset_new();
	if (semid < 0 || run_locks(semid, &o->timing, &floors[0]) < 0)
		return -1;
	report_values_header();
	for (i = 0; i < o->nsizes && rc == 0; i++) {
		floors[i] = floors[0];
		if (new_value(&v, o->sizes[i], semid) < 0)
			return -1;
		rc = run_value(&v, &o->timing, &floors[i]);
		value_ctx_free(&v);
	}
	if (rc == 0) {
		lmdb = lmdb_peer_open(largest_size(o), lmdb_note, sizeof(lmdb_note));
		report_peers_header(lmdb_note, lmdb != NULL);
	}
	for (i = 0; i < o->nsizes && rc == 0; i++) {
		if (new_value(&v, o->sizes[i], semid) < 0) {
			rc = -1;
			break;
		}
		rc = run_peers(&v, lmdb, &o->timing, &native[i]);
		value_ctx_free(&v);
	}
	err = errno;
	lmdb_peer_close(lmdb);
	errno = err;
	unpin();
	if (rc == 0)
		rc = run_all_readers(o, semid, floors, NULL);
	if (rc == 0)
		rc = run_all_readers(o, semid, NULL, native);
	if (rc == 0)
		rc = run_wake(o);
	if (rc == 0)
		rc = bench_redis(o, &step);
	return rc;
}

int main(int argc, char **argv)
{
	struct bench_options options;
	int rc = options_parse(argc, argv, &options);

	if (rc != 0)
		return rc > 0 ? EXIT_SUCCESS : 2;
	cleanup_install();
	if (run(&options) < 0) {
		int err = errno;

		if (bench_signal)
			cleanup_and_reraise();
		fprintf(stderr, "sharelite-bench: %s: %s\n", step, strerror(err));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
