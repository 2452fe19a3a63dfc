/* Whole values: every JSON type and nested structures go in and come back
 * equal, as compact JSON text that any JSON reader can take. */
#include <float.h>
#include <stdint.h>

#include "jsontest.h"

/* Store value, fetch it back equal, and find `text` in the share. */
static void round_trip(struct fixture *f, json_t *value, const char *text)
{
	json_t *got;

	assert_non_null(value);
	assert_int_equal(share_json_set(f->sj, value), 0);
	got = share_json_get(f->sj);
	assert_non_null(got);
	assert_true(json_equal(got, value));
	/* A new reference, not the caller's value (null, true and false are
	 * jansson's singletons, with no count). */
	if (!json_is_null(got) && !json_is_boolean(got)) {
		assert_int_equal(got->refcount, 1);
		assert_true(got != value);
	}
	if (text)
		assert_bytes(f->share, text);
	json_decref(got);
	json_decref(value);
}

static void test_empty_share_reads_null(void **state)
{
	struct fixture *f = *state;
	json_t *got = share_json_get(f->sj);

	assert_non_null(got);
	assert_true(json_is_null(got));
	json_decref(got);
	/* Opening reads and writes nothing. */
	assert_int_equal(share_version(f->share), 1);
}

static void test_scalars(void **state)
{
	struct fixture *f = *state;

	round_trip(f, json_null(), "null");
	round_trip(f, json_true(), "true");
	round_trip(f, json_false(), "false");
	round_trip(f, json_integer(0), "0");
	round_trip(f, json_integer(-42), "-42");
	round_trip(f, json_integer(INT64_MAX), "9223372036854775807");
	round_trip(f, json_integer(INT64_MIN), "-9223372036854775808");
	round_trip(f, json_real(0.5), "0.5");
	/* 17 significant digits, as share_json_open(3) says. */
	round_trip(f, json_real(0.1), "0.10000000000000001");
	round_trip(f, json_real(-0.1), NULL);
	round_trip(f, json_real(DBL_MAX), NULL);
	round_trip(f, json_real(DBL_MIN), NULL);
	round_trip(f, json_real(5e-324), NULL);
	round_trip(f, json_string(""), "\"\"");
	round_trip(f, json_string("caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80"),
		   "\"caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80\"");
	round_trip(f, json_string("\"\\\n\t/"), "\"\\\"\\\\\\n\\t/\"");
	round_trip(f, json_stringn("a\0b", 3), "\"a\\u0000b\"");
}

static void test_reals_come_back_exact(void **state)
{
	struct fixture *f = *state;
	const double reals[] = { 0.1, 1.0 / 3, -2.5e-300, 1e300, 3.141592653589793, 123456789.125 };

	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
		json_t *got;

		assert_int_equal(share_json_set_new(f->sj, json_real(reals[i])), 0);
		got = share_json_get(f->sj);
		assert_true(json_is_real(got));
		assert_true(json_real_value(got) == reals[i]);
		json_decref(got);
	}
}

static void test_containers_are_compact(void **state)
{
	struct fixture *f = *state;

	round_trip(f, json_object(), "{}");
	round_trip(f, json_array(), "[]");
	round_trip(f, json_pack("{s:[i,i,{s:n}],s:s,s:b}", "a", 1, 2, "b", "c", "x", "t", 1),
		   "{\"a\":[1,2,{\"b\":null}],\"c\":\"x\",\"t\":true}");
}

/* Objects keep their members in the order they were set. */
static void test_member_order_is_kept(void **state)
{
	struct fixture *f = *state;

	round_trip(f, json_pack("{s:i,s:i,s:i}", "zebra", 1, "apple", 2, "mango", 3),
		   "{\"zebra\":1,\"apple\":2,\"mango\":3}");
}

static void test_deep_nesting(void **state)
{
	struct fixture *f = *state;
	json_t *value = json_string("bottom");

	for (int depth = 0; depth < 200; depth++)
		value = depth % 2 ? json_pack("{s:o}", "down", value) : json_pack("[o,i]", value, depth);
	round_trip(f, value, NULL);
}

/* A value bigger than a segment: the chain (or a value segment, in the
 * native format) carries it. */
#define SEGMENT 256
static void test_large_value_spans_segments(void **state)
{
	struct fixture *f = *state;
	json_t *value = json_object();
	struct share_info info;
	char key[32];

	fixture_resize(f, SEGMENT);
	for (int i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "member-%d", i);
		json_object_set_new(value, key, json_pack("[i,s,f]", i, key, i / 8.0));
	}
	round_trip(f, value, NULL);
	info = test_info(f->share);
	/* Far more than the segment size asked (a private native share's
	 * head holds any value, whatever was asked). */
	assert_true(info.length > 100 * SEGMENT);
	/* The first value stored on a new share: none before it. */
	assert_int_equal(share_num_segments(f->share), test_segments(f->share, info.length, 0));
}

/* What get returns belongs to the caller: changing it changes no share. */
static void test_get_returns_an_independent_value(void **state)
{
	struct fixture *f = *state;
	json_t *got;

	assert_int_equal(share_json_set_new(f->sj, json_pack("{s:i}", "n", 1)), 0);
	got = share_json_get(f->sj);
	json_object_set_new(got, "n", json_integer(2));
	json_decref(got);
	assert_value(f->sj, "{\"n\":1}");
	assert_int_equal(share_version(f->share), 2);
}

/* set borrows its value: the caller's reference and value stay as they were. */
static void test_set_borrows(void **state)
{
	struct fixture *f = *state;
	json_t *value = json_pack("{s:[i]}", "list", 1);

	assert_int_equal(share_json_set(f->sj, value), 0);
	assert_int_equal(value->refcount, 1);
	/* A later change to the caller's value does not reach the share. */
	json_array_append_new(json_object_get(value, "list"), json_integer(2));
	assert_value(f->sj, "{\"list\":[1]}");
	json_decref(value);
}

/* JSON written by other programs, pretty-printed or with spaces, reads. */
static void test_reads_any_json_text(void **state)
{
	struct fixture *f = *state;

	store_text(f->share, "{\n  \"a\": [1, 2.5, \"x\"],\n  \"b\": {}\n}\n");
	assert_value(f->sj, "{\"a\":[1,2.5,\"x\"],\"b\":{}}");
	store_text(f->share, "  \"bare\"  ");
	assert_value(f->sj, "\"bare\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_share_reads_null, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scalars, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reals_come_back_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_containers_are_compact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_member_order_is_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_value_spans_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_returns_an_independent_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_borrows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reads_any_json_text, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
