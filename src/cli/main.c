/*
 * main.c - sharelite(1): find the subcommand and hand it the rest of the
 * command line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "store", cmd_store },
	{ "fetch", cmd_fetch },
	{ "info", cmd_info },
	{ "rm", cmd_rm },
	{ "ls", cmd_ls },
	{ "watch", cmd_watch },
	{ "bench", cmd_bench },
};

/* Output that could not be written is an error, not a silent truncation. */
static int finish(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (rc == EXIT_OK) {
			report("cannot write to standard output: %m");
			rc = EXIT_RUNTIME;
		}
	}
	return rc;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;
	size_t i;

	if (!name)
		return usage_error(NULL, "no command given");
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		print_help(stdout);
		return finish(EXIT_OK);
	}
	if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
		print_version(stdout);
		return finish(EXIT_OK);
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return finish(commands[i].run(argc - 1, argv + 1));
	if (name[0] == '-')
		return usage_error(NULL, "unknown option '%s'", name);
	return usage_error(NULL, "unknown command '%s'", name);
}
