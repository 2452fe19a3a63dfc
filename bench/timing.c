/*
 * timing.c - calibrate each loop's iteration count, then time repetitions
 * of the loops in turn.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "cleanup.h"
#include "timing.h"

/* Calibration stops once a run lasts this share of a repetition. */
#define CALIBRATION_SHARE 0.1

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void bench_summarise(double *rates, int n, struct bench_result *result)
{
	double median;

	qsort(rates, (size_t)n, sizeof(*rates), by_value);
	median = n % 2 ? rates[n / 2] : (rates[n / 2 - 1] + rates[n / 2]) / 2;
	result->rate = median;
	result->spread = median > 0 ? (rates[n - 1] - rates[0]) / median : 0;
}

/* Seconds that `iterations` take; < 0 on error or signal. */
static double timed_run(bench_loop loop, void *ctx, long iterations)
{
	double start = bench_now(), elapsed;

	if (loop(ctx, iterations) < 0)
		return -1;
	elapsed = bench_now() - start;
	if (bench_signal) {
		errno = EINTR;
		return -1;
	}
	return elapsed;
}

/* Iterations that last about `seconds`; the runs also warm caches and pages. */
static long calibrate(bench_loop loop, void *ctx, double seconds)
{
	long n = 1;

	for (;;) {
		double t = timed_run(loop, ctx, n);

		if (t < 0)
			return -1;
		if (t >= seconds * CALIBRATION_SHARE) {
			double want = (double)n * seconds / t;

			return want < 1 ? 1 : (long)want;
		}
		/* Ten times more while far too short, then twice. */
		n *= t < seconds * CALIBRATION_SHARE / 10 ? 10 : 2;
	}
}

#define MAX_CASES 16

int bench_measure(struct bench_case *cases, int n, const struct bench_timing *timing,
		  const struct bench_case **failed)
{
	static double rates[MAX_CASES][BENCH_MAX_REPS];
	long iterations[MAX_CASES];
	int i, rep;

	if (n > MAX_CASES) {
		errno = E2BIG;
		return -1;
	}
	for (i = 0; i < n; i++) {
		*failed = &cases[i];
		iterations[i] = calibrate(cases[i].loop, cases[i].ctx, timing->seconds);
		if (iterations[i] < 0)
			return -1;
	}
	for (rep = 0; rep < timing->reps; rep++) {
		for (i = 0; i < n; i++) {
			double t = timed_run(cases[i].loop, cases[i].ctx, iterations[i]);

			if (t < 0) {
				*failed = &cases[i];
				return -1;
			}
			rates[i][rep] = (double)iterations[i] / t;
		}
	}
	for (i = 0; i < n; i++)
		bench_summarise(rates[i], timing->reps, &cases[i].result);
	*failed = NULL;
	return 0;
}
