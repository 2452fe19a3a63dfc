/* Keyed updates, and every error: bad arguments, bytes that are not JSON,
 * values of the wrong type. A failed update leaves the share untouched. */
#include "jsontest.h"

/* The call failed with `err` and the share was not written. */
#define assert_refused(call, err, f)					\
	do {								\
		unsigned int before_ = share_version((f)->share);	\
		errno = 0;						\
		assert_int_equal((call), -1);				\
		assert_int_equal(errno, (err));				\
		assert_int_equal(share_version((f)->share), before_);	\
	} while (0)

static void test_object_set_and_del(void **state)
{
	struct fixture *f = *state;

	/* An empty share becomes an object. */
	assert_int_equal(share_json_object_set_new(f->sj, "a", json_integer(1)), 0);
	assert_int_equal(share_json_object_set_new(f->sj, "b", json_pack("[s]", "x")), 0);
	assert_int_equal(share_json_object_set_new(f->sj, "a", json_true()), 0);
	assert_bytes(f->share, "{\"a\":true,\"b\":[\"x\"]}");
	assert_int_equal(share_json_object_del(f->sj, "a"), 0);
	assert_value(f->sj, "{\"b\":[\"x\"]}");
	assert_refused(share_json_object_del(f->sj, "a"), ENOENT, f);
	/* One store per update. */
	assert_int_equal(share_version(f->share), 5);
}

static void test_null_becomes_a_container(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(share_json_set_new(f->sj, json_null()), 0);
	assert_int_equal(share_json_array_append_new(f->sj, json_integer(7)), 0);
	assert_int_equal(share_json_array_append_new(f->sj, json_string("eight")), 0);
	assert_bytes(f->share, "[7,\"eight\"]");
	assert_int_equal(share_json_set_new(f->sj, json_null()), 0);
	assert_int_equal(share_json_object_set_new(f->sj, "k", json_null()), 0);
	assert_bytes(f->share, "{\"k\":null}");
	/* Deleting from nothing: there is no such member. */
	assert_int_equal(share_json_set_new(f->sj, json_null()), 0);
	assert_refused(share_json_object_del(f->sj, "k"), ENOENT, f);
}

static void test_wrong_type_gives_enomsg(void **state)
{
	struct fixture *f = *state;
	json_t *one = json_integer(1);

	assert_int_equal(share_json_set_new(f->sj, json_pack("[i]", 1)), 0);
	assert_refused(share_json_object_set(f->sj, "k", one), ENOMSG, f);
	assert_refused(share_json_object_del(f->sj, "k"), ENOMSG, f);
	assert_int_equal(share_json_set_new(f->sj, json_object()), 0);
	assert_refused(share_json_array_append(f->sj, one), ENOMSG, f);
	assert_int_equal(share_json_set_new(f->sj, json_string("text")), 0);
	assert_refused(share_json_object_set(f->sj, "k", one), ENOMSG, f);
	assert_refused(share_json_array_append(f->sj, one), ENOMSG, f);
	assert_value(f->sj, "\"text\"");
	json_decref(one);
}

static void test_not_json_gives_eilseq(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = { "not json", "{\"a\":", "   ", "[1,]", "\"\xff\xfe\"",
			      "99999999999999999999", "{} {}" };
	json_t *one = json_integer(1);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		store_text(f->share, bad[i]);
		errno = 0;
		assert_null(share_json_get(f->sj));
		assert_int_equal(errno, EILSEQ);
		assert_refused(share_json_object_set(f->sj, "k", one), EILSEQ, f);
		assert_refused(share_json_object_del(f->sj, "k"), EILSEQ, f);
		assert_refused(share_json_array_append(f->sj, one), EILSEQ, f);
		assert_bytes(f->share, bad[i]);
	}
	/* Under a lock too; and set replaces what is there without reading it. */
	assert_int_equal(share_json_lock(f->sj, LOCK_EX), 0);
	errno = 0;
	assert_null(share_json_get(f->sj));
	assert_int_equal(errno, EILSEQ);
	assert_int_equal(share_json_object_set(f->sj, "k", one), -1);
	assert_int_equal(errno, EILSEQ);
	assert_int_equal(share_json_set(f->sj, one), 0);
	assert_int_equal(share_json_unlock(f->sj), 0);
	assert_bytes(f->share, "1");
	store_text(f->share, "garbage");
	assert_int_equal(share_json_set(f->sj, one), 0);
	assert_bytes(f->share, "1");
	json_decref(one);
}

