/* Store and fetch: values of every size, the chain growing and shrinking
 * (its segments, in the Perl format: tests/ipcsl/test_store_fetch.c). */
#include "harness.h"

static void test_new_share_is_empty(void **unused)
{
	(void)unused;
	share_t *s = test_private(0);
	char buf[4] = "xyz";

	test_assert_fetches(s, "", 0);
	assert_int_equal(share_fetch_into(s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "xyz");
	assert_int_equal(share_version(s), 1);
	assert_int_equal(share_num_segments(s), 1);
	assert_int_equal(test_close(s), 0);
}

static void test_binary_values(void **unused)
{
	(void)unused;
	share_t *s = test_private(0);
	unsigned char all[256];

	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	assert_int_equal(share_store(s, all, sizeof(all)), 0);
	test_assert_fetches(s, all, sizeof(all));
	assert_int_equal(share_store(s, "\0\0\0", 3), 0);
	test_assert_fetches(s, "\0\0\0", 3);
	assert_int_equal(test_close(s), 0);
}

static void test_fetch_into(void **unused)
{
	(void)unused;
	share_t *s = test_private(32);	/* 16 data bytes */
	unsigned char value[40], buf[50];

	test_fill(value, sizeof(value), 6);
	assert_int_equal(share_store(s, value, sizeof(value)), 0);
	/* Large enough: the whole value. */
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(share_fetch_into(s, buf, sizeof(buf)), 40);
	assert_memory_equal(buf, value, 40);
	assert_int_equal(buf[40], 0xee);
	/* Too small: as much as fits, and the length it would need. */
	for (size_t size = 0; size < 40; size += 7) {
		memset(buf, 0xee, sizeof(buf));
		assert_int_equal(share_fetch_into(s, buf, size), 40);
		assert_memory_equal(buf, value, size);
		assert_int_equal(buf[size], 0xee);
	}
	assert_int_equal(test_close(s), 0);
}

/* Every short length, which fetches copy word by word rather than with
 * memcpy(): each byte comes back, none after the buffer is written, and
 * the same after a long value, kept elsewhere, went. */
static void test_short_values(void **unused)
{
	(void)unused;
	/* Keyed: a private native share keeps every value in its head. */
	share_t *s = test_open(test_use_key(2), 0, IPC_CREAT | IPC_EXCL);
	unsigned char value[40], buf[50], big[100000];
	void *data;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t n = 0; n <= sizeof(value); n++) {
			test_fill(value, n, (unsigned)(n + pass));
			assert_int_equal(share_store(s, value, n), 0);
			assert_int_equal(share_fetch(s, &data), (ssize_t)n);
			assert_memory_equal(data, value, n);
			assert_int_equal(((unsigned char *)data)[n], 0);
			free(data);
			for (size_t size = n > 2 ? n - 2 : 0; size <= n + 2; size++) {
				memset(buf, 0xee, sizeof(buf));
				assert_int_equal(share_fetch_into(s, buf, size), (ssize_t)n);
				assert_memory_equal(buf, value, size < n ? size : n);
				for (size_t k = size < n ? size : n; k < sizeof(buf); k++)
					assert_int_equal(buf[k], 0xee);
			}
		}
		/* Longer than a keyed native head holds. */
		test_fill(big, sizeof(big), 9);
		assert_int_equal(share_store(s, big, sizeof(big)), 0);
		test_assert_fetches(s, big, sizeof(big));
	}
	assert_int_equal(test_close(s), 0);
}

static void test_exact_multiples(void **unused)
{
	(void)unused;
	/* 16 data bytes a segment in the Perl format; in the native one,
	 * the smallest head, 64 bytes a slot. Past both, three times over. */
	share_t *s = test_private(32);
	unsigned char buf[200];
	size_t max = sizeof(buf), previous = 0;

	test_fill(buf, max, 9);
	for (size_t n = 0; n <= max; n++) {
		assert_int_equal(share_store(s, buf, n), 0);
		assert_int_equal(share_num_segments(s), test_segments(s, n, previous));
		test_assert_fetches(s, buf, n);
		previous = n;
	}
	/* Shrinking one byte at a time, too. */
	for (size_t n = max; n-- > 0;) {
		assert_int_equal(share_store(s, buf, n), 0);
		assert_int_equal(share_num_segments(s), test_segments(s, n, previous));
		test_assert_fetches(s, buf, n);
		previous = n;
	}
	assert_int_equal(test_close(s), 0);
}

/* Chunks bigger than one memcpy piece (512 KiB) arrive whole and in place. */
static void test_big_segments(void **unused)
{
	(void)unused;
	size_t data = 1300 * 1024 + 5;	/* three pieces a segment, the last short */
	share_t *s = test_private(data + SHARELITE_HEADER_SIZE);
	size_t big = 2 * data + 11;	/* three segments, in the Perl format */
	unsigned char *value = malloc(big), *buf = malloc(big);

	assert_non_null(value);
	assert_non_null(buf);
	test_fill(value, big, 4);
	assert_int_equal(share_store(s, value, big), 0);
	assert_int_equal(share_num_segments(s), test_segments(s, big, 0));
	test_assert_fetches(s, value, big);
	memset(buf, 0, big);
	assert_int_equal(share_fetch_into(s, buf, big - 7), (ssize_t)big);
	assert_memory_equal(buf, value, big - 7);
	assert_int_equal(buf[big - 7], 0);
	free(buf);
	free(value);
	assert_int_equal(test_close(s), 0);
}

/* Another handle in the same process follows the chain as it changes. */
static void test_second_handle_follows_chain(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *a = test_open(key, 64, IPC_CREAT | IPC_EXCL);
	share_t *b = test_open(key, 0, 0);
	unsigned char buf[1000];

	for (unsigned round = 0; round < 6; round++) {
		size_t n = round % 2 ? 10 : 1000 - round * 100;

		test_fill(buf, n, round);
		assert_int_equal(share_store(round % 3 ? a : b, buf, n), 0);
		test_assert_fetches(a, buf, n);
		test_assert_fetches(b, buf, n);
	}
	assert_int_equal(test_close(b), 0);
	assert_int_equal(test_close(a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_new_share_is_empty),
		test_case(test_binary_values),
		test_case(test_fetch_into),
		test_case(test_short_values),
		test_case(test_big_segments),
		test_case(test_exact_multiples),
		test_case(test_second_handle_follows_chain),
	};

	return test_run(tests);
}
