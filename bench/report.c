/*
 * report.c - print the table, a block at a time as it is measured, flushed
 * at once, so a long run shows its progress.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "sharelite.h"
#include "report.h"
#include "targets.h"

/* The speed targets of sharelite-bench(1): small values against the lock,
 * large ones against the copy. */
#define SMALL_MAX 4096
#define LARGE_MIN (1024 * 1024)
#define SMALL_TARGET 0.9
#define LARGE_TARGET 0.8
#define FETCH_INTO_TARGET 0.9
#define TARGET_WIDTH 28

static const char *const op_names[] = {
	[OP_STORE] = "store",
	[OP_FETCH] = "fetch",
	[OP_FETCH_INTO] = "fetch_into",
	[OP_STORE_HELD] = "store, LOCK_EX held",
	[OP_FETCH_INTO_HELD] = "fetch_into, LOCK_EX held",
};

/* 16 B, 4 KiB, 1 MiB; or the bytes when no unit divides the size. */
static const char *size_name(size_t size, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB" };
	int u = 0;

	while (u < 3 && size >= 1024 && size % 1024 == 0) {
		size /= 1024;
		u++;
	}
	snprintf(buf, len, "%zu %s", size, units[u]);
	return buf;
}

/* A segment fitted to the value is named after it: "1 MiB+16". */
static const char *segment_name(size_t size, size_t segment, char *buf, size_t len)
{
	char value[24];

	if (segment != size + SHARELITE_HEADER_SIZE)
		return size_name(segment, buf, len);
	snprintf(buf, len, "%s+%d", size_name(size, value, sizeof(value)), SHARELITE_HEADER_SIZE);
	return buf;
}

static double gbps(size_t size, double rate)
{
	return (double)size * rate / 1e9;
}

/* 0.93, or two significant digits when that shows nothing: 0.0017. */
static void ratio_cell(int width, double ratio)
{
	if (ratio < 0.1)
		printf("%*.2g", width, ratio);
	else
		printf("%*.2f", width, ratio);
}

/* rate / reference, or "-" when there is no reference rate to hold it to
 * (a loaded machine may measure none). */
static void ratio_of_cell(int width, double rate, double reference)
{
	if (reference > 0)
		ratio_cell(width, rate / reference);
	else
		printf("%*s", width, "-");
}

static void end_row(const struct bench_result *r)
{
	printf(" %5.0f%%\n", r->spread * 100);
	fflush(stdout);
}

/* The processor's name from /proc/cpuinfo where there is one. */
static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, len, "unknown processor");
	while (f && fgets(line, sizeof(line), f)) {
		char *name = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && name) {
			name += 1 + strspn(name + 1, " \t");
			snprintf(buf, len, "%.*s", (int)strcspn(name, "\n"), name);
			break;
		}
	}
	if (f)
		fclose(f);
}

void report_header(const struct bench_options *o, int pinned_cpu)
{
	struct utsname un;
	char cpu[128];

	cpu_model(cpu, sizeof(cpu));
	if (uname(&un) < 0)
		memset(&un, 0, sizeof(un));
	printf("sharelite-bench (libsharelite %s) on %ld online CPUs, %s,\n"
	       "%s %s %s.\n",
	       sharelite_version(), sysconf(_SC_NPROCESSORS_ONLN), cpu,
	       un.sysname, un.release, un.machine);
	if (pinned_cpu >= 0)
		printf("One process, pinned to CPU %d, but for the readers.\n", pinned_cpu);
	else
		printf("One process, not pinned to a CPU (sched_setaffinity failed).\n");
	printf("The median of %d repetitions of at least %.2f s each. Each ratio is\n"
	       "figure / floor, both measured in this run, their repetitions taking turns.\n"
	       "Floors:\n"
	       "  lock  = a bare semop(2) lock+unlock pair on a private set of three semaphores,\n"
	       "          with the sembufs of src/ipcsl/semlock.c (LOCK_EX for store, LOCK_SH for fetch)\n"
	       "  copy  = memcpy into a preallocated buffer (store, fetch_into), or\n"
	       "          malloc+memcpy+free of size+1 bytes (fetch returns a malloc'd copy)\n"
	       "  floor = that copy between the bare lock and unlock: the least work the\n"
	       "          memory format allows; for a share of 64 KiB segments, the copy\n"
	       "          chunk by chunk through bare segments of that size (the rows with\n"
	       "          a segment); for the calls made while the handle holds LOCK_EX\n"
	       "          (taken once around the loop), the copy alone\n"
	       "target = the project's: store and fetch of up to 4 KiB at 0.9 of lock; from\n"
	       "          1 MiB at 0.8 of copy, fetch_into at 0.9. \"; floor 0.82\": the floor\n"
	       "          itself misses the target, so nothing built on this format can meet it here\n"
	       "GB/s is 10^9 bytes per second; spread = (fastest - slowest repetition) / median.\n",
	       o->timing.reps, o->timing.seconds);
	fflush(stdout);
}