static void test_bad_arguments_give_einval(void **state)
{
	struct fixture *f = *state;
	json_t *v = json_integer(1);
	const int bad_ops[] = { 0, LOCK_NB, LOCK_SH | LOCK_EX, LOCK_UN | LOCK_SH,
				LOCK_UN | LOCK_EX, 16, -1, LOCK_EX | 64 };

	errno = 0;
	assert_null(share_json_open(NULL));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(share_json_get(NULL));
	assert_int_equal(errno, EINVAL);
	assert_refused(share_json_close(NULL), EINVAL, f);
	assert_refused(share_json_set(NULL, v), EINVAL, f);
	assert_refused(share_json_set(f->sj, NULL), EINVAL, f);
	assert_refused(share_json_set_new(f->sj, NULL), EINVAL, f);
	assert_refused(share_json_object_set(NULL, "k", v), EINVAL, f);
	assert_refused(share_json_object_set(f->sj, NULL, v), EINVAL, f);
	assert_refused(share_json_object_set(f->sj, "k", NULL), EINVAL, f);
	assert_refused(share_json_object_set_new(f->sj, "k", NULL), EINVAL, f);
	assert_refused(share_json_object_del(NULL, "k"), EINVAL, f);
	assert_refused(share_json_object_del(f->sj, NULL), EINVAL, f);
	assert_refused(share_json_array_append(NULL, v), EINVAL, f);
	assert_refused(share_json_array_append(f->sj, NULL), EINVAL, f);
	assert_refused(share_json_array_append_new(f->sj, NULL), EINVAL, f);
	assert_refused(share_json_lock(NULL, LOCK_SH), EINVAL, f);
	assert_refused(share_json_unlock(NULL), EINVAL, f);
	for (size_t i = 0; i < sizeof(bad_ops) / sizeof(bad_ops[0]); i++)
		assert_refused(share_json_lock(f->sj, bad_ops[i]), EINVAL, f);
	assert_int_equal(v->refcount, 1);
	json_decref(v);
}

/* The *_new functions take the caller's reference, failing or not. */
static void test_new_variants_steal(void **state)
{
	struct fixture *f = *state;
	json_t *v = json_integer(1);

	json_incref(v);
	assert_int_equal(share_json_set_new(f->sj, v), 0);
	assert_int_equal(v->refcount, 1);
	json_incref(v);
	assert_int_equal(share_json_set_new(NULL, v), -1);
	assert_int_equal(v->refcount, 1);
	json_incref(v);
	assert_int_equal(share_json_object_set_new(f->sj, "k", v), -1);	/* ENOMSG */
	assert_int_equal(v->refcount, 1);
	json_incref(v);
	assert_int_equal(share_json_object_set_new(f->sj, NULL, v), -1);
	assert_int_equal(v->refcount, 1);
	json_incref(v);
	assert_int_equal(share_json_array_append_new(NULL, v), -1);
	assert_int_equal(v->refcount, 1);
	json_incref(v);
	assert_int_equal(share_json_set_new(f->sj, json_array()), 0);
	assert_int_equal(share_json_array_append_new(f->sj, v), 0);
	assert_int_equal(v->refcount, 1);
	json_decref(v);
	assert_bytes(f->share, "[1]");
}

/* Values jansson cannot write: a loop, a string that is not UTF-8. */
static void test_unwritable_values_give_einval(void **state)
{
	struct fixture *f = *state;
	json_t *a = json_object(), *b = json_object();
	json_t *bad = json_stringn_nocheck("\xff", 1);

	json_object_set(a, "b", b);
	json_object_set(b, "a", a);
	assert_refused(share_json_set(f->sj, a), EINVAL, f);
	assert_refused(share_json_set(f->sj, bad), EINVAL, f);
	assert_refused(share_json_object_set(f->sj, "k", a), EINVAL, f);
	assert_refused(share_json_array_append(f->sj, bad), EINVAL, f);
	/* A member name that is not UTF-8. */
	assert_refused(share_json_object_set_new(f->sj, "\xff", json_true()), EINVAL, f);
	assert_int_equal(share_json_set_new(f->sj, json_object()), 0);
	assert_refused(share_json_object_set_new(f->sj, "\xc3", json_true()), EINVAL, f);
	/* The same under a lock: the copy kept stays as it was. */
	assert_int_equal(share_json_lock(f->sj, LOCK_EX), 0);
	assert_int_equal(share_json_object_set_new(f->sj, "\xc3", json_true()), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(share_json_set(f->sj, a), -1);
	assert_int_equal(errno, EINVAL);
	assert_value(f->sj, "{}");
	assert_int_equal(share_json_unlock(f->sj), 0);
	json_object_del(b, "a");	/* break the loop to free it */
	json_decref(a);
	json_decref(b);
	json_decref(bad);
}

/* A handle on a share that was removed reports it. */
static void test_removed_share_gives_eidrm(void **state)
{
	struct fixture *f = *state;
	json_t *v = json_true();

	assert_int_equal(share_remove(f->share), 0);
	errno = 0;
	assert_null(share_json_get(f->sj));
	assert_int_equal(errno, EIDRM);
	assert_int_equal(share_json_set(f->sj, v), -1);
	assert_int_equal(errno, EIDRM);
	assert_int_equal(share_json_object_set(f->sj, "k", v), -1);
	assert_int_equal(errno, EIDRM);
	assert_int_equal(share_json_lock(f->sj, LOCK_SH), -1);
	assert_int_equal(errno, EIDRM);
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_object_set_and_del, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_becomes_a_container, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_type_gives_enomsg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_json_gives_eilseq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments_give_einval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_variants_steal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_values_give_einval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_share_gives_eidrm, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
