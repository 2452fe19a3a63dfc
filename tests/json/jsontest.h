/*
 * jsontest.h - what the JSON tests share, on top of the harness: a private
 * share with a JSON handle on it, removed in the teardown even when a test
 * fails (children included), and helpers to fork workers and compare values.
 */
#ifndef SHARELITE_JSONTEST_H
#define SHARELITE_JSONTEST_H

#include "harness.h"
#include <jansson.h>
#include "sharelite_json.h"

#define MAX_CHILDREN 16

struct fixture {
	share_t *share;
	share_json_t *sj;
	pid_t children[MAX_CHILDREN];
};

/* A private share of this segment size, registered with the harness. */
static inline int fixture_open(struct fixture *f, size_t segment_size)
{
	f->share = test_format()->open(IPC_PRIVATE, segment_size, IPC_CREAT);
	if (!f->share)
		return -1;
	test_adopt(f->share);
	share_set_destroy(f->share, 1);
	f->sj = share_json_open(f->share);
	return f->sj ? 0 : -1;
}

static inline void fixture_close(struct fixture *f)
{
	for (int i = 0; i < MAX_CHILDREN; i++) {
		if (f->children[i] > 0) {
			kill(f->children[i], SIGKILL);
			test_wait(f->children[i]);
			f->children[i] = 0;
		}
	}
	if (f->sj)
		share_json_close(f->sj);
	if (f->share) {
		share_remove(f->share);
		test_close(f->share);
	}
	f->sj = NULL;
	f->share = NULL;
}

/* The harness's setup, then a fixture with a share of the default size. */
static inline int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	test_setup(state);
	*state = f;
	return f ? fixture_open(f, 0) : -1;
}

/* The fixture closed, then whatever the test left, removed. */
static inline int teardown(void **state)
{
	struct fixture *f = *state;

	if (f)
		fixture_close(f);
	free(f);
	return test_teardown(state);
}

/* Start again with a share of another segment size. */
static inline void fixture_resize(struct fixture *f, size_t segment_size)
{
	fixture_close(f);
	assert_int_equal(fixture_open(f, segment_size), 0);
}

/* Fork child i to run work(f, i); it exits 0 when work returns 0. */
static inline void fork_child(struct fixture *f, int i, int (*work)(struct fixture *, int))
{
	pid_t pid;

	assert_true(i < MAX_CHILDREN);
	pid = test_fork(NULL);
	if (pid == 0)
		_exit(work(f, i) == 0 ? 0 : 1);
	f->children[i] = pid;
}

/* Wait for child i and expect it to have succeeded. */
static inline void wait_child(struct fixture *f, int i)
{
	int status = test_wait(f->children[i]);

	f->children[i] = 0;
	assert_int_equal(status, 0);
}

/* The share's value is `want` (JSON text). */
static inline void assert_value(share_json_t *sj, const char *want)
{
	json_t *expected = json_loads(want, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	json_t *got = share_json_get(sj);

	assert_non_null(expected);
	assert_non_null(got);
	if (!json_equal(got, expected)) {
		char *text = json_dumps(got, JSON_ENCODE_ANY);

		print_error("got %s, want %s\n", text ? text : "?", want);
		free(text);
		fail();
	}
	json_decref(expected);
	json_decref(got);
}

/* The share's bytes, as another process would fetch them, are `want`. */
static inline void assert_bytes(share_t *share, const char *want)
{
	void *got = NULL;
	ssize_t n = share_fetch(share, &got);

	assert_true(n >= 0);
	assert_string_equal(got, want);
	assert_int_equal((size_t)n, strlen(want));
	free(got);
}

/*
 * On a share never stored to: it reads as null; a value set comes back,
 * as a value and as the share's bytes; then a member is set and one
 * deleted. The share ends as {"a":[1,2],"b":true}.
 */
static inline void assert_first_values(share_t *share, share_json_t *sj)
{
	json_t *got = share_json_get(sj);

	assert_non_null(got);
	assert_true(json_is_null(got));
	json_decref(got);

	assert_int_equal(share_json_set_new(sj, json_pack("{s:[i,i],s:s}", "a", 1, 2,
							  "s", "caf\xc3\xa9")), 0);
	assert_value(sj, "{\"a\":[1,2],\"s\":\"caf\xc3\xa9\"}");
	assert_bytes(share, "{\"a\":[1,2],\"s\":\"caf\xc3\xa9\"}");
	assert_int_equal(share_json_object_set_new(sj, "b", json_true()), 0);
	assert_int_equal(share_json_object_del(sj, "s"), 0);
	assert_value(sj, "{\"a\":[1,2],\"b\":true}");
}

static inline void store_text(share_t *share, const char *text)
{
	assert_int_equal(share_store(share, text, strlen(text)), 0);
}

#endif /* SHARELITE_JSONTEST_H */
