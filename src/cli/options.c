/*
 * options.c - getopt_long for every command, with what they all share:
 * --help, --timeout, and one line for an option that is wrong.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

int next_option(int argc, char **argv, const char *shortopts,
		const struct option *longopts, int *rc)
{
	unsigned long ms;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) == OPTION_TIMEOUT) {
		if (parse_ulong(optarg, 10, 0, INT_MAX, &ms) < 0) {
			*rc = usage_error(argv[0], "--timeout takes a number of "
					  "milliseconds from 0 to %d", INT_MAX);
			return OPTIONS_EXIT;
		}
		open_timeout_ms = (int)ms;
	}
	if (c == 'h') {
		print_command_help(argv[0], stdout);
		*rc = EXIT_OK;
		return OPTIONS_EXIT;
	}
	if (c == '?' || c == ':') {
		*rc = option_error(argv[0], argv, c);
		return OPTIONS_EXIT;
	}
	return c;
}

int options_none(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		TIMEOUT_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	int rc = -1;

	next_option(argc, argv, ":h", opts, &rc);
	return rc;
}

int one_key(int argc, char **argv, struct keyarg *k)
{
	if (optind >= argc)
		return usage_error(argv[0], "missing KEY");
	if (argc - optind > 1)
		return usage_error(argv[0], "one KEY at a time");
	if (keyarg_parse(argv[optind], k) < 0)
		return EXIT_USAGE;
	return -1;
}