void report_locks_header(void)
{
	printf("\nLocks: lock+unlock pairs\n%-34s %12s %8s %7s\n",
	       "operation", "pairs/s", "vs lock", "spread");
}

void report_lock_row(const struct bench_case *c, double floor)
{
	printf("%-34s %12.0f ", c->name, c->result.rate);
	if (floor > 0)
		ratio_cell(8, c->result.rate / floor);
	else
		printf("%8s", "floor");
	end_row(&c->result);
}

void report_values_header(void)
{
	printf("\nValues: one process, one share; segment = segment size, header included\n"
	       "%-7s %-10s %-26s %11s %6s %7s %7s %8s %-*s %6s\n",
	       "value", "segment", "operation", "ops/s", "GB/s",
	       "vs lock", "vs copy", "vs floor", TARGET_WIDTH, "target", "spread");
}

void report_floor_row(size_t size, size_t segment, const struct bench_case *c)
{
	char value[32], seg[32];

	printf("%-7s %-10s %-26s %11.0f %6.2f %7s %7s %8s %-*s",
	       size_name(size, value, sizeof(value)),
	       segment ? size_name(segment, seg, sizeof(seg)) : "-", c->name, c->result.rate,
	       gbps(size, c->result.rate), "", "", "floor", TARGET_WIDTH, "");
	end_row(&c->result);
}

/* The target for this row: a share of a floor, or 0 for none. */
static double target_for(size_t size, enum value_op op, const char **against)
{
	if (op == OP_STORE_HELD || op == OP_FETCH_INTO_HELD)
		return 0;
	if (size <= SMALL_MAX && op != OP_FETCH_INTO) {
		*against = "lock";
		return SMALL_TARGET;
	}
	if (size >= LARGE_MIN) {
		*against = "copy";
		return op == OP_FETCH_INTO ? FETCH_INTO_TARGET : LARGE_TARGET;
	}
	return 0;
}

static double floor_2dp(double x)
{
	return (double)(long)(x * 100) / 100;
}

/*
 * "0.8 copy: met". A target that the bare lock around the copy misses too
 * is out of reach of any code on this machine: the cell then says how far
 * that floor itself gets, "0.9 copy: missed; floor 0.82".
 */
static void target_cell(size_t size, enum value_op op, double rate,
			const struct value_floors *f)
{
	const char *against = "";
	double target = target_for(size, op, &against);
	double floor = *against == 'l' ? f->lock[op] : f->copy[op];
	char cell[48];
	int n;

	if (target <= 0) {
		printf(" %-*s", TARGET_WIDTH, "-");
		return;
	}
	n = snprintf(cell, sizeof(cell), "%.1f %s: %s", target, against,
		     rate >= target * floor ? "met" : "missed");
	if (rate < target * floor && f->both[op] < target * floor)
		/* Rounded down: a floor of 0.797 is not shown as reaching 0.8. */
		snprintf(cell + n, sizeof(cell) - (size_t)n, "; floor %.2f",
			 floor_2dp(f->both[op] / floor));
	printf(" %-*s", TARGET_WIDTH, cell);
}

void report_value_row(size_t size, size_t segment, enum value_op op,
		      const struct bench_result *r, const struct value_floors *f)
{
	char value[32], seg[48];

	printf("%-7s %-10s %-26s %11.0f %6.2f ",
	       size_name(size, value, sizeof(value)), segment_name(size, segment, seg, sizeof(seg)),
	       op_names[op], r->rate, gbps(size, r->rate));
	if (f->lock[op] > 0)
		ratio_cell(7, r->rate / f->lock[op]);
	else
		printf("%7s", "-");
	putchar(' ');
	ratio_cell(7, r->rate / f->copy[op]);
	putchar(' ');
	ratio_cell(8, r->rate / f->both[op]);
	target_cell(size, op, r->rate, f);
	end_row(r);
}

