/*
 * wake.c - share_wait_change(3)'s wake-up latency. One waiter process, a
 * child, sleeps in the call; this process stores its CLOCK_MONOTONIC time
 * as the value once the waiter has had time to fall asleep, and the waiter
 * subtracts that stamp from its clock as the call returns. Both clocks are
 * the same system-wide clock, so no side channel is needed for the time.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "cleanup.h"
#include "wake.h"

#define MAX_SAMPLES 2000
#define MIN_SAMPLES 20
#define SECONDS_PER_SAMPLE 0.0015
#define POLL_SECONDS 0.00002
/* Far longer than any wake-up, even on a loaded machine: a waiter not back
 * by then was never woken, and the run fails rather than print a figure. */
#define GIVE_UP_SECONDS 10.0
#define WAIT_TIMEOUT_MS 10000

/* Shared by this process and the waiter. */
struct wake_board {
	int armed;			/* samples the waiter has begun to wait for */
	int done;			/* samples it has recorded */
	int error;			/* its errno, if it failed */
	double latency[MAX_SAMPLES];	/* seconds */
};

int wake_samples(const struct bench_timing *t)
{
	double n = t->reps * t->seconds / SECONDS_PER_SAMPLE;

	return n < MIN_SAMPLES ? MIN_SAMPLES : n > MAX_SAMPLES ? MAX_SAMPLES : (int)n;
}

static double monotonic_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static _Noreturn void waiter(struct wake_board *b, share_t *share, int samples)
{
	int k;

	cleanup_in_child();
	for (k = 0; k < samples; k++) {
		unsigned int version = share_version(share);
		int64_t stamp[2];
		double woke;
		int rc;

		/* Release, as done below: wait_for() loads both with acquire. */
		__atomic_store_n(&b->armed, k + 1, __ATOMIC_RELEASE);
		rc = share_wait_change(share, version, WAIT_TIMEOUT_MS);
		woke = monotonic_now();
		if (rc == 0)
			errno = ETIMEDOUT;
		if (rc <= 0 || share_fetch_into(share, stamp, sizeof(stamp)) != sizeof(stamp)) {
			__atomic_store_n(&b->error, errno ? errno : EBADMSG, __ATOMIC_RELAXED);
			break;
		}
		b->latency[k] = woke - ((double)stamp[0] + (double)stamp[1] * 1e-9);
		/* Release: the latency above is written before the count. */
		__atomic_store_n(&b->done, k + 1, __ATOMIC_RELEASE);
	}
	_exit(0);
}

/* Until the waiter's count reaches n: 0, or -1 with its errno, EINTR on a
 * stopping signal, ETIMEDOUT if it gives no sign for GIVE_UP_SECONDS. */
static int wait_for(const struct wake_board *b, const int *count, int n)
{
	struct timespec nap = { 0, (long)(POLL_SECONDS * 1e9) };
	double give_up = bench_now() + GIVE_UP_SECONDS;

	/* Acquire: pairs with the waiter's release store of the count. */
	while (__atomic_load_n(count, __ATOMIC_ACQUIRE) < n) {
		int err = __atomic_load_n(&b->error, __ATOMIC_RELAXED);

		if (err || bench_signal || bench_now() > give_up) {
			errno = err ? err : bench_signal ? EINTR : ETIMEDOUT;
			return -1;
		}
		nanosleep(&nap, NULL);
	}
	return 0;
}

static int store_stamp(share_t *share)
{
	struct timespec now;
	int64_t stamp[2];

	clock_gettime(CLOCK_MONOTONIC, &now);
	stamp[0] = now.tv_sec;
	stamp[1] = now.tv_nsec;
	return share_store(share, stamp, sizeof(stamp));
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void wake_summarise(double *latency, int n, struct wake_result *r)
{
	/* The smallest that at least 99% of the samples do not exceed. */
	int p99 = (99 * n + 99) / 100 - 1;

	qsort(latency, (size_t)n, sizeof(*latency), by_value);
	r->samples = n;
	r->median = n % 2 ? latency[n / 2] : (latency[n / 2 - 1] + latency[n / 2]) / 2;
	r->p99 = latency[p99];
	r->max = latency[n - 1];
}

int bench_wake(share_t *share, int samples, double settle_seconds, struct wake_result *result)
{
	struct timespec settle = { 0, (long)(settle_seconds * 1e9) };
	struct wake_board *b;
	pid_t pid;
	int k, rc = 0, err;

	if (samples < 1 || samples > MAX_SAMPLES || settle_seconds < 0 || settle_seconds >= 1) {
		errno = EINVAL;
		return -1;
	}
	if (store_stamp(share) < 0)
		return -1;
	b = mmap(NULL, sizeof(*b), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED)
		return -1;
	pid = fork();
	if (pid == 0)
		waiter(b, share, samples);
	if (pid < 0)
		rc = -1;
	for (k = 1; k <= samples && rc == 0; k++) {
		rc = wait_for(b, &b->armed, k);
		if (rc == 0) {
			nanosleep(&settle, NULL);
			rc = store_stamp(share);
		}
		if (rc == 0)
			rc = wait_for(b, &b->done, k);
	}
	err = errno;
	if (pid > 0) {
		if (rc < 0)
			kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (rc == 0)
		wake_summarise(b->latency, samples, result);
	munmap(b, sizeof(*b));
	errno = err;
	return rc;
}
