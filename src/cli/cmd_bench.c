/*
 * cmd_bench.c - sharelite bench [ARG]...: run sharelite-bench, a program of
 * its own. The one installed beside this command comes first, so that a
 * sharelite runs its own release's benchmark; then the one in PATH.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define BENCH "sharelite-bench"

/* dir/sharelite-bench for the directory of the running binary. */
static int beside_self(char *path, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", path, size - 1);
	char *slash;

	if (n < 0)
		return -1;
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (!slash || (size_t)(slash - path) + sizeof("/" BENCH) > size)
		return -1;
	strcpy(slash + 1, BENCH);
	return 0;
}

int cmd_bench(int argc, char **argv)
{
	char path[PATH_MAX];

	(void)argc;	/* argv ends with NULL, as exec wants it */
	argv[0] = (char *)BENCH;
	if (beside_self(path, sizeof(path)) == 0 && access(path, X_OK) == 0) {
		execv(path, argv);
		report("bench: cannot run %s: %s", path, strerror(errno));
		return EXIT_RUNTIME;
	}
	execvp(BENCH, argv);
	if (errno == ENOENT && beside_self(path, sizeof(path)) == 0)
		report("bench: " BENCH " not found: neither %s nor in PATH", path);
	else if (errno == ENOENT)
		report("bench: " BENCH " not found in PATH");
	else
		report("bench: cannot run " BENCH ": %s", strerror(errno));
	return EXIT_RUNTIME;
}
