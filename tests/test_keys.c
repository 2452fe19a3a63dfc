/*
 * share_key_from_string(): IPC::ShareLite's rule. Digits are a number up to
 * 4294967295; any other string of one to four bytes, padded with spaces, is
 * read as a native-endian int32. share_key_parse(): the command line's rule,
 * the same with 0x and hexadecimal digits read as a number first.
 */
#include "harness.h"

/* One of the two rules, share_key_from_string() or share_key_parse(). */
typedef int key_rule(const char *text, key_t *key);

static key_t key_by(key_rule *rule, const char *text)
{
	key_t key = 0x12345;

	if (rule(text, &key) < 0)
		fail_msg("\"%s\": %s", text, strerror(errno));
	return key;
}

static void assert_rule_error(key_rule *rule, const char *text, int err)
{
	key_t key = 0x12345;

	errno = 0;
	assert_int_equal(rule(text, &key), -1);
	assert_int_equal(errno, err);
	assert_int_equal(key, 0x12345);	/* untouched */
}

static key_t key_of(const char *str)
{
	return key_by(share_key_from_string, str);
}

static void assert_key_error(const char *str, int err)
{
	assert_rule_error(share_key_from_string, str, err);
}

static key_t parsed(const char *text)
{
	return key_by(share_key_parse, text);
}

static void assert_parse_error(const char *text, int err)
{
	assert_rule_error(share_key_parse, text, err);
}

/* The four bytes, as this machine reads an int32. */
static key_t native(const char bytes[4])
{
	int32_t n;

	memcpy(&n, bytes, sizeof(n));
	return (key_t)n;
}

static void test_numbers(void **unused)
{
	(void)unused;
	assert_int_equal(key_of("0"), 0);
	assert_int_equal(key_of("1"), 1);
	assert_int_equal(key_of("12345"), 12345);
	assert_int_equal(key_of("007"), 7);
	assert_int_equal(key_of("00000000000000000000000042"), 42);
	assert_int_equal(key_of("2147483647"), 0x7fffffff);
	/* Above INT32_MAX: the same bits as Perl hands to semget(). */
	assert_int_equal(key_of("2147483648"), (key_t)0x80000000u);
	assert_int_equal(key_of("4294967295"), (key_t)0xffffffffu);
}

static void test_number_out_of_range(void **unused)
{
	(void)unused;
	assert_key_error("4294967296", ERANGE);
	assert_key_error("9999999999", ERANGE);
	assert_key_error("18446744073709551616", ERANGE);
	assert_key_error("99999999999999999999999999999999", ERANGE);
}

static void test_strings(void **unused)
{
	(void)unused;
	assert_int_equal(key_of("data"), native("data"));
	assert_int_equal(key_of("ab"), native("ab  "));
	assert_int_equal(key_of("x"), native("x   "));
	assert_int_equal(key_of("12ab"), native("12ab"));
	assert_int_equal(key_of("-1"), native("-1  "));
	assert_int_equal(key_of(" 42"), native(" 42 "));
	assert_int_equal(key_of("\xff\xfe"), native("\xff\xfe  "));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* The values IPC::ShareLite computes on x86-64. */
	assert_int_equal(key_of("data"), 0x61746164);
	assert_int_equal(key_of("ab"), 0x20206261);
#else
	assert_int_equal(key_of("data"), 0x64617461);
	assert_int_equal(key_of("ab"), 0x61622020);
#endif
}

static void test_bad_strings(void **unused)
{
	(void)unused;
	assert_key_error("", EINVAL);
	assert_key_error("abcde", EINVAL);
	assert_key_error("12abc", EINVAL);
	assert_key_error("a very long key", EINVAL);
}

static void test_parse_hex(void **unused)
{
	(void)unused;
	assert_int_equal(parsed("0x12"), 0x12);
	assert_int_equal(parsed("0X12"), 0x12);
	assert_int_equal(parsed("0x4d2"), 1234);
	assert_int_equal(parsed("0xDeadBeef"), (key_t)0xdeadbeefu);
	assert_int_equal(parsed("0xffffffff"), (key_t)0xffffffffu);
	assert_int_equal(parsed("0x00000000000000000001"), 1);
	assert_int_equal(parsed("0x0"), IPC_PRIVATE);
	/* Where Perl's rule reads four bytes, this one reads a number. */
	assert_int_not_equal(parsed("0x12"), key_of("0x12"));
}

static void test_parse_as_perl(void **unused)
{
	(void)unused;
	static const char *const texts[] = {
		"0", "1234", "007", "4294967295", "data", "ab", "x", "-1", "12ab", "0y12",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		assert_int_equal(parsed(texts[i]), key_of(texts[i]));
}

static void test_parse_errors(void **unused)
{
	(void)unused;
	assert_parse_error("", EINVAL);
	assert_parse_error("0x", EINVAL);
	assert_parse_error("0X", EINVAL);
	assert_parse_error("0xZZ", EINVAL);
	assert_parse_error("0x12g", EINVAL);
	assert_parse_error("0x 12", EINVAL);
	assert_parse_error("0x-1", EINVAL);
	assert_parse_error("abcde", EINVAL);
	assert_parse_error("0x100000000", ERANGE);
	assert_parse_error("0x123456789abcdef0123", ERANGE);
	assert_parse_error("4294967296", ERANGE);
	assert_int_equal(share_key_parse(NULL, &(key_t){ 0 }), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(share_key_parse("1", NULL), -1);
	assert_int_equal(errno, EINVAL);
}

/* A string key names a share like a number does. */
static void test_string_key_opens_share(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	char digits[16];
	share_t *s, *t;

	snprintf(digits, sizeof(digits), "%u", (unsigned)key);
	assert_int_equal(key_of(digits), key);
	s = test_open(key_of(digits), 0, IPC_CREAT | IPC_EXCL);
	assert_int_equal(share_store(s, "by name", 7), 0);
	t = test_open(key, 0, 0);
	test_assert_value(t, "by name");
	assert_int_equal(test_close(t), 0);
	assert_int_equal(test_close(s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_numbers),
		test_case(test_number_out_of_range),
		test_case(test_strings),
		test_case(test_bad_strings),
		test_case(test_string_key_opens_share),
		test_case(test_parse_hex),
		test_case(test_parse_as_perl),
		test_case(test_parse_errors),
	};

	return test_run(tests);
}
