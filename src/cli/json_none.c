/*
 * json_none.c - a sharelite built without jansson: json_library() says so,
 * and fetch --json refuses with that reason before it reads anything.
 */
#include <errno.h>
#include <stdio.h>

#include "cli.h"

int json_pretty_print(const struct keyarg *k, const char *data, size_t len, FILE *out)
{
	(void)k;
	(void)data;
	(void)len;
	(void)out;
	errno = ENOSYS;
	return -1;
}

const char *json_library(void)
{
	return NULL;
}
