/*
 * deadline.h - a wait's deadline and the time left to it, in arithmetic
 * that fits a 32-bit long: no value computed in a long reaches 2 * 10^9,
 * though a timeout in milliseconds times 10^6 would pass 2^31 above 2147 ms.
 */
#ifndef SHARELITE_DEADLINE_H
#define SHARELITE_DEADLINE_H

#include <time.h>

#define DEADLINE_MS_PER_S 1000
#define DEADLINE_NS_PER_MS 1000000L
#define DEADLINE_NS_PER_S 1000000000L

_Static_assert(2 * DEADLINE_NS_PER_S - 1 <= 2147483647L,
	       "a sum of two tv_nsec fits a 32-bit long");

/* ms milliseconds (ms >= 0) as a timespec. */
static inline struct timespec deadline_from_ms(int ms)
{
	struct timespec t;

	t.tv_sec = ms / DEADLINE_MS_PER_S;
	t.tv_nsec = (long)(ms % DEADLINE_MS_PER_S) * DEADLINE_NS_PER_MS;
	return t;
}

/* start + ms milliseconds (ms >= 0); start has 0 <= tv_nsec < 10^9. */
static inline struct timespec deadline_after(struct timespec start, int ms)
{
	struct timespec d = deadline_from_ms(ms);

	d.tv_sec += start.tv_sec;
	d.tv_nsec += start.tv_nsec;
	if (d.tv_nsec >= DEADLINE_NS_PER_S) {
		d.tv_sec++;
		d.tv_nsec -= DEADLINE_NS_PER_S;
	}
	return d;
}

/* The deadline ms milliseconds from now on CLOCK_MONOTONIC, in *buf; NULL,
 * no deadline, for a negative ms. */
static inline const struct timespec *deadline_in(int ms, struct timespec *buf)
{
	if (ms < 0)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, buf);
	*buf = deadline_after(*buf, ms);
	return buf;
}

/*
 * Nanoseconds from now to the deadline, at most cap (0 < cap <= 10^9):
 * 0 once it has passed.
 */
static inline long deadline_ns_left(const struct timespec *deadline, const struct timespec *now,
				    long cap)
{
	time_t s = deadline->tv_sec - now->tv_sec;
	long left;

	if (s < 0)
		return 0;
	if (s > 1)
		return cap;	/* over 10^9 ns left */
	left = (long)s * DEADLINE_NS_PER_S + (deadline->tv_nsec - now->tv_nsec);
	if (left < 0)
		return 0;
	return left < cap ? left : cap;
}

#endif /* SHARELITE_DEADLINE_H */