void report_peers_header(const char *lmdb_note, int lmdb_measured)
{
	printf("\nPeers: one process; each operation beside LMDB and the floor of the native\n"
	       "format, all taking turns; vs LMDB and vs native = row / theirs for the same\n"
	       "operation (\"peer\", \"floor\": the row is theirs).\n"
	       "  %s%s\n", lmdb_note, !lmdb_measured ? "" : ",\n"
	       "          MDB_NOSYNC|MDB_WRITEMAP: put = a write transaction per put, committed;\n"
	       "          get = a read transaction renewed for each get (mdb_txn_renew), the\n"
	       "          value copied out into malloc'd size+1 bytes (as fetch) or a buffer\n"
	       "          (as fetch_into), then reset (mdb_txn_reset)");
	printf("  native = one SysV segment: store = lock a robust process-shared mutex,\n"
	       "          sequence count odd, the value in, version + 1, count even, unlock;\n"
	       "          fetch = a seqlock read: count, the value out, count again, retried\n"
	       "          on a change; every copy by relaxed atomic words; readers take no lock;\n"
	       "          \"C11 race\": the same read with a plain memcpy, as most seqlocks copy\n"
	       "  sharelite = the library on a share of the default segment size, again;\n"
	       "  native store, fetch, fetch_into = the library on a native share\n"
	       "          (SHARE_NATIVE) of the default segment size\n"
	       "targets (native rows) = \">=5 LMDB: PASS 7.31\": at least 5 times LMDB's rate\n"
	       "          for the same operation, met, row / LMDB = 7.31. At 16 B store >=5 and\n"
	       "          fetch >=3 LMDB, fetch_into >=0.5 of the seqlock copy; from 16 B to\n"
	       "          16 MiB store and fetch >=1 LMDB and >=0.8 of their native floor.\n"
	       "          \"no LMDB\": LMDB is not measured, so that target is not judged\n"
	       "%-7s %-28s %11s %6s %7s %9s %6s %s\n",
	       "value", "operation", "ops/s", "GB/s", "vs LMDB", "vs native", "spread", "targets");
}

/* The cells of a peers row up to its spread, which ends it. */
static void peer_cells(size_t size, const struct bench_case *c, enum peer_kind kind,
		       double lmdb, double native)
{
	double rate = c->result.rate;
	char value[32];

	printf("%-7s %-28s %11.0f %6.2f ", size_name(size, value, sizeof(value)), c->name,
	       rate, gbps(size, rate));
	if (kind == PEER_LMDB)
		printf("%7s", "peer");
	else if (lmdb > 0)
		ratio_cell(7, rate / lmdb);
	else
		printf("%7s", "-");
	putchar(' ');
	if (kind == PEER_NATIVE_FLOOR)
		printf("%9s", "floor");
	else
		ratio_cell(9, rate / native);
	printf(" %5.0f%%", c->result.spread * 100);
}

void report_peer_row(size_t size, const struct bench_case *c, enum peer_kind kind,
		     double lmdb, double native)
{
	peer_cells(size, c, kind, lmdb, native);
	putchar('\n');
	fflush(stdout);
}

void report_native_row(size_t size, const struct bench_case *c, enum value_op op,
		       double lmdb, const char *lmdb_absent, double native)
{
	struct target t[TARGETS_MAX];
	int n = native_op_targets(size, op, lmdb, lmdb_absent, native, t);

	peer_cells(size, c, PEER_COMPARED, lmdb, native);
	targets_print(t, n, c->result.rate);
	putchar('\n');
	fflush(stdout);
}

void report_readers_header(void)
{
	printf("\nReaders: N processes fetching while one process stores, one share of the\n"
	       "default segment size; fetches/s of all readers together. With N + 1 busy\n"
	       "processes on %ld CPUs this is CPU-bound, and the ratios to the same call\n"
	       "by one process alone (solo, above) show how the lock shares out the\n"
	       "CPUs, not a limit of the memory. cpu = processor time per operation\n"
	       "(the readers' together per fetch), which waiting without sleeping raises.\n"
	       "%-7s %7s %11s %6s %8s %8s %10s %8s %8s %6s\n",
	       sysconf(_SC_NPROCESSORS_ONLN), "value", "readers", "fetches/s", "GB/s",
	       "vs solo", "cpu", "stores/s", "vs solo", "cpu", "spread");
}

