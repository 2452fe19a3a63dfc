/*
 * wake.h - how soon share_wait_change(3) returns after a store: a waiter
 * process sleeps in it while this process stores its CLOCK_MONOTONIC time
 * into the value; the waiter reads its own clock as the call returns.
 */
#ifndef BENCH_WAKE_H
#define BENCH_WAKE_H

#include "sharelite.h"
#include "timing.h"

/* The value a store carries: its CLOCK_MONOTONIC time, just before the call. */
#define WAKE_VALUE_SIZE 16

struct wake_result {
	int samples;
	/* Seconds from the stamp to share_wait_change() returning. */
	double median, p99, max;
};

/* The median, p99 and largest of n latencies (n >= 1); sorts them. */
void wake_summarise(double *latency, int n, struct wake_result *result);

/* Samples the timing affords: about one per 1.5 ms of its repetitions. */
int wake_samples(const struct bench_timing *timing);

/* Long enough for a waiter to go from arming to sleeping: in futex(2) on a
 * native share; on a Redis share, after connecting its subscriber. */
#define WAKE_SETTLE_NATIVE 0.0003
#define WAKE_SETTLE_REDIS 0.005

/* `samples` wake-ups on the share, each after the waiter has slept
 * settle_seconds (under 1); -1 with errno (ETIMEDOUT: a waiter not woken
 * within ten seconds). */
int bench_wake(share_t *share, int samples, double settle_seconds, struct wake_result *result);

#endif /* BENCH_WAKE_H */
