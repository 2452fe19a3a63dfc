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

/* Samples the timing affords: about one per 1.5 ms of its repetitions. */
int wake_samples(const struct bench_timing *timing);

/* `samples` wake-ups on the share, each after the waiter has slept a while;
 * -1 with errno (ETIMEDOUT: a waiter not woken within ten seconds). */
int bench_wake(share_t *share, int samples, struct wake_result *result);

#endif /* BENCH_WAKE_H */