/* Processor time per operation, in the unit that fits; "-" if none was done. */
static void cpu_cell(double seconds)
{
	char cell[16];

	if (seconds <= 0)
		snprintf(cell, sizeof(cell), "-");
	else if (seconds < 1e-3)
		snprintf(cell, sizeof(cell), "%.2fus", seconds * 1e6);
	else
		snprintf(cell, sizeof(cell), "%.2fms", seconds * 1e3);
	printf(" %8s", cell);
}

void report_readers_row(size_t size, int readers, const struct readers_result *r,
			const struct value_floors *f)
{
	char value[32];

	printf("%-7s %7d %11.0f %6.2f ", size_name(size, value, sizeof(value)), readers,
	       r->fetches.rate, gbps(size, r->fetches.rate));
	ratio_cell(8, r->fetches.rate / f->solo[OP_FETCH]);
	cpu_cell(r->cpu_per_fetch);
	printf(" %10.0f ", r->stores.rate);
	ratio_cell(8, r->stores.rate / f->solo[OP_STORE]);
	cpu_cell(r->cpu_per_store);
	end_row(&r->fetches);
}

void report_native_readers_header(void)
{
	printf("\nNative readers: N processes fetching back to back on a native share of the\n"
	       "default segment size, alone (writer no) or while one process stores (yes);\n"
	       "columns as in Readers, vs solo = to the native rows of the peers table.\n"
	       "writer floor = the native floor's store beside one reader doing the floor's\n"
	       "          malloc'd fetch, vs solo = to those floors alone: what any design\n"
	       "          in which readers copy what each store writes keeps here.\n"
	       "targets = two readers alone together >=%.1f of one alone; a writer beside\n"
	       "          readers >=%.1f of its solo stores/s, judged where each process has\n"
	       "          a CPU of its own (\"n/a\" says when not); \"; floor 0.12\": the\n"
	       "          floor's writer keeps 0.12 of its own solo rate\n"
	       "%-7s %7s %6s %11s %6s %8s %8s %10s %8s %8s %6s %s\n",
	       TWO_READERS_TARGET, WRITER_TARGET,
	       "value", "readers", "writer", "fetches/s", "GB/s", "vs solo", "cpu",
	       "stores/s", "vs solo", "cpu", "spread", "targets");
}

void report_native_readers_row(size_t size, int readers, int writer,
			       const struct readers_result *r, const struct native_solo *solo,
			       double one_reader, double floor_writer)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct target t = { NULL, 0, 0, NULL };
	char value[32], why[80];
	double rate = 0;

	printf("%-7s %7d %6s %11.0f %6.2f ", size_name(size, value, sizeof(value)), readers,
	       writer ? "yes" : "no", r->fetches.rate, gbps(size, r->fetches.rate));
	ratio_of_cell(8, r->fetches.rate, solo->fetch);
	cpu_cell(r->cpu_per_fetch);
	if (writer) {
		printf(" %10.0f ", r->stores.rate);
		ratio_of_cell(8, r->stores.rate, solo->store);
		cpu_cell(r->cpu_per_store);
	} else {
		printf(" %10s %8s %8s", "-", "-", "-");
	}
	printf(" %5.0f%%", r->fetches.spread * 100);
	if (writer) {
		t = (struct target){ "solo", WRITER_TARGET, solo->store, NULL };
		rate = r->stores.rate;
		if (readers + 1 > cpus) {
			snprintf(why, sizeof(why), "n/a, %d processes on %ld CPUs", readers + 1, cpus);
			t.reference = 0;
			t.absent = why;
		}
	} else if (readers == 2) {
		/* A loaded machine may let the 1-reader run do nothing in its
		 * window: then there is no ratio to judge. */
		t = (struct target){ "1 reader", TWO_READERS_TARGET, one_reader,
				     "n/a, the 1-reader run measured no fetch" };
		rate = r->fetches.rate;
		if (cpus < 2) {
			t.reference = 0;
			t.absent = "n/a, 1 CPU";
		}
	}
	targets_print(&t, t.against ? 1 : 0, rate);
	if (floor_writer >= 0)
		printf("; floor %.2f", floor_writer);
	putchar('\n');
	fflush(stdout);
}

void report_native_floor_row(size_t size, const struct readers_result *r,
			     const struct native_solo *solo)
{
	char value[32];

	printf("%-7s %7d %6s %11.0f %6.2f ", size_name(size, value, sizeof(value)), 1, "floor",
	       r->fetches.rate, gbps(size, r->fetches.rate));
	ratio_of_cell(8, r->fetches.rate, solo->floor_fetch);
	cpu_cell(r->cpu_per_fetch);
	printf(" %10.0f ", r->stores.rate);
	ratio_of_cell(8, r->stores.rate, solo->floor_store);
	cpu_cell(r->cpu_per_store);
	printf(" %5.0f%% -\n", r->fetches.spread * 100);
	fflush(stdout);
}

