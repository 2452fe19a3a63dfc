/*
 * slc - the C side of the interop tests: one share handle, driven one
 * command per line on stdin, one answer per line on stdout. slp.pl speaks
 * the same protocol through Perl's IPC::ShareLite, so a test can give the
 * same orders to either side (see Interop.pm for the commands).
 *
 * Values travel as hex so that any byte survives. Answers are "ok [x]",
 * "wouldblock" or "err ERRNO text".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharelite.h"

/* A driver outlives a test that died only this long. */
#define LIFETIME_SECONDS 600

static share_t *share;

static void answer_error(void)
{
	int err = errno;

	printf("err %d %s\n", err, strerror(err));
}

static void answer_rc(int rc)
{
	if (rc < 0)
		answer_error();
	else
		puts("ok");
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode hex in place; -1 with EINVAL on anything that is not hex. */
static ssize_t unhex(char *text)
{
	size_t n = strlen(text), i;

	if (n % 2) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n / 2; i++) {
		int hi = hex_digit(text[2 * i]), lo = hex_digit(text[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			errno = EINVAL;
			return -1;
		}
		text[i] = (char)(hi << 4 | lo);
	}
	text[n / 2] = '\0';
	return (ssize_t)(n / 2);
}

static void print_hex(const unsigned char *data, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02x", data[i]);
}

/* "num:DECIMAL" is a key_t as it is; "str:HEX" goes through the string rule. */
static int parse_key(char *spec, key_t *key)
{
	char *end;

	if (strncmp(spec, "num:", 4) == 0) {
		long n;

		errno = 0;
		n = strtol(spec + 4, &end, 10);
		if (errno || end == spec + 4 || *end) {
			errno = EINVAL;
			return -1;
		}
		*key = (key_t)n;
		return 0;
	}
	if (strncmp(spec, "str:", 4) == 0 && unhex(spec + 4) >= 0)
		return share_key_from_string(spec + 4, key);
	errno = EINVAL;
	return -1;
}

/* open KEY SIZE create|attach MODE */
static void cmd_open(char *args)
{
	char *key_spec = strtok(args, " "), *size = strtok(NULL, " ");
	char *how = strtok(NULL, " "), *mode = strtok(NULL, " ");
	key_t key;
	int flags;

	if (share || !key_spec || !size || !how || !mode) {
		errno = EINVAL;
		answer_error();
		return;
	}
	if (parse_key(key_spec, &key) < 0) {
		answer_error();
		return;
	}
	flags = (int)strtol(mode, NULL, 8);
	if (strcmp(how, "create") == 0)
		flags |= IPC_CREAT;
	share = share_new(key, strtoul(size, NULL, 10), flags);
	answer_rc(share ? 0 : -1);
}

static void cmd_keyof(char *spec)
{
	key_t key;

	if (parse_key(spec, &key) < 0)
		answer_error();
	else
		printf("ok %ld\n", (long)key);
}

static void cmd_store(char *hex)
{
	ssize_t n = unhex(hex);

	answer_rc(n < 0 ? -1 : share_store(share, hex, (size_t)n));
}

static void cmd_fetch(void)
{
	void *data;
	ssize_t n = share_fetch(share, &data);

	if (n < 0) {
		answer_error();
		return;
	}
	printf("ok ");
	print_hex(data, (size_t)n);
	putchar('\n');
	free(data);
}

static const struct {
	const char *name;
	int operation;
} lock_names[] = {
	{ "ex", LOCK_EX }, { "sh", LOCK_SH }, { "un", LOCK_UN },
	{ "ex_nb", LOCK_EX | LOCK_NB }, { "sh_nb", LOCK_SH | LOCK_NB },
};

static void cmd_lock(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(lock_names) / sizeof(lock_names[0]); i++) {
		if (strcmp(name, lock_names[i].name) != 0)
			continue;
		if (share_lock(share, lock_names[i].operation) == 0)
			puts("ok");
		else if (errno == EWOULDBLOCK)
			puts("wouldblock");
		else
			answer_error();
		return;
	}
	errno = EINVAL;
	answer_error();
}

/* Add one to the decimal number stored; the caller holds LOCK_EX. */
static int add_one(void)
{
	char text[32];
	ssize_t len = share_fetch_into(share, text, sizeof(text) - 1);

	if (len < 0)
		return -1;
	if (len >= (ssize_t)sizeof(text)) {
		errno = EBADMSG;
		return -1;
	}
	text[len] = '\0';
	len = snprintf(text, sizeof(text), "%ld", strtol(text, NULL, 10) + 1);
	return share_store(share, text, (size_t)len);
}

/* The counter test: n increments, each under its own exclusive lock. */
static int increment(long n)
{
	while (n-- > 0) {
		int rc, err;

		if (share_lock(share, LOCK_EX) < 0)
			return -1;
		rc = add_one();
		err = errno;
		if (share_unlock(share) < 0 || rc < 0) {
			if (rc < 0)
				errno = err;
			return -1;
		}
	}
	return 0;
}

static void cmd_version(void)
{
	unsigned int v;

	errno = 0;
	v = share_version(share);
	if (v == 0 && errno)
		answer_error();
	else
		printf("ok %u\n", v);
}

static void cmd_segments(void)
{
	int n = share_num_segments(share);

	if (n < 0)
		answer_error();
	else
		printf("ok %d\n", n);
}

static void cmd_size(void)
{
	printf("ok %zu\n", share_segment_size(share));
}

static void cmd_close(int remove)
{
	int rc = 0;

	if (remove)
		rc = share_remove(share);
	if (share_close(share) < 0)
		rc = -1;
	share = NULL;
	answer_rc(rc);
}

static void run(char *line)
{
	char *args = strchr(line, ' ');

	if (args)
		*args++ = '\0';
	else
		args = line + strlen(line);
	if (strcmp(line, "open") == 0)
		cmd_open(args);
	else if (strcmp(line, "keyof") == 0)
		cmd_keyof(args);
	else if (!share)
		printf("err %d no share open\n", EINVAL);
	else if (strcmp(line, "store") == 0)
		cmd_store(args);
	else if (strcmp(line, "fetch") == 0)
		cmd_fetch();
	else if (strcmp(line, "lock") == 0)
		cmd_lock(args);
	else if (strcmp(line, "incr") == 0)
		answer_rc(increment(strtol(args, NULL, 10)));
	else if (strcmp(line, "version") == 0)
		cmd_version();
	else if (strcmp(line, "segments") == 0)
		cmd_segments();
	else if (strcmp(line, "size") == 0)
		cmd_size();
	else if (strcmp(line, "close") == 0)
		cmd_close(0);
	else if (strcmp(line, "remove") == 0)
		cmd_close(1);
	else
		printf("err %d unknown command\n", EINVAL);
}

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	alarm(LIFETIME_SECONDS);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		run(line);
	}
	free(line);
	if (share)
		share_close(share);
	return 0;
}
