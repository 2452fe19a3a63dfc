/*
 * cmd_fetch.c - sharelite fetch [--json] KEY: the value on standard output,
 * byte for byte, or pretty-printed when it is JSON and --json asks for it.
 * On a terminal a newline ends a value that does not end with one, so the
 * shell's prompt starts on a line of its own; into a pipe or a file, the
 * bytes are exactly the value.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* The value as it is, and on a terminal the end of its line. */
static int write_value(const char *value, size_t len)
{
	int ends_line = len > 0 && value[len - 1] == '\n';

	if (write_all(STDOUT_FILENO, value, len) < 0)
		return -1;
	if (!ends_line && isatty(STDOUT_FILENO))
		return write_all(STDOUT_FILENO, "\n", 1);
	return 0;
}

/* -1: go on at optind; else the exit code. */
static int parse_options(int argc, char **argv, int *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		TIMEOUT_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	int c, rc = -1;

	*json = 0;
	while ((c = next_option(argc, argv, ":jh", opts, &rc)) >= 0)
		if (c == 'j')
			*json = 1;
	return rc;
}

int cmd_fetch(int argc, char **argv)
{
	struct keyarg k;
	share_t *share;
	void *value;
	ssize_t len;
	int json, rc = parse_options(argc, argv, &json);

	if (rc >= 0)
		return rc;
	rc = one_key(argc, argv, &k);
	if (rc >= 0)
		return rc;
	if (json && !json_library()) {
		report("fetch: key %s: --json needs jansson, and this sharelite was built without it",
		       k.text);
		return EXIT_RUNTIME;
	}
	share = open_or_report(&k, "fetch");
	if (!share)
		return EXIT_RUNTIME;
	len = share_fetch(share, &value);
	if (len < 0) {
		report_key_error(&k, "fetch");
		share_close(share);
		return EXIT_RUNTIME;
	}
	share_close(share);
	if (json) {
		rc = json_pretty_print(&k, value, (size_t)len, stdout) < 0 ? EXIT_RUNTIME : EXIT_OK;
	} else if (write_value(value, (size_t)len) < 0) {
		report("fetch: cannot write to standard output: %s", strerror(errno));
		rc = EXIT_RUNTIME;
	} else {
		rc = EXIT_OK;
	}
	free(value);
	return rc;
}