void report_wake_header(void)
{
	printf("\nWake-up: share_wait_change(3) on a native share, a waiter process asleep in\n"
	       "it; the storer stamps CLOCK_MONOTONIC into the 16-byte value just before\n"
	       "share_store(3), the waiter reads the clock as the call returns.\n"
	       "target = a median below %.0f us\n"
	       "%-7s %8s %10s %10s %10s %s\n",
	       WAKE_TARGET_SECONDS * 1e6, "value", "samples", "median", "p99", "max", "target");
}

void report_wake_row(const struct wake_result *r)
{
	printf("%-7s %8d %8.1fus %8.1fus %8.1fus median<%.0fus: %s %.1fus\n", "16 B", r->samples,
	       r->median * 1e6, r->p99 * 1e6, r->max * 1e6, WAKE_TARGET_SECONDS * 1e6,
	       r->median < WAKE_TARGET_SECONDS ? "PASS" : "MISS", r->median * 1e6);
	fflush(stdout);
}

void report_redis_header(const char *note, const char *url)
{
	printf("\nRedis: a share on a Redis server (share_open(3)), one process, against bare\n"
	       "hiredis commands on the same server, all taking turns.\n");
	if (!url) {
		printf("  Redis: %s\n", note);
		fflush(stdout);
		return;
	}
	printf("  server = %s (the share; its floor key beside it)\n"
	       "  SET, GET = a bare SET or GET of the value on a key of its own, one\n"
	       "          connection, no script: one round trip, the reply read and freed\n"
	       "  share_store, share_fetch, share_fetch_into = the library on the share:\n"
	       "          one round trip per call (a script, a command, or for a store\n"
	       "          over 2 KiB a MULTI/EXEC with the value in a SET), no lock taken\n"
	       "targets = store >=%.1f of SET, fetch and fetch_into >=%.1f of GET:\n"
	       "          \">=0.9 GET: PASS 0.97\" is met, row / GET = 0.97\n"
	       "%-7s %-20s %11s %6s %8s %6s %s\n",
	       url, REDIS_STORE_TARGET, REDIS_FETCH_TARGET,
	       "value", "operation", "ops/s", "GB/s", "vs floor", "spread", "targets");
	fflush(stdout);
}

void report_redis_row(size_t size, const struct bench_case *c, const char *floor_name,
		      double floor, double want)
{
	const struct target t = { floor_name, want, floor, NULL };
	char value[32];

	printf("%-7s %-20s %11.0f %6.2f ", size_name(size, value, sizeof(value)), c->name,
	       c->result.rate, gbps(size, c->result.rate));
	if (floor > 0)
		ratio_cell(8, c->result.rate / floor);
	else
		printf("%8s", "floor");
	printf(" %5.0f%%", c->result.spread * 100);
	targets_print(&t, floor > 0 ? 1 : 0, c->result.rate);
	putchar('\n');
	fflush(stdout);
}

void report_redis_wake_header(void)
{
	printf("\nRedis wake-up: PUBLISH = a bare PUBLISH on one connection until the message\n"
	       "is read on another, subscribed, in the same process (the floor);\n"
	       "share_wait_change = a waiter process asleep in share_wait_change(3) on the\n"
	       "Redis share, woken by share_store(3) of CLOCK_MONOTONIC in this process\n"
	       "(the call also reads the version again before it returns).\n"
	       "target = a median below %.0f us\n"
	       "%-7s %-18s %8s %10s %10s %10s %s\n",
	       REDIS_WAKE_TARGET_SECONDS * 1e6, "value", "operation", "samples", "median",
	       "p99", "max", "target");
}

void report_redis_wake_row(const char *name, const struct wake_result *r, int judged)
{
	printf("%-7s %-18s %8d %8.1fus %8.1fus %8.1fus", "16 B", name, r->samples,
	       r->median * 1e6, r->p99 * 1e6, r->max * 1e6);
	if (judged)
		printf(" median<%.0fus: %s %.1fus\n", REDIS_WAKE_TARGET_SECONDS * 1e6,
		       r->median < REDIS_WAKE_TARGET_SECONDS ? "PASS" : "MISS", r->median * 1e6);
	else
		printf(" floor\n");
	fflush(stdout);
}
