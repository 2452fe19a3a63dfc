/*
 * options.h - the benchmark's command line, the same whether it runs as
 * sharelite-bench, `make bench` or `sharelite bench`.
 */
#ifndef BENCH_OPTIONS_H
#define BENCH_OPTIONS_H

#include <stddef.h>

#include "timing.h"

#define OPTIONS_MAX_LIST 16

struct bench_options {
	size_t sizes[OPTIONS_MAX_LIST];	/* value sizes in bytes */
	int nsizes;
	int readers[OPTIONS_MAX_LIST];	/* reader counts beside one writer */
	int nreaders;
	struct bench_timing timing;
	const char *redis_url;	/* --redis: the share for the Redis table, or NULL */
};

/* 0: run; 1: help was printed; -1: a one-line message was printed. */
int options_parse(int argc, char **argv, struct bench_options *options);

#endif /* BENCH_OPTIONS_H */
