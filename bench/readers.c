/*
 * readers.c - one writer (or none) and N readers as child processes of the
 * benchmark.
 * They count what they have done on a shared board; the parent only sleeps
 * and reads the counts and the children's processor-time clocks, so it
 * takes no CPU from them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "cleanup.h"
#include "readers.h"

#define WRITER_SLOT 0
#define POLL_SECONDS 0.001
#define FIRST_FETCH_SECONDS 1.0
#define FIRST_STORE_SECONDS 0.1

/* A count alone on its cache line: children counting side by side would
 * otherwise pass one line between the CPUs at every step. */
struct count {
	_Alignas(64) long n;
};

/* Shared by the parent and its children. */
struct board {
	int stop;
	int error;				/* errno of a child's first failure */
	struct count done[READERS_MAX + 1];	/* stores, then each reader's fetches */
};

static _Noreturn void child(struct board *b, int slot, const struct readers_steps *steps)
{
	int (*step)(void *, long) = slot == WRITER_SLOT ? steps->store : steps->fetch;
	long n;

	cleanup_in_child();
	for (n = 1; !__atomic_load_n(&b->stop, __ATOMIC_RELAXED); n++) {
		/* A fetch of another length fails too (EBADMSG): a reader saw
		 * a torn or lost value. */
		if (step(steps->ctx, 1) < 0) {
			int none = 0;

			__atomic_compare_exchange_n(&b->error, &none, errno, 0,
						    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
			break;
		}
		__atomic_store_n(&b->done[slot].n, n, __ATOMIC_RELAXED);
	}
	_exit(0);
}

/* Sleep, unless a signal or a failing child says to stop. */
static int pause_for(const struct board *b, double seconds)
{
	struct timespec ts;

	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
	if (bench_signal) {
		errno = EINTR;
		return -1;
	}
	if (__atomic_load_n(&b->error, __ATOMIC_RELAXED)) {
		errno = b->error;
		return -1;
	}
	return 0;
}

/* What the children have done, and the processor time they took for it. */
struct tally {
	long stores, fetches;
	double store_cpu, fetch_cpu;	/* seconds */
};

static double cpu_seconds(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts) < 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void counts(const struct board *b, const clockid_t *cpu, int readers, int writer,
		   struct tally *t)
{
	int i;

	t->stores = __atomic_load_n(&b->done[WRITER_SLOT].n, __ATOMIC_RELAXED);
	t->store_cpu = writer ? cpu_seconds(cpu[WRITER_SLOT]) : 0;
	t->fetches = 0;
	t->fetch_cpu = 0;
	for (i = 1; i <= readers; i++) {
		t->fetches += __atomic_load_n(&b->done[i].n, __ATOMIC_RELAXED);
		t->fetch_cpu += cpu_seconds(cpu[i]);
	}
}

/* Processor seconds per operation over a window; 0 if none was done. */
static double cpu_per_op(double cpu0, double cpu1, long n0, long n1)
{
	return n1 > n0 ? (cpu1 - cpu0) / (double)(n1 - n0) : 0;
}

/* Until a child has done its first step, or for at most `seconds`. */
static int wait_first_step(const struct board *b, int slot, double seconds)
{
	double give_up = bench_now() + seconds;

	while (__atomic_load_n(&b->done[slot].n, __ATOMIC_RELAXED) == 0 && bench_now() < give_up)
		if (pause_for(b, POLL_SECONDS) < 0)
			return -1;
	return 0;
}

/* Until every reader has fetched once (a first fetch maps and faults in the
 * whole value) and the writer, if any, has stored once, unless it starves. */
static int wait_first_steps(const struct board *b, int readers, int writer)
{
	int i;

	for (i = 1; i <= readers; i++)
		if (wait_first_step(b, i, FIRST_FETCH_SECONDS) < 0)
			return -1;
	return writer ? wait_first_step(b, WRITER_SLOT, FIRST_STORE_SECONDS) : 0;
}

static int measure(struct board *b, const clockid_t *cpu, int readers, int writer,
		   const struct bench_timing *t, struct readers_result *result)
{
	double fetch_rates[BENCH_MAX_REPS], store_rates[BENCH_MAX_REPS];
	double fetch_cpu[BENCH_MAX_REPS], store_cpu[BENCH_MAX_REPS];
	struct bench_result median;
	int i;

	if (wait_first_steps(b, readers, writer) < 0 ||
	    pause_for(b, t->seconds / 2) < 0)	/* then let them warm up */
		return -1;
	for (i = 0; i < t->reps; i++) {
		struct tally t0, t1;
		double start = bench_now(), elapsed;

		counts(b, cpu, readers, writer, &t0);
		if (pause_for(b, t->seconds) < 0)
			return -1;
		counts(b, cpu, readers, writer, &t1);
		elapsed = bench_now() - start;
		fetch_rates[i] = (double)(t1.fetches - t0.fetches) / elapsed;
		store_rates[i] = (double)(t1.stores - t0.stores) / elapsed;
		fetch_cpu[i] = cpu_per_op(t0.fetch_cpu, t1.fetch_cpu, t0.fetches, t1.fetches);
		store_cpu[i] = cpu_per_op(t0.store_cpu, t1.store_cpu, t0.stores, t1.stores);
	}
	bench_summarise(fetch_rates, t->reps, &result->fetches);
	bench_summarise(store_rates, t->reps, &result->stores);
	bench_summarise(fetch_cpu, t->reps, &median);
	result->cpu_per_fetch = median.rate;
	bench_summarise(store_cpu, t->reps, &median);
	result->cpu_per_store = median.rate;
	return 0;
}

int bench_readers(const struct readers_steps *steps, int readers, int writer,
		  const struct bench_timing *timing, struct readers_result *result)
{
	pid_t pids[READERS_MAX + 1];
	clockid_t cpu[READERS_MAX + 1];
	struct board *b;
	/* Without a writer, slot 0 has no process. */
	const int first = writer ? WRITER_SLOT : 1;
	int n = first, rc = -1, err;

	if (readers < 1 || readers > READERS_MAX) {
		errno = EINVAL;
		return -1;
	}
	b = mmap(NULL, sizeof(*b), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED)
		return -1;
	fflush(NULL);		/* nothing buffered is written twice */
	for (n = first; n <= readers; n++) {
		pids[n] = fork();
		if (pids[n] < 0)
			break;
		if (pids[n] == 0)
			child(b, n, steps);
		if (clock_getcpuclockid(pids[n], &cpu[n]) != 0) {
			kill(pids[n], SIGKILL);
			waitpid(pids[n], NULL, 0);
			break;
		}
	}
	if (n > readers)
		rc = measure(b, cpu, readers, writer, timing, result);
	err = errno;
	__atomic_store_n(&b->stop, 1, __ATOMIC_RELAXED);
	while (n-- > first) {
		if (rc < 0)
			kill(pids[n], SIGKILL);
		waitpid(pids[n], NULL, 0);
	}
	munmap(b, sizeof(*b));
	errno = err;
	return rc;
}
