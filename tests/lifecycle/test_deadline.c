/*
 * share_wait_change()'s deadline arithmetic (src/deadline.h), where a
 * timeout in milliseconds times 10^6 passes 2^31: from 2148 ms on, which a
 * 32-bit long cannot hold. Each result is checked field by field.
 */
#include <limits.h>

#include "harness.h"
#include "deadline.h"

#define NS_PER_S 1000000000L

static void assert_timespec(struct timespec t, long long sec, long nsec)
{
	assert_int_equal((long long)t.tv_sec, sec);
	assert_int_equal(t.tv_nsec, nsec);
}

static void test_from_ms(void **unused)
{
	(void)unused;
	assert_timespec(deadline_from_ms(0), 0, 0);
	assert_timespec(deadline_from_ms(999), 0, 999000000L);
	assert_timespec(deadline_from_ms(1000), 1, 0);
	assert_timespec(deadline_from_ms(2147), 2, 147000000L);
	assert_timespec(deadline_from_ms(2148), 2, 148000000L);
	assert_timespec(deadline_from_ms(4295), 4, 295000000L);	/* past 2^32 ns */
	assert_timespec(deadline_from_ms(INT_MAX), INT_MAX / 1000, (INT_MAX % 1000) * 1000000L);
}

static void test_after(void **unused)
{
	struct timespec start = { 100, NS_PER_S - 1 };

	(void)unused;
	assert_timespec(deadline_after(start, 0), 100, NS_PER_S - 1);
	assert_timespec(deadline_after(start, 1), 101, 999999L);
	assert_timespec(deadline_after(start, 2148), 103, 147999999L);
	assert_timespec(deadline_after(start, INT_MAX), 100 + INT_MAX / 1000 + 1,
			(INT_MAX % 1000) * 1000000L - 1);
	start.tv_nsec = 0;
	assert_timespec(deadline_after(start, 3000), 103, 0);
}

static void test_ns_left(void **unused)
{
	const long cap = 10000000L;	/* share_wait_change()'s longest nap */
	struct timespec deadline = deadline_after((struct timespec){ 50, 500000000L }, 2148);
	struct timespec now = { 50, 500000000L };

	(void)unused;
	assert_int_equal(deadline_ns_left(&deadline, &now, cap), cap);
	assert_int_equal(deadline_ns_left(&deadline, &now, NS_PER_S), NS_PER_S);
	now.tv_sec = 52;		/* 148 ms left, across a second boundary */
	now.tv_nsec = 500000000L;
	assert_int_equal(deadline_ns_left(&deadline, &now, NS_PER_S), 148000000L);
	assert_int_equal(deadline_ns_left(&deadline, &now, cap), cap);
	now.tv_sec = 52;		/* 5 ns left */
	now.tv_nsec = 648000000L - 5;
	assert_int_equal(deadline_ns_left(&deadline, &now, cap), 5);
	now = deadline;
	assert_int_equal(deadline_ns_left(&deadline, &now, cap), 0);
	now.tv_nsec++;
	assert_int_equal(deadline_ns_left(&deadline, &now, cap), 0);
	now.tv_sec += 1000;
	assert_int_equal(deadline_ns_left(&deadline, &now, cap), 0);
	/* Just under two seconds left, with the nanoseconds behind. */
	now.tv_sec = deadline.tv_sec - 2;
	now.tv_nsec = deadline.tv_nsec + 1;
	assert_int_equal(deadline_ns_left(&deadline, &now, NS_PER_S), NS_PER_S);
	now.tv_sec = deadline.tv_sec - 1;
	assert_int_equal(deadline_ns_left(&deadline, &now, NS_PER_S), NS_PER_S - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_ms),
		cmocka_unit_test(test_after),
		cmocka_unit_test(test_ns_left),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
