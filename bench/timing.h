/*
 * timing.h - how long loops take: each repetition runs enough iterations
 * to last a set time on CLOCK_MONOTONIC, and the median repetition counts.
 * The loops of a group take turns, repetition by repetition, so that a
 * figure and its floor see the same state of a shared machine.
 */
#ifndef BENCH_TIMING_H
#define BENCH_TIMING_H

#define BENCH_MAX_REPS 1000

/* Runs `iterations` of one measured operation; -1 with errno on error. */
typedef int (*bench_loop)(void *ctx, long iterations);

struct bench_timing {
	double seconds;		/* each repetition lasts at least this long */
	int reps;		/* 1 to BENCH_MAX_REPS; the median is reported */
};

struct bench_result {
	double rate;		/* median iterations per second */
	double spread;		/* (fastest - slowest) / median */
};

/* One loop of a group, and what it measured. */
struct bench_case {
	const char *name;	/* for error messages */
	bench_loop loop;
	void *ctx;
	struct bench_result result;
};

/* Seconds on CLOCK_MONOTONIC. */
double bench_now(void);
/* Median of n rates, and their spread; sorts the array. */
void bench_summarise(double *rates, int n, struct bench_result *result);
/*
 * Time every case of the group. -1 with errno on a loop's error, EINTR if a
 * signal stopped it; *failed is then the case that failed.
 */
int bench_measure(struct bench_case *cases, int n, const struct bench_timing *timing,
		  const struct bench_case **failed);

#endif /* BENCH_TIMING_H */
