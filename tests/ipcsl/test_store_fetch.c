/*
 * The Perl format's chain as values grow and shrink: a segment for each
 * segment size of data, and every freed overflow segment removed.
 */
#include "ipcsl.h"

static void test_chain_grows_and_shrinks(void **unused)
{
	(void)unused;
	/* 116 data bytes per segment */
	share_t *s = test_private(132);
	size_t big = 116 * 40 + 7;
	unsigned char *buf = malloc(big);
	int ids[64], n;

	assert_non_null(buf);
	test_fill(buf, big, 3);
	assert_int_equal(share_store(s, buf, big), 0);
	assert_int_equal(share_num_segments(s), 41);
	assert_int_equal(share_version(s), 2);
	test_assert_fetches(s, buf, big);

	/* Remember the overflow segments to see them go. */
	n = test_chain_ids(s, ids, 64);
	assert_int_equal(n, 41);

	assert_int_equal(share_store(s, "tiny", 4), 0);
	assert_int_equal(share_num_segments(s), 1);
	test_assert_fetches(s, "tiny", 4);
	assert_int_equal(test_chain_ids(s, ids, 1), 1);
	for (int i = 1; i < n; i++)
		assert_true(test_shm_gone(ids[i]));

	/* And grows again from there. */
	assert_int_equal(share_store(s, buf, big), 0);
	test_assert_fetches(s, buf, big);
	assert_int_equal(share_num_segments(s), 41);
	free(buf);
	assert_int_equal(test_close(s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_chain_grows_and_shrinks),
	};

	return test_run(tests);
}
