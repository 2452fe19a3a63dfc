/*
 * cmd_watch.c - sharelite watch [--count N] KEY: print the value, then again
 * each time its version changes. share_wait_change() does the waiting (SysV
 * has no way to wake a waiter, so it polls the version with short sleeps).
 * SIGINT and SIGTERM end the watch normally.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define WAIT_MS 200

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* No SA_RESTART: the signal cuts the sleep short. */
static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* -1: go on at optind; else the exit code. *count is -1 for no limit. */
static int parse_options(int argc, char **argv, long *count)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		TIMEOUT_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	unsigned long n;
	int c, rc = -1;

	*count = -1;
	while ((c = next_option(argc, argv, ":c:h", opts, &rc)) >= 0) {
		if (parse_ulong(optarg, 10, 0, LONG_MAX, &n) < 0)
			return usage_error(argv[0], "--count takes a number of changes");
		*count = (long)n;
	}
	return rc;
}

static int print_value(const char *value, size_t len)
{
	if (write_all(STDOUT_FILENO, value, len) < 0 ||
	    ((len == 0 || value[len - 1] != '\n') && write_all(STDOUT_FILENO, "\n", 1) < 0)) {
		report("watch: cannot write to standard output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The first value printed is the current one; count counts the changes. */
static int watch(share_t *share, const struct keyarg *k, long count)
{
	unsigned int seen = 0;	/* no share has version 0 */
	long printed = 0;

	while (!stop) {
		void *value;
		size_t len;
		int rc = share_fetch_if_changed(share, &seen, &value, &len);

		if (rc < 0) {
			report_key_error(k, "watch");
			return EXIT_RUNTIME;
		}
		if (rc == 1) {
			rc = print_value(value, len);
			free(value);
			if (rc < 0)
				return EXIT_RUNTIME;
			if (count >= 0 && printed++ == count)
				break;
		}
		/* A bounded wait: a signal that lands just before it is seen soon. */
		if (share_wait_change(share, seen, WAIT_MS) < 0 && errno != EINTR) {
			report_key_error(k, "watch");
			return EXIT_RUNTIME;
		}
	}
	return EXIT_OK;
}

int cmd_watch(int argc, char **argv)
{
	struct keyarg k;
	share_t *share;
	long count;
	int rc = parse_options(argc, argv, &count);

	if (rc < 0)
		rc = one_key(argc, argv, &k);
	if (rc >= 0)
		return rc;
	share = open_or_report(&k, "watch");
	if (!share)
		return EXIT_RUNTIME;
	catch_signals();
	rc = watch(share, &k, count);
	share_close(share);
	return rc;
}
